"""RedshiftTableRestore's provider with botocore Stubber (moto has no table restore)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from components.restore_table import TableRestoreProvider
from policies.errors import ProviderError
from tests.providers.restore_support import (  # noqa: F401
    ClientHooks,
    FakeClock,
    client_hooks_fixture,
    fast_poller,
    stderr_log_fixture,
    stubbed_client,
)

CLUSTER = "analytics-prod"
TARGET = {"TargetDatabaseName": "dev", "TargetSchemaName": "public", "NewTableName": "orders_restored"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> TableRestoreProvider:
    return TableRestoreProvider(fast_poller(clock))


@pytest.fixture
def stub(client_hooks: ClientHooks) -> Iterator[Stubber]:
    # GetCallerIdentity only gives the cluster's ARN, to tag it; every Redshift call is stubbed.
    client_hooks.replace["sts"] = SimpleNamespace(get_caller_identity=lambda: {
        "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/test"})
    with Stubber(stubbed_client(client_hooks, "redshift")) as stubber:
        yield stubber


def props(**extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": CLUSTER, "source_database_name": "dev", "source_table_name": "orders",
            "new_table_name": "orders_restored", **extra}


def status(state: str, **extra: Any) -> dict[str, Any]:
    return {"TableRestoreRequestId": "req-1", "Status": state, "ClusterIdentifier": CLUSTER, **TARGET, **extra}


CLUSTER_ARN = f"arn:aws:redshift:us-east-1:123456789012:cluster:{CLUSTER}"
RECORD_KEY = "redshift-backup:table-restore:" + hashlib.sha256(b"dev.public.orders_restored").hexdigest()[:16]


def cluster_described(stub: Stubber, record: str | None = None) -> None:
    """The cluster, first: its tags say whether an interrupted create of this resource started a restore."""
    tags = [{"Key": RECORD_KEY, "Value": record}] if record else []
    stub.add_response("describe_clusters", {"Clusters": [{"ClusterIdentifier": CLUSTER, "Tags": tags}]},
                      {"ClusterIdentifier": CLUSTER})


def recorded(stub: Stubber) -> None:
    """The record tag, written just before the request (its value holds the time: any value is accepted)."""
    stub.add_response("create_tags", {}, {"ResourceName": CLUSTER_ARN, "Tags": [{"Key": RECORD_KEY, "Value": ANY}]})


def no_restore_in_flight(stub: Stubber, details: list[dict[str, Any]] | None = None) -> None:
    stub.add_response("describe_table_restore_status", {"TableRestoreStatusDetails": details or []},
                      {"ClusterIdentifier": CLUSTER})


def restore_request(snapshot: str = "nightly") -> dict[str, Any]:
    return {"ClusterIdentifier": CLUSTER, "SnapshotIdentifier": snapshot, "SourceDatabaseName": "dev",
            "SourceSchemaName": "public", "SourceTableName": "orders", **TARGET,
            "EnableCaseSensitiveIdentifier": False}


def polled(stub: Stubber, state: str, **extra: Any) -> None:
    stub.add_response("describe_table_restore_status", {"TableRestoreStatusDetails": [status(state, **extra)]},
                      {"ClusterIdentifier": CLUSTER, "TableRestoreRequestId": "req-1"})


def test_restore_from_the_latest_snapshot_and_wait(provider: TableRestoreProvider, stub: Stubber,
                                                   capsys: pytest.CaptureFixture[str], stderr_log: None) -> None:
    cluster_described(stub)
    stub.add_response("describe_cluster_snapshots", {"Snapshots": [
        {"SnapshotIdentifier": "old", "Status": "available", "SnapshotCreateTime": datetime(2026, 1, 1, tzinfo=UTC)},
        {"SnapshotIdentifier": "new", "Status": "available", "SnapshotCreateTime": datetime(2026, 1, 2, tzinfo=UTC)},
        {"SnapshotIdentifier": "newest", "Status": "creating",
         "SnapshotCreateTime": datetime(2026, 1, 3, tzinfo=UTC)},
    ]}, {"ClusterIdentifier": CLUSTER})
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request("new"))
    polled(stub, "IN_PROGRESS", ProgressInMegaBytes=10, TotalDataInMegaBytes=40)
    polled(stub, "SUCCEEDED", ProgressInMegaBytes=40, TotalDataInMegaBytes=40)
    created = provider.create(props())
    assert created.id == "req-1"
    outs = created.outs or {}
    assert outs["resolved_snapshot_identifier"] == "new" and outs["status"] == "SUCCEEDED"
    assert outs["new_table_name"] == "orders_restored"
    assert "10 of 40 MB" in capsys.readouterr().err
    stub.assert_no_pending_responses()


def test_an_existing_target_table_fails_with_aws_reason(provider: TableRestoreProvider, stub: Stubber) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request())
    polled(stub, "FAILED", Message="Table orders_restored already exists in dev.public")
    with pytest.raises(ProviderError) as info:
        provider.create(props(snapshot_identifier="nightly"))
    assert str(info.value) == (
        "table restore into dev.public.orders_restored FAILED: Table orders_restored already exists in "
        "dev.public (a table restore refuses an existing target table: choose another new_table_name or "
        "drop the table)")


def test_waits_while_another_table_restore_runs_on_the_cluster(provider: TableRestoreProvider, stub: Stubber,
                                                               clock: FakeClock) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_client_error("restore_table_from_cluster_snapshot", "InProgressTableRestoreQuotaExceededFault",
                          "one at a time", 400, expected_params=restore_request())
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request())
    polled(stub, "SUCCEEDED")
    assert provider.create(props(snapshot_identifier="nightly")).id == "req-1"
    assert clock.sleeps == [10]
    stub.assert_no_pending_responses()


def test_the_same_target_already_in_flight_is_refused(provider: TableRestoreProvider, stub: Stubber) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub, [status("IN_PROGRESS", TableRestoreRequestId="req-0")])
    with pytest.raises(ProviderError, match=r"table dev.public.orders_restored is already being restored "
                                            r"\(request req-0, IN_PROGRESS\)"):
        provider.create(props(snapshot_identifier="nightly"))


def test_a_refused_request_names_aws_reason(provider: TableRestoreProvider, stub: Stubber) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_client_error("restore_table_from_cluster_snapshot", "InvalidTableRestoreArgument",
                          "Source table orders does not exist", 400, expected_params=restore_request())
    with pytest.raises(ProviderError, match="refused: InvalidTableRestoreArgument: Source table orders does not"):
        provider.create(props(snapshot_identifier="nightly"))


def test_a_timeout_names_the_last_status(provider: TableRestoreProvider, stub: Stubber) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request())
    for _ in range(4):  # at 0, 10, 30 and 60 seconds: backoff, capped at the deadline
        polled(stub, "IN_PROGRESS")
    with pytest.raises(ProviderError, match=r"table restore req-1 did not finish within 1 minutes "
                                            r"\(last status: IN_PROGRESS\)"):
        provider.create(props(snapshot_identifier="nightly", timeout_minutes=1))
    stub.assert_no_pending_responses()


def test_delete_leaves_the_table_and_says_so(provider: TableRestoreProvider, stub: Stubber,
                                             capsys: pytest.CaptureFixture[str], stderr_log: None) -> None:
    stub.add_response("delete_tags", {}, {"ResourceName": CLUSTER_ARN, "TagKeys": [RECORD_KEY]})
    provider.delete("req-1", props())
    stub.assert_no_pending_responses()  # no other AWS call: only the record goes
    assert "the restored table dev.public.orders_restored stays in place" in capsys.readouterr().err


def test_read_reports_status_and_gone(provider: TableRestoreProvider, stub: Stubber) -> None:
    polled(stub, "SUCCEEDED")
    assert (provider.read("req-1", props()).outs or {})["status"] == "SUCCEEDED"
    stub.add_client_error("describe_table_restore_status", "ClusterNotFound", "gone", 404)
    assert provider.read("req-1", props()).id is None


def test_diff_replaces_on_anything_but_the_timeout(provider: TableRestoreProvider) -> None:
    olds = props(snapshot_identifier="nightly")
    assert provider.diff("req-1", olds, olds).changes is False
    assert provider.diff("req-1", olds, {**olds, "new_table_name": "x"}).replaces == ["new_table_name"]
    timeout = provider.diff("req-1", olds, {**olds, "timeout_minutes": 5.0})
    assert timeout.changes is True and timeout.replaces == []


def test_check_reports_rule_failures(provider: TableRestoreProvider) -> None:
    result = provider.check({}, props(new_table_name="orders"))
    assert [f.property for f in result.failures] == ["new_table_name"]


def test_waiting_for_a_busy_cluster_and_for_the_restore_share_one_timeout(provider: TableRestoreProvider,
                                                                          stub: Stubber, clock: FakeClock) -> None:
    cluster_described(stub)
    no_restore_in_flight(stub)
    recorded(stub)
    for _ in range(3):  # busy at 0, 10 and 30 s
        stub.add_client_error("restore_table_from_cluster_snapshot", "InProgressTableRestoreQuotaExceededFault",
                              "one at a time", 400, expected_params=restore_request())
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request())  # started at 60 s: the whole minute is used up
    polled(stub, "IN_PROGRESS")  # one look, then the shared deadline has passed (a fresh minute would poll on)
    start = clock.now
    with pytest.raises(ProviderError, match=r"table restore req-1 did not finish within 1 minutes"):
        provider.create(props(snapshot_identifier="nightly", timeout_minutes=1))
    assert clock.now - start == 60
    stub.assert_no_pending_responses()


def test_every_call_acts_as_the_credentials_and_a_new_identity_only_updates_the_state(
        provider: TableRestoreProvider, stub: Stubber, client_hooks: ClientHooks) -> None:
    cluster_described(stub)
    creds = {"profile": "restorer"}
    no_restore_in_flight(stub)
    recorded(stub)
    stub.add_response("restore_table_from_cluster_snapshot", {"TableRestoreStatus": status("PENDING")},
                      restore_request())
    polled(stub, "SUCCEEDED")
    checked = provider.check({}, props(snapshot_identifier="nightly", credentials=creds))
    assert checked.failures == []
    outs = provider.create(checked.inputs).outs or {}
    assert outs["credentials"] == creds  # for read, which gets the outputs
    # A new identity replaces nothing: an update that only records it (read and delete get the state alone).
    new_identity = provider.diff("req-1", outs, {**checked.inputs, "credentials": None})
    assert (new_identity.changes, new_identity.replaces) == (True, [])
    assert provider.diff("req-1", outs, dict(checked.inputs)).changes is False
    polled(stub, "SUCCEEDED")
    provider.read("req-1", outs)
    assert client_hooks.made == [("redshift", creds), ("sts", creds), ("redshift", creds)]
