"""The table restore: one table from a snapshot of a cluster into that same cluster under a new name, and the
lines `plan` prints for it."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from policies.base import Issues, StrictModel
from policies.restore_fields import (
    DEFAULT_TIMEOUT_MINUTES,
    ClusterIdentifier,
    Region,
    ResourceName,
    SqlName,
    TimeoutMinutes,
)


class TableRestoreSpec(StrictModel):
    """Restore one table from a snapshot of a cluster into that same cluster under a new name."""

    name: ResourceName
    kind: Literal["table"]
    cluster_identifier: ClusterIdentifier
    """The cluster the snapshot was taken from; the table is restored into it."""
    snapshot_identifier: str | None = None
    """Default: the newest available snapshot of `cluster_identifier`, resolved once at create."""
    source_database_name: SqlName
    source_schema_name: SqlName = "public"
    source_table_name: SqlName
    target_database_name: SqlName | None = None
    """Default: `source_database_name`."""
    target_schema_name: SqlName | None = None
    """Default: `source_schema_name`."""
    new_table_name: SqlName
    """Must not exist yet: the restore refuses an existing table."""
    enable_case_sensitive_identifier: bool = False
    region: Region | None = None
    """Default: the provider's region (AWS_REGION)."""
    timeout_minutes: TimeoutMinutes = DEFAULT_TIMEOUT_MINUTES
    """How long create waits for the table restore. Default: 75."""

    @model_validator(mode="after")
    def _cross_field(self) -> TableRestoreSpec:
        issues = Issues()
        same_place = ((self.target_database_name or self.source_database_name) == self.source_database_name
                      and (self.target_schema_name or self.source_schema_name) == self.source_schema_name)
        if same_place and self.new_table_name == self.source_table_name:
            issues.add("new_table_name", "must differ from source_table_name when restoring into the same "
                       "database and schema (the source table exists)", self.new_table_name)
        issues.raise_if_any()
        return self


def describe_table_restore(spec: TableRestoreSpec) -> list[str]:
    """The lines `plan` prints for a table restore."""
    target = (f"{spec.target_database_name or spec.source_database_name}."
              f"{spec.target_schema_name or spec.source_schema_name}.{spec.new_table_name}")
    snapshot = (f"snapshot {spec.snapshot_identifier}" if spec.snapshot_identifier
                else f"the latest snapshot of {spec.cluster_identifier}")
    return [
        f"restore table {spec.source_database_name}.{spec.source_schema_name}.{spec.source_table_name} "
        f"from {snapshot} into {target} on cluster {spec.cluster_identifier}",
        "destroy leaves the restored table in place (drop it with SQL when done)",
    ]
