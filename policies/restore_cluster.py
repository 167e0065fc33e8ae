"""The cluster restore: where it comes from (`ClusterRestoreSource`), the new cluster's settings
(`ClusterRestoreSpec`) with their cross-field rules, and the lines `plan` prints for it."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from policies.base import Issues, StrictModel, skip_if_invalid
from policies.node_types import MAX_NODES, NODE_TYPES, node_type_problem
from policies.restore_fields import (
    DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS,
    DEFAULT_TIMEOUT_MINUTES,
    AccountId,
    Arn,
    BackupVaultName,
    ClusterIdentifier,
    IamRoles,
    MaintenanceWindow,
    ManualRetentionDays,
    NodeType,
    Port,
    RefusedElasticIp,
    RefusedHsm,
    RefusedMultiAz,
    Region,
    ResourceName,
    Tags,
    TimeoutMinutes,
    cluster_identifier_problem,
    port_problem,
)

_SNAPSHOT_SOURCES = ("snapshot_identifier", "snapshot_arn", "latest_snapshot_of")
_RECOVERY_SOURCES = ("recovery_point_arn", "latest_recovery_point_of")
SOURCE_KEYS = _SNAPSHOT_SOURCES + _RECOVERY_SOURCES


class ClusterRestoreSource(StrictModel):
    """Where a cluster restore comes from: exactly one of the five source keys."""

    snapshot_identifier: str | None = None
    """A snapshot by name. Default: none."""
    snapshot_arn: Arn | None = None
    """A snapshot by ARN (also a snapshot shared from another account). Default: none."""
    snapshot_cluster_identifier: ClusterIdentifier | None = None
    """The cluster the snapshot was taken from; needed when IAM policies name it. Default: not sent."""
    owner_account: AccountId | None = None
    """The account that owns a shared snapshot, or the source cluster of `latest_snapshot_of` /
    `latest_recovery_point_of` (a drill in a test account). Default: this account."""
    latest_snapshot_of: ClusterIdentifier | None = None
    """The newest available snapshot (automated or manual) of this cluster, resolved once at create."""
    recovery_point_arn: Arn | None = None
    """An AWS Backup recovery point, restored with StartRestoreJob. Needs `backup_vault_name`."""
    latest_recovery_point_of: ClusterIdentifier | None = None
    """The newest completed recovery point of this cluster in `backup_vault_name`, resolved once at create."""
    backup_vault_name: BackupVaultName | None = None
    """The vault holding the recovery point. Required with a recovery point source, refused otherwise."""
    backup_iam_role_arn: Arn | None = None
    """The role AWS Backup assumes for StartRestoreJob. Required with a recovery point source."""

    @model_validator(mode="after")
    def _one_source(self) -> ClusterRestoreSource:
        issues = Issues()
        given = [key for key in SOURCE_KEYS if getattr(self, key) is not None]
        if len(given) != 1:
            got = ", ".join(given) if given else "none"
            issues.add((), f"give exactly one of {', '.join(SOURCE_KEYS)}; got {got} "
                       "(example: latest_snapshot_of: analytics-prod)", has_value=False)
        recovery = any(getattr(self, key) is not None for key in _RECOVERY_SOURCES)
        by_snapshot = self.snapshot_identifier is not None or self.snapshot_arn is not None
        if self.owner_account is not None and self.recovery_point_arn is not None:
            issues.add("owner_account", "does not apply to recovery_point_arn (the ARN names its account)",
                       self.owner_account)
        if self.snapshot_cluster_identifier is not None and not by_snapshot:
            issues.add("snapshot_cluster_identifier", "only applies to snapshot_identifier or snapshot_arn",
                       self.snapshot_cluster_identifier)
        for key in ("backup_vault_name", "backup_iam_role_arn"):
            value = getattr(self, key)
            if recovery and value is None:
                issues.add(key, "is required with recovery_point_arn or latest_recovery_point_of",
                           has_value=False)
            if not recovery and value is not None:
                issues.add(key, "only applies to recovery_point_arn or latest_recovery_point_of", value)
        issues.raise_if_any()
        return self

    def describe(self) -> str:
        owner = f" shared by account {self.owner_account}" if self.owner_account else ""
        if self.latest_snapshot_of:
            return f"the latest snapshot of {self.latest_snapshot_of}{owner}"
        if self.latest_recovery_point_of:
            account = f" (account {self.owner_account})" if self.owner_account else ""
            return (f"the latest recovery point of {self.latest_recovery_point_of}{account} "
                    f"in vault {self.backup_vault_name}")
        if self.recovery_point_arn:
            return f"recovery point {self.recovery_point_arn}"
        return f"snapshot {self.snapshot_identifier or self.snapshot_arn}{owner}"


class ClusterRestoreSpec(StrictModel):
    """Restore a snapshot or recovery point into a new cluster; `pulumi destroy` deletes that cluster."""

    name: ResourceName
    """The Pulumi resource name."""
    kind: Literal["cluster"] = "cluster"
    source: ClusterRestoreSource
    cluster_identifier: ClusterIdentifier | None = None
    """Default: `name` (which must then follow the identifier rules)."""
    region: Region | None = None
    """Default: the provider's region (AWS_REGION)."""
    node_type: NodeType | None = None
    """Default: the snapshot's node type."""
    number_of_nodes: Annotated[int, Field(ge=1, le=MAX_NODES)] | None = None
    """Default: the snapshot's number of nodes. Must be in the node type's range (policies/node_types.py)."""
    iam_roles: IamRoles | None = None
    """Default: the source cluster's roles when it still exists, else none."""
    default_iam_role_arn: Arn | None = None
    """Default: the source cluster's default role when it still exists (must be one of `iam_roles`)."""
    manage_master_password: bool | None = None
    """Default: as the snapshot was (a snapshot with a managed password restores as managed)."""
    master_password_secret_kms_key_id: str | None = None
    """Default: the AWS managed key. Only with `manage_master_password: true`."""
    vpc_security_group_ids: list[str] | None = None
    """Default: the source cluster's security groups when it still exists, else the VPC's default group."""
    cluster_subnet_group_name: str | None = None
    """Default: the source cluster's subnet group when it still exists. Cannot change after the restore."""
    availability_zone: str | None = None
    """Default: AWS picks one."""
    publicly_accessible: bool = False
    port: Port | None = None
    """Default: the snapshot's port."""
    cluster_parameter_group_name: str | None = None
    """Default: the source cluster's parameter group when it still exists, else the default group."""
    kms_key_id: str | None = None
    """Default: the snapshot's encryption key."""
    enhanced_vpc_routing: bool | None = None
    """Default: as the snapshot was."""
    availability_zone_relocation: bool | None = None
    """Default: as the snapshot was."""
    maintenance_track_name: str | None = None
    """Default: as the snapshot was ('current')."""
    preferred_maintenance_window: MaintenanceWindow | None = None
    """Default: a 30-minute window AWS picks."""
    automated_snapshot_retention_days: Annotated[int, Field(ge=0, le=35)] | None = None
    """Default: as the snapshot was. 0 disables automated snapshots (not allowed on RA3)."""
    manual_snapshot_retention_days: ManualRetentionDays | None = None
    """Default: -1 (keep manual snapshots for ever)."""
    tags: Tags = {}
    """Applied with CreateTags after the restore (the restore API takes none). Default: none."""
    skip_final_snapshot: bool = False
    """Default: on delete, take a final snapshot `<cluster>-final-<UTC time>`."""
    final_snapshot_retention_days: ManualRetentionDays = DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS
    """Default: 7 days."""
    timeout_minutes: TimeoutMinutes = DEFAULT_TIMEOUT_MINUTES
    """How long create waits for the restore before it deletes the half-made cluster. Default: 75."""
    # Accepted only to refuse them with a clear reason: a restore to a new location does not support them.
    multi_az: RefusedMultiAz = False
    elastic_ip: RefusedElasticIp | None = None
    hsm_configuration_identifier: RefusedHsm | None = None
    hsm_client_certificate_identifier: RefusedHsm | None = None

    @property
    def target_identifier(self) -> str:
        return self.cluster_identifier or self.name

    @model_validator(mode="after")
    def _cross_field(self, info: ValidationInfo) -> ClusterRestoreSpec:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            _in_restore_region(issues, self, (info.context or {}).get("region"))
        with skip_if_invalid():
            if self.cluster_identifier is None:
                problem = cluster_identifier_problem(self.name)
                if problem:
                    issues.add("name", f"is used as cluster_identifier (none given) and {problem}", self.name)
        with skip_if_invalid():
            if self.master_password_secret_kms_key_id is not None and self.manage_master_password is not True:
                issues.add("master_password_secret_kms_key_id", "only applies with manage_master_password: true",
                           self.master_password_secret_kms_key_id)
        with skip_if_invalid():
            if self.port is not None:
                problem = port_problem(self.port, self.node_type)
                if problem:
                    issues.add("port", problem, self.port)
        with skip_if_invalid():
            if self.node_type in NODE_TYPES or self.node_type is None:
                problem = node_type_problem(self.node_type, self.number_of_nodes)
                if problem:
                    issues.add("number_of_nodes", problem, self.number_of_nodes)
        with skip_if_invalid():
            ra3 = self.node_type is not None and self.node_type.startswith("ra3.")
            if ra3 and self.automated_snapshot_retention_days == 0:
                issues.add("automated_snapshot_retention_days", "RA3 clusters need 1..35 days (0 is not allowed)",
                           0)
        with skip_if_invalid():
            if self.default_iam_role_arn is not None and self.iam_roles is not None \
                    and self.default_iam_role_arn not in self.iam_roles:
                issues.add("default_iam_role_arn", "must be one of iam_roles", self.default_iam_role_arn)
        # Compared with the default, not with "was it given": providers re-validate their checked inputs, in
        # which every documented default has been filled in.
        with skip_if_invalid():
            if self.skip_final_snapshot \
                    and self.final_snapshot_retention_days != DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS:
                issues.add("final_snapshot_retention_days", "contradicts skip_final_snapshot: true "
                           "(no final snapshot is taken)", self.final_snapshot_retention_days)
        with skip_if_invalid():
            if self.iam_roles is not None and len(set(self.iam_roles)) != len(self.iam_roles):
                issues.add("iam_roles", "lists a role twice", self.iam_roles)
        issues.raise_if_any()
        return self


def _in_restore_region(issues: Issues, spec: ClusterRestoreSpec, stack_region: str | None) -> None:
    """KMS keys and the availability zone belong to the region the cluster is restored in."""
    region = spec.region or stack_region
    if region is None:
        return
    for key in ("kms_key_id", "master_password_secret_kms_key_id"):
        value = getattr(spec, key)
        if value and value.startswith("arn:") and value.split(":")[3:4] != [region]:
            issues.add(key, f"is a key of region {value.split(':')[3] if value.count(':') >= 3 else '?'}, but the "
                       f"cluster is restored in {region}: give a key of that region", value, rule="restore")
    zone = spec.availability_zone
    if zone and not (zone.startswith(region) and re.fullmatch(r"[a-z0-9-]+[a-z]", zone)):
        issues.add("availability_zone", f"is not an availability zone of {region}, where the cluster is restored "
                   f"(e.g. {region}a)", zone, rule="restore")


def _retention(days: int) -> str:
    return "kept for ever" if days == -1 else f"kept {days} day{'s' if days != 1 else ''}"


def describe_cluster_restore(spec: ClusterRestoreSpec) -> list[str]:
    """The lines `plan` prints for a cluster restore."""
    parts = [f"restore cluster {spec.target_identifier} from {spec.source.describe()}"]
    if spec.region:
        parts[0] += f" in {spec.region}"
    if spec.node_type or spec.number_of_nodes:
        nodes = f" x {spec.number_of_nodes}" if spec.number_of_nodes else ""
        parts.append(f"node type {spec.node_type or 'as the snapshot'}{nodes}")
    else:
        parts.append("node type and count as the snapshot")
    if spec.skip_final_snapshot:
        parts.append("no final snapshot on delete")
    else:
        parts.append(f"final snapshot on delete {_retention(spec.final_snapshot_retention_days)}")
    lines = [", ".join(parts)]
    # The provider does not take security groups into another subnet group (most likely another VPC).
    groups = "security groups" if spec.cluster_subnet_group_name is None else \
        "security groups (only if cluster_subnet_group_name is its subnet group)"
    inherited = [label for key, label in (("cluster_parameter_group_name", "parameter group"),
                                          ("vpc_security_group_ids", groups),
                                          ("cluster_subnet_group_name", "subnet group"),
                                          ("iam_roles", "IAM roles"))
                 if getattr(spec, key) is None]
    if inherited and spec.source.owner_account:
        # A cluster in another account is never read: nothing is inherited from it.
        lines.append(f"AWS defaults (the source cluster is in account {spec.source.owner_account}, nothing is "
                     f"taken from it): {', '.join(label.split(' (')[0] for label in inherited)}")
    elif inherited:
        lines.append(f"taken from the source cluster when it still exists: {', '.join(inherited)}")
    if spec.publicly_accessible:
        lines.append("publicly accessible")
    if spec.tags:
        lines.append("tags: " + ", ".join(f"{k}={v}" for k, v in sorted(spec.tags.items())))
    lines.append(f"create waits up to {spec.timeout_minutes} minutes for the restore")
    return lines
