"""Creating a restored cluster: adopt our own interrupted create or restore (snapshot or AWS Backup job), tag, wait.

A create is all-or-nothing: a failure after the cluster appeared deletes that half-made cluster before it raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult

from components import aws
from components.provider_records import delete_record, write_record
from components.restore_cluster_inputs import INPUT_KEYS
from components.restore_cluster_ownership import existing_cluster, restore_record, started_record, tag_cluster
from components.restore_cluster_parameters import check_node_configuration, restore_parameters
from components.restore_cluster_source import Caller, Resolution, resolve_source
from components.restore_cluster_status import (
    ClusterVanished,
    RestoreFailed,
    describe_cluster,
    observed,
    wait_gone,
    wait_settled,
)
from components.restore_common import (
    Deadline,
    Poller,
    WaitTimedOut,
    aws_reason,
    credentials_of,
    error_code,
    log,
    state_inputs,
)
from components.restore_recovery_point import job_metadata, start_restore_job
from policies.errors import ProviderError
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_fields import OWNERSHIP_TAG

# A failed create's own timeout may be used up: waiting for its half-made cluster to go has a bound of its own.
CLEANUP_WAIT_MINUTES = 30


def create_cluster(poller: Poller, spec: ClusterRestoreSpec, props: dict[str, Any]) -> CreateResult:
    """The provider's `create`: the cluster restored (or adopted), tagged as ours and settled."""
    owner = str(props.get("ownership_tag_value") or spec.target_identifier)
    credentials = credentials_of(props)
    redshift = aws.client("redshift", spec.region, credentials)
    target = spec.target_identifier
    # One budget for every wait of this create: the restore job, then the cluster.
    deadline = poller.deadline(spec.timeout_minutes * 60)
    ssm = aws.client("ssm", spec.region, credentials)
    existing = existing_cluster(poller, redshift, ssm, target, owner, deadline)
    who = Caller.of(spec.region, credentials)
    arn = who.cluster_arn(redshift.meta.region_name, target)
    if existing is not None:
        log(f"cluster {target} exists with our ownership tag (an interrupted create): adopting it")
        latest = spec.source.latest_snapshot_of or spec.source.latest_recovery_point_of
        resolution = (Resolution.unresolved_latest(spec.source) if latest
                      else resolve_source(redshift, spec, who, credentials))
        origins = {**restore_parameters(redshift, spec, resolution)[1],
                   "adopted": "an interrupted create of this resource"
                   + ("; the snapshot it resolved is not recorded" if latest else "")}
        tagged = False
    else:
        resolution = resolve_source(redshift, spec, who, credentials)
        params, origins = restore_parameters(redshift, spec, resolution)
        tagged = start_restore(poller, redshift, ssm, spec, resolution, params, owner, arn, deadline, credentials)
    try:
        if not tagged:
            # Ownership first, so an interrupted create can be adopted by the next `pulumi up`.
            tag_cluster(redshift, arn, {OWNERSHIP_TAG: owner, **spec.tags})
        cluster = wait_settled(poller, redshift, target, deadline, f"restore of cluster {target}")
    except ClusterVanished:
        delete_record(ssm, restore_record(target))
        raise
    except Exception as exc:
        delete_half_made(poller, redshift, ssm, target, exc)
        raise ProviderError(f"{exc}; the half-made cluster {target} was deleted") from exc
    # The cluster carries our ownership tag now: the record of the restore under way has done its work.
    delete_record(ssm, restore_record(target))
    outs = {
        **state_inputs(props, INPUT_KEYS),
        **resolution.outputs(),
        **observed(cluster),
        "cluster_arn": arn,
        "value_sources": origins,
        "ownership_tag_value": owner,
    }
    return CreateResult(target, outs)


def start_restore(poller: Poller, redshift: Any, ssm: Any, spec: ClusterRestoreSpec, resolution: Resolution,
                  params: dict[str, Any], owner: str, arn: str, deadline: Deadline,
                  credentials: Mapping[str, Any] | None) -> bool:
    """Start the restore; True when the cluster carries its tags already (a recovery point tags on sight)."""
    if resolution.recovery_point_arn:
        return restore_recovery_point(poller, redshift, ssm, spec, resolution, params, owner, arn, deadline,
                                      credentials)
    check_node_configuration(redshift, spec, resolution)
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


def restore_recovery_point(poller: Poller, redshift: Any, ssm: Any, spec: ClusterRestoreSpec,
                           resolution: Resolution, params: dict[str, Any], owner: str, arn: str,
                           deadline: Deadline, credentials: Mapping[str, Any] | None) -> bool:
    """An AWS Backup restore job, waited for; its cluster is tagged as ours as soon as it appears."""
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
    check_node_configuration(redshift, spec, resolution)
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
            tag_cluster(redshift, arn, {OWNERSHIP_TAG: owner, **spec.tags})
            state["tagged"] = True
        current = backup.describe_restore_job(RestoreJobId=job_id)
        state["job"] = current
        log(f"restore job {job_id}: {job_status(current)}")
        if current["Status"] in ("ABORTED", "FAILED"):
            raise RestoreFailed(
                f"AWS Backup restore job {job_id} {current['Status']}: "
                f"{current.get('StatusMessage', 'no reason given')}"
            )
        return current if current["Status"] == "COMPLETED" else None

    try:
        poller.until(job_done, deadline, f"AWS Backup restore job {job_id}", lambda: job_status(state["job"]))
    except Exception as exc:
        if state["seen"] or state["job"].get("CreatedResourceArn") == arn:
            delete_half_made(poller, redshift, ssm, target, exc)
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


def job_status(job: Mapping[str, Any]) -> str:
    return f"{job.get('Status', '?')} {job.get('PercentDone', '')}".strip()


def delete_half_made(poller: Poller, redshift: Any, ssm: Any, target: str, cause: BaseException) -> None:
    """Delete the cluster a failed create made, then forget that a restore was under way."""
    try:
        delete_cluster_made(poller, redshift, target, cause)
    except Exception:
        delete_record(ssm, restore_record(target))
        raise
    delete_record(ssm, restore_record(target))


def delete_cluster_made(poller: Poller, redshift: Any, target: str, cause: BaseException) -> None:
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
    # Gone before we report, so that an immediate re-run does not find (and adopt) a cluster being deleted.
    try:
        wait_gone(poller, redshift, target, CLEANUP_WAIT_MINUTES * 60, f"deletion of the half-made cluster {target}")
    except WaitTimedOut as exc:
        raise ProviderError(f"{cause}; the half-made cluster {target} is being deleted but was not gone after "
                            f"{CLEANUP_WAIT_MINUTES} minutes (the next `pulumi up` waits for it)") from exc
