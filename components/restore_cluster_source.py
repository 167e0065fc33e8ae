"""Which snapshot or recovery point a cluster restore starts from, and who runs it (account, partition)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from components import aws
from components.restore_common import aws_reason, latest_snapshot, log, paged
from components.restore_recovery_point import source_cluster_of
from policies.errors import ProviderError
from policies.restore_cluster import ClusterRestoreSpec


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


def resolve_source(redshift: Any, spec: ClusterRestoreSpec, who: Caller,
                   credentials: Mapping[str, Any] | None) -> Resolution:
    """The snapshot (or recovery point) the spec's source names now, and the cluster it was taken from."""
    source = spec.source
    if source.recovery_point_arn or source.latest_recovery_point_of:
        return resolve_recovery_point(spec, who, credentials)
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


def resolve_recovery_point(spec: ClusterRestoreSpec, who: Caller,
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
