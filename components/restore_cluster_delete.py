"""Deleting a restored cluster: only one carrying our ownership tag, with a final snapshot unless told not to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from components import aws
from components.restore_cluster_status import cluster_tags, describe_cluster, wait_gone
from components.restore_common import Poller, aws_reason, credentials_of, error_code, log
from policies.errors import ProviderError
from policies.restore_fields import OWNERSHIP_TAG


def delete_cluster(poller: Poller, id_: str, props: dict[str, Any]) -> None:
    """The provider's `delete`: DeleteCluster, then wait until the cluster is gone; already gone is done."""
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
        wait_gone(poller, redshift, id_, timeout, f"deletion of cluster {id_}")
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
    wait_gone(poller, redshift, id_, timeout, f"deletion of cluster {id_}")
