"""Redshift snapshot schedules, which moto 5.2.5 lacks, added to moto's own Redshift backend and responses.

Modelled on the Redshift API reference (shapes from botocore's service model), not observed against AWS:
`CreateSnapshotSchedule`, `DescribeSnapshotSchedules` (filters `ClusterIdentifier` and `ScheduleIdentifier`,
paginated by `MaxRecords`/`Marker`, each schedule with its `AssociatedClusters`), `ModifyClusterSnapshotSchedule`
(associate, or `DisassociateSchedule`; a cluster has at most one schedule) and `DeleteSnapshotSchedule`.
Definitions are stored as given: moto does not validate them (policies/schedules.py does, before anything is sent).
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.redshift import responses
from moto.redshift.exceptions import ClusterNotFoundError, InvalidParameterValueError, RedshiftClientError
from moto.redshift.models import redshift_backends


class ScheduleNotFound(RedshiftClientError):
    def __init__(self, identifier: str) -> None:
        super().__init__("SnapshotScheduleNotFound", f"Snapshot schedule {identifier} not found.")


class ScheduleAlreadyExists(RedshiftClientError):
    def __init__(self, identifier: str) -> None:
        super().__init__("SnapshotScheduleAlreadyExists", f"Snapshot schedule {identifier} already exists.")


def _schedules(response: Any) -> dict[str, dict[str, Any]]:
    backend = redshift_backends[response.current_account][response.region]
    return backend.__dict__.setdefault("_snapshot_schedules", {})  # type: ignore[no-any-return]


def _clusters(response: Any) -> dict[str, Any]:
    return redshift_backends[response.current_account][response.region].clusters  # type: ignore[no-any-return]


def _public(schedule: dict[str, Any]) -> dict[str, Any]:
    clusters = sorted(schedule["_clusters"])
    return {"ScheduleIdentifier": schedule["ScheduleIdentifier"],
            "ScheduleDefinitions": list(schedule["ScheduleDefinitions"]),
            "ScheduleDescription": schedule.get("ScheduleDescription") or "", "Tags": schedule.get("Tags", []),
            "AssociatedClusterCount": len(clusters),
            "AssociatedClusters": [{"ClusterIdentifier": c, "ScheduleAssociationState": "ACTIVE"} for c in clusters]}


def create_snapshot_schedule(self: Any) -> ActionResult:
    identifier = self._get_param("ScheduleIdentifier")
    definitions = self._get_param("ScheduleDefinitions") or []
    if not definitions:
        raise InvalidParameterValueError("ScheduleDefinitions must not be empty")
    schedules = _schedules(self)
    if identifier in schedules:
        raise ScheduleAlreadyExists(identifier)
    schedule = {"ScheduleIdentifier": identifier, "ScheduleDefinitions": list(definitions),
                "ScheduleDescription": self._get_param("ScheduleDescription"), "Tags": self._get_param("Tags") or [],
                "_clusters": set()}
    schedules[identifier] = schedule
    return ActionResult(_public(schedule))


def describe_snapshot_schedules(self: Any) -> ActionResult:
    cluster = self._get_param("ClusterIdentifier")
    identifier = self._get_param("ScheduleIdentifier")
    found = [s for _, s in sorted(_schedules(self).items())
             if (identifier is None or s["ScheduleIdentifier"] == identifier)
             and (cluster is None or cluster in s["_clusters"])]
    start = int(self._get_param("Marker") or 0)
    size = int(self._get_param("MaxRecords") or 100)
    out: dict[str, Any] = {"SnapshotSchedules": [_public(s) for s in found[start:start + size]]}
    if start + size < len(found):
        out["Marker"] = str(start + size)
    return ActionResult(out)


def modify_cluster_snapshot_schedule(self: Any) -> EmptyResult:
    cluster = self._get_param("ClusterIdentifier")
    if cluster not in _clusters(self):
        raise ClusterNotFoundError(cluster)
    schedules = _schedules(self)
    for schedule in schedules.values():
        schedule["_clusters"].discard(cluster)
    if not self._get_param("DisassociateSchedule"):
        identifier = self._get_param("ScheduleIdentifier")
        if identifier not in schedules:
            raise ScheduleNotFound(identifier)
        schedules[identifier]["_clusters"].add(cluster)
    return EmptyResult()


def delete_snapshot_schedule(self: Any) -> EmptyResult:
    identifier = self._get_param("ScheduleIdentifier")
    schedules = _schedules(self)
    if identifier not in schedules:
        raise ScheduleNotFound(identifier)
    if schedules[identifier]["_clusters"]:
        raise InvalidParameterValueError(f"Snapshot schedule {identifier} is still associated with clusters")
    del schedules[identifier]
    return EmptyResult()


NEW_ACTIONS = {
    "create_snapshot_schedule": create_snapshot_schedule,
    "describe_snapshot_schedules": describe_snapshot_schedules,
    "modify_cluster_snapshot_schedule": modify_cluster_snapshot_schedule,
    "delete_snapshot_schedule": delete_snapshot_schedule,
}


def install() -> None:
    """Add the calls above to moto's Redshift (idempotent)."""
    response_class = responses.RedshiftResponse
    if getattr(response_class, "_redshift_backup_schedules_extended", False):
        return
    for name, function in NEW_ACTIONS.items():
        setattr(response_class, name, function)
    response_class._redshift_backup_schedules_extended = True  # type: ignore[attr-defined]
