"""Whether a cluster is this resource's own: its ownership tag, and the SSM record of a restore under way before it.

A create adopts a cluster of its own interrupted run and refuses any other; delete refuses a cluster without the tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from components.provider_records import read_record, record_name
from components.restore_cluster_status import cluster_tags, describe_cluster, wait_gone
from components.restore_common import Deadline, Poller, aws_reason, log
from policies.errors import ProviderError
from policies.restore_fields import OWNERSHIP_TAG

# Our clock and AWS's may differ: a cluster created up to this long before our record still counts as its restore.
RECORD_CLOCK_SLACK = timedelta(minutes=5)


def restore_record(target: str) -> str:
    """The SSM parameter that says a restore of this resource into `target` is under way (see `create`)."""
    return record_name("cluster-restore", target)


def started_record(owner: str) -> dict[str, str]:
    return {"owner": owner, "started": datetime.now(UTC).isoformat(timespec="seconds")}


def started_by(record: Mapping[str, Any] | None, owner: str, cluster: Mapping[str, Any]) -> bool:
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


def tag_cluster(redshift: Any, arn: str, tags: Mapping[str, str]) -> None:
    try:
        redshift.create_tags(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    except ClientError as exc:
        raise ProviderError(f"could not tag {arn}: {aws_reason(exc)}") from exc


def existing_cluster(poller: Poller, redshift: Any, ssm: Any, target: str, owner: str,
                     deadline: Deadline) -> dict[str, Any] | None:
    """Our cluster from an interrupted create (to adopt), or None; refuses a cluster that is not ours.

    Ours: it carries our ownership tag, or (interrupted between the restore call and the tag, which
    RestoreFromClusterSnapshot cannot set) our record of a restore under way names it and it is not older.
    """
    existing = describe_cluster(redshift, target)
    if existing is None:
        return None
    found = cluster_tags(existing).get(OWNERSHIP_TAG)
    if found is None and started_by(read_record(ssm, restore_record(target)), owner, existing):
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
    wait_gone(poller, redshift, target, deadline, f"deletion of the earlier cluster {target}")
    return None
