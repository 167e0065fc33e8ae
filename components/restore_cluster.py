"""`RedshiftClusterRestore`: a dynamic resource restoring a snapshot or recovery point into a new cluster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components import aws
from components.aws import Credentials
from components.dynamic_resource import DynamicResource
from components.provider_records import delete_record, read_record, record_name, write_record
from components.restore_common import (
    CREDENTIALS,
    Deadline,
    SpecProvider,
    WaitTimedOut,
    aws_reason,
    changed_keys,
    credentials_changed,
    credentials_of,
    credentials_prop,
    error_code,
    latest_snapshot,
    log,
    paged,
    state_inputs,
    validate_now,
)
from components.restore_recovery_point import job_metadata, source_cluster_of, start_restore_job
from policies.errors import ProviderError
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_fields import OWNERSHIP_TAG, port_problem

# Keys the resource adds to the spec's own: the ownership tag value (project/stack/name), who boto3 acts as.
EXTRA_KEYS = ("ownership_tag_value", CREDENTIALS)
INPUT_KEYS = tuple(k for k in ClusterRestoreSpec.model_fields if k not in ("name", "kind"))

# spec key -> RestoreFromClusterSnapshot parameter (botocore's redshift service model).
RESTORE_PARAMETERS = {
    "node_type": "NodeType",
    "number_of_nodes": "NumberOfNodes",
    "iam_roles": "IamRoles",
    "default_iam_role_arn": "DefaultIamRoleArn",
    "manage_master_password": "ManageMasterPassword",
    "master_password_secret_kms_key_id": "MasterPasswordSecretKmsKeyId",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "cluster_subnet_group_name": "ClusterSubnetGroupName",
    "availability_zone": "AvailabilityZone",
    "publicly_accessible": "PubliclyAccessible",
    "port": "Port",
    "cluster_parameter_group_name": "ClusterParameterGroupName",
    "kms_key_id": "KmsKeyId",
    "enhanced_vpc_routing": "EnhancedVpcRouting",
    "availability_zone_relocation": "AvailabilityZoneRelocation",
    "maintenance_track_name": "MaintenanceTrackName",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
    "automated_snapshot_retention_days": "AutomatedSnapshotRetentionPeriod",
    "manual_snapshot_retention_days": "ManualSnapshotRetentionPeriod",
}
# spec key -> ModifyCluster parameter: what an update changes in place.
MODIFY_PARAMETERS = {
    "publicly_accessible": "PubliclyAccessible",
    "automated_snapshot_retention_days": "AutomatedSnapshotRetentionPeriod",
    "manual_snapshot_retention_days": "ManualSnapshotRetentionPeriod",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
    "maintenance_track_name": "MaintenanceTrackName",
    "cluster_parameter_group_name": "ClusterParameterGroupName",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "enhanced_vpc_routing": "EnhancedVpcRouting",
    "availability_zone_relocation": "AvailabilityZoneRelocation",
}
IAM_KEYS = ("iam_roles", "default_iam_role_arn")
# Only this resource's own behaviour: an update records them, no AWS call.
STATE_ONLY_KEYS = ("skip_final_snapshot", "final_snapshot_retention_days", "timeout_minutes")
# A node type or count change is an elastic resize (ResizeCluster), which keeps the data and the endpoint.
RESIZE_KEYS = ("node_type", "number_of_nodes")
IN_PLACE_KEYS = (*MODIFY_PARAMETERS, *IAM_KEYS, *RESIZE_KEYS, "tags", *STATE_ONLY_KEYS)
# Everything else is identity or fixed at restore time (subnet group and encryption cannot change after it).
REPLACE_KEYS = tuple(k for k in INPUT_KEYS if k not in IN_PLACE_KEYS)
# Refresh reports drift for these when the user set them: what an update puts back in place. A replace key that
# drifted is not reported, or the next `up` would replace the cluster over it.
DRIFT_KEYS = tuple(k for k in IN_PLACE_KEYS if k not in STATE_ONLY_KEYS)
# A failed create's own timeout may be used up: waiting for its half-made cluster to go has a bound of its own.
CLEANUP_WAIT_MINUTES = 30
# Our clock and AWS's may differ: a cluster created up to this long before our record still counts as its restore.
RECORD_CLOCK_SLACK = timedelta(minutes=5)

# Cluster states from which a restore never becomes available (AWS ClusterStatus values).
FAILED_STATES = (
    "incompatible-restore",
    "incompatible-network",
    "incompatible-parameters",
    "incompatible-hsm",
    "hardware-failure",
)
INHERITED_KEYS = (
    "cluster_parameter_group_name",
    "vpc_security_group_ids",
    "cluster_subnet_group_name",
    "iam_roles",
    "default_iam_role_arn",
)


class RestoreFailed(ProviderError):
    """AWS reported the restore as failed; the message carries AWS's reason."""


class ClusterVanished(ProviderError):
    """The cluster disappeared while we waited for it (someone else deleted it)."""


@dataclass
class Resolution:
    """The source a create resolved (recorded in outputs so later previews do not resolve it again)."""

    snapshot_identifier: str | None = None
    snapshot_arn: str | None = None
    owner_account: str | None = None
    snapshot_cluster_identifier: str | None = None
    recovery_point_arn: str | None = None
    source_cluster_identifier: str | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)

    def snapshot_params(self, cluster_key: str | None) -> dict[str, Any]:
        """The snapshot's identity as API parameters; `cluster_key` names the snapshot's cluster, if sent."""
        params: dict[str, Any] = (
            {"SnapshotArn": self.snapshot_arn}
            if self.snapshot_arn
            else {"SnapshotIdentifier": self.snapshot_identifier}
        )
        if self.owner_account:
            params["OwnerAccount"] = self.owner_account
        if cluster_key and self.snapshot_cluster_identifier:
            params[cluster_key] = self.snapshot_cluster_identifier
        return params

    @classmethod
    def unresolved_latest(cls, source: Any) -> Resolution:
        """An adopted cluster of a `latest_*` source: which snapshot the interrupted create resolved is recorded
        nowhere (a newer one may exist by now), so only the source cluster is known."""
        name = source.latest_snapshot_of or source.latest_recovery_point_of
        return cls(owner_account=source.owner_account,
                   source_cluster_identifier=None if source.owner_account else name)

    def outputs(self) -> dict[str, Any]:
        return {
            "resolved_snapshot_identifier": self.snapshot_identifier,
            "resolved_snapshot_arn": self.snapshot_arn,
            "resolved_recovery_point_arn": self.recovery_point_arn,
            "source_cluster_identifier": self.source_cluster_identifier,
        }


@dataclass(frozen=True)
class Caller:
    """Who runs the provider: account and partition (aws, aws-cn, aws-us-gov) from GetCallerIdentity."""

    account: str
    partition: str

    @classmethod
    def of(cls, region: str | None, credentials: Mapping[str, Any] | None) -> Caller:
        identity = aws.client("sts", region, credentials).get_caller_identity()
        return cls(identity["Account"], identity["Arn"].split(":")[1])

    def cluster_arn(self, region: str, identifier: str) -> str:
        return f"arn:{self.partition}:redshift:{region}:{self.account}:cluster:{identifier}"


def describe_cluster(redshift: Any, identifier: str) -> dict[str, Any] | None:
    """The cluster's description, or None when it does not exist."""
    try:
        return redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]  # type: ignore[no-any-return]
    except ClientError as exc:
        if error_code(exc) == "ClusterNotFound":
            return None
        raise


def cluster_tags(cluster: Mapping[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in cluster.get("Tags", [])}


def progress_line(cluster: Mapping[str, Any]) -> str:
    """Status, size, rate and ETA where AWS gives them (rate/size/ETA are only filled for DC2)."""
    restore = cluster.get("RestoreStatus") or {}
    parts = [f"cluster {cluster['ClusterIdentifier']}: {cluster.get('ClusterStatus', '?')}"]
    if restore.get("Status"):
        parts.append(f"restore {restore['Status']}")
    if restore.get("SnapshotSizeInMegaBytes"):
        parts.append(f"{restore.get('ProgressInMegaBytes', 0)} of {restore['SnapshotSizeInMegaBytes']} MB")
    if restore.get("CurrentRestoreRateInMegaBytesPerSecond"):
        parts.append(f"{restore['CurrentRestoreRateInMegaBytesPerSecond']:.1f} MB/s")
    if restore.get("EstimatedTimeToCompletionInSeconds"):
        parts.append(f"ETA {duration_text(restore['EstimatedTimeToCompletionInSeconds'])}")
    return ", ".join(parts)


def duration_text(seconds: float) -> str:
    """`39 s`, `10 min`, `2 min 5 s`, `1 h 30 min`: an ETA of 39 seconds is not "0 min"."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {rest} s" if rest and minutes < 10 else "")
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "")


class ClusterRestoreProvider(SpecProvider[ClusterRestoreSpec]):
    """Restore, wait, tag and report; delete only what it created. No boto3 client is kept on `self`."""

    spec_model = ClusterRestoreSpec
    extra_keys = EXTRA_KEYS

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        # The spec's `name` is the Pulumi name; the resource always passes `cluster_identifier`, which stands in.
        return {**props, "name": props.get("cluster_identifier") or "unnamed"}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = effective_changes(olds, news)
        replaces = [k for k in changed if k in REPLACE_KEYS]
        # Same identifier on both sides: the old cluster must go first, two clusters cannot share a name.
        same_name = olds.get("cluster_identifier") == news.get("cluster_identifier")
        return DiffResult(
            changes=bool(changed) or credentials_changed(olds, news), replaces=replaces,
            delete_before_replace=bool(replaces) and same_name
        )

    # ---- create --------------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.spec(props)
        owner = str(props.get("ownership_tag_value") or spec.target_identifier)
        credentials = credentials_of(props)
        redshift = aws.client("redshift", spec.region, credentials)
        target = spec.target_identifier
        # One budget for every wait of this create: the restore job, then the cluster.
        deadline = self.poller.deadline(spec.timeout_minutes * 60)
        ssm = aws.client("ssm", spec.region, credentials)
        existing = self._existing(redshift, ssm, target, owner, deadline)
        who = Caller.of(spec.region, credentials)
        arn = who.cluster_arn(redshift.meta.region_name, target)
        if existing is not None:
            log(f"cluster {target} exists with our ownership tag (an interrupted create): adopting it")
            latest = spec.source.latest_snapshot_of or spec.source.latest_recovery_point_of
            resolution = (Resolution.unresolved_latest(spec.source) if latest
                          else self._resolve(redshift, spec, who, credentials))
            origins = {**self.restore_parameters(redshift, spec, resolution)[1],
                       "adopted": "an interrupted create of this resource"
                       + ("; the snapshot it resolved is not recorded" if latest else "")}
            tagged = False
        else:
            resolution = self._resolve(redshift, spec, who, credentials)
            params, origins = self.restore_parameters(redshift, spec, resolution)
            tagged = self._restore(redshift, ssm, spec, resolution, params, owner, arn, deadline, credentials)
        try:
            if not tagged:
                # Ownership first, so an interrupted create can be adopted by the next `pulumi up`.
                self._tag(redshift, arn, {OWNERSHIP_TAG: owner, **spec.tags})
            cluster = self._wait_settled(redshift, target, deadline, f"restore of cluster {target}")
        except ClusterVanished:
            delete_record(ssm, restore_record(target))
            raise
        except Exception as exc:
            self._delete_half_made(redshift, ssm, target, exc)
            raise ProviderError(f"{exc}; the half-made cluster {target} was deleted") from exc
        # The cluster carries our ownership tag now: the record of the restore under way has done its work.
        delete_record(ssm, restore_record(target))
        outs = {
            **state_inputs(props, INPUT_KEYS),
            **resolution.outputs(),
            **self._observed(cluster),
            "cluster_arn": arn,
            "value_sources": origins,
            "ownership_tag_value": owner,
        }
        return CreateResult(target, outs)

    def _existing(self, redshift: Any, ssm: Any, target: str, owner: str, deadline: Deadline) -> dict[str, Any] | None:
        """Our cluster from an interrupted create (to adopt), or None; refuses a cluster that is not ours.

        Ours: it carries our ownership tag, or (interrupted between the restore call and the tag, which
        RestoreFromClusterSnapshot cannot set) our record of a restore under way names it and it is not older.
        """
        existing = describe_cluster(redshift, target)
        if existing is None:
            return None
        found = cluster_tags(existing).get(OWNERSHIP_TAG)
        if found is None and _started_by(read_record(ssm, restore_record(target)), owner, existing):
            log(f"cluster {target} was restored by an interrupted create of this resource (record "
                f"{restore_record(target)}): it is ours")
            found = owner
        if found != owner:
            raise ProviderError(
                f"cluster {target} already exists and is not ours (tag {OWNERSHIP_TAG} is "
                f"{found!r}, expected {owner!r}); choose another cluster_identifier or delete it first (if an "
                f"interrupted restore of this resource made it, tag it {OWNERSHIP_TAG}={owner} to adopt it)"
            )
        if existing.get("ClusterStatus") != "deleting":
            return existing
        # A failed create's cleanup still under way: adopting it would hand the engine a cluster about to vanish.
        log(f"cluster {target} is ours and being deleted (an earlier failed create): waiting until it is gone")

        def gone() -> bool | None:
            return True if describe_cluster(redshift, target) is None else None

        self.poller.until(gone, deadline, f"deletion of the earlier cluster {target}")
        return None

    def _resolve(self, redshift: Any, spec: ClusterRestoreSpec, who: Caller,
                 credentials: Mapping[str, Any] | None) -> Resolution:
        source = spec.source
        if source.recovery_point_arn or source.latest_recovery_point_of:
            return self._resolve_recovery_point(spec, who, credentials)
        if source.latest_snapshot_of:
            snapshot = latest_snapshot(redshift, source.latest_snapshot_of, source.owner_account)
            return Resolution(
                snapshot_identifier=snapshot["SnapshotIdentifier"],
                owner_account=source.owner_account,
                snapshot_cluster_identifier=snapshot["ClusterIdentifier"],
                # A cluster in another account is not ours to read settings from.
                source_cluster_identifier=None if source.owner_account else snapshot["ClusterIdentifier"],
                snapshot=snapshot,
            )
        given = Resolution(
            snapshot_identifier=source.snapshot_identifier,
            snapshot_arn=source.snapshot_arn,
            owner_account=source.owner_account,
            snapshot_cluster_identifier=source.snapshot_cluster_identifier,
        )
        try:
            found = redshift.describe_cluster_snapshots(**given.snapshot_params("ClusterIdentifier"))["Snapshots"]
        except ClientError as exc:
            raise ProviderError(f"source snapshot not found ({aws_reason(exc)})") from exc
        if not found:
            raise ProviderError(f"source snapshot {source.snapshot_identifier or source.snapshot_arn} not found")
        given.snapshot = found[0]
        # A shared snapshot's cluster lives in another account: nothing to inherit from it.
        given.source_cluster_identifier = None if source.owner_account else found[0].get("ClusterIdentifier")
        return given

    def _resolve_recovery_point(self, spec: ClusterRestoreSpec, who: Caller,
                                credentials: Mapping[str, Any] | None) -> Resolution:
        source = spec.source
        backup = aws.client("backup", spec.region, credentials)
        region = backup.meta.region_name
        if source.recovery_point_arn:
            try:
                point = backup.describe_recovery_point(BackupVaultName=source.backup_vault_name,
                                                       RecoveryPointArn=source.recovery_point_arn)
            except ClientError as exc:
                raise ProviderError(f"recovery point {source.recovery_point_arn} not found in vault "
                                    f"{source.backup_vault_name} ({aws_reason(exc)})") from exc
            # The cluster it was taken from, when that lives here: a copy from another account names that one.
            return Resolution(recovery_point_arn=source.recovery_point_arn,
                              source_cluster_identifier=source_cluster_of(point.get("ResourceArn", ""), region,
                                                                          who.account))
        # A copy in this account's vault still names the source cluster in its own (maybe another) account.
        account = source.owner_account or who.account
        cluster_arn = f"arn:{who.partition}:redshift:{region}:{account}:cluster:{source.latest_recovery_point_of}"
        points = paged(
            backup,
            "list_recovery_points_by_backup_vault",
            "RecoveryPoints",
            BackupVaultName=source.backup_vault_name,
            ByResourceArn=cluster_arn,
        )
        completed = [p for p in points if p.get("Status") == "COMPLETED"]
        if not completed:
            raise ProviderError(
                f"no completed recovery point of {cluster_arn} in vault {source.backup_vault_name}"
            )
        point = max(completed, key=lambda p: p["CreationDate"])
        log(f"latest recovery point of {source.latest_recovery_point_of}: {point['RecoveryPointArn']}")
        return Resolution(
            recovery_point_arn=point["RecoveryPointArn"],
            source_cluster_identifier=source.latest_recovery_point_of if account == who.account else None,
        )

    def restore_parameters(
        self, redshift: Any, spec: ClusterRestoreSpec, resolution: Resolution
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """RestoreFromClusterSnapshot parameters and where each inherited value came from."""
        params: dict[str, Any] = {"ClusterIdentifier": spec.target_identifier}
        origins: dict[str, str] = {}
        for key, name in RESTORE_PARAMETERS.items():
            value = getattr(spec, key)
            if value is not None:
                params[name] = value
                origins[key] = "input"
        source = (
            describe_cluster(redshift, resolution.source_cluster_identifier)
            if resolution.source_cluster_identifier
            else None
        )
        # AWS would otherwise fall back to its defaults: take the source cluster's settings while it exists.
        if source is not None:
            inherited: dict[str, Any] = {
                "cluster_parameter_group_name": next(
                    (g["ParameterGroupName"] for g in source.get("ClusterParameterGroups", [])), None
                ),
                "vpc_security_group_ids": [
                    g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups", [])
                ],
                "cluster_subnet_group_name": source.get("ClusterSubnetGroupName"),
                "iam_roles": [r["IamRoleArn"] for r in source.get("IamRoles", [])],
                "default_iam_role_arn": source.get("DefaultIamRoleArn"),
            }
            # Security groups belong to a VPC: with another subnet group (most likely another VPC) they would not fit.
            other_network = spec.cluster_subnet_group_name not in (None, inherited["cluster_subnet_group_name"])
            for key, value in inherited.items():
                if key in origins or not value:
                    continue
                if key == "default_iam_role_arn" and value not in params.get("IamRoles", []):
                    continue
                if key == "vpc_security_group_ids" and other_network:
                    log(f"not taking the security groups of {source['ClusterIdentifier']}: cluster_subnet_group_name "
                        f"{spec.cluster_subnet_group_name} is not its subnet group (likely another VPC)")
                    continue
                params[RESTORE_PARAMETERS[key]] = value
                origins[key] = f"source cluster {source['ClusterIdentifier']}"
        for key in INHERITED_KEYS:
            origins.setdefault(key, "AWS default")
        for key in ("node_type", "number_of_nodes"):
            origins.setdefault(key, "snapshot")
        # Report where the values AWS could silently default came from; the rest is plainly the input.
        return params, {k: v for k, v in origins.items() if k in (*INHERITED_KEYS, "node_type", "number_of_nodes")}

    def _restore(self, redshift: Any, ssm: Any, spec: ClusterRestoreSpec, resolution: Resolution,
                 params: dict[str, Any], owner: str, arn: str, deadline: Deadline,
                 credentials: Mapping[str, Any] | None) -> bool:
        """Start the restore; True when the cluster carries its tags already (a recovery point tags on sight)."""
        if resolution.recovery_point_arn:
            return self._restore_recovery_point(redshift, ssm, spec, resolution, params, owner, arn, deadline,
                                                credentials)
        self._check_node_configuration(redshift, spec, resolution)
        params.update(resolution.snapshot_params("SnapshotClusterIdentifier"))
        log(f"restoring cluster {spec.target_identifier} from {spec.source.describe()}")
        write_record(ssm, restore_record(spec.target_identifier), started_record(owner))
        try:
            redshift.restore_from_cluster_snapshot(**params)
        except ClientError as exc:
            delete_record(ssm, restore_record(spec.target_identifier))
            raise ProviderError(
                f"restore of cluster {spec.target_identifier} refused: {aws_reason(exc)}"
            ) from exc
        return False

    def _check_node_configuration(
        self, redshift: Any, spec: ClusterRestoreSpec, resolution: Resolution
    ) -> None:
        snapshot = resolution.snapshot
        node_type = spec.node_type or snapshot.get("NodeType")
        if spec.port is not None:
            problem = port_problem(spec.port, node_type)
            if problem:
                raise ProviderError(f"port {spec.port}: {problem} (node type {node_type})")
        if spec.node_type is None and spec.number_of_nodes is None:
            return
        count = spec.number_of_nodes or _int(snapshot.get("NumberOfNodes"))
        # A Redshift recovery point is a snapshot: its ARN is what DescribeNodeConfigurationOptions takes.
        identity = ({"SnapshotArn": resolution.recovery_point_arn} if resolution.recovery_point_arn
                    else resolution.snapshot_params(None))
        try:
            options = paged(redshift, "describe_node_configuration_options", "NodeConfigurationOptionList",
                            ActionType="restore-cluster", **identity)
        except ClientError as exc:
            raise ProviderError(f"could not list the node configurations that can restore "
                                f"{spec.source.describe()}: {aws_reason(exc)}") from exc
        valid = sorted({(o["NodeType"], int(o["NumberOfNodes"])) for o in options})
        if any(t == node_type and (count is None or n == count) for t, n in valid):
            return
        listed = ", ".join(f"{t} x {n}" for t, n in valid) or "none"
        raise ProviderError(
            f"node type {node_type} x {count} cannot restore this snapshot; valid options: {listed}"
        )

    def _restore_recovery_point(self, redshift: Any, ssm: Any, spec: ClusterRestoreSpec, resolution: Resolution,
                                params: dict[str, Any], owner: str, arn: str, deadline: Deadline,
                                credentials: Mapping[str, Any] | None) -> bool:
        backup = aws.client("backup", spec.region, credentials)
        target = spec.target_identifier
        point = str(resolution.recovery_point_arn)
        try:
            restore_metadata = backup.get_recovery_point_restore_metadata(
                BackupVaultName=spec.source.backup_vault_name, RecoveryPointArn=point)["RestoreMetadata"]
        except ClientError as exc:
            raise ProviderError(f"could not read the restore metadata of {point}: {aws_reason(exc)}") from exc
        # The snapshot's node type and count, for the checks (metadata keys mirror the restore API; unverified).
        resolution.snapshot = {k: restore_metadata.get(k) for k in ("NodeType", "NumberOfNodes")}
        self._check_node_configuration(redshift, spec, resolution)
        # A re-run rejoins the job through its idempotency token; this record lets it adopt the job's cluster
        # before our tag is on it.
        write_record(ssm, restore_record(target), started_record(owner))
        job = start_restore_job(backup, recovery_point_arn=point, metadata=job_metadata(restore_metadata, params),
                                iam_role_arn=str(spec.source.backup_iam_role_arn), owner=owner, target=target)
        job_id = job["RestoreJobId"]
        state: dict[str, Any] = {"seen": False, "tagged": False, "job": job}

        def job_done() -> dict[str, Any] | None:
            if not state["tagged"] and describe_cluster(redshift, target) is not None:
                # Tagged on sight, not when the job ends: an `up` interrupted from here leaves an adoptable cluster.
                state["seen"] = True
                self._tag(redshift, arn, {OWNERSHIP_TAG: owner, **spec.tags})
                state["tagged"] = True
            current = backup.describe_restore_job(RestoreJobId=job_id)
            state["job"] = current
            log(f"restore job {job_id}: {_job_status(current)}")
            if current["Status"] in ("ABORTED", "FAILED"):
                raise RestoreFailed(
                    f"AWS Backup restore job {job_id} {current['Status']}: "
                    f"{current.get('StatusMessage', 'no reason given')}"
                )
            return current if current["Status"] == "COMPLETED" else None

        try:
            self.poller.until(job_done, deadline, f"AWS Backup restore job {job_id}",
                              lambda: _job_status(state["job"]))
        except Exception as exc:
            if state["seen"] or state["job"].get("CreatedResourceArn") == arn:
                self._delete_half_made(redshift, ssm, target, exc)
                stopped = (f" (AWS Backup has no API to stop restore job {job_id}; it ends without its cluster)"
                           if isinstance(exc, WaitTimedOut) else "")
                raise ProviderError(f"{exc}; the half-made cluster {target} was deleted{stopped}") from exc
            if isinstance(exc, WaitTimedOut):
                # The record stays: the next `pulumi up` rejoins the job (same token) or adopts its cluster.
                raise ProviderError(
                    f"{exc}. AWS Backup has no API to stop a restore job: job {job_id} keeps running and cluster "
                    f"{target} may still appear, without the ownership tag. The next `pulumi up` rejoins the job "
                    f"and adopts the cluster (SSM parameter {restore_record(target)} records that this resource "
                    f"started it); to give up instead, delete that parameter and the cluster once it appears"
                ) from exc
            delete_record(ssm, restore_record(target))
            raise ProviderError(f"{exc}; no cluster {target} was seen, nothing to clean up") from exc
        return bool(state["tagged"])

    # ---- waiting, tagging, cleanup -------------------------------------------------------------------------

    def _wait_settled(self, redshift: Any, target: str, deadline: Deadline, what: str) -> dict[str, Any]:
        """Until the cluster is available with nothing pending (restore, resize, modification, IAM roles)."""
        last = {"line": "not seen yet"}

        def settled() -> dict[str, Any] | None:
            cluster = describe_cluster(redshift, target)
            if cluster is None:
                raise ClusterVanished(
                    f"cluster {target} was deleted by someone else while we waited for the {what} "
                    f"(last seen: {last['line']}); nothing left to clean up"
                )
            last["line"] = progress_line(cluster)
            log(last["line"])
            status = cluster.get("ClusterStatus")
            restore = (cluster.get("RestoreStatus") or {}).get("Status")
            if restore == "failed" or status in FAILED_STATES:
                raise RestoreFailed(
                    f"{what} failed: AWS reports cluster status {status!r}, restore status {restore!r}"
                )
            roles_in_sync = all(r.get("ApplyStatus", "in-sync") == "in-sync" for r in cluster.get("IamRoles", []))
            done = (status == "available" and restore in (None, "completed") and roles_in_sync
                    and not cluster.get("PendingModifiedValues"))
            return cluster if done else None

        return self.poller.until(settled, deadline, what, lambda: last["line"])

    def _tag(self, redshift: Any, arn: str, tags: Mapping[str, str]) -> None:
        try:
            redshift.create_tags(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        except ClientError as exc:
            raise ProviderError(f"could not tag {arn}: {aws_reason(exc)}") from exc

    def _delete_half_made(self, redshift: Any, ssm: Any, target: str, cause: BaseException) -> None:
        """Delete the cluster a failed create made, then forget that a restore was under way."""
        try:
            self._delete_cluster_made(redshift, target, cause)
        except Exception:
            delete_record(ssm, restore_record(target))
            raise
        delete_record(ssm, restore_record(target))

    def _delete_cluster_made(self, redshift: Any, target: str, cause: BaseException) -> None:
        log(f"deleting the half-made cluster {target} (no final snapshot) after: {cause}")
        try:
            redshift.delete_cluster(ClusterIdentifier=target, SkipFinalClusterSnapshot=True)
        except ClientError as exc:
            if error_code(exc) == "ClusterNotFound":
                return
            raise ProviderError(
                f"{cause}; and the half-made cluster {target} could not be deleted "
                f"({aws_reason(exc)}): delete it by hand"
            ) from exc

        def gone() -> bool | None:
            return True if describe_cluster(redshift, target) is None else None

        # Gone before we report, so that an immediate re-run does not find (and adopt) a cluster being deleted.
        try:
            self.poller.until(gone, CLEANUP_WAIT_MINUTES * 60, f"deletion of the half-made cluster {target}")
        except WaitTimedOut as exc:
            raise ProviderError(f"{cause}; the half-made cluster {target} is being deleted but was not gone after "
                                f"{CLEANUP_WAIT_MINUTES} minutes (the next `pulumi up` waits for it)") from exc

    def _observed(self, cluster: Mapping[str, Any]) -> dict[str, Any]:
        endpoint = cluster.get("Endpoint") or {}
        return {
            "cluster_identifier": cluster["ClusterIdentifier"],
            "endpoint_address": endpoint.get("Address"),
            "endpoint_port": endpoint.get("Port"),
            "actual_node_type": cluster.get("NodeType"),
            "actual_number_of_nodes": cluster.get("NumberOfNodes"),
            "cluster_status": cluster.get("ClusterStatus"),
            "effective_settings": effective_settings(cluster),
        }

    # ---- read / update / delete ----------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        cluster = describe_cluster(redshift, id_)
        if cluster is None:
            return ReadResult(None, {})
        outs = {**props, **self._observed(cluster)}
        # Drift: only what the user set is compared; an inherited value has no input to drift from.
        actual = actual_settings(cluster)
        drift = []
        # Tags: only the keys this resource declares. Others (set by hand, by another tool, copied from the
        # snapshot, or another resource's bookkeeping) are not ours, and recording them would make the next update
        # delete them.
        declared = dict(props.get("tags") or {})
        actual["tags"] = {k: v for k, v in dict(actual.get("tags") or {}).items() if k in declared}
        for key in DRIFT_KEYS:
            value = actual.get(key)
            # A value AWS does not report (None) is not drift.
            if value is not None and props.get(key) is not None and _norm(props.get(key)) != _norm(value):
                drift.append(f"{key}: state {props.get(key)!r}, AWS {value!r}")
                outs[key] = value
        if drift:
            pulumi.log.warn(f"cluster {id_} drifted: " + "; ".join(drift))
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self.spec(news)
        credentials = credentials_of(news)
        redshift = aws.client("redshift", spec.region, credentials)
        deadline = self.poller.deadline(spec.timeout_minutes * 60)
        changed = effective_changes(olds, news)
        settled: dict[str, Any] | None = None
        # One kind of change at a time, each waited for (AWS's CloudFormation handler for AWS::Redshift::Cluster
        # also stabilizes after every call): Redshift refuses a change while the cluster is modifying or resizing.
        if any(k in changed for k in IAM_KEYS) and self._update_iam_roles(redshift, id_, spec):
            settled = self._wait_settled(redshift, id_, deadline, f"IAM role change of cluster {id_}")
        if any(k in changed and getattr(spec, k) is not None for k in RESIZE_KEYS) and self._resize(
                redshift, id_, spec):
            settled = self._wait_settled(redshift, id_, deadline, f"resize of cluster {id_}")
        keys = [k for k in changed if k in MODIFY_PARAMETERS and getattr(spec, k) is not None]
        # What the cluster has already (an update re-run after an interruption) is not sent again.
        actual = actual_settings((settled or describe_cluster(redshift, id_) or {}) if keys else {})
        modify = {MODIFY_PARAMETERS[k]: getattr(spec, k) for k in keys
                  if _norm(actual.get(k)) != _norm(getattr(spec, k))}
        if modify:
            log(f"modifying cluster {id_}: {', '.join(sorted(modify))}")
            try:
                redshift.modify_cluster(ClusterIdentifier=id_, **modify)
            except ClientError as exc:
                raise ProviderError(f"could not modify cluster {id_}: {aws_reason(exc)}") from exc
            settled = self._wait_settled(redshift, id_, deadline, f"modification of cluster {id_}")
        if "tags" in changed:
            arn = str(olds.get("cluster_arn")
                      or Caller.of(spec.region, credentials).cluster_arn(redshift.meta.region_name, id_))
            self._update_tags(redshift, arn, dict(olds.get("tags") or {}), spec.tags)
        cluster = settled or describe_cluster(redshift, id_)
        if cluster is None:
            raise ClusterVanished(f"cluster {id_} is gone; run `pulumi refresh`")
        kept = {
            k: olds.get(k)
            for k in (
                "resolved_snapshot_identifier",
                "resolved_snapshot_arn",
                "resolved_recovery_point_arn",
                "source_cluster_identifier",
                "value_sources",
                "ownership_tag_value",
                "cluster_arn",
            )
        }
        return UpdateResult({**state_inputs(news, INPUT_KEYS), **kept, **self._observed(cluster)})

    def _resize(self, redshift: Any, id_: str, spec: ClusterRestoreSpec) -> bool:
        """ResizeCluster to the spec's size; False when the cluster has that size already (no call made)."""
        # ResizeCluster wants the node type and the count together; what the spec leaves out stays as it is.
        cluster = describe_cluster(redshift, id_) or {}
        count = spec.number_of_nodes or int(cluster.get("NumberOfNodes", 1))
        node_type = spec.node_type or cluster.get("NodeType")
        if (node_type, count) == (cluster.get("NodeType"), _int(cluster.get("NumberOfNodes"))):
            return False
        log(f"resizing cluster {id_} to {node_type} x {count} (elastic resize)")
        try:
            # Elastic (Classic=False): minutes of read-only. A classic resize keeps the cluster read-only for
            # hours, so it is never chosen behind the user's back.
            redshift.resize_cluster(ClusterIdentifier=id_, NodeType=node_type, NumberOfNodes=count,
                                    ClusterType="single-node" if count == 1 else "multi-node", Classic=False)
        except ClientError as exc:
            raise ProviderError(
                f"could not resize cluster {id_} to {node_type} x {count}: {aws_reason(exc)} (an elastic resize "
                "was asked for; for a classic resize, run it yourself, then set the new size here)"
            ) from exc
        return True

    def _update_iam_roles(self, redshift: Any, id_: str, spec: ClusterRestoreSpec) -> bool:
        """ModifyClusterIamRoles for what differs; False when nothing does (no call made)."""
        cluster = describe_cluster(redshift, id_) or {}
        current = {r["IamRoleArn"] for r in cluster.get("IamRoles", [])}
        params: dict[str, Any] = {"ClusterIdentifier": id_}
        if spec.iam_roles is not None:
            wanted = set(spec.iam_roles)
            if wanted - current:
                params["AddIamRoles"] = sorted(wanted - current)
            if current - wanted:
                params["RemoveIamRoles"] = sorted(current - wanted)
        if spec.default_iam_role_arn is not None and spec.default_iam_role_arn != cluster.get("DefaultIamRoleArn"):
            params["DefaultIamRoleArn"] = spec.default_iam_role_arn
        if len(params) == 1:
            return False
        log(f"changing IAM roles of cluster {id_}")
        try:
            redshift.modify_cluster_iam_roles(**params)
        except ClientError as exc:
            raise ProviderError(f"could not change the IAM roles of cluster {id_}: {aws_reason(exc)}") from exc
        return True

    def _update_tags(self, redshift: Any, arn: str, old: dict[str, str], new: Mapping[str, str]) -> None:
        removed = sorted(set(old) - set(new))
        if removed:
            try:
                redshift.delete_tags(ResourceName=arn, TagKeys=removed)
            except ClientError as exc:
                raise ProviderError(f"could not remove tags {', '.join(removed)} from {arn}: "
                                    f"{aws_reason(exc)}") from exc
        upsert = {k: v for k, v in new.items() if old.get(k) != v}
        if upsert:
            self._tag(redshift, arn, dict(sorted(upsert.items())))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        cluster = describe_cluster(redshift, id_)
        if cluster is None:
            log(f"cluster {id_} is already gone")
            return
        owner = props.get("ownership_tag_value")
        found = cluster_tags(cluster).get(OWNERSHIP_TAG)
        if not owner or found != owner:
            raise ProviderError(
                f"cluster {id_} does not carry our ownership tag ({OWNERSHIP_TAG}={owner!r}, "
                f"found {found!r}); refusing to delete a cluster this resource did not create"
            )
        timeout = float(props.get("timeout_minutes") or 75) * 60
        if cluster.get("ClusterStatus") == "deleting":
            # An interrupted delete of ours: AWS refuses a second DeleteCluster; its deletion is what we wait for.
            log(f"cluster {id_} is being deleted already (an interrupted delete): waiting until it is gone")
            self._wait_gone(redshift, id_, timeout)
            return
        params: dict[str, Any] = {"ClusterIdentifier": id_}
        if props.get("skip_final_snapshot"):
            params["SkipFinalClusterSnapshot"] = True
            log(f"deleting cluster {id_} without a final snapshot")
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            # Sent explicitly: AWS defaults to False, moto takes no final snapshot unless it is sent.
            params["SkipFinalClusterSnapshot"] = False
            params["FinalClusterSnapshotIdentifier"] = f"{id_}-final-{stamp}"
            retention = props.get("final_snapshot_retention_days")
            params["FinalClusterSnapshotRetentionPeriod"] = int(retention if retention is not None else 7)
            log(
                f"deleting cluster {id_}, final snapshot {params['FinalClusterSnapshotIdentifier']} kept "
                f"{params['FinalClusterSnapshotRetentionPeriod']} days"
            )
        try:
            redshift.delete_cluster(**params)
        except ClientError as exc:
            if error_code(exc) == "ClusterNotFound":
                return
            now = describe_cluster(redshift, id_) if error_code(exc) == "InvalidClusterState" else None
            if now is None or now.get("ClusterStatus") != "deleting":
                raise ProviderError(f"could not delete cluster {id_}: {aws_reason(exc)}") from exc
        # A replacement with the same identifier can only be created once this one is gone.
        self._wait_gone(redshift, id_, timeout)

    def _wait_gone(self, redshift: Any, id_: str, timeout: float) -> None:
        def gone() -> bool | None:
            return True if describe_cluster(redshift, id_) is None else None

        self.poller.until(gone, timeout, f"deletion of cluster {id_}")


def restore_record(target: str) -> str:
    """The SSM parameter that says a restore of this resource into `target` is under way (see `create`)."""
    return record_name("cluster-restore", target)


def started_record(owner: str) -> dict[str, str]:
    return {"owner": owner, "started": datetime.now(UTC).isoformat(timespec="seconds")}


def _started_by(record: Mapping[str, Any] | None, owner: str, cluster: Mapping[str, Any]) -> bool:
    """Whether `record` says `owner` started restoring this cluster: a cluster created more than
    RECORD_CLOCK_SLACK before the record was written existed already, so it is not that restore's."""
    if not record or record.get("owner") != owner:
        return False
    created = cluster.get("ClusterCreateTime")
    try:
        started = datetime.fromisoformat(str(record.get("started")))
    except ValueError:
        return False
    return not isinstance(created, datetime) or created >= started - RECORD_CLOCK_SLACK


def actual_settings(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """What AWS reports for the spec's keys, in the spec's shape; None where AWS says nothing."""
    relocation = cluster.get("AvailabilityZoneRelocationStatus")
    return {
        "node_type": cluster.get("NodeType"),
        "number_of_nodes": cluster.get("NumberOfNodes"),
        "port": (cluster.get("Endpoint") or {}).get("Port"),
        "availability_zone": cluster.get("AvailabilityZone"),
        "kms_key_id": cluster.get("KmsKeyId"),
        "cluster_subnet_group_name": cluster.get("ClusterSubnetGroupName"),
        "manage_master_password": bool(cluster.get("MasterPasswordSecretArn")),
        "master_password_secret_kms_key_id": cluster.get("MasterPasswordSecretKmsKeyId"),
        "publicly_accessible": cluster.get("PubliclyAccessible"),
        "automated_snapshot_retention_days": cluster.get("AutomatedSnapshotRetentionPeriod"),
        "manual_snapshot_retention_days": cluster.get("ManualSnapshotRetentionPeriod"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "maintenance_track_name": cluster.get("MaintenanceTrackName"),
        "enhanced_vpc_routing": cluster.get("EnhancedVpcRouting"),
        "availability_zone_relocation": (
            None if relocation is None else relocation in ("enabled", "pending_enabling")
        ),
        "cluster_parameter_group_name": next(
            (g["ParameterGroupName"] for g in cluster.get("ClusterParameterGroups", [])), None
        ),
        "vpc_security_group_ids": sorted(
            g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])
        ),
        "iam_roles": sorted(r["IamRoleArn"] for r in cluster.get("IamRoles", [])),
        "default_iam_role_arn": cluster.get("DefaultIamRoleArn"),
        "tags": {k: v for k, v in cluster_tags(cluster).items() if k != OWNERSHIP_TAG},
    }


def effective_settings(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """The values in effect for every key (inherited, as the snapshot was, or AWS's default): the output `diff`
    compares a newly written value with, so that making a value explicit is no change."""
    return {k: v for k, v in actual_settings(cluster).items() if v is not None and k != "tags"}


def effective_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Input keys that changed. A key left out before and now set to the value in effect has not: writing out
    an inherited subnet group, or the snapshot's port, must not replace the cluster."""
    effective = olds.get("effective_settings") or {}
    return [
        k for k in changed_keys(olds, news, INPUT_KEYS)
        if not (olds.get(k) is None and news.get(k) is not None and k in effective
                and _norm(news[k]) == _norm(effective[k]))
    ]


def _job_status(job: Mapping[str, Any]) -> str:
    return f"{job.get('Status', '?')} {job.get('PercentDone', '')}".strip()


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value



OUTPUT_KEYS = (
    "cluster_arn",
    "endpoint_address",
    "endpoint_port",
    "resolved_snapshot_identifier",
    "resolved_snapshot_arn",
    "resolved_recovery_point_arn",
    "source_cluster_identifier",
    "value_sources",
    "actual_node_type",
    "actual_number_of_nodes",
    "cluster_status",
    "effective_settings",
)


class RedshiftClusterRestore(DynamicResource, module="redshift-backup", name="RedshiftClusterRestore"):
    """A cluster restored from a snapshot or recovery point; keyword arguments are the stack-config keys.

    `credentials` (a profile and/or roles to assume, not secrets) say who boto3 acts as; default: the stack's
    `aws:profile` and `aws:assumeRoles`, `{}` for boto3's default chain.
    """

    cluster_identifier: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    endpoint_address: pulumi.Output[str]
    endpoint_port: pulumi.Output[int]
    resolved_snapshot_identifier: pulumi.Output[str | None]
    resolved_snapshot_arn: pulumi.Output[str | None]
    resolved_recovery_point_arn: pulumi.Output[str | None]
    source_cluster_identifier: pulumi.Output[str | None]
    value_sources: pulumi.Output[dict[str, str]]
    actual_node_type: pulumi.Output[str]
    actual_number_of_nodes: pulumi.Output[int]
    cluster_status: pulumi.Output[str]
    effective_settings: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider: ClusterRestoreProvider | None = None,
        credentials: pulumi.Input[Credentials] | None = None,
        **args: Any,
    ) -> None:
        props = {k: v for k, v in {**args, CREDENTIALS: credentials_prop(credentials)}.items() if v is not None}
        props.setdefault("cluster_identifier", resource_name)
        props.setdefault("ownership_tag_value", f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}")
        validate_now(ClusterRestoreSpec, {**props, "name": resource_name}, EXTRA_KEYS)
        super().__init__(
            provider or ClusterRestoreProvider(),
            resource_name,
            {**props, **{k: None for k in OUTPUT_KEYS}},
            opts,
        )

    @classmethod
    def from_spec(
        cls, spec: ClusterRestoreSpec, opts: pulumi.ResourceOptions | None = None,
        credentials: pulumi.Input[Credentials] | None = None,
    ) -> RedshiftClusterRestore:
        # `cluster_identifier` is in the dump when the config gives one; `name` stands in when it does not.
        args = {**spec.model_dump(exclude={"name", "kind"}, exclude_none=True),
                "cluster_identifier": spec.target_identifier}
        return cls(spec.name, opts, credentials=credentials, **args)
