"""Restores as components of the package, for Pulumi programs in any language (through the component provider).

Each wraps the dynamic resource the Python stacks use (its one child), with the same keys as stack config
(`redshift-backup:restores`), typed in the schema. No `from __future__ import annotations` (see multilang.py).
"""

from typing import Any

import pulumi

from components.multilang_types import typed_dict
from components.restore_cluster import RedshiftClusterRestore
from components.restore_common import validate_props
from components.restore_table import RedshiftTableRestore
from components.snapshot_share import RedshiftSnapshotShare
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_table import TableRestoreSpec
from policies.snapshot_share import SnapshotShareSpec

# The spec's keys but `name` (the resource name) and `kind` (the component says it).
ClusterRestoreArgs = typed_dict(ClusterRestoreSpec, name="ClusterRestoreArgs", exclude=("name", "kind"))
TableRestoreArgs = typed_dict(TableRestoreSpec, name="TableRestoreArgs", exclude=("name", "kind"))
SnapshotShareArgs = typed_dict(SnapshotShareSpec, name="SnapshotShareArgs", exclude=("name", "kind"))


def _spec(model: Any, kind: str, name: str, args: Any) -> Any:
    # Validated before the component registers, so a bad input registers nothing (as in a Python stack).
    return validate_props(model, {**dict(args), "name": name, "kind": kind})


class ClusterRestore(pulumi.ComponentResource):
    """A snapshot or recovery point restored into a new cluster; destroy deletes that cluster."""

    cluster_identifier: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    endpoint_address: pulumi.Output[str]
    endpoint_port: pulumi.Output[int]
    resolved_snapshot_identifier: pulumi.Output[str | None]
    """The snapshot restored (resolved once at create for `latest_snapshot_of`)."""
    resolved_recovery_point_arn: pulumi.Output[str | None]
    cluster_status: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterRestoreArgs,  # type: ignore[valid-type]
                 opts: pulumi.ResourceOptions | None = None) -> None:
        spec = _spec(ClusterRestoreSpec, "cluster", name, args)
        super().__init__("redshift-backup:index:ClusterRestore", name, None, opts)
        restore = RedshiftClusterRestore.from_spec(spec, pulumi.ResourceOptions(parent=self))
        self.cluster_identifier = restore.cluster_identifier
        self.cluster_arn = restore.cluster_arn
        self.endpoint_address = restore.endpoint_address
        self.endpoint_port = restore.endpoint_port
        self.resolved_snapshot_identifier = restore.resolved_snapshot_identifier
        self.resolved_recovery_point_arn = restore.resolved_recovery_point_arn
        self.cluster_status = restore.cluster_status
        self.register_outputs({"cluster_identifier": self.cluster_identifier, "cluster_arn": self.cluster_arn,
                               "endpoint_address": self.endpoint_address, "endpoint_port": self.endpoint_port,
                               "resolved_snapshot_identifier": self.resolved_snapshot_identifier,
                               "resolved_recovery_point_arn": self.resolved_recovery_point_arn,
                               "cluster_status": self.cluster_status})


class TableRestore(pulumi.ComponentResource):
    """One table restored from a snapshot into its cluster under a new name."""

    table_restore_request_id: pulumi.Output[str]
    resolved_snapshot_identifier: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(self, name: str, args: TableRestoreArgs,  # type: ignore[valid-type]
                 opts: pulumi.ResourceOptions | None = None) -> None:
        spec = _spec(TableRestoreSpec, "table", name, args)
        super().__init__("redshift-backup:index:TableRestore", name, None, opts)
        restore = RedshiftTableRestore.from_spec(spec, pulumi.ResourceOptions(parent=self))
        self.table_restore_request_id = restore.table_restore_request_id
        self.resolved_snapshot_identifier = restore.resolved_snapshot_identifier
        self.status = restore.status
        self.register_outputs({"table_restore_request_id": self.table_restore_request_id,
                               "resolved_snapshot_identifier": self.resolved_snapshot_identifier,
                               "status": self.status})


class SnapshotShare(pulumi.ComponentResource):
    """Accounts allowed to restore a manual snapshot; update and destroy revoke what is no longer listed."""

    snapshot_arn_shared: pulumi.Output[str]
    accounts_with_access: pulumi.Output[list[str]]
    granted_accounts: pulumi.Output[list[str]]
    """The accounts this resource granted (the ones it revokes on destroy)."""

    def __init__(self, name: str, args: SnapshotShareArgs,  # type: ignore[valid-type]
                 opts: pulumi.ResourceOptions | None = None) -> None:
        spec = _spec(SnapshotShareSpec, "snapshot_share", name, args)
        super().__init__("redshift-backup:index:SnapshotShare", name, None, opts)
        share = RedshiftSnapshotShare.from_spec(spec, pulumi.ResourceOptions(parent=self))
        self.snapshot_arn_shared = share.snapshot_arn_shared
        self.accounts_with_access = share.accounts_with_access
        self.granted_accounts = share.granted_accounts
        self.register_outputs({"snapshot_arn_shared": self.snapshot_arn_shared,
                               "accounts_with_access": self.accounts_with_access,
                               "granted_accounts": self.granted_accounts})
