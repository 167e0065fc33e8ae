"""Redshift calls moto 5.2.5 lacks, added to moto's own backend and response classes so its server dispatches them.

Modelled on the Amazon Redshift API reference (request and response shapes, error codes from botocore's service
model), not observed against AWS. What is added:

- `AuthorizeSnapshotAccess` / `RevokeSnapshotAccess` and `AccountsWithRestoreAccess` on snapshots (at most 20
  accounts; `AuthorizationAlreadyExists`, `AuthorizationNotFound`); a snapshot with authorizations cannot be
  deleted (`InvalidClusterSnapshotState`); `DescribeClusterSnapshots` by `SnapshotArn`; `SnapshotArn` in answers.
- `DescribeNodeConfigurationOptions` (from a small table of node types and their node-count ranges).
- `ResizeCluster`, `ModifyClusterIamRoles`, `ManualSnapshotRetentionPeriod` (restore, modify, describe),
  `DefaultIamRoleArn`, `ClusterCreateTime`.
- Lifecycles that moto skips, off by default (moto's own behaviour: everything at once), set with `configure`:
  a restored cluster stays `creating` / restore `restoring` for N `DescribeClusters`; a deleted cluster stays
  `deleting` for N `DescribeClusters` (and `DeleteCluster`, `ModifyCluster`, `ResizeCluster` on it answer
  `InvalidClusterState`, as AWS does on a cluster that is not available).
- `RestoreTableFromClusterSnapshot` / `DescribeTableRestoreStatus` (in `moto_redshift_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.redshift import models, responses
from moto.redshift.exceptions import ClusterNotFoundError, ClusterSnapshotNotFoundError

from tests.support import moto_redshift_tables

MAX_SHARED_ACCOUNTS = 20
# (min, max) node counts per node type: single-node allowed where min is 1 (API reference, node types table).
NODE_TYPES = {
    "ra3.large": (1, 16),
    "ra3.xlplus": (1, 16),
    "ra3.4xlarge": (2, 32),
    "ra3.16xlarge": (2, 128),
    "dc2.large": (1, 32),
    "dc2.8xlarge": (2, 128),
}
# Options listed per node type are capped, to keep an answer small; counts beyond are not offered.
MAX_LISTED_NODES = 16


@dataclass
class Lifecycle:
    """How many `DescribeClusters` a transition lasts (0: at once, as moto does)."""

    restoring_describes: int = 0
    deleting_describes: int = 0
    table_restore_describes: int = 0


LIFECYCLE = Lifecycle()


def configure(*, restoring_describes: int = 0, deleting_describes: int = 0, table_restore_describes: int = 0) -> None:
    """Set the lifecycles for clusters restored, deleted and tables restored from now on."""
    LIFECYCLE.restoring_describes = restoring_describes
    LIFECYCLE.deleting_describes = deleting_describes
    LIFECYCLE.table_restore_describes = table_restore_describes


class RedshiftError(ServiceException):
    """An error with one of the codes of botocore's Redshift model."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def _invalid_state(cluster: Any) -> RedshiftError:
    return RedshiftError("InvalidClusterState",
                         f"There is an operation running on the Cluster ({cluster.cluster_identifier}, status "
                         f"{cluster.status}). Please try to modify it later.")


# ---- model additions --------------------------------------------------------------------------------------


def _snapshot_arn(self: Any) -> str:
    return str(self.arn)


def _accounts(self: Any) -> list[dict[str, str]]:
    return [{"AccountId": a} for a in self.__dict__.setdefault("_shared_with", [])]


def _restore_status(self: Any) -> dict[str, Any] | None:
    if not self.restored_from_snapshot:
        return None
    if self.status == "creating":
        return {"Status": "restoring", "SnapshotSizeInMegaBytes": 100, "ProgressInMegaBytes": 10,
                "CurrentRestoreRateInMegaBytesPerSecond": 5.0, "EstimatedTimeToCompletionInSeconds": 60,
                "ElapsedTimeInSeconds": 10}
    return {"Status": "completed", "SnapshotSizeInMegaBytes": 100, "ProgressInMegaBytes": 100,
            "CurrentRestoreRateInMegaBytesPerSecond": 5.0, "EstimatedTimeToCompletionInSeconds": 0,
            "ElapsedTimeInSeconds": 60}


def _manual_retention(self: Any) -> int:
    return int(self.__dict__.get("_manual_retention", -1))


def _set_manual_retention(self: Any, value: int) -> None:
    self.__dict__["_manual_retention"] = value


def _cluster_create_time(self: Any) -> Any:
    return self.create_time


def _backend(response: Any) -> Any:
    return models.redshift_backends[response.current_account][response.region]


def _cluster(backend: Any, identifier: str) -> Any:
    cluster = backend.clusters.get(identifier)
    if cluster is None:
        raise ClusterNotFoundError(identifier)
    return cluster


def _require_available(cluster: Any) -> None:
    if cluster.status != "available":
        raise _invalid_state(cluster)


def _snapshot(backend: Any, response: Any) -> Any:
    """The snapshot named by SnapshotIdentifier or SnapshotArn (ClusterSnapshotNotFound otherwise)."""
    arn = response._get_param("SnapshotArn")
    identifier = response._get_param("SnapshotIdentifier")
    if arn:
        found = [s for s in backend.snapshots.values() if s.arn == arn]
        if not found:
            raise ClusterSnapshotNotFoundError(arn)
        return found[0]
    if identifier not in backend.snapshots:
        raise ClusterSnapshotNotFoundError(identifier)
    return backend.snapshots[identifier]


def tick(backend: Any) -> None:
    """One DescribeClusters worth of progress: restores advance, deletions end."""
    for identifier, cluster in list(backend.clusters.items()):
        state = cluster.__dict__
        if cluster.status == "deleting":
            if state.get("_deleting_left", 0) <= 0:
                backend.clusters.pop(identifier)
            else:
                state["_deleting_left"] -= 1
        elif "_restoring_left" in state:
            if state["_restoring_left"] <= 0:
                cluster.status = "available"
                del state["_restoring_left"]
            else:
                state["_restoring_left"] -= 1


# ---- responses ----------------------------------------------------------------------------------------------


def authorize_snapshot_access(self: Any) -> ActionResult:
    backend = _backend(self)
    snapshot = _snapshot(backend, self)
    account = self._get_param("AccountWithRestoreAccess")
    shared = snapshot.__dict__.setdefault("_shared_with", [])
    if snapshot.snapshot_type != "manual":
        raise RedshiftError("InvalidClusterSnapshotState", "Only manual snapshots can be shared.")
    if account in shared:
        raise RedshiftError("AuthorizationAlreadyExists",
                            f"Account {account} is already authorized to restore snapshot "
                            f"{snapshot.snapshot_identifier}.")
    if len(shared) >= MAX_SHARED_ACCOUNTS:
        raise RedshiftError("AuthorizationQuotaExceeded",
                            f"A snapshot can be shared with at most {MAX_SHARED_ACCOUNTS} accounts.")
    shared.append(account)
    return ActionResult({"Snapshot": snapshot})


def revoke_snapshot_access(self: Any) -> ActionResult:
    backend = _backend(self)
    snapshot = _snapshot(backend, self)
    account = self._get_param("AccountWithRestoreAccess")
    shared = snapshot.__dict__.setdefault("_shared_with", [])
    if account not in shared:
        raise RedshiftError("AuthorizationNotFound",
                            f"Account {account} is not authorized to restore snapshot "
                            f"{snapshot.snapshot_identifier}.")
    shared.remove(account)
    return ActionResult({"Snapshot": snapshot})


def describe_node_configuration_options(self: Any) -> ActionResult:
    backend = _backend(self)
    if self._get_param("ActionType") == "restore-cluster":
        _snapshot(backend, self)
    else:
        _cluster(backend, self._get_param("ClusterIdentifier"))
    # Every node type of the table: a restore or resize may change the node type (dc2 to ra3, say).
    options = [
        {"NodeType": node_type, "NumberOfNodes": count, "EstimatedDiskUtilizationPercent": 10.0, "Mode": "standard"}
        for node_type, (low, high) in NODE_TYPES.items()
        for count in range(low, min(high, MAX_LISTED_NODES) + 1)
    ]
    return ActionResult({"NodeConfigurationOptionList": options})


def resize_cluster(self: Any) -> ActionResult:
    backend = _backend(self)
    cluster = _cluster(backend, self._get_param("ClusterIdentifier"))
    _require_available(cluster)
    node_type = self._get_param("NodeType") or cluster.node_type
    count = self._get_int_param("NumberOfNodes") or cluster.number_of_nodes
    low, high = NODE_TYPES.get(node_type, (1, 128))
    if not low <= count <= high:
        raise RedshiftError("InvalidParameterValue" if node_type in NODE_TYPES else "UnsupportedOptionFault",
                            f"{node_type} supports {low} to {high} nodes, not {count}.")
    cluster.node_type = node_type
    cluster.number_of_nodes = count
    return ActionResult({"Cluster": cluster})


def modify_cluster_iam_roles(self: Any) -> ActionResult:
    backend = _backend(self)
    cluster = _cluster(backend, self._get_param("ClusterIdentifier"))
    _require_available(cluster)
    roles = list(cluster.iam_roles_arn)
    for arn in self._get_param("AddIamRoles", []) or []:
        if arn not in roles:
            roles.append(arn)
    removed = self._get_param("RemoveIamRoles", []) or []
    roles = [r for r in roles if r not in removed]
    cluster.iam_roles_arn = roles
    default = self._get_param("DefaultIamRoleArn")
    if default is not None:
        if default not in roles:
            raise RedshiftError("InvalidParameterValue", "The default IAM role must be one of the cluster's roles.")
        cluster.default_iam_role_arn = default
    elif getattr(cluster, "default_iam_role_arn", None) in removed:
        cluster.default_iam_role_arn = None
    return ActionResult({"Cluster": cluster})


def _wrap(name: str, before: Any = None, after: Any = None) -> None:
    original = getattr(responses.RedshiftResponse, name)
    if getattr(original, "_extended", False):
        return

    def wrapped(self: Any) -> Any:
        context = before(self) if before else None
        result = original(self)
        if after:
            after(self, result, context)
        return result

    wrapped._extended = True  # type: ignore[attr-defined]
    wrapped.__name__ = name
    setattr(responses.RedshiftResponse, name, wrapped)


def _before_describe_clusters(self: Any) -> None:
    tick(_backend(self))


def _before_modify_cluster(self: Any) -> int | None:
    backend = _backend(self)
    cluster = _cluster(backend, self._get_param("ClusterIdentifier"))
    _require_available(cluster)
    return self._get_int_param("ManualSnapshotRetentionPeriod")  # type: ignore[no-any-return]


def _after_modify_cluster(self: Any, _result: Any, manual: int | None) -> None:
    if manual is not None:
        cluster = _cluster(_backend(self), self._get_param("NewClusterIdentifier")
                           or self._get_param("ClusterIdentifier"))
        cluster.manual_snapshot_retention_period = manual


def _before_delete_cluster(self: Any) -> None:
    cluster = _backend(self).clusters.get(self._get_param("ClusterIdentifier"))
    if cluster is not None and cluster.status != "available":
        raise _invalid_state(cluster)


def _after_delete_cluster(self: Any, result: Any, _context: Any) -> None:
    cluster = result.result["Cluster"]
    if LIFECYCLE.deleting_describes > 0:
        cluster.status = "deleting"
        cluster.__dict__["_deleting_left"] = LIFECYCLE.deleting_describes
        _backend(self).clusters[cluster.cluster_identifier] = cluster
    else:
        cluster.status = "deleting"  # the answer says deleting, as AWS's does


def _before_restore(self: Any) -> dict[str, Any]:
    backend = _backend(self)
    snapshot = _snapshot(backend, self)
    # moto looks snapshots up by identifier only: an ARN is resolved here.
    self.params["SnapshotIdentifier"] = snapshot.snapshot_identifier
    return {"manual": self._get_int_param("ManualSnapshotRetentionPeriod"),
            "default_role": self._get_param("DefaultIamRoleArn")}


def _after_restore(self: Any, result: Any, context: dict[str, Any]) -> None:
    cluster = result.result["Cluster"]
    if context["manual"] is not None:
        cluster.manual_snapshot_retention_period = context["manual"]
    cluster.default_iam_role_arn = context["default_role"]
    if LIFECYCLE.restoring_describes > 0:
        cluster.status = "creating"
        cluster.__dict__["_restoring_left"] = LIFECYCLE.restoring_describes


def _before_delete_snapshot(self: Any) -> None:
    snapshot = _backend(self).snapshots.get(self._get_param("SnapshotIdentifier"))
    if snapshot is not None and snapshot.__dict__.get("_shared_with"):
        raise RedshiftError("InvalidClusterSnapshotState",
                            f"Snapshot {snapshot.snapshot_identifier} is shared with other accounts: revoke their "
                            "access before deleting it.")


def describe_cluster_snapshots(self: Any) -> ActionResult:
    backend = _backend(self)
    if self._get_param("SnapshotArn"):
        return ActionResult({"Snapshots": [_snapshot(backend, self)]})
    snapshots = backend.describe_cluster_snapshots(self._get_param("ClusterIdentifier"),
                                                   self._get_param("SnapshotIdentifier"),
                                                   self._get_param("SnapshotType"))
    return ActionResult({"Snapshots": snapshots})


# ---- install ------------------------------------------------------------------------------------------------

NEW_ACTIONS = {
    "authorize_snapshot_access": authorize_snapshot_access,
    "revoke_snapshot_access": revoke_snapshot_access,
    "describe_node_configuration_options": describe_node_configuration_options,
    "resize_cluster": resize_cluster,
    "modify_cluster_iam_roles": modify_cluster_iam_roles,
}


def install() -> None:
    """Add the calls and lifecycles above to moto's Redshift (idempotent; before or after the server starts)."""
    response_class = responses.RedshiftResponse
    if getattr(response_class, "_redshift_backup_extended", False):
        return
    for name, function in NEW_ACTIONS.items():
        setattr(response_class, name, function)
    response_class.describe_cluster_snapshots = describe_cluster_snapshots  # type: ignore[method-assign]
    _wrap("describe_clusters", before=_before_describe_clusters)
    _wrap("modify_cluster", before=_before_modify_cluster, after=_after_modify_cluster)
    _wrap("delete_cluster", before=_before_delete_cluster, after=_after_delete_cluster)
    _wrap("restore_from_cluster_snapshot", before=_before_restore, after=_after_restore)
    _wrap("delete_cluster_snapshot", before=_before_delete_snapshot)
    snapshot_class = models.Snapshot
    snapshot_class.snapshot_arn = property(_snapshot_arn)  # type: ignore[attr-defined]
    snapshot_class.accounts_with_restore_access = property(_accounts)  # type: ignore[attr-defined]
    cluster_class = models.Cluster
    cluster_class.restore_status = property(_restore_status)  # type: ignore[assignment,method-assign]
    cluster_class.manual_snapshot_retention_period = property(  # type: ignore[attr-defined]
        _manual_retention, _set_manual_retention)
    cluster_class.cluster_create_time = property(_cluster_create_time)  # type: ignore[attr-defined]
    cluster_class.default_iam_role_arn = None  # type: ignore[attr-defined]
    moto_redshift_tables.install(response_class)
    response_class._redshift_backup_extended = True  # type: ignore[attr-defined]
