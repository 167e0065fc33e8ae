"""The inputs of `RedshiftClusterRestore`: which an update changes in place, which replace, when a change is none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.restore_common import CREDENTIALS, changed_keys
from policies.restore_cluster import ClusterRestoreSpec

# Keys the resource adds to the spec's own: the ownership tag value (project/stack/name), who boto3 acts as.
EXTRA_KEYS = ("ownership_tag_value", CREDENTIALS)
INPUT_KEYS = tuple(k for k in ClusterRestoreSpec.model_fields if k not in ("name", "kind"))

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
# A node type or count change is an elastic resize (ResizeCluster), which keeps the data and the endpoint.
RESIZE_KEYS = ("node_type", "number_of_nodes")
IN_PLACE_KEYS = (*MODIFY_PARAMETERS, *IAM_KEYS, *RESIZE_KEYS, "tags", *STATE_ONLY_KEYS)
# Everything else is identity or fixed at restore time (subnet group and encryption cannot change after it).
REPLACE_KEYS = tuple(k for k in INPUT_KEYS if k not in IN_PLACE_KEYS)
# Refresh reports drift for these when the user set them: what an update puts back in place. A replace key that
# drifted is not reported, or the next `up` would replace the cluster over it.
DRIFT_KEYS = tuple(k for k in IN_PLACE_KEYS if k not in STATE_ONLY_KEYS)

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
    "effective_settings",
)


def effective_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Input keys that changed. A key left out before and now set to the value in effect has not: writing out
    an inherited subnet group, or the snapshot's port, must not replace the cluster."""
    effective = olds.get("effective_settings") or {}
    return [
        k for k in changed_keys(olds, news, INPUT_KEYS)
        if not (olds.get(k) is None and news.get(k) is not None and k in effective
                and normalized(news[k]) == normalized(effective[k]))
    ]


def normalized(value: Any) -> Any:
    """A value as compared with what AWS reports: lists in any order, 2.0 (the wire's integer) as 2."""
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
