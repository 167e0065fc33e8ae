"""The pack's checks on redshift-backup's own restores (its dynamic providers), as plain functions.

A restored cluster is a Redshift cluster too: `redshift-not-publicly-accessible` and
`redshift-automated-snapshot-retention` judge it as they judge a cluster, with the restore's own keys. Properties
are the restore's stack-config keys (snake_case), as the dynamic provider's `check` hands them back to the engine
(the spec's documented defaults filled in). The components of the package (`redshift-backup:index:ClusterRestore`,
`SnapshotShare`, used from other Pulumi languages) register no inputs of their own: each wraps one of these
dynamic resources, which is what the checks judge. Pure, like redshift_checks.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redshift_checks import _get, _known, _truthy, public_access_message, retention_verdict

CLUSTER_RESTORE = "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore"
SNAPSHOT_SHARE = "pulumi-python:dynamic/redshift-backup:RedshiftSnapshotShare"


def public_access_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`redshift-not-publicly-accessible`: a cluster restore does not make the restored cluster public."""
    if resource_type != CLUSTER_RESTORE or _truthy(_get(props, "publicly_accessible")) is not True:
        return []
    return [public_access_message("publicly_accessible", "restored cluster")]


def retention_problems(resource_type: str, props: Mapping[str, Any], minimum_days: int) -> list[str]:
    """`redshift-automated-snapshot-retention`: a cluster restore states a retention of at least the minimum.

    Left out, the restored cluster keeps the retention of the cluster the snapshot was taken from, which the pack
    cannot see: refused, as a cluster that leaves its retention at the 1-day default is.
    """
    if resource_type != CLUSTER_RESTORE:
        return []
    return retention_verdict(
        "automated_snapshot_retention_days", _get(props, "automated_snapshot_retention_days"), minimum_days,
        "is not set, so the restored cluster keeps the retention of the cluster the snapshot was taken from, which "
        "the policy pack cannot see")


def encryption_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`redshift-restore-encrypted`: a cluster restore names the KMS key that encrypts the restored cluster."""
    if resource_type != CLUSTER_RESTORE:
        return []
    key = _get(props, "kms_key_id")
    if isinstance(key, str) and key:
        return []
    return ["kms_key_id is not set: the restored cluster is encrypted only if the cluster the snapshot was taken "
            "from was (a restore takes that cluster's configuration), which the policy pack cannot see; set "
            "kms_key_id to the KMS key that is to encrypt the restored cluster, so the program itself states that "
            "it is encrypted at rest"]


def share_account_problems(resource_type: str, props: Mapping[str, Any], allowed: Sequence[str]) -> list[str]:
    """`redshift-snapshot-share-accounts`: a snapshot share names only accounts the organization allows."""
    if resource_type != SNAPSHOT_SHARE:
        return []
    accounts = _get(props, "accounts_with_restore_access")
    if not isinstance(accounts, Sequence) or isinstance(accounts, str):
        return []
    outside = [str(account) for i, account in enumerate(accounts)
               if _known(account, f"accounts_with_restore_access[{i}]") not in allowed]
    if not outside:
        return []
    snapshot = props.get("snapshot_identifier") or props.get("snapshot_arn")
    what = f"snapshot {snapshot!r}" if isinstance(snapshot, str) else "the snapshot"
    plural, them = ("s", "them") if len(outside) > 1 else ("", "it")
    return [f"{what} would be shared with account{plural} {', '.join(outside)}, not in the organization's "
            f"allowedAccounts ({', '.join(allowed) or 'none'}): remove {them} from accounts_with_restore_access, "
            f"or add {them} to the policy pack's allowedAccounts if the organization trusts {them}"]
