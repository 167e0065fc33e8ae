"""AWS Backup recovery points as a cluster restore source: the job's metadata, its idempotency token, its start."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.exceptions import ClientError

from components.restore_common import aws_reason, log
from policies.errors import ProviderError

# GetRecoveryPointRestoreMetadata keys passed on to StartRestoreJob when the user did not set them: they mirror
# RestoreFromClusterSnapshot parameters (unverified, see docs/restores.md) and describe the backup itself, so
# keeping them restores the cluster as it was. ManageMasterPassword must stay: a snapshot with a managed admin
# password only restores as managed.
FORWARDED_METADATA = (
    "SnapshotIdentifier",
    "SnapshotArn",
    "SnapshotClusterIdentifier",
    "OwnerAccount",
    "NodeType",
    "NumberOfNodes",
    "Port",
    "Encrypted",
    "ManageMasterPassword",
    "EnhancedVpcRouting",
    "MaintenanceTrackName",
    "AvailabilityZoneRelocation",
    "AllowVersionUpgrade",
    "PreferredMaintenanceWindow",
    "AutomatedSnapshotRetentionPeriod",
    "ManualSnapshotRetentionPeriod",
)
# Never forwarded: a restore to a new location does not support them (the spec refuses them as inputs too).
UNSUPPORTED_METADATA = ("MultiAZ", "ElasticIp", "HsmConfigurationIdentifier", "HsmClientCertificateIdentifier")
# Everything else (AvailabilityZone, KmsKeyId, subnet and parameter groups, security groups, IAM roles, ...)
# names the backed-up cluster's own environment, which may not exist or not be meant for the restore (another
# account, another VPC): it is dropped unless the input, or the source cluster's inheritance, sets it.

TERMINAL_JOB_STATES = ("COMPLETED", "ABORTED", "FAILED")
# How many earlier restores of the same recovery point into the same cluster a create steps over (see
# `start_restore_job`); a drill restores a new recovery point every night, so one or two is the norm.
MAX_TOKEN_GENERATIONS = 20
# A finished job created this long before AWS answered StartRestoreJob was not started by that call.
EARLIER_JOB_SLACK = timedelta(seconds=60)


def metadata_value(value: Any) -> str:
    """StartRestoreJob's Metadata is a map of strings: booleans as true/false, lists as JSON arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def job_metadata(restore_metadata: Mapping[str, str], params: Mapping[str, Any]) -> dict[str, str]:
    """The job's Metadata: the allowed keys of the recovery point's own metadata, then every parameter we chose.

    Only key names are logged: botocore marks Metadata as sensitive.
    """
    kept = {k: v for k, v in restore_metadata.items() if k in FORWARDED_METADATA}
    dropped = sorted(k for k in restore_metadata if k not in FORWARDED_METADATA and k not in params)
    unsupported = [k for k in dropped if k in UNSUPPORTED_METADATA]
    others = [k for k in dropped if k not in UNSUPPORTED_METADATA]
    if unsupported:
        log(f"recovery point metadata not forwarded: {', '.join(unsupported)} (a restore to a new location does "
            "not support Multi-AZ, HSM or an Elastic IP)")
    if others:
        log(f"recovery point metadata not forwarded: {', '.join(others)} (they name the backed-up cluster's own "
            "environment; set the matching input to choose a value)")
    return {**kept, **{k: metadata_value(v) for k, v in params.items()}}


def restore_job_token(owner: str, recovery_point_arn: str, target: str, generation: int) -> str:
    """StartRestoreJob's idempotency token: a hash of everything that makes a restore this one, never truncated.

    The same create retried after an interrupted `pulumi up` sends the same token and rejoins its job instead of
    starting a second one racing for the cluster identifier. A new recovery point (the next night's) gives a new
    token. `generation` steps over jobs of earlier creates of the same point (see `start_restore_job`).
    """
    text = "\n".join((owner, recovery_point_arn, target, str(generation)))
    return hashlib.sha256(text.encode()).hexdigest()


def _answered_at(response: Mapping[str, Any]) -> datetime:
    # AWS's own clock (the response's Date header), so that a skewed local clock cannot make a new job look old.
    date = (response.get("ResponseMetadata") or {}).get("HTTPHeaders", {}).get("date")
    return parsedate_to_datetime(date) if date else datetime.now(UTC)


def _is_earlier_job(job: Mapping[str, Any], answered_at: datetime) -> bool:
    """A finished job created before the StartRestoreJob call: AWS answered our token with an earlier create's job."""
    created = job.get("CreationDate")
    return job.get("Status") in TERMINAL_JOB_STATES and isinstance(created, datetime) and (
        created < answered_at - EARLIER_JOB_SLACK)


def start_restore_job(backup: Any, *, recovery_point_arn: str, metadata: Mapping[str, str], iam_role_arn: str,
                      owner: str, target: str) -> dict[str, Any]:
    """Start the restore job (or rejoin the one an interrupted create started); returns its description.

    AWS answers a token it has seen with that job and takes no action. A job still running is ours to follow:
    an interrupted create's. A job that had already finished before the call belongs to an earlier create of
    the same point (restored, destroyed, restored again): the next generation of the token starts a new one.
    """
    for generation in range(MAX_TOKEN_GENERATIONS):
        token = restore_job_token(owner, recovery_point_arn, target, generation)
        try:
            response = backup.start_restore_job(RecoveryPointArn=recovery_point_arn, Metadata=dict(metadata),
                                                IamRoleArn=iam_role_arn, ResourceType="Redshift",
                                                IdempotencyToken=token)
            job: dict[str, Any] = backup.describe_restore_job(RestoreJobId=response["RestoreJobId"])
        except ClientError as exc:
            raise ProviderError(f"restore job for {target} refused: {aws_reason(exc)}") from exc
        if not _is_earlier_job(job, _answered_at(response)):
            log(f"AWS Backup restore job {job['RestoreJobId']} for {recovery_point_arn} into {target}: "
                f"{job.get('Status')}")
            return job
        log(f"restore job {job['RestoreJobId']} is an earlier restore of this recovery point into {target} "
            f"({job.get('Status')} since {job.get('CompletionDate') or job.get('CreationDate')}): starting a new one")
    raise ProviderError(
        f"{MAX_TOKEN_GENERATIONS} earlier restore jobs of {recovery_point_arn} into {target} are still remembered "
        "by AWS Backup; restore into another cluster_identifier")


def source_cluster_of(resource_arn: str, region: str, account: str) -> str | None:
    """The cluster a recovery point was taken from, when it lives in this account and region (else None)."""
    parts = resource_arn.split(":")
    if len(parts) == 7 and parts[2] == "redshift" and parts[5] == "cluster" and parts[3] == region \
            and parts[4] == account:
        return parts[6]
    return None
