"""AWS Backup restore calls and region settings that moto 5.2.5 lacks, added to moto's own backend and responses.

Modelled on the AWS Backup API reference, not observed against AWS:

- Redshift recovery points (seeded with `add_recovery_point`: a recovery point of a Redshift cluster is one of its
  snapshots), `DescribeRecoveryPoint`, `GetRecoveryPointRestoreMetadata` (the snapshot's settings, as strings).
- `StartRestoreJob` with `IdempotencyToken` (the same token answers the same job and starts nothing) and
  `DescribeRestoreJob` (RUNNING for N describes, see `configure`, and while its cluster is `creating`; then
  COMPLETED with `CreatedResourceArn`, or FAILED with AWS's reason). The job restores the cluster through moto's Redshift backend at once, so the cluster
  exists (`creating` under `moto_redshift`'s lifecycle) while the job runs.
- `DescribeRegionSettings` / `UpdateRegionSettings`: a per-account-and-region opt-in map; an update changes the keys
  it is sent and keeps the others.

Recovery point listing and selections are another module's (`moto_backup_audit`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.backup import models, responses, urls
from moto.backup.exceptions import InvalidParameterValueException, ResourceNotFoundException
from moto.core.utils import utcnow
from moto.redshift.models import redshift_backends

from tests.support import moto_redshift

# The opt-in map a new account and region starts with (the keys DescribeRegionSettings lists; values modelled).
DEFAULT_OPT_IN = {
    "Aurora": True, "CloudFormation": False, "DocumentDB": True, "DynamoDB": True, "EBS": True, "EC2": True,
    "EFS": True, "FSx": True, "Neptune": True, "RDS": True, "Redshift": False, "Redshift Serverless": False,
    "S3": False, "SAP HANA on Amazon EC2": False, "Storage Gateway": True, "Timestream": False,
    "VirtualMachine": True,
}
# Restore metadata keys (strings) and how they become moto Redshift restore arguments.
INT_KEYS = {"Port": "port", "NumberOfNodes": "number_of_nodes",
            "AutomatedSnapshotRetentionPeriod": "automated_snapshot_retention_period"}
STR_KEYS = {"NodeType": "node_type", "AvailabilityZone": "availability_zone",
            "ClusterSubnetGroupName": "cluster_subnet_group_name",
            "ClusterParameterGroupName": "cluster_parameter_group_name",
            "PreferredMaintenanceWindow": "preferred_maintenance_window"}
BOOL_KEYS = {"PubliclyAccessible": "publicly_accessible", "EnhancedVpcRouting": "enhanced_vpc_routing",
             "AllowVersionUpgrade": "allow_version_upgrade"}
LIST_KEYS = {"VpcSecurityGroupIds": "vpc_security_group_ids", "IamRoles": "iam_roles_arn"}


class Settings:
    """How many DescribeRestoreJob calls a job stays RUNNING (0: COMPLETED at the first describe)."""

    restore_job_describes = 0


def configure(*, restore_job_describes: int = 0) -> None:
    Settings.restore_job_describes = restore_job_describes


def _state(backend: Any) -> dict[str, Any]:
    return backend.__dict__.setdefault("_restore_state", {
        "recovery_points": {}, "jobs": {}, "tokens": {}, "opt_in": dict(DEFAULT_OPT_IN)})


def _backend(response: Any) -> Any:
    return models.backup_backends[response.current_account][response.region]


def _epoch(value: datetime) -> float:
    return value.timestamp()


def add_recovery_point(account_id: str, region: str, vault_name: str, snapshot_identifier: str) -> str:
    """Seed a completed recovery point of a Redshift snapshot in `vault_name`; returns its ARN."""
    backend = models.backup_backends[account_id][region]
    vault = backend.describe_backup_vault(vault_name)
    snapshot = redshift_backends[account_id][region].snapshots[snapshot_identifier]
    arn = snapshot.arn
    _state(backend)["recovery_points"][arn] = {
        "RecoveryPointArn": arn, "BackupVaultName": vault_name, "BackupVaultArn": vault.backup_vault_arn,
        "ResourceArn": f"arn:aws:redshift:{region}:{account_id}:cluster:{snapshot.cluster_identifier}",
        "ResourceType": "Redshift", "Status": "COMPLETED", "CreationDate": _epoch(snapshot.create_time),
        "_snapshot": snapshot_identifier,
    }
    return str(arn)


def restore_jobs(account_id: str, region: str) -> list[dict[str, Any]]:
    """Every restore job started in an account and region (for tests: moto has no ListRestoreJobs)."""
    jobs = list(_state(models.backup_backends[account_id][region])["jobs"].values())
    for job in jobs:
        _settle(account_id, region, job)
    return [_public(job) for job in jobs]


def _recovery_point(backend: Any, vault_name: str, arn: str) -> dict[str, Any]:
    point = _state(backend)["recovery_points"].get(arn)
    if point is None or point["BackupVaultName"] != vault_name:
        raise ResourceNotFoundException(f"Recovery point {arn} not found in vault {vault_name}")
    return point  # type: ignore[no-any-return]


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def describe_recovery_point(self: Any) -> str:
    self._get_action()
    point = _recovery_point(_backend(self), unquote(self.uri_match["backupVaultName"]),
                            unquote(self.uri_match["recoveryPointArn"]))
    return json.dumps(_public(point))


def get_recovery_point_restore_metadata(self: Any) -> str:
    self._get_action()
    backend = _backend(self)
    point = _recovery_point(backend, unquote(self.uri_match["backupVaultName"]),
                            unquote(self.uri_match["recoveryPointArn"]))
    snapshot = redshift_backends[self.current_account][self.region].snapshots.get(point["_snapshot"])
    if snapshot is None:
        raise ResourceNotFoundException(f"The snapshot of recovery point {point['RecoveryPointArn']} is gone")
    metadata = {
        "SnapshotIdentifier": snapshot.snapshot_identifier,
        "SnapshotClusterIdentifier": snapshot.cluster_identifier,
        "NodeType": snapshot.node_type,
        "NumberOfNodes": str(snapshot.number_of_nodes),
        "Port": str(snapshot.port),
        "AvailabilityZone": snapshot.availability_zone,
        "Encrypted": "true" if snapshot.encrypted else "false",
        "EnhancedVpcRouting": "true" if snapshot.enhanced_vpc_routing else "false",
    }
    return json.dumps({"BackupVaultArn": point["BackupVaultArn"], "RecoveryPointArn": point["RecoveryPointArn"],
                       "ResourceType": "Redshift", "RestoreMetadata": metadata})


def _restore_cluster(account: str, region: str, point: dict[str, Any], metadata: dict[str, str]) -> Any:
    identifier = metadata.get("ClusterIdentifier")
    if not identifier:
        raise InvalidParameterValueException("Metadata must name a ClusterIdentifier")
    kwargs: dict[str, Any] = {"snapshot_identifier": point["_snapshot"], "cluster_identifier": identifier,
                              "region_name": region, "cluster_security_groups": [], "vpc_security_group_ids": [],
                              "iam_roles_arn": []}
    for key, arg in INT_KEYS.items():
        if key in metadata:
            kwargs[arg] = int(metadata[key])
    for key, arg in STR_KEYS.items():
        if key in metadata:
            kwargs[arg] = metadata[key]
    for key, arg in BOOL_KEYS.items():
        if key in metadata:
            kwargs[arg] = metadata[key] == "true"
    for key, arg in LIST_KEYS.items():
        if key in metadata:
            kwargs[arg] = json.loads(metadata[key])
    for name in ("port", "availability_zone", "allow_version_upgrade", "cluster_subnet_group_name",
                 "publicly_accessible", "cluster_parameter_group_name", "preferred_maintenance_window",
                 "automated_snapshot_retention_period"):
        kwargs.setdefault(name, None)
    redshift = redshift_backends[account][region]
    cluster = redshift.restore_from_cluster_snapshot(**kwargs)
    if "ManualSnapshotRetentionPeriod" in metadata:
        cluster.manual_snapshot_retention_period = int(metadata["ManualSnapshotRetentionPeriod"])
    if moto_redshift.LIFECYCLE.restoring_describes > 0:
        cluster.status = "creating"
        cluster.__dict__["_restoring_left"] = moto_redshift.LIFECYCLE.restoring_describes
    return cluster


def start_restore_job(self: Any) -> str:
    backend = _backend(self)
    state = _state(backend)
    params = json.loads(self.body or "{}")
    token = params.get("IdempotencyToken")
    if token and token in state["tokens"]:
        job = state["jobs"][state["tokens"][token]]
        return json.dumps({"RestoreJobId": job["RestoreJobId"]})
    arn = params.get("RecoveryPointArn")
    point = state["recovery_points"].get(arn)
    if point is None:
        raise ResourceNotFoundException(f"Recovery point {arn} not found")
    metadata = dict(params.get("Metadata") or {})
    job: dict[str, Any] = {
        "AccountId": self.current_account, "RestoreJobId": str(uuid.uuid4()).upper(), "RecoveryPointArn": arn,
        "CreationDate": _epoch(utcnow()), "Status": "RUNNING", "PercentDone": "0.00%",
        "IamRoleArn": params.get("IamRoleArn"), "ResourceType": params.get("ResourceType") or "Redshift",
        "_left": Settings.restore_job_describes,
    }
    try:
        cluster = _restore_cluster(self.current_account, self.region, point, metadata)
        job["_created"] = cluster.arn
    except Exception as exc:  # noqa: BLE001 - AWS reports a failed restore in the job, not in the call
        job["_failure"] = str(getattr(exc, "message", None) or exc)
    state["jobs"][job["RestoreJobId"]] = job
    if token:
        state["tokens"][token] = job["RestoreJobId"]
    return json.dumps({"RestoreJobId": job["RestoreJobId"]})


def _settle(account: str, region: str, job: dict[str, Any]) -> None:
    """A running job ends once its describes have run out and its cluster is no longer being restored (it does
    not wait to be looked at: whoever follows the cluster instead of the job sees the same end)."""
    if job["Status"] != "RUNNING" or job["_left"] > 0:
        return
    if "_failure" in job:
        job.update(Status="FAILED", StatusMessage=job["_failure"], CompletionDate=_epoch(utcnow()))
        return
    cluster = redshift_backends[account][region].clusters.get(job["_created"].split(":")[-1])
    if cluster is not None and cluster.status == "creating":
        return
    job.update(Status="COMPLETED", PercentDone="100.00%", CreatedResourceArn=job["_created"],
               CompletionDate=_epoch(utcnow()))


def describe_restore_job(self: Any) -> str:
    self._get_action()
    job_id = unquote(self.uri_match["restoreJobId"])
    job = _state(_backend(self))["jobs"].get(job_id)
    if job is None:
        raise ResourceNotFoundException(f"Restore job {job_id} not found")
    # Time passes with each look, for the cluster the job restores too.
    moto_redshift.tick(redshift_backends[self.current_account][self.region])
    if job["Status"] == "RUNNING" and job["_left"] > 0:
        job["_left"] -= 1
        job["PercentDone"] = "50.00%"
    else:
        _settle(self.current_account, self.region, job)
    return json.dumps(_public(job))


def describe_region_settings(self: Any) -> str:
    state = _state(_backend(self))
    return json.dumps({"ResourceTypeOptInPreference": state["opt_in"],
                       "ResourceTypeManagementPreference": {"DynamoDB": True, "EFS": True}})


def update_region_settings(self: Any) -> str:
    params = json.loads(self.body or "{}")
    opt_in = params.get("ResourceTypeOptInPreference") or {}
    if not all(isinstance(v, bool) for v in opt_in.values()):
        raise InvalidParameterValueException("ResourceTypeOptInPreference values must be booleans")
    _state(_backend(self))["opt_in"].update(opt_in)
    return "{}"


NEW_ACTIONS = {
    "describe_recovery_point": describe_recovery_point,
    "get_recovery_point_restore_metadata": get_recovery_point_restore_metadata,
    "start_restore_job": start_restore_job,
    "describe_restore_job": describe_restore_job,
    "describe_region_settings": describe_region_settings,
    "update_region_settings": update_region_settings,
}
# Routes to moto's dispatcher (the action is then found from botocore's model of method and URI).
NEW_PATHS = (
    "{0}/restore-jobs/?$",
    "{0}/restore-jobs/(?P<restoreJobId>[^/]+)$",
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/recovery-points/(?P<recoveryPointArn>.+)$",
    "{0}/account-settings$",
)


def install() -> None:
    """Add the calls above to moto's AWS Backup; call before the server answers its first AWS Backup request."""
    response_class = responses.BackupResponse
    if getattr(response_class, "_redshift_backup_extended", False):
        return
    for name, function in NEW_ACTIONS.items():
        setattr(response_class, name, function)
    for path in NEW_PATHS:
        urls.url_paths.setdefault(path, response_class.dispatch)
    response_class._redshift_backup_extended = True  # type: ignore[attr-defined]
