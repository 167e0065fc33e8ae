"""Restore declarations (`redshift-backup:restores`): pydantic models, their rules, plain-words lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, ValidationInfo, model_validator

from policies import names
from policies.base import Issues, RuleViolation, StrictModel, skip_if_invalid
from policies.errors import Problem, join_path
from policies.node_types import MAX_NODES, NODE_TYPES, node_type_problem
from policies.regions import region_problem

KINDS = ("cluster", "table", "snapshot_share")

DEFAULT_TIMEOUT_MINUTES = 75
MAX_TIMEOUT_MINUTES = 24 * 60
DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS = 7
MAX_SHARED_ACCOUNTS = 20
MAX_TAGS = 50
# Redshift: a cluster has at most 50 IAM roles (RestoreFromClusterSnapshot / ModifyClusterIamRoles).
MAX_IAM_ROLES = 50
# Redshift's maintenance window is at least 30 minutes (PreferredMaintenanceWindow).
MIN_MAINTENANCE_MINUTES = 30
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The account name AuthorizeSnapshotAccess takes to share a snapshot with AWS Support.
REDSHIFT_SUPPORT = "amazon-redshift-support"
# The key this project puts on every cluster it restores; its value names the owning Pulumi resource.
OWNERSHIP_TAG = "redshift-backup:restored-by"

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_NODE_TYPE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+$")
_SQL_NAME = re.compile(r"^[^\x00-\x1f]{1,127}$")
_MAINTENANCE_WINDOW = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-"
                                 r"(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$")

# Ports a cluster may listen on (AWS docs, RestoreFromClusterSnapshot `Port`).
ANY_NODE_PORTS = (1150, 65535)
RA3_PORTS = ((5431, 5455), (8191, 8215))


# ---- small field rules -------------------------------------------------------------------------------------

def cluster_identifier_problem(value: str) -> str | None:
    """Why `value` is not a valid Redshift cluster identifier, or None."""
    if not _IDENTIFIER.match(value) or "--" in value or value.endswith("-"):
        return ("must be 1-63 lowercase letters, digits and hyphens, start with a letter, "
                "with no '--' and no trailing '-' (example: 'analytics-drill')")
    return None


def _cluster_identifier(value: str) -> str:
    problem = cluster_identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _account(value: str) -> str:
    if not _ACCOUNT.match(value):
        raise ValueError("must be a 12-digit AWS account id (example: '123456789012')")
    return value


def _arn(value: str) -> str:
    if not value.startswith("arn:aws") or value.count(":") < 5:
        raise ValueError("must be an ARN (example: "
                         "'arn:aws:redshift:us-east-1:123456789012:snapshot:prod/nightly')")
    return value


def _node_type(value: str) -> str:
    if not _NODE_TYPE.match(value):
        raise ValueError("must be a node type such as 'ra3.xlplus' or 'ra3.4xlarge'")
    problem = node_type_problem(value, None)
    if problem:
        raise ValueError(problem)
    return value


def _share_account(value: str) -> str:
    # AuthorizeSnapshotAccess: "AccountWithRestoreAccess ... To share a snapshot with Amazon Web Services
    # Support, specify amazon-redshift-support."
    if value != REDSHIFT_SUPPORT and not _ACCOUNT.match(value):
        raise ValueError(f"must be a 12-digit AWS account id (example: '123456789012') or {REDSHIFT_SUPPORT!r} "
                         "(AWS Support)")
    return value


def _region(value: str) -> str:
    problem = region_problem(value, ("redshift",))
    if problem:
        raise RuleViolation("region", problem)
    return value


def _sql_name(value: str) -> str:
    if not _SQL_NAME.match(value):
        raise ValueError("must be 1-127 characters without control characters")
    return value


def _manual_retention(value: int) -> int:
    if value != -1 and not 1 <= value <= 3653:
        raise ValueError("must be -1 (keep for ever) or 1..3653 days")
    return value


def _maintenance_window(value: str) -> str:
    match = _MAINTENANCE_WINDOW.match(value.lower())
    if not match:
        raise ValueError("must be 'ddd:hh24:mi-ddd:hh24:mi' in UTC (example: 'sun:05:00-sun:05:30')")
    start, end = (_week_minute(part) for part in value.lower().split("-"))
    if start is None or end is None:
        raise ValueError("hours must be 00-23 (example: 'sun:05:00-sun:05:30')")
    length = (end - start) % (7 * 24 * 60)
    if length < MIN_MAINTENANCE_MINUTES:
        raise RuleViolation("restore", f"is {length} minutes long; Redshift needs a maintenance window of at least "
                            f"{MIN_MAINTENANCE_MINUTES} minutes (example: 'sun:05:00-sun:05:30')")
    return value


def _week_minute(text: str) -> int | None:
    day, hour, minute = text.split(":")
    if int(hour) > 23:
        return None
    return (_DAYS.index(day) * 24 + int(hour)) * 60 + int(minute)


def _iam_roles(value: list[str]) -> list[str]:
    if len(value) > MAX_IAM_ROLES:
        raise RuleViolation("restore", f"{len(value)} roles; a Redshift cluster can have at most {MAX_IAM_ROLES} IAM "
                            "roles")
    return value


def _vault_name(value: str) -> str:
    problem = names.BACKUP_VAULT.problem(value)
    if problem:
        raise RuleViolation("resource-name", f"expected a legal name: {problem}")
    return value


def _tags(value: dict[str, str]) -> dict[str, str]:
    # One tag slot is ours (ownership); Redshift allows 50 per resource.
    if len(value) > MAX_TAGS - 1:
        raise ValueError(f"at most {MAX_TAGS - 1} tags (Redshift allows {MAX_TAGS}, one is for ownership)")
    for key, text in value.items():
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            raise ValueError(f"tag key {key!r} must be 1-128 characters and must not start with 'aws:'")
        if key == OWNERSHIP_TAG:
            raise ValueError(f"tag key {key!r} is reserved for the ownership tag this project sets")
        if len(text) > 256:
            raise ValueError(f"tag {key!r}: value must be at most 256 characters")
    return value


def _refuse_multi_az(value: bool) -> bool:
    if value:
        raise ValueError("a restore to a new location does not support Multi-AZ; restore single-AZ, "
                         "then turn Multi-AZ on with ModifyCluster")
    return value


_HSM = "HSM encryption (use kms_key_id)"


def _refuse(what: str) -> Callable[[str], str]:
    def rule(value: str) -> str:
        raise ValueError(f"a restore to a new location does not support {what}")
    return rule


def port_problem(port: int, node_type: str | None) -> str | None:
    """Why `port` is not allowed for `node_type` (None when the node type is not known yet), or None."""
    if node_type and node_type.startswith("ra3."):
        if not any(low <= port <= high for low, high in RA3_PORTS):
            return "RA3 clusters listen on 5431-5455 or 8191-8215"
        return None
    if not ANY_NODE_PORTS[0] <= port <= ANY_NODE_PORTS[1]:
        return "must be 1150-65535 (RA3: 5431-5455 or 8191-8215)"
    return None


def _port(value: int) -> int:
    problem = port_problem(value, None)
    if problem:
        raise ValueError(problem)
    return value


ClusterIdentifier = Annotated[str, AfterValidator(_cluster_identifier)]
AccountId = Annotated[str, AfterValidator(_account)]
ShareAccount = Annotated[str, AfterValidator(_share_account)]
Arn = Annotated[str, AfterValidator(_arn)]
NodeType = Annotated[str, AfterValidator(_node_type)]
Region = Annotated[str, AfterValidator(_region)]
SqlName = Annotated[str, AfterValidator(_sql_name)]
ManualRetentionDays = Annotated[int, AfterValidator(_manual_retention)]
Tags = Annotated[dict[str, str], AfterValidator(_tags)]
TimeoutMinutes = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_MINUTES)]
ResourceName = Annotated[str, Field(min_length=1, max_length=200)]


# ---- cluster restore ---------------------------------------------------------------------------------------

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
    backup_vault_name: Annotated[str, AfterValidator(_vault_name)] | None = None
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
    iam_roles: Annotated[list[Arn], AfterValidator(_iam_roles)] | None = None
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
    port: Annotated[int, AfterValidator(_port)] | None = None
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
    preferred_maintenance_window: Annotated[str, AfterValidator(_maintenance_window)] | None = None
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
    multi_az: Annotated[bool, AfterValidator(_refuse_multi_az)] = False
    elastic_ip: Annotated[str, AfterValidator(_refuse("an Elastic IP"))] | None = None
    hsm_configuration_identifier: Annotated[str, AfterValidator(_refuse(_HSM))] | None = None
    hsm_client_certificate_identifier: Annotated[str, AfterValidator(_refuse(_HSM))] | None = None

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


# ---- table restore -----------------------------------------------------------------------------------------

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


# ---- snapshot share ----------------------------------------------------------------------------------------

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
        seen: set[str] = set()
        for index, account in enumerate(self.accounts_with_restore_access):
            if account in seen:
                issues.add(("accounts_with_restore_access", index), "is listed twice", account)
            seen.add(account)
        issues.raise_if_any()
        return self


# ---- the tagged union --------------------------------------------------------------------------------------

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


# ---- plain words for `plan` --------------------------------------------------------------------------------

def _retention(days: int) -> str:
    return "kept for ever" if days == -1 else f"kept {days} day{'s' if days != 1 else ''}"


def describe_restore(spec: ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec) -> list[str]:
    """The lines `plan` prints for one declared restore."""
    if isinstance(spec, ClusterRestoreSpec):
        return _describe_cluster(spec)
    if isinstance(spec, TableRestoreSpec):
        target = (f"{spec.target_database_name or spec.source_database_name}."
                  f"{spec.target_schema_name or spec.source_schema_name}.{spec.new_table_name}")
        snapshot = (f"snapshot {spec.snapshot_identifier}" if spec.snapshot_identifier
                    else f"the latest snapshot of {spec.cluster_identifier}")
        return [
            f"restore table {spec.source_database_name}.{spec.source_schema_name}.{spec.source_table_name} "
            f"from {snapshot} into {target} on cluster {spec.cluster_identifier}",
            "destroy leaves the restored table in place (drop it with SQL when done)",
        ]
    shared = spec.snapshot_identifier or spec.snapshot_arn
    accounts = ", ".join(f"AWS Support ({a})" if a == REDSHIFT_SUPPORT else a
                         for a in spec.accounts_with_restore_access)
    plural = "s" if len(spec.accounts_with_restore_access) > 1 else ""
    return [f"share snapshot {shared} with account{plural} {accounts}; destroy revokes the access"]


def _describe_cluster(spec: ClusterRestoreSpec) -> list[str]:
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
