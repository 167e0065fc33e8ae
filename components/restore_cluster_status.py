"""A restored cluster as AWS reports it: its settings in the spec's shape, its outputs, progress, waits on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from components.restore_common import Deadline, Poller, error_code, log
from policies.errors import ProviderError
from policies.restore_fields import OWNERSHIP_TAG

# Cluster states from which a restore never becomes available (AWS ClusterStatus values).
FAILED_STATES = (
    "incompatible-restore",
    "incompatible-network",
    "incompatible-parameters",
    "incompatible-hsm",
    "hardware-failure",
)


class RestoreFailed(ProviderError):
    """AWS reported the restore as failed; the message carries AWS's reason."""


class ClusterVanished(ProviderError):
    """The cluster disappeared while we waited for it (someone else deleted it)."""


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
        parts.append(f"ETA {eta_text(restore['EstimatedTimeToCompletionInSeconds'])}")
    return ", ".join(parts)


def eta_text(seconds: float) -> str:
    """`39 s`, `10 min`, `2 min 5 s`, `1 h 30 min`: an ETA of 39 seconds is not "0 min"."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {rest} s" if rest and minutes < 10 else "")
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "")


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


def observed(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs every create, read and update records from the cluster's description."""
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


def wait_settled(poller: Poller, redshift: Any, target: str, deadline: Deadline, what: str) -> dict[str, Any]:
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

    return poller.until(settled, deadline, what, lambda: last["line"])


def wait_gone(poller: Poller, redshift: Any, identifier: str, timeout: float | Deadline, what: str) -> None:
    """Until DescribeClusters no longer finds the cluster; `what` names the deletion in a timeout's message."""

    def gone() -> bool | None:
        return True if describe_cluster(redshift, identifier) is None else None

    poller.until(gone, timeout, what)
