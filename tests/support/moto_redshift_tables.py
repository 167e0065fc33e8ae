"""Redshift table restores for moto 5.2.5, installed by `moto_redshift.install()`; modelled on the API reference.

`RestoreTableFromClusterSnapshot` / `DescribeTableRestoreStatus`: a snapshot of the same cluster only, one restore
in flight per cluster (`InProgressTableRestoreQuotaExceededFault`), PENDING / IN_PROGRESS for N describes
(`moto_redshift.configure(table_restore_describes=N)`), then SUCCEEDED, or FAILED when the target table exists
already (tables restored before are remembered per cluster: moto has no tables).
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.redshift.exceptions import ClusterSnapshotNotFoundError

from tests.support import moto_redshift as redshift


def _advance_table_restore(backend: Any, restore: dict[str, Any]) -> None:
    if restore["Status"] not in ("PENDING", "IN_PROGRESS"):
        return
    if restore["_left"] > 0:
        restore["_left"] -= 1
        restore["Status"] = "IN_PROGRESS"
        return
    tables = backend.__dict__.setdefault("_tables", {}).setdefault(restore["ClusterIdentifier"], set())
    target = (restore["TargetDatabaseName"], restore["TargetSchemaName"], restore["NewTableName"])
    if target in tables:
        restore["Status"] = "FAILED"
        restore["Message"] = f"Table {'.'.join(target)} already exists."
        return
    tables.add(target)
    restore["Status"] = "SUCCEEDED"
    restore["ProgressInMegaBytes"] = restore["TotalDataInMegaBytes"] = 40


def _public(restore: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in restore.items() if not k.startswith("_")}


def restore_table_from_cluster_snapshot(self: Any) -> ActionResult:
    backend = redshift._backend(self)
    cluster = redshift._cluster(backend, self._get_param("ClusterIdentifier"))
    snapshot_id = self._get_param("SnapshotIdentifier")
    snapshot = backend.snapshots.get(snapshot_id)
    if snapshot is None:
        raise ClusterSnapshotNotFoundError(snapshot_id)
    if snapshot.cluster_identifier != cluster.cluster_identifier:
        raise redshift.RedshiftError("InvalidTableRestoreArgument",
                            f"Snapshot {snapshot_id} is not a snapshot of cluster {cluster.cluster_identifier}.")
    redshift._require_available(cluster)
    restores = backend.__dict__.setdefault("_table_restores", {})
    if any(r["ClusterIdentifier"] == cluster.cluster_identifier and r["Status"] in ("PENDING", "IN_PROGRESS")
           for r in restores.values()):
        raise redshift.RedshiftError("InProgressTableRestoreQuotaExceededFault",
                            "You have exceeded the allowed number of table restore requests. Wait for your current "
                            "table restore requests to complete before making a new request.")
    source_db = self._get_param("SourceDatabaseName")
    source_schema = self._get_param("SourceSchemaName") or "public"
    restore = {
        "TableRestoreRequestId": str(uuid.uuid4()),
        "Status": "PENDING",
        "RequestTime": utcnow(),
        "ClusterIdentifier": cluster.cluster_identifier,
        "SnapshotIdentifier": snapshot_id,
        "SourceDatabaseName": source_db,
        "SourceSchemaName": source_schema,
        "SourceTableName": self._get_param("SourceTableName"),
        "TargetDatabaseName": self._get_param("TargetDatabaseName") or source_db,
        "TargetSchemaName": self._get_param("TargetSchemaName") or source_schema,
        "NewTableName": self._get_param("NewTableName"),
        "_left": redshift.LIFECYCLE.table_restore_describes,
    }
    restores[restore["TableRestoreRequestId"]] = restore
    return ActionResult({"TableRestoreStatus": _public(restore)})


def describe_table_restore_status(self: Any) -> ActionResult:
    backend = redshift._backend(self)
    identifier = self._get_param("ClusterIdentifier")
    if identifier:
        redshift._cluster(backend, identifier)
    restores = backend.__dict__.setdefault("_table_restores", {})
    request_id = self._get_param("TableRestoreRequestId")
    if request_id and request_id not in restores:
        raise redshift.RedshiftError("TableRestoreNotFoundFault", f"Table restore request {request_id} not found.")
    for restore in restores.values():
        _advance_table_restore(backend, restore)
    found = [r for r in restores.values()
             if (not identifier or r["ClusterIdentifier"] == identifier)
             and (not request_id or r["TableRestoreRequestId"] == request_id)]
    return ActionResult({"TableRestoreStatusDetails": [_public(r) for r in found]})


def install(response_class: Any) -> None:
    response_class.restore_table_from_cluster_snapshot = restore_table_from_cluster_snapshot
    response_class.describe_table_restore_status = describe_table_restore_status
