"""Restore declarations (`redshift-backup:restores`): the tagged union of the three kinds, the rules across
entries, and the lines `plan` prints.

Each kind lives in its own module, named like its component: `restore_cluster`, `restore_table` and
`snapshot_share`, built from the field rules and types of `restore_fields`. Every name this module offered before
they were split out is importable from here still (`__all__`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Tag

from policies.base import Issues
from policies.errors import Problem, join_path
from policies.restore_cluster import SOURCE_KEYS, ClusterRestoreSource, ClusterRestoreSpec, describe_cluster_restore
from policies.restore_fields import (
    ANY_NODE_PORTS,
    DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS,
    DEFAULT_TIMEOUT_MINUTES,
    MAX_IAM_ROLES,
    MAX_SHARED_ACCOUNTS,
    MAX_TAGS,
    MAX_TIMEOUT_MINUTES,
    MIN_MAINTENANCE_MINUTES,
    OWNERSHIP_TAG,
    RA3_PORTS,
    REDSHIFT_SUPPORT,
    AccountId,
    Arn,
    ClusterIdentifier,
    ManualRetentionDays,
    NodeType,
    Region,
    ResourceName,
    ShareAccount,
    SqlName,
    Tags,
    TimeoutMinutes,
    cluster_identifier_problem,
    port_problem,
)
from policies.restore_table import TableRestoreSpec, describe_table_restore
from policies.snapshot_share import SnapshotShareSpec, describe_snapshot_share

__all__ = [
    "ANY_NODE_PORTS", "DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS", "DEFAULT_TIMEOUT_MINUTES", "KINDS", "MAX_IAM_ROLES",
    "MAX_SHARED_ACCOUNTS", "MAX_TAGS", "MAX_TIMEOUT_MINUTES", "MIN_MAINTENANCE_MINUTES", "OWNERSHIP_TAG", "RA3_PORTS",
    "REDSHIFT_SUPPORT", "SOURCE_KEYS",
    "AccountId", "Arn", "ClusterIdentifier", "ManualRetentionDays", "NodeType", "Region", "ResourceName",
    "ShareAccount", "SqlName", "Tags", "TimeoutMinutes",
    "ClusterRestoreSource", "ClusterRestoreSpec", "RestoreSpec", "SnapshotShareSpec", "TableRestoreSpec",
    "cluster_identifier_problem", "describe_restore", "port_problem", "restore_list_problems",
]

KINDS = ("cluster", "table", "snapshot_share")


def _kind_tag(value: Any) -> str | None:
    # Tags look like `kind[...]` so the error-path cleaner drops them: `restores[0].port`, not
    # `restores[0].cluster.port`.
    kind = value.get("kind", "cluster") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"kind[{kind}]" if isinstance(kind, str) else None


def _known_kind(value: Any) -> Any:
    if isinstance(value, dict) and "kind" in value and value["kind"] not in KINDS:
        issues = Issues()
        issues.add("kind", f"expected one of {', '.join(repr(k) for k in KINDS)} (default 'cluster')",
                   value["kind"])
        issues.raise_if_any()
    return value


RestoreSpec = Annotated[
    Annotated[ClusterRestoreSpec, Tag("kind[cluster]")]
    | Annotated[TableRestoreSpec, Tag("kind[table]")]
    | Annotated[SnapshotShareSpec, Tag("kind[snapshot_share]")],
    Discriminator(_kind_tag, custom_error_type="restore_shape",
                  custom_error_message="expected a mapping with a name and an optional kind "
                                       "(cluster, table or snapshot_share)"),
    BeforeValidator(_known_kind),
]
"""One declared restore: a tagged union on `kind`; a missing `kind` means `cluster`."""


def restore_list_problems(restores: Sequence[ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec],
                          prefix: Sequence[str | int] = ("restores",)) -> list[Problem]:
    """Problems across entries: duplicate resource names and two restores into the same cluster identifier."""
    problems: list[Problem] = []
    names: dict[str, int] = {}
    targets: dict[tuple[str | None, str], int] = {}
    for index, spec in enumerate(restores):
        if spec.name in names:
            problems.append(Problem(join_path(*prefix, index, "name"),
                                    f"is also the name of restores[{names[spec.name]}]", spec.name, rule="restore"))
        names.setdefault(spec.name, index)
        if isinstance(spec, ClusterRestoreSpec):
            key = (spec.region, spec.target_identifier)
            if key in targets:
                problems.append(Problem(join_path(*prefix, index, "cluster_identifier"),
                                        f"restores[{targets[key]}] restores into the same cluster",
                                        spec.target_identifier, rule="restore"))
            targets.setdefault(key, index)
    return problems



def describe_restore(spec: ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec) -> list[str]:
    """The lines `plan` prints for one declared restore."""
    if isinstance(spec, ClusterRestoreSpec):
        return describe_cluster_restore(spec)
    if isinstance(spec, TableRestoreSpec):
        return describe_table_restore(spec)
    return describe_snapshot_share(spec)
