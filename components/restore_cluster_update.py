"""Refresh and update of a restored cluster: the drift it reports; IAM roles, resize, ModifyCluster, tags in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import ReadResult, UpdateResult

from components import aws
from components.restore_cluster_inputs import (
    DRIFT_KEYS,
    IAM_KEYS,
    INPUT_KEYS,
    MODIFY_PARAMETERS,
    RESIZE_KEYS,
    effective_changes,
    int_or_none,
    normalized,
)
from components.restore_cluster_ownership import tag_cluster
from components.restore_cluster_source import Caller
from components.restore_cluster_status import (
    ClusterVanished,
    actual_settings,
    describe_cluster,
    observed,
    wait_settled,
)
from components.restore_common import Poller, aws_reason, credentials_of, log, state_inputs
from policies.errors import ProviderError
from policies.restore_cluster import ClusterRestoreSpec


def read_cluster(id_: str, props: dict[str, Any]) -> ReadResult:
    """The provider's `read`: the cluster as it is, and a warning for each input it drifted from."""
    redshift = aws.client("redshift", props.get("region"), credentials_of(props))
    cluster = describe_cluster(redshift, id_)
    if cluster is None:
        return ReadResult(None, {})
    outs = {**props, **observed(cluster)}
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
        if value is not None and props.get(key) is not None and normalized(props.get(key)) != normalized(value):
            drift.append(f"{key}: state {props.get(key)!r}, AWS {value!r}")
            outs[key] = value
    if drift:
        pulumi.log.warn(f"cluster {id_} drifted: " + "; ".join(drift))
    return ReadResult(id_, outs)


def update_cluster(poller: Poller, id_: str, spec: ClusterRestoreSpec, olds: dict[str, Any],
                   news: dict[str, Any]) -> UpdateResult:
    """The provider's `update`: each kind of in-place change made and waited for, then the outputs."""
    credentials = credentials_of(news)
    redshift = aws.client("redshift", spec.region, credentials)
    deadline = poller.deadline(spec.timeout_minutes * 60)
    changed = effective_changes(olds, news)
    settled: dict[str, Any] | None = None
    # One kind of change at a time, each waited for (AWS's CloudFormation handler for AWS::Redshift::Cluster
    # also stabilizes after every call): Redshift refuses a change while the cluster is modifying or resizing.
    if any(k in changed for k in IAM_KEYS) and update_iam_roles(redshift, id_, spec):
        settled = wait_settled(poller, redshift, id_, deadline, f"IAM role change of cluster {id_}")
    if any(k in changed and getattr(spec, k) is not None for k in RESIZE_KEYS) and resize(redshift, id_, spec):
        settled = wait_settled(poller, redshift, id_, deadline, f"resize of cluster {id_}")
    keys = [k for k in changed if k in MODIFY_PARAMETERS and getattr(spec, k) is not None]
    # What the cluster has already (an update re-run after an interruption) is not sent again.
    actual = actual_settings((settled or describe_cluster(redshift, id_) or {}) if keys else {})
    modify = {MODIFY_PARAMETERS[k]: getattr(spec, k) for k in keys
              if normalized(actual.get(k)) != normalized(getattr(spec, k))}
    if modify:
        log(f"modifying cluster {id_}: {', '.join(sorted(modify))}")
        try:
            redshift.modify_cluster(ClusterIdentifier=id_, **modify)
        except ClientError as exc:
            raise ProviderError(f"could not modify cluster {id_}: {aws_reason(exc)}") from exc
        settled = wait_settled(poller, redshift, id_, deadline, f"modification of cluster {id_}")
    if "tags" in changed:
        arn = str(olds.get("cluster_arn")
                  or Caller.of(spec.region, credentials).cluster_arn(redshift.meta.region_name, id_))
        update_tags(redshift, arn, dict(olds.get("tags") or {}), spec.tags)
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
    return UpdateResult({**state_inputs(news, INPUT_KEYS), **kept, **observed(cluster)})


def resize(redshift: Any, id_: str, spec: ClusterRestoreSpec) -> bool:
    """ResizeCluster to the spec's size; False when the cluster has that size already (no call made)."""
    # ResizeCluster wants the node type and the count together; what the spec leaves out stays as it is.
    cluster = describe_cluster(redshift, id_) or {}
    count = spec.number_of_nodes or int(cluster.get("NumberOfNodes", 1))
    node_type = spec.node_type or cluster.get("NodeType")
    if (node_type, count) == (cluster.get("NodeType"), int_or_none(cluster.get("NumberOfNodes"))):
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


def update_iam_roles(redshift: Any, id_: str, spec: ClusterRestoreSpec) -> bool:
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


def update_tags(redshift: Any, arn: str, old: dict[str, str], new: Mapping[str, str]) -> None:
    """Remove the tags the resource no longer declares, then set those that are new or changed."""
    removed = sorted(set(old) - set(new))
    if removed:
        try:
            redshift.delete_tags(ResourceName=arn, TagKeys=removed)
        except ClientError as exc:
            raise ProviderError(f"could not remove tags {', '.join(removed)} from {arn}: "
                                f"{aws_reason(exc)}") from exc
    upsert = {k: v for k, v in new.items() if old.get(k) != v}
    if upsert:
        tag_cluster(redshift, arn, dict(sorted(upsert.items())))
