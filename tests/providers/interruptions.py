"""The interruption matrix's scenarios: one per provider and operation, each with its seed and its observation.

A scenario seeds AWS (on the moto server), prepares the state the operation starts from (an uninterrupted create
for an update or delete), runs the operation the way the engine does, and observes the AWS end state through
describe calls (clusters, snapshots with their access lists and tags, table restores, restore jobs, region
settings, our SSM records), normalized where AWS makes up names (final snapshot time stamps, request ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3

from components import aws
from components.region_opt_in import BackupRegionOptInProvider
from components.restore_cluster import ClusterRestoreProvider
from components.restore_table import TableRestoreProvider
from components.retention import SnapshotRetentionProvider
from components.snapshot_share import SnapshotShareProvider
from tests.providers.restore_support import FakeClock, fast_poller
from tests.support import moto_backup, moto_redshift

REGION = "us-east-1"
ACCOUNT = "123456789012"
A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/restore"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/analyst"
# AWS makes these up: a final snapshot's time stamp, an automated snapshot's minute.
VOLATILE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)?|\d{4}-\d{2}-\d{2}-\d{2}-\d{2}|\d{14}")
# One boto3 session for every client of the matrix: a new session per client (as components/aws.py makes, for
# its credentials) parses the service models again, which would make the matrix take minutes. No scenario
# passes credentials, so the clients are the same.
SESSION = boto3.session.Session()


class Killed(BaseException):
    """The provider's process died right after an AWS call took effect (no `except Exception` catches it)."""


# Called after each AWS call of a provider's client, when set (see `hooked_calls`).
ON_CALL: list[Callable[[str], None]] = []


@contextmanager
def shared_clients() -> Iterator[None]:
    """The providers' clients (`components.aws.client`) come from `SESSION`, and report each AWS call that
    returned to the handler `hooked_calls` sets, before the provider sees the answer."""
    real = aws.client

    def hooked(service: str, region: str | None = None, credentials: Any = None) -> Any:
        assert not credentials, "the matrix's scenarios act as the default chain"
        made = SESSION.client(service, region_name=region, config=aws.retry_config())

        def after(model: Any, **_: Any) -> None:
            for handler in ON_CALL:
                handler(f"{service}.{model.name}")

        made.meta.events.register("after-call.*.*", after)
        return made

    aws.client = hooked  # type: ignore[assignment]
    try:
        yield
    finally:
        aws.client = real  # type: ignore[assignment]


@contextmanager
def hooked_calls(on_call: Callable[[str], None]) -> Iterator[None]:
    """`on_call(operation)` after every AWS call a provider makes in this block (it may raise `Killed`)."""
    ON_CALL.append(on_call)
    try:
        yield
    finally:
        ON_CALL.remove(on_call)


def client(service: str) -> Any:
    return SESSION.client(service, region_name=REGION)


# ---- observation ----------------------------------------------------------------------------------------------


def _tags(item: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((t["Key"], VOLATILE.sub("<time>", t.get("Value", ""))) for t in item.get("Tags", []))


def observe() -> dict[str, Any]:
    """The AWS end state a scenario can change, as plain comparable data."""
    redshift, backup, ssm = client("redshift"), client("backup"), client("ssm")
    clusters = []
    for c in redshift.describe_clusters()["Clusters"]:
        clusters.append({
            "id": c["ClusterIdentifier"], "status": c["ClusterStatus"], "node_type": c["NodeType"],
            "nodes": c["NumberOfNodes"], "automated": c.get("AutomatedSnapshotRetentionPeriod"),
            "manual": c.get("ManualSnapshotRetentionPeriod"), "public": c.get("PubliclyAccessible"),
            "roles": sorted(r["IamRoleArn"] for r in c.get("IamRoles", [])),
            "default_role": c.get("DefaultIamRoleArn"), "tags": _tags(c),
            "restore": (c.get("RestoreStatus") or {}).get("Status"),
        })
    snapshots = sorted(
        (VOLATILE.sub("<time>", s["SnapshotIdentifier"]), s["SnapshotType"], s["ClusterIdentifier"],
         tuple(sorted(a["AccountId"] for a in s.get("AccountsWithRestoreAccess", []))), tuple(_tags(s)))
        for s in redshift.describe_cluster_snapshots()["Snapshots"])
    tables = []
    for c in clusters:
        for r in redshift.describe_table_restore_status(ClusterIdentifier=c["id"])["TableRestoreStatusDetails"]:
            tables.append((c["id"], r["SnapshotIdentifier"], r["NewTableName"], r["Status"]))
    records = {}
    for p in ssm.get_parameters_by_path(Path="/redshift-backup", Recursive=True)["Parameters"]:
        value = json.loads(p["Value"])
        value.pop("started", None)
        records[p["Name"]] = value
    jobs = sorted((j["RecoveryPointArn"], j["Status"]) for j in moto_backup.restore_jobs(ACCOUNT, REGION))
    return {"clusters": sorted(clusters, key=lambda c: c["id"]), "snapshots": snapshots, "tables": sorted(tables),
            "records": records, "restore_jobs": jobs,
            "opt_in": backup.describe_region_settings()["ResourceTypeOptInPreference"]}


def reset(endpoint: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()


# ---- scenarios ------------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """One provider operation: `run(provider, state)` does it (the same way on the first run and the re-run)."""

    name: str
    provider: Callable[[], Any]
    seed: Callable[[], None]
    run: Callable[[Any, Any], Any]
    prepare: Callable[[Any], Any] = lambda _provider: None
    # Outputs that must come out the same from a re-run as from an uninterrupted run.
    outputs: tuple[str, ...] = ()
    # For a create: the delete that follows (given the create's outputs) must put back what was there.
    delete_after: Callable[[Any, Any], None] | None = None
    lifecycle: dict[str, int] = field(default_factory=dict)


def _poller_provider(cls: type) -> Callable[[], Any]:
    return lambda: cls(fast_poller(FakeClock()))


def seed_prod(**cluster: Any) -> None:
    redshift = client("redshift")
    redshift.create_cluster(ClusterIdentifier="prod", NodeType="ra3.xlplus", MasterUsername="admin",
                            MasterUserPassword="Password1234", ClusterType="single-node", **cluster)
    redshift.create_cluster_snapshot(SnapshotIdentifier="nightly", ClusterIdentifier="prod")


def seed_shared() -> None:
    seed_prod()
    # Someone else shares the snapshot with C: never ours to revoke.
    client("redshift").authorize_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=C)


def seed_vault() -> None:
    seed_prod()
    client("backup").create_backup_vault(BackupVaultName="prod-vault")
    moto_backup.add_recovery_point(ACCOUNT, REGION, "prod-vault", "nightly")


def share_props(*accounts: str) -> dict[str, Any]:
    return {"snapshot_identifier": "nightly", "accounts_with_restore_access": list(accounts),
            "ownership_tag_value": "proj/dev/share"}


def retention_props(automated: int | None, manual: int | None) -> dict[str, Any]:
    return {"cluster_identifier": "prod", "region": REGION, "automated_snapshot_retention_days": automated,
            "manual_snapshot_retention_days": manual}


def opt_in_props(**types: bool) -> dict[str, Any]:
    return {"region": REGION, "resource_types": types}


def restore_props(source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": "drill", "ownership_tag_value": "proj/dev/drill", "source": source,
            "tags": {"purpose": "drill"}, **extra}


SNAPSHOT_SOURCE = {"snapshot_identifier": "nightly"}


def point_source() -> dict[str, Any]:
    return {"recovery_point_arn": f"arn:aws:redshift:{REGION}:{ACCOUNT}:snapshot:prod/nightly",
            "backup_vault_name": "prod-vault", "backup_iam_role_arn": ROLE}


def table_props() -> dict[str, Any]:
    return {"cluster_identifier": "prod", "source_database_name": "dev", "source_table_name": "orders",
            "new_table_name": "orders_restored"}


def _create(props: Callable[[], dict[str, Any]]) -> Callable[[Any, Any], Any]:
    return lambda provider, _state: provider.create(props())


def _created(props: Callable[[], dict[str, Any]]) -> Callable[[Any], Any]:
    return lambda provider: provider.create(props())


def _delete(provider: Any, created: Any) -> None:
    provider.delete(created.id, created.outs)


def _update(news: Callable[[], dict[str, Any]]) -> Callable[[Any, Any], Any]:
    return lambda provider, created: provider.update(created.id, created.outs, news())


CLUSTER_OUTPUTS = ("cluster_status", "actual_node_type", "actual_number_of_nodes", "effective_settings",
                   "resolved_snapshot_identifier", "resolved_recovery_point_arn", "ownership_tag_value")
RESTORING = {"restoring_describes": 1, "deleting_describes": 1}


def _scenarios() -> list[Scenario]:
    share = SnapshotShareProvider
    retention = _poller_provider(SnapshotRetentionProvider)
    cluster = _poller_provider(ClusterRestoreProvider)
    table = _poller_provider(TableRestoreProvider)
    restore = restore_props(SNAPSHOT_SOURCE, node_type="ra3.xlplus", number_of_nodes=2)
    from_point = restore_props(point_source(), node_type="ra3.xlplus", number_of_nodes=2)
    restore_update = {"number_of_nodes": 3, "iam_roles": [OTHER_ROLE], "publicly_accessible": True,
                      "automated_snapshot_retention_days": 9, "tags": {"purpose": "drill", "team": "data"}}
    return [
        Scenario("share-create", share, seed_shared, _create(lambda: share_props(A, B, C)),
                 outputs=("granted_accounts", "accounts_with_access"), delete_after=_delete),
        Scenario("share-update", share, seed_shared, _update(lambda: share_props(B, C, D)),
                 prepare=_created(lambda: share_props(A, B, C)), outputs=("granted_accounts", "accounts_with_access")),
        Scenario("share-delete", share, seed_shared, _delete, prepare=_created(lambda: share_props(A, B, C))),
        Scenario("retention-create", retention, lambda: seed_prod(AutomatedSnapshotRetentionPeriod=3),
                 _create(lambda: retention_props(12, 30)), delete_after=_delete,
                 outputs=("previous_automated_snapshot_retention_days", "previous_manual_snapshot_retention_days")),
        Scenario("retention-update", retention, lambda: seed_prod(AutomatedSnapshotRetentionPeriod=3),
                 _update(lambda: retention_props(20, 30)), prepare=_created(lambda: retention_props(12, None)),
                 outputs=("previous_automated_snapshot_retention_days", "previous_manual_snapshot_retention_days")),
        Scenario("retention-delete", retention, lambda: seed_prod(AutomatedSnapshotRetentionPeriod=3), _delete,
                 prepare=_created(lambda: retention_props(12, 30))),
        Scenario("opt-in-create", BackupRegionOptInProvider, lambda: None,
                 _create(lambda: opt_in_props(**{"Redshift": True, "Redshift Serverless": True})),
                 outputs=("previous_resource_types",), delete_after=_delete),
        Scenario("opt-in-update", BackupRegionOptInProvider, lambda: None,
                 _update(lambda: opt_in_props(Redshift=True, S3=True)),
                 prepare=_created(lambda: opt_in_props(**{"Redshift": True, "Redshift Serverless": True})),
                 outputs=("previous_resource_types",)),
        Scenario("opt-in-delete", BackupRegionOptInProvider, lambda: None, _delete,
                 prepare=_created(lambda: opt_in_props(**{"Redshift": True, "Redshift Serverless": True}))),
        Scenario("cluster-restore-create", cluster, seed_prod, _create(lambda: dict(restore)),
                 outputs=CLUSTER_OUTPUTS, delete_after=_delete, lifecycle=RESTORING),
        Scenario("cluster-restore-update", cluster, seed_prod, _update(lambda: {**restore, **restore_update}),
                 prepare=_created(lambda: dict(restore)), outputs=CLUSTER_OUTPUTS, lifecycle=RESTORING),
        Scenario("cluster-restore-delete", cluster, seed_prod, _delete, prepare=_created(lambda: dict(restore)),
                 lifecycle=RESTORING),
        Scenario("recovery-point-restore-create", cluster, seed_vault, _create(lambda: dict(from_point)),
                 outputs=CLUSTER_OUTPUTS, delete_after=_delete, lifecycle=RESTORING),
        Scenario("recovery-point-restore-update", cluster, seed_vault,
                 _update(lambda: {**from_point, **restore_update}), prepare=_created(lambda: dict(from_point)),
                 outputs=CLUSTER_OUTPUTS, lifecycle=RESTORING),
        Scenario("recovery-point-restore-delete", cluster, seed_vault, _delete,
                 prepare=_created(lambda: dict(from_point)), lifecycle=RESTORING),
        Scenario("table-restore-create", table, seed_prod, _create(table_props),
                 outputs=("status", "resolved_snapshot_identifier"), delete_after=_delete,
                 lifecycle={"table_restore_describes": 1}),
        Scenario("table-restore-delete", table, seed_prod, _delete, prepare=_created(table_props)),
    ]


SCENARIOS = {s.name: s for s in _scenarios()}


@dataclass
class Outcome:
    """What one run of a scenario did: its AWS calls, its result's outputs, the AWS state after it (and after the
    delete that follows a create)."""

    calls: list[str]
    outputs: dict[str, Any]
    state: dict[str, Any]
    after_delete: dict[str, Any] | None


@contextmanager
def lifecycle(scenario: Scenario) -> Iterator[None]:
    """The scenario's moto lifecycles, and shared clients for every provider call of the scenario."""
    moto_redshift.configure(**scenario.lifecycle)
    try:
        with shared_clients():
            yield
    finally:
        moto_redshift.configure()


def _outputs(scenario: Scenario, result: Any) -> dict[str, Any]:
    outs = getattr(result, "outs", None) or {}
    return {k: outs.get(k) for k in scenario.outputs}


def uninterrupted(scenario: Scenario, endpoint: str) -> Outcome:
    """Seed, prepare, then run the operation once, recording its AWS calls."""
    reset(endpoint)
    calls: list[str] = []
    with lifecycle(scenario):
        scenario.seed()
        provider = scenario.provider()
        state = scenario.prepare(provider)
        with hooked_calls(calls.append):
            result = scenario.run(provider, state)
        observed = observe()
        after = _delete_then_observe(scenario, provider, result)
    return Outcome(calls, _outputs(scenario, result), observed, after)


def interrupted(scenario: Scenario, endpoint: str, fault_after: int) -> tuple[Outcome, str]:
    """Seed, prepare, run with the process killed right after call `fault_after` (1-based), then run the same
    operation again as the engine does; returns the re-run's outcome and the call the fault followed."""
    reset(endpoint)
    calls: list[str] = []

    def count(operation: str) -> None:
        calls.append(operation)
        if len(calls) == fault_after:
            raise Killed(operation)

    with lifecycle(scenario):
        scenario.seed()
        provider = scenario.provider()
        state = scenario.prepare(provider)
        try:
            with hooked_calls(count):
                scenario.run(provider, state)
        except Killed:
            pass
        else:
            raise AssertionError(f"{scenario.name} made only {len(calls)} calls, no fault after call {fault_after}")
        again = scenario.provider()  # a new process: nothing kept in memory
        rerun_calls: list[str] = []
        with hooked_calls(rerun_calls.append):
            result = scenario.run(again, state)
        observed = observe()
        after = _delete_then_observe(scenario, again, result)
    return Outcome(rerun_calls, _outputs(scenario, result), observed, after), calls[-1]


def _delete_then_observe(scenario: Scenario, provider: Any, result: Any) -> dict[str, Any] | None:
    if scenario.delete_after is None:
        return None
    scenario.delete_after(provider, result)
    return observe()


def record_calls(endpoint: str) -> dict[str, list[str]]:
    """Every scenario's AWS calls in an uninterrupted run (what the matrix is generated from)."""
    return {name: uninterrupted(scenario, endpoint).calls for name, scenario in SCENARIOS.items()}

