"""What a restore sends AWS: the inputs, settings inherited from the source cluster, a checked node configuration."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from components.restore_cluster_inputs import int_or_none
from components.restore_cluster_source import Resolution
from components.restore_cluster_status import describe_cluster
from components.restore_common import aws_reason, log, paged
from policies.errors import ProviderError
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_fields import port_problem

# spec key -> RestoreFromClusterSnapshot parameter (botocore's redshift service model).
RESTORE_PARAMETERS = {
    "node_type": "NodeType",
    "number_of_nodes": "NumberOfNodes",
    "iam_roles": "IamRoles",
    "default_iam_role_arn": "DefaultIamRoleArn",
    "manage_master_password": "ManageMasterPassword",
    "master_password_secret_kms_key_id": "MasterPasswordSecretKmsKeyId",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "cluster_subnet_group_name": "ClusterSubnetGroupName",
    "availability_zone": "AvailabilityZone",
    "publicly_accessible": "PubliclyAccessible",
    "port": "Port",
    "cluster_parameter_group_name": "ClusterParameterGroupName",
    "kms_key_id": "KmsKeyId",
    "enhanced_vpc_routing": "EnhancedVpcRouting",
    "availability_zone_relocation": "AvailabilityZoneRelocation",
    "maintenance_track_name": "MaintenanceTrackName",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
    "automated_snapshot_retention_days": "AutomatedSnapshotRetentionPeriod",
    "manual_snapshot_retention_days": "ManualSnapshotRetentionPeriod",
}
INHERITED_KEYS = (
    "cluster_parameter_group_name",
    "vpc_security_group_ids",
    "cluster_subnet_group_name",
    "iam_roles",
    "default_iam_role_arn",
)


def restore_parameters(
    redshift: Any, spec: ClusterRestoreSpec, resolution: Resolution
) -> tuple[dict[str, Any], dict[str, str]]:
    """RestoreFromClusterSnapshot parameters and where each inherited value came from."""
    params: dict[str, Any] = {"ClusterIdentifier": spec.target_identifier}
    origins: dict[str, str] = {}
    for key, name in RESTORE_PARAMETERS.items():
        value = getattr(spec, key)
        if value is not None:
            params[name] = value
            origins[key] = "input"
    source = (
        describe_cluster(redshift, resolution.source_cluster_identifier)
        if resolution.source_cluster_identifier
        else None
    )
    # AWS would otherwise fall back to its defaults: take the source cluster's settings while it exists.
    if source is not None:
        inherited: dict[str, Any] = {
            "cluster_parameter_group_name": next(
                (g["ParameterGroupName"] for g in source.get("ClusterParameterGroups", [])), None
            ),
            "vpc_security_group_ids": [
                g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups", [])
            ],
            "cluster_subnet_group_name": source.get("ClusterSubnetGroupName"),
            "iam_roles": [r["IamRoleArn"] for r in source.get("IamRoles", [])],
            "default_iam_role_arn": source.get("DefaultIamRoleArn"),
        }
        # Security groups belong to a VPC: with another subnet group (most likely another VPC) they would not fit.
        other_network = spec.cluster_subnet_group_name not in (None, inherited["cluster_subnet_group_name"])
        for key, value in inherited.items():
            if key in origins or not value:
                continue
            if key == "default_iam_role_arn" and value not in params.get("IamRoles", []):
                continue
            if key == "vpc_security_group_ids" and other_network:
                log(f"not taking the security groups of {source['ClusterIdentifier']}: cluster_subnet_group_name "
                    f"{spec.cluster_subnet_group_name} is not its subnet group (likely another VPC)")
                continue
            params[RESTORE_PARAMETERS[key]] = value
            origins[key] = f"source cluster {source['ClusterIdentifier']}"
    for key in INHERITED_KEYS:
        origins.setdefault(key, "AWS default")
    for key in ("node_type", "number_of_nodes"):
        origins.setdefault(key, "snapshot")
    # Report where the values AWS could silently default came from; the rest is plainly the input.
    return params, {k: v for k, v in origins.items() if k in (*INHERITED_KEYS, "node_type", "number_of_nodes")}


def check_node_configuration(redshift: Any, spec: ClusterRestoreSpec, resolution: Resolution) -> None:
    """Refuse, before the restore starts, a port or a node type and count that cannot restore this snapshot."""
    snapshot = resolution.snapshot
    node_type = spec.node_type or snapshot.get("NodeType")
    if spec.port is not None:
        problem = port_problem(spec.port, node_type)
        if problem:
            raise ProviderError(f"port {spec.port}: {problem} (node type {node_type})")
    if spec.node_type is None and spec.number_of_nodes is None:
        return
    count = spec.number_of_nodes or int_or_none(snapshot.get("NumberOfNodes"))
    # A Redshift recovery point is a snapshot: its ARN is what DescribeNodeConfigurationOptions takes.
    identity = ({"SnapshotArn": resolution.recovery_point_arn} if resolution.recovery_point_arn
                else resolution.snapshot_params(None))
    try:
        options = paged(redshift, "describe_node_configuration_options", "NodeConfigurationOptionList",
                        ActionType="restore-cluster", **identity)
    except ClientError as exc:
        raise ProviderError(f"could not list the node configurations that can restore "
                            f"{spec.source.describe()}: {aws_reason(exc)}") from exc
    valid = sorted({(o["NodeType"], int(o["NumberOfNodes"])) for o in options})
    if any(t == node_type and (count is None or n == count) for t, n in valid):
        return
    listed = ", ".join(f"{t} x {n}" for t, n in valid) or "none"
    raise ProviderError(
        f"node type {node_type} x {count} cannot restore this snapshot; valid options: {listed}"
    )
