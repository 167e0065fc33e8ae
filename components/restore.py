"""Restores as code: the three dynamic resources, and `build_restore` that picks one for a validated spec."""

from __future__ import annotations

import pulumi

from components.aws import Credentials
from components.restore_cluster import ClusterRestoreProvider, RedshiftClusterRestore
from components.restore_table import RedshiftTableRestore, TableRestoreProvider
from components.snapshot_share import RedshiftSnapshotShare, SnapshotShareProvider
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_table import TableRestoreSpec
from policies.snapshot_share import SnapshotShareSpec

__all__ = [
    "ClusterRestoreProvider",
    "RedshiftClusterRestore",
    "RedshiftSnapshotShare",
    "RedshiftTableRestore",
    "SnapshotShareProvider",
    "TableRestoreProvider",
    "build_restore",
]

AnyRestore = RedshiftClusterRestore | RedshiftTableRestore | RedshiftSnapshotShare


def build_restore(spec: ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec,
                  opts: pulumi.ResourceOptions | None = None,
                  credentials: pulumi.Input[Credentials] | None = None) -> AnyRestore:
    """The dynamic resource for one entry of `redshift-backup:restores` (already validated as `RestoreSpec`).

    `credentials`: who its boto3 calls act as; default: the stack's `aws:profile` and `aws:assumeRoles`.
    """
    if isinstance(spec, ClusterRestoreSpec):
        return RedshiftClusterRestore.from_spec(spec, opts, credentials)
    if isinstance(spec, TableRestoreSpec):
        return RedshiftTableRestore.from_spec(spec, opts, credentials)
    return RedshiftSnapshotShare.from_spec(spec, opts, credentials)
