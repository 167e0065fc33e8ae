"""Manual snapshot retention, the exact ModifyCluster request, retries and the deadline, with botocore's Stubber.

moto 5.2.5 drops `ManualSnapshotRetentionPeriod` from ModifyCluster (tests/support/moto_redshift.py adds it now,
modelled, not observed); the exact requests are checked here: the Stubber validates each request against the service model and
`expected_params` fails on any parameter beyond the two retention settings. Busy clusters, throttling and a
cluster deleted mid-way are AWS answers moto cannot give on demand; time is a fake clock, so nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from components import aws
from components.restore_common import Poller, WaitTimedOut
from components.retention import SnapshotRetentionProvider
from policies.errors import ProviderError
from tests.providers.restore_support import FakeClock, fast_poller

CLUSTER = "finance-prod"
REGION = "us-east-1"


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("redshift", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    # Only GetCallerIdentity goes elsewhere (for the cluster's ARN, to tag it); every Redshift call is stubbed.
    sts = SimpleNamespace(get_caller_identity=lambda: {"Account": "123456789012",
                                                       "Arn": "arn:aws:iam::123456789012:user/test"})
    monkeypatch.setattr(aws, "client",
                        lambda service, region=None, credentials=None: sts if service == "sts" else client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


ARN = f"arn:aws:redshift:{REGION}:123456789012:cluster:{CLUSTER}"
RECORD = "redshift-backup:retention-found"


def _described(automated: int, manual: int, record: str | None) -> dict[str, Any]:
    tags = [{"Key": RECORD, "Value": record}] if record else []
    return {"Clusters": [{"ClusterIdentifier": CLUSTER, "AutomatedSnapshotRetentionPeriod": automated,
                          "ManualSnapshotRetentionPeriod": manual, "NodeType": "ra3.xlplus", "Tags": tags}]}


def _expect_describe(stub: Stubber, automated: int, manual: int, record: str | None = None) -> None:
    stub.add_response("describe_clusters", _described(automated, manual, record), {"ClusterIdentifier": CLUSTER})


def _expect_record(stub: Stubber, value: str) -> None:
    """The record of what was found, tagged on the cluster before any change."""
    stub.add_response("create_tags", {}, {"ResourceName": ARN, "Tags": [{"Key": RECORD, "Value": value}]})


def _expect_modify(stub: Stubber, **params: int) -> None:
    stub.add_response("modify_cluster", {"Cluster": {"ClusterIdentifier": CLUSTER}},
                      {"ClusterIdentifier": CLUSTER, **params})


def _props(automated: int | None, manual: int | None) -> dict[str, Any]:
    return {"cluster_identifier": CLUSTER, "region": REGION, "automated_snapshot_retention_days": automated,
            "manual_snapshot_retention_days": manual}


def test_create_sends_only_the_two_retention_settings(stub: Stubber) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    _expect_record(stub, "cluster=finance-prod automated=1 manual=-1")
    _expect_modify(stub, AutomatedSnapshotRetentionPeriod=7, ManualSnapshotRetentionPeriod=90)
    outs = SnapshotRetentionProvider().create(_props(7, 90)).outs
    assert outs["previous_automated_snapshot_retention_days"] == 1
    assert outs["previous_manual_snapshot_retention_days"] == -1


def test_manual_only_leaves_automated_retention_alone(stub: Stubber) -> None:
    _expect_describe(stub, automated=5, manual=-1)
    _expect_record(stub, "cluster=finance-prod manual=-1")
    _expect_modify(stub, ManualSnapshotRetentionPeriod=30)
    outs = SnapshotRetentionProvider().create(_props(None, 30)).outs
    assert outs["previous_automated_snapshot_retention_days"] is None


def test_nothing_is_sent_when_the_cluster_already_matches(stub: Stubber) -> None:
    _expect_describe(stub, automated=7, manual=90)
    _expect_record(stub, "cluster=finance-prod automated=7 manual=90")  # what delete puts back
    outs = SnapshotRetentionProvider().create(_props(7, 90)).outs  # no modify_cluster queued: none may happen
    assert outs["previous_manual_snapshot_retention_days"] == 90


def test_read_reports_manual_drift_and_delete_puts_both_back(stub: Stubber) -> None:
    outs = {**_props(7, 90), "previous_automated_snapshot_retention_days": 1,
            "previous_manual_snapshot_retention_days": -1}
    _expect_describe(stub, automated=7, manual=10)
    assert SnapshotRetentionProvider().read(CLUSTER, outs).outs["manual_snapshot_retention_days"] == 10
    _expect_describe(stub, automated=7, manual=90, record="cluster=finance-prod automated=1 manual=-1")
    _expect_modify(stub, AutomatedSnapshotRetentionPeriod=1, ManualSnapshotRetentionPeriod=-1)
    stub.add_response("delete_tags", {}, {"ResourceName": ARN, "TagKeys": [RECORD]})  # after the values are back
    SnapshotRetentionProvider().delete(CLUSTER, outs)


def test_a_modify_error_names_the_cluster_and_aws_reason(stub: Stubber, clock: FakeClock) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    _expect_record(stub, "cluster=finance-prod automated=1")
    stub.add_client_error("modify_cluster", service_error_code="InvalidRetentionPeriod",
                          service_message="Retention period must be between 1 and 35.")
    with pytest.raises(ProviderError, match="on cluster 'finance-prod' in us-east-1: InvalidRetentionPeriod: "
                                            "Retention period must be between 1 and 35."):
        _provider(clock).create(_props(7, None))
    assert clock.sleeps == []  # not a retryable answer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _provider(clock: FakeClock) -> SnapshotRetentionProvider:
    return SnapshotRetentionProvider(fast_poller(clock))


def _busy(stub: Stubber, operation: str = "modify_cluster", code: str = "InvalidClusterState") -> None:
    stub.add_client_error(operation, service_error_code=code, service_message=f"{code} (from the test)")


@pytest.mark.parametrize("code", ["InvalidClusterState", "Throttling"])
def test_a_busy_cluster_or_throttling_is_retried_then_succeeds(stub: Stubber, clock: FakeClock, code: str) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    _expect_record(stub, "cluster=finance-prod automated=1")
    _busy(stub, code=code)
    # Each attempt describes afresh: a retry sends what the cluster needs then (the record is there by now).
    _expect_describe(stub, automated=1, manual=-1, record="cluster=finance-prod automated=1")
    _busy(stub, code=code)
    _expect_describe(stub, automated=1, manual=-1, record="cluster=finance-prod automated=1")
    _expect_modify(stub, AutomatedSnapshotRetentionPeriod=7)
    outs = _provider(clock).create(_props(7, None)).outs
    assert outs["previous_automated_snapshot_retention_days"] == 1
    assert clock.sleeps == [10, 20]  # the poller's backoff, on the fake clock


def test_throttled_describe_is_retried_too(stub: Stubber, clock: FakeClock) -> None:
    outs = {**_props(7, None), "previous_automated_snapshot_retention_days": 1,
            "previous_manual_snapshot_retention_days": None}
    _busy(stub, "describe_clusters", "ThrottlingException")
    _expect_describe(stub, automated=9, manual=-1)
    assert _provider(clock).read(CLUSTER, outs).outs["automated_snapshot_retention_days"] == 9
    assert clock.sleeps == [10]


def test_a_cluster_busy_past_the_deadline_fails_with_aws_reason(stub: Stubber, clock: FakeClock) -> None:
    # timeout_minutes=1 and the fast poller's 10 s, 20 s, 30 s (capped at the remaining time): four attempts.
    for _ in range(4):
        _expect_describe(stub, automated=1, manual=-1, record="cluster=finance-prod automated=1")
        stub.add_client_error("modify_cluster", service_error_code="InvalidClusterState",
                              service_message="The cluster is paused.")
    start = clock.now
    with pytest.raises(WaitTimedOut, match=r"^setting snapshot retention on cluster 'finance-prod' did not finish "
                                           r"within 1 minutes \(last status: InvalidClusterState: The cluster is "
                                           r"paused.\)$"):
        _provider(clock).create({**_props(7, None), "timeout_minutes": 1})
    assert clock.now - start == 60


def test_the_default_deadline_is_thirty_minutes(stub: Stubber, clock: FakeClock) -> None:
    # Polls every 1000 s: attempts at 0, 1000 and 1800 s (the rest of the 30 minutes), then the deadline.
    poller = Poller(interval_seconds=1000, max_interval_seconds=1000, backoff=1, sleep=clock.sleep, clock=clock.time)
    for _ in range(3):
        _expect_describe(stub, automated=1, manual=-1, record="cluster=finance-prod automated=1")
        _busy(stub)
    with pytest.raises(WaitTimedOut, match="within 30 minutes"):
        SnapshotRetentionProvider(poller).create(_props(7, None))
    assert clock.sleeps == [1000, 800]


def test_a_cluster_deleted_between_describe_and_modify_counts_as_done_on_delete(stub: Stubber,
                                                                              clock: FakeClock) -> None:
    outs = {**_props(7, None), "previous_automated_snapshot_retention_days": 1,
            "previous_manual_snapshot_retention_days": None}
    _expect_describe(stub, automated=7, manual=-1)
    stub.add_client_error("modify_cluster", service_error_code="ClusterNotFound",
                          service_message="Cluster finance-prod not found.")
    _provider(clock).delete(CLUSTER, outs)  # no error: the cluster, and its settings, are gone
    assert clock.sleeps == []


def test_a_cluster_deleted_between_describe_and_modify_fails_a_create(stub: Stubber, clock: FakeClock) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    _expect_record(stub, "cluster=finance-prod automated=1")
    stub.add_client_error("modify_cluster", service_error_code="ClusterNotFound", service_message="gone")
    with pytest.raises(ProviderError, match="cluster 'finance-prod' does not exist in us-east-1 \\(deleted while"):
        _provider(clock).create(_props(7, None))


@pytest.mark.parametrize("operation", ["read", "delete"])
def test_state_without_a_region_fails_naming_the_field(operation: str, clock: FakeClock) -> None:
    # What `pulumi import` hands read (no props at all), or a state that lost its region.
    with pytest.raises(ProviderError, match=r"^SnapshotRetention 'finance-prod': cannot .*: its state has no "
                                            r"`region` \(received None\)\. This resource cannot be imported"):
        getattr(_provider(clock), operation)(CLUSTER, {})


def test_the_timeout_is_checked() -> None:
    failures = SnapshotRetentionProvider().check({}, {**_props(7, None), "timeout_minutes": 0.5}).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("timeout_minutes", "expected 1-1440 minutes (or none for the default), received 0.5")]
