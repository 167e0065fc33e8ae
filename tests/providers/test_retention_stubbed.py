"""Manual snapshot retention and the exact ModifyCluster request, with botocore's Stubber.

moto 5.2.5 drops `ManualSnapshotRetentionPeriod` from ModifyCluster and never reports it in DescribeClusters,
so the manual half is checked here: the Stubber validates each request against the service model and
`expected_params` fails on any parameter beyond the two retention settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from components import aws
from components.retention import SnapshotRetentionProvider
from policies.errors import ProviderError

CLUSTER = "finance-prod"
REGION = "us-east-1"


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("redshift", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    monkeypatch.setattr(aws, "client", lambda service, region=None: client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def _described(automated: int, manual: int) -> dict[str, Any]:
    return {"Clusters": [{"ClusterIdentifier": CLUSTER, "AutomatedSnapshotRetentionPeriod": automated,
                          "ManualSnapshotRetentionPeriod": manual, "NodeType": "ra3.xlplus"}]}


def _expect_describe(stub: Stubber, automated: int, manual: int) -> None:
    stub.add_response("describe_clusters", _described(automated, manual), {"ClusterIdentifier": CLUSTER})


def _expect_modify(stub: Stubber, **params: int) -> None:
    stub.add_response("modify_cluster", {"Cluster": {"ClusterIdentifier": CLUSTER}},
                      {"ClusterIdentifier": CLUSTER, **params})


def _props(automated: int | None, manual: int | None) -> dict[str, Any]:
    return {"cluster_identifier": CLUSTER, "region": REGION, "automated_snapshot_retention_days": automated,
            "manual_snapshot_retention_days": manual}


def test_create_sends_only_the_two_retention_settings(stub: Stubber) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    _expect_modify(stub, AutomatedSnapshotRetentionPeriod=7, ManualSnapshotRetentionPeriod=90)
    outs = SnapshotRetentionProvider().create(_props(7, 90)).outs
    assert outs["previous_automated_snapshot_retention_days"] == 1
    assert outs["previous_manual_snapshot_retention_days"] == -1


def test_manual_only_leaves_automated_retention_alone(stub: Stubber) -> None:
    _expect_describe(stub, automated=5, manual=-1)
    _expect_modify(stub, ManualSnapshotRetentionPeriod=30)
    outs = SnapshotRetentionProvider().create(_props(None, 30)).outs
    assert outs["previous_automated_snapshot_retention_days"] is None


def test_nothing_is_sent_when_the_cluster_already_matches(stub: Stubber) -> None:
    _expect_describe(stub, automated=7, manual=90)
    outs = SnapshotRetentionProvider().create(_props(7, 90)).outs  # no modify_cluster queued: none may happen
    assert outs["previous_manual_snapshot_retention_days"] == 90


def test_read_reports_manual_drift_and_delete_puts_both_back(stub: Stubber) -> None:
    outs = {**_props(7, 90), "previous_automated_snapshot_retention_days": 1,
            "previous_manual_snapshot_retention_days": -1}
    _expect_describe(stub, automated=7, manual=10)
    assert SnapshotRetentionProvider().read(CLUSTER, outs).outs["manual_snapshot_retention_days"] == 10
    _expect_describe(stub, automated=7, manual=90)
    _expect_modify(stub, AutomatedSnapshotRetentionPeriod=1, ManualSnapshotRetentionPeriod=-1)
    SnapshotRetentionProvider().delete(CLUSTER, outs)


def test_a_modify_error_names_the_cluster_and_aws_reason(stub: Stubber) -> None:
    _expect_describe(stub, automated=1, manual=-1)
    stub.add_client_error("modify_cluster", service_error_code="InvalidClusterState",
                          service_message="The cluster is being resized.")
    with pytest.raises(ProviderError, match="on cluster 'finance-prod' in us-east-1: InvalidClusterState: The "
                                            "cluster is being resized."):
        SnapshotRetentionProvider().create(_props(7, None))
