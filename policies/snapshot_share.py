"""The snapshot share: let other accounts (or AWS Support) restore a manual snapshot, and the line `plan` prints
for it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from policies.base import Issues, StrictModel
from policies.model_fields import report_duplicates
from policies.restore_fields import (
    MAX_SHARED_ACCOUNTS,
    REDSHIFT_SUPPORT,
    Arn,
    ClusterIdentifier,
    Region,
    ResourceName,
    ShareAccount,
)


class SnapshotShareSpec(StrictModel):
    """Let other accounts restore a manual snapshot; update and delete revoke what is no longer listed."""

    name: ResourceName
    kind: Literal["snapshot_share"]
    snapshot_identifier: str | None = None
    snapshot_arn: Arn | None = None
    snapshot_cluster_identifier: ClusterIdentifier | None = None
    """Default: not sent (needed when IAM policies name the cluster)."""
    accounts_with_restore_access: Annotated[list[ShareAccount],
                                            Field(min_length=1, max_length=MAX_SHARED_ACCOUNTS)]
    """1..20 accounts (Redshift's limit per snapshot); `amazon-redshift-support` shares with AWS Support."""
    region: Region | None = None

    @model_validator(mode="after")
    def _cross_field(self) -> SnapshotShareSpec:
        issues = Issues()
        if (self.snapshot_identifier is None) == (self.snapshot_arn is None):
            issues.add((), "give exactly one of snapshot_identifier, snapshot_arn", has_value=False)
        report_duplicates(issues, "accounts_with_restore_access", list(self.accounts_with_restore_access))
        issues.raise_if_any()
        return self


def describe_snapshot_share(spec: SnapshotShareSpec) -> list[str]:
    """The line `plan` prints for a snapshot share."""
    shared = spec.snapshot_identifier or spec.snapshot_arn
    accounts = ", ".join(f"AWS Support ({a})" if a == REDSHIFT_SUPPORT else a
                         for a in spec.accounts_with_restore_access)
    plural = "s" if len(spec.accounts_with_restore_access) > 1 else ""
    return [f"share snapshot {shared} with account{plural} {accounts}; destroy revokes the access"]
