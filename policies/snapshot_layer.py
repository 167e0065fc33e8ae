"""The native snapshot layer of a policy: Redshift's own snapshot schedule, retention and cross-region copy."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from policies import names, snapshot_spacing
from policies.base import Issues, StrictModel, skip_if_invalid
from policies.model_fields import KmsKeyArn, RedshiftRegionName, arn_region, name_rule


class CrossRegionCopy(StrictModel):
    """Redshift's own cross-region snapshot copy: one destination region per cluster."""

    destination_region: RedshiftRegionName
    # Default 7 days (Redshift's default) for copied automated snapshots; 1-35.
    retention_days: int = Field(default=7, ge=1, le=35)
    # Copied manual snapshots: -1 keeps them for ever, 1-3653 days. Default: Redshift's default (-1).
    manual_snapshot_retention_days: int | None = None
    # KMS-encrypted clusters need a snapshot copy grant in the destination region. Give the destination-region
    # key (`kms_key_id`) to have one created, or the name of an existing grant there. Default: neither
    # (unencrypted clusters).
    kms_key_id: KmsKeyArn | None = None
    snapshot_copy_grant_name: Annotated[str, name_rule(names.SNAPSHOT_COPY_GRANT)] | None = None

    @field_validator("manual_snapshot_retention_days")
    @classmethod
    def _manual(cls, value: int | None) -> int | None:
        return _manual_retention(value)

    @model_validator(mode="after")
    def _rules(self) -> CrossRegionCopy:
        issues = Issues()
        if self.kms_key_id and self.snapshot_copy_grant_name:
            issues.add("snapshot_copy_grant_name", "give either kms_key_id (a grant is created) or an existing "
                       "snapshot_copy_grant_name, not both", self.snapshot_copy_grant_name)
        if self.kms_key_id and arn_region(self.kms_key_id) != self.destination_region:
            issues.add("kms_key_id", f"must be a key in the destination region {self.destination_region}: the "
                       "copy grant lets Redshift encrypt the copies there", self.kms_key_id)
        issues.raise_if_any()
        return self


def _manual_retention(value: int | None) -> int | None:
    if value is not None and value != -1 and not 1 <= value <= 3653:
        raise ValueError("expected -1 (keep for ever) or 1-3653 days")
    return value


class SnapshotLayer(StrictModel):
    """Redshift's own snapshots for the policy's clusters: a schedule, retention settings, cross-region copy."""

    # Snapshot schedule definitions, `cron(Minutes Hours Day-of-week)` in UTC or `rate(N hours)`. Default: none
    # (clusters keep Redshift's default of a snapshot every 8 hours or 5 GB per node of change).
    schedule: list[str] = []
    # 0-35 days (0 turns automated snapshots off; RA3 needs 1-35). Default: leave the cluster's setting alone.
    automated_snapshot_retention_days: int | None = Field(default=None, ge=0, le=35)
    # -1 (for ever) or 1-3653. Default: leave the cluster's setting alone.
    manual_snapshot_retention_days: int | None = None
    cross_region_copy: CrossRegionCopy | None = None

    @field_validator("manual_snapshot_retention_days")
    @classmethod
    def _manual(cls, value: int | None) -> int | None:
        return _manual_retention(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> SnapshotLayer:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            for index, message in snapshot_spacing.snapshot_definition_problems(self.schedule) if self.schedule else []:
                if index is None:
                    issues.add("schedule", message, self.schedule)
                else:
                    issues.add(("schedule", index), message, self.schedule[index])
            if len(self.schedule) > 50:
                issues.add("schedule", f"{len(self.schedule)} definitions; keep it to a handful", has_value=False)
        region = (info.context or {}).get("region")
        with skip_if_invalid():
            copy = self.cross_region_copy
            if copy and region and copy.destination_region == region:
                issues.add(("cross_region_copy", "destination_region"), f"is the stack's own region ({region}); "
                           "expected another region", copy.destination_region)
        with skip_if_invalid():
            if self.automated_snapshot_retention_days == 0:
                for field in ("schedule", "cross_region_copy"):
                    with skip_if_invalid():
                        if getattr(self, field):
                            issues.add(field, f"has nothing to {'take' if field == 'schedule' else 'copy'}: "
                                       "automated_snapshot_retention_days is 0, which turns automated snapshots "
                                       f"off; remove {field} or keep automated snapshots for at least 1 day",
                                       has_value=False)
        with skip_if_invalid():
            if not (self.schedule or self.automated_snapshot_retention_days is not None
                    or self.manual_snapshot_retention_days is not None or self.cross_region_copy):
                issues.add((), "sets nothing; give schedule, a retention or cross_region_copy, or leave out "
                           "`snapshots`", has_value=False)
        issues.raise_if_any()
        return self
