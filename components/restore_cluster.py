"""`RedshiftClusterRestore`: a dynamic resource restoring a snapshot or recovery point into a new cluster."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components import aws
from components.restore_common import (
    SpecProvider,
    aws_reason,
    changed_keys,
    error_code,
    latest_snapshot,
    log,
    paged,
    validate_now,
)
from policies.errors import ProviderError
from policies.restores import OWNERSHIP_TAG, ClusterRestoreSpec, port_problem

# Keys the resource adds to the spec's own: the ownership tag value (project/stack/name).
EXTRA_KEYS = ("ownership_tag_value",)
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
# A node type or count change is a resize (ModifyCluster), which keeps the data and the endpoint.
RESIZE_KEYS = ("node_type", "number_of_nodes")
IN_PLACE_KEYS = (*MODIFY_PARAMETERS, *IAM_KEYS, *RESIZE_KEYS, "tags", *STATE_ONLY_KEYS)
# Everything else is identity or fixed at restore time (subnet group and encryption cannot change after it).
REPLACE_KEYS = tuple(k for k in INPUT_KEYS if k not in IN_PLACE_KEYS)

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

    def outputs(self) -> dict[str, Any]:
        return {
            "resolved_snapshot_identifier": self.snapshot_identifier,
            "resolved_snapshot_arn": self.snapshot_arn,
            "resolved_recovery_point_arn": self.recovery_point_arn,
            "source_cluster_identifier": self.source_cluster_identifier,
        }


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
        parts.append(f"ETA {restore['EstimatedTimeToCompletionInSeconds'] // 60} min")
    return ", ".join(parts)


class ClusterRestoreProvider(SpecProvider[ClusterRestoreSpec]):
    """Restore, wait, tag and report; delete only what it created. No boto3 client is kept on `self`."""

    spec_model = ClusterRestoreSpec
    extra_keys = EXTRA_KEYS

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        # The spec's `name` is the Pulumi name; the resource always passes `cluster_identifier`, which stands in.
        return {**props, "name": props.get("cluster_identifier") or "unnamed"}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_keys(olds, news, INPUT_KEYS)
        replaces = [k for k in changed if k in REPLACE_KEYS]
        # Same identifier on both sides: the old cluster must go first, two clusters cannot share a name.
        same_name = olds.get("cluster_identifier") == news.get("cluster_identifier")
        return DiffResult(
            changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces) and same_name
        )

    # ---- create --------------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.spec(props)
        owner = str(props.get("ownership_tag_value") or spec.target_identifier)
        redshift = aws.client("redshift", spec.region)
        target = spec.target_identifier
        existing = describe_cluster(redshift, target)
        if existing is not None:
            found = cluster_tags(existing).get(OWNERSHIP_TAG)
            if found != owner:
                raise ProviderError(
                    f"cluster {target} already exists and is not ours (tag {OWNERSHIP_TAG} is "
                    f"{found!r}, expected {owner!r}); choose another cluster_identifier or delete it first"
                )
            log(f"cluster {target} exists with our ownership tag (an interrupted create): adopting it")
            resolution, origins = Resolution(), {"adopted": "an interrupted create of this resource"}
        else:
            resolution = self._resolve(redshift, spec)
            origins = self._restore(redshift, spec, resolution, owner)
        try:
            arn = _cluster_arn(redshift, target)
            # Ownership first, so an interrupted create can be adopted by the next `pulumi up`.
            redshift.create_tags(
                ResourceName=arn,
                Tags=[{"Key": k, "Value": v} for k, v in {OWNERSHIP_TAG: owner, **spec.tags}.items()],
            )
            cluster = self._wait_restored(redshift, target, spec.timeout_minutes)
        except ClusterVanished:
            raise
        except Exception as exc:
            self._delete_half_made(redshift, target, exc)
            raise ProviderError(f"{exc}; the half-made cluster {target} was deleted") from exc
        outs = {
            **_inputs(props),
            **resolution.outputs(),
            **self._observed(cluster),
            "cluster_arn": arn,
            "value_sources": origins,
            "ownership_tag_value": owner,
        }
        return CreateResult(target, outs)

    def _resolve(self, redshift: Any, spec: ClusterRestoreSpec) -> Resolution:
        source = spec.source
        if source.recovery_point_arn or source.latest_recovery_point_of:
            return self._resolve_recovery_point(spec)
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

    def _resolve_recovery_point(self, spec: ClusterRestoreSpec) -> Resolution:
        source = spec.source
        if source.recovery_point_arn:
            return Resolution(recovery_point_arn=source.recovery_point_arn)
        backup = aws.client("backup", spec.region)
        own = aws.client("sts", spec.region).get_caller_identity()["Account"]
        # A copy in this account's vault still names the source cluster in its own (maybe another) account.
        account = source.owner_account or own
        region = backup.meta.region_name
        cluster_arn = f"arn:aws:redshift:{region}:{account}:cluster:{source.latest_recovery_point_of}"
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
            source_cluster_identifier=source.latest_recovery_point_of if account == own else None,
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
            for key, value in inherited.items():
                if key in origins or not value:
                    continue
                if key == "default_iam_role_arn" and value not in params.get("IamRoles", []):
                    continue
                params[RESTORE_PARAMETERS[key]] = value
                origins[key] = f"source cluster {source['ClusterIdentifier']}"
        for key in INHERITED_KEYS:
            origins.setdefault(key, "AWS default")
        for key in ("node_type", "number_of_nodes"):
            origins.setdefault(key, "snapshot")
        # Report where the values AWS could silently default came from; the rest is plainly the input.
        return params, {k: v for k, v in origins.items() if k in (*INHERITED_KEYS, "node_type", "number_of_nodes")}

    def _restore(
        self, redshift: Any, spec: ClusterRestoreSpec, resolution: Resolution, owner: str
    ) -> dict[str, str]:
        params, origins = self.restore_parameters(redshift, spec, resolution)
        if resolution.recovery_point_arn:
            self._restore_recovery_point(spec, resolution, params, owner)
            return origins
        self._check_node_configuration(redshift, spec, resolution)
        params.update(resolution.snapshot_params("SnapshotClusterIdentifier"))
        log(f"restoring cluster {spec.target_identifier} from {spec.source.describe()}")
        try:
            redshift.restore_from_cluster_snapshot(**params)
        except ClientError as exc:
            raise ProviderError(
                f"restore of cluster {spec.target_identifier} refused: {aws_reason(exc)}"
            ) from exc
        return origins

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
        count = spec.number_of_nodes or snapshot.get("NumberOfNodes")
        query = {"ActionType": "restore-cluster", **resolution.snapshot_params(None)}
        options = paged(
            redshift, "describe_node_configuration_options", "NodeConfigurationOptionList", **query
        )
        valid = sorted({(o["NodeType"], int(o["NumberOfNodes"])) for o in options})
        if any(t == node_type and (count is None or n == count) for t, n in valid):
            return
        listed = ", ".join(f"{t} x {n}" for t, n in valid) or "none"
        raise ProviderError(
            f"node type {node_type} x {count} cannot restore this snapshot; valid options: {listed}"
        )

    def _restore_recovery_point(
        self, spec: ClusterRestoreSpec, resolution: Resolution, params: dict[str, Any], owner: str
    ) -> None:
        backup = aws.client("backup", spec.region)
        metadata = backup.get_recovery_point_restore_metadata(
            BackupVaultName=spec.source.backup_vault_name,
            RecoveryPointArn=resolution.recovery_point_arn,
        )["RestoreMetadata"]
        # The Redshift keys mirror RestoreFromClusterSnapshot (unverified); the API takes strings only.
        metadata = {**metadata, **{k: _metadata_value(v) for k, v in params.items()}}
        log(
            f"starting AWS Backup restore job for {resolution.recovery_point_arn} "
            f"into {spec.target_identifier}"
        )
        try:
            job_id = backup.start_restore_job(
                RecoveryPointArn=resolution.recovery_point_arn,
                Metadata=metadata,
                IamRoleArn=spec.source.backup_iam_role_arn,
                ResourceType="Redshift",
                IdempotencyToken=f"{owner}:{resolution.recovery_point_arn}"[:100],
            )["RestoreJobId"]
        except ClientError as exc:
            raise ProviderError(
                f"restore job for {spec.target_identifier} refused: {aws_reason(exc)}"
            ) from exc
        last = {"status": "PENDING"}

        def job_done() -> dict[str, Any] | None:
            job = backup.describe_restore_job(RestoreJobId=job_id)
            last["status"] = f"{job['Status']} {job.get('PercentDone', '')}".strip()
            log(f"restore job {job_id}: {last['status']}")
            if job["Status"] in ("ABORTED", "FAILED"):
                raise RestoreFailed(
                    f"AWS Backup restore job {job_id} {job['Status']}: "
                    f"{job.get('StatusMessage', 'no reason given')}"
                )
            return job if job["Status"] == "COMPLETED" else None

        try:
            self.poller.until(
                job_done, spec.timeout_minutes * 60, f"restore job {job_id}", lambda: last["status"]
            )
        except ProviderError as exc:
            self._delete_half_made(aws.client("redshift", spec.region), spec.target_identifier, exc)
            raise ProviderError(
                f"{exc}; the half-made cluster {spec.target_identifier} (if any) was deleted"
            ) from exc

    # ---- waiting, tagging, cleanup -------------------------------------------------------------------------

    def _wait_restored(self, redshift: Any, target: str, timeout_minutes: int) -> dict[str, Any]:
        last = {"line": "not seen yet"}

        def restored() -> dict[str, Any] | None:
            cluster = describe_cluster(redshift, target)
            if cluster is None:
                raise ClusterVanished(
                    f"cluster {target} was deleted by someone else while we waited for its "
                    f"restore (last seen: {last['line']}); nothing left to clean up"
                )
            last["line"] = progress_line(cluster)
            log(last["line"])
            status = cluster.get("ClusterStatus")
            restore = (cluster.get("RestoreStatus") or {}).get("Status")
            if restore == "failed" or status in FAILED_STATES:
                raise RestoreFailed(
                    f"restore of cluster {target} failed: AWS reports cluster status "
                    f"{status!r}, restore status {restore!r}"
                )
            done = status == "available" and restore in (None, "completed")
            return cluster if done else None

        return self.poller.until(
            restored, timeout_minutes * 60, f"restore of cluster {target}", lambda: last["line"]
        )

    def _delete_half_made(self, redshift: Any, target: str, cause: BaseException) -> None:
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

    def _observed(self, cluster: Mapping[str, Any]) -> dict[str, Any]:
        endpoint = cluster.get("Endpoint") or {}
        return {
            "cluster_identifier": cluster["ClusterIdentifier"],
            "endpoint_address": endpoint.get("Address"),
            "endpoint_port": endpoint.get("Port"),
            "actual_node_type": cluster.get("NodeType"),
            "actual_number_of_nodes": cluster.get("NumberOfNodes"),
            "cluster_status": cluster.get("ClusterStatus"),
        }

    # ---- read / update / delete ----------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        redshift = aws.client("redshift", props.get("region"))
        cluster = describe_cluster(redshift, id_)
        if cluster is None:
            return ReadResult(None, {})
        outs = {**props, **self._observed(cluster)}
        # Drift: only what the user set is compared; an inherited value has no input to drift from.
        actual = actual_settings(cluster)
        drift = []
        for key, value in actual.items():
            # A value AWS does not report (None) is not drift.
            if value is not None and props.get(key) is not None and _norm(props.get(key)) != _norm(value):
                drift.append(f"{key}: state {props.get(key)!r}, AWS {value!r}")
                outs[key] = value
        if drift:
            pulumi.log.warn(f"cluster {id_} drifted: " + "; ".join(drift))
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self.spec(news)
        redshift = aws.client("redshift", spec.region)
        changed = changed_keys(olds, news, INPUT_KEYS)
        modify = {
            MODIFY_PARAMETERS[k]: getattr(spec, k)
            for k in changed
            if k in MODIFY_PARAMETERS and getattr(spec, k) is not None
        }
        if any(k in changed and getattr(spec, k) is not None for k in RESIZE_KEYS):
            modify.update(self._resize_parameters(redshift, id_, spec))
        if modify:
            log(f"modifying cluster {id_}: {', '.join(sorted(modify))}")
            try:
                redshift.modify_cluster(ClusterIdentifier=id_, **modify)
            except ClientError as exc:
                raise ProviderError(f"could not modify cluster {id_}: {aws_reason(exc)}") from exc
        if any(k in changed for k in IAM_KEYS):
            self._update_iam_roles(redshift, id_, spec)
        if "tags" in changed:
            arn = str(olds.get("cluster_arn") or _cluster_arn(redshift, id_))
            self._update_tags(redshift, arn, dict(olds.get("tags") or {}), spec.tags)
        cluster = (
            self._wait_restored(redshift, id_, spec.timeout_minutes)
            if (modify or changed)
            else describe_cluster(redshift, id_)
        )
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
        return UpdateResult({**_inputs(news), **kept, **self._observed(cluster)})

    def _resize_parameters(self, redshift: Any, id_: str, spec: ClusterRestoreSpec) -> dict[str, Any]:
        # ModifyCluster wants the node type and the count together; what the spec leaves out stays as it is.
        cluster = describe_cluster(redshift, id_) or {}
        count = spec.number_of_nodes or int(cluster.get("NumberOfNodes", 1))
        return {
            "NodeType": spec.node_type or cluster.get("NodeType"),
            "NumberOfNodes": count,
            "ClusterType": "single-node" if count == 1 else "multi-node",
        }

    def _update_iam_roles(self, redshift: Any, id_: str, spec: ClusterRestoreSpec) -> None:
        cluster = describe_cluster(redshift, id_) or {}
        current = {r["IamRoleArn"] for r in cluster.get("IamRoles", [])}
        params: dict[str, Any] = {"ClusterIdentifier": id_}
        if spec.iam_roles is not None:
            wanted = set(spec.iam_roles)
            if wanted - current:
                params["AddIamRoles"] = sorted(wanted - current)
            if current - wanted:
                params["RemoveIamRoles"] = sorted(current - wanted)
        if spec.default_iam_role_arn is not None:
            params["DefaultIamRoleArn"] = spec.default_iam_role_arn
        if len(params) > 1:
            log(f"changing IAM roles of cluster {id_}")
            redshift.modify_cluster_iam_roles(**params)

    def _update_tags(self, redshift: Any, arn: str, old: dict[str, str], new: Mapping[str, str]) -> None:
        removed = sorted(set(old) - set(new))
        if removed:
            redshift.delete_tags(ResourceName=arn, TagKeys=removed)
        upsert = {k: v for k, v in new.items() if old.get(k) != v}
        if upsert:
            redshift.create_tags(
                ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(upsert.items())]
            )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        redshift = aws.client("redshift", props.get("region"))
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
            raise ProviderError(f"could not delete cluster {id_}: {aws_reason(exc)}") from exc
        timeout = float(props.get("timeout_minutes") or 75) * 60

        def gone() -> bool | None:
            return True if describe_cluster(redshift, id_) is None else None

        # A replacement with the same identifier can only be created once this one is gone.
        self.poller.until(gone, timeout, f"deletion of cluster {id_}")


def actual_settings(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """What AWS reports for the in-place keys, in the spec's shape."""
    tags = {k: v for k, v in cluster_tags(cluster).items() if k != OWNERSHIP_TAG}
    return {
        "publicly_accessible": cluster.get("PubliclyAccessible"),
        "automated_snapshot_retention_days": cluster.get("AutomatedSnapshotRetentionPeriod"),
        "manual_snapshot_retention_days": cluster.get("ManualSnapshotRetentionPeriod"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "cluster_parameter_group_name": next(
            (g["ParameterGroupName"] for g in cluster.get("ClusterParameterGroups", [])), None
        ),
        "vpc_security_group_ids": sorted(
            g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])
        ),
        "iam_roles": sorted(r["IamRoleArn"] for r in cluster.get("IamRoles", [])),
        "tags": tags,
    }


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props.get(k) for k in INPUT_KEYS if k in props}


def _metadata_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def _cluster_arn(redshift: Any, identifier: str) -> str:
    account = aws.client("sts", redshift.meta.region_name).get_caller_identity()["Account"]
    return f"arn:aws:redshift:{redshift.meta.region_name}:{account}:cluster:{identifier}"


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
)


class RedshiftClusterRestore(pulumi.dynamic.Resource, module="redshift-backup", name="RedshiftClusterRestore"):
    """A cluster restored from a snapshot or recovery point; keyword arguments are the stack-config keys."""

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

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider: ClusterRestoreProvider | None = None,
        **args: Any,
    ) -> None:
        props = {k: v for k, v in args.items() if v is not None}
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
        cls, spec: ClusterRestoreSpec, opts: pulumi.ResourceOptions | None = None
    ) -> RedshiftClusterRestore:
        # `cluster_identifier` is in the dump when the config gives one; `name` stands in when it does not.
        args = {**spec.model_dump(exclude={"name", "kind"}, exclude_none=True),
                "cluster_identifier": spec.target_identifier}
        return cls(spec.name, opts, **args)
