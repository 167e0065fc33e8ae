"""The retention provider once through the real dynamic-provider host (`python -m pulumi.dynamic`) over gRPC.

The host unpickles the provider from `__provider` in every request, so this also proves it survives pickling.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.retention import SnapshotRetention, SnapshotRetentionProvider
from tests.providers.conftest import REGION, seed_cluster
from tests.providers.dynamic_host import (
    DynamicProviderHost,
    ProviderCallError,
    dynamic_host_fixture,  # noqa: F401
    resource_urn,
)

CLUSTER = "analytics-prod"
URN = resource_urn("prod-analytics-snapshots-analytics-prod-retention",
                   type_=f"pulumi-python:{SnapshotRetention._resource_type_name}")


def _live(redshift: Any) -> int:
    return int(redshift.describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]["AutomatedSnapshotRetentionPeriod"])


def test_lifecycle_through_the_host(dynamic_host: DynamicProviderHost, redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3)
    provider = SnapshotRetentionProvider()
    news = {"cluster_identifier": CLUSTER, "region": REGION, "automated_snapshot_retention_days": 7,
            "manual_snapshot_retention_days": None}
    inputs, failures = dynamic_host.check(provider, {}, news, urn=URN)
    assert failures == []

    id_, outs = dynamic_host.create(provider, inputs, urn=URN)
    assert id_ == CLUSTER and _live(redshift) == 7
    assert outs["previous_automated_snapshot_retention_days"] == 3

    assert dynamic_host.diff(provider, id_, outs, inputs, urn=URN).changes is False
    lowered = {**inputs, "automated_snapshot_retention_days": 2}
    diff = dynamic_host.diff(provider, id_, outs, lowered, urn=URN)
    assert diff.changes is True and diff.replaces == []
    # Logged inside the diff call; the host may answer before its stderr line has been collected.
    dynamic_host.wait_for_stderr("risk: cluster 'analytics-prod': automated snapshot retention goes from 7 days "
                                 "to 2 days")
    moved = dynamic_host.diff(provider, id_, outs, {**inputs, "cluster_identifier": "finance-prod"}, urn=URN)
    assert moved.replaces == ["cluster_identifier"]

    outs = dynamic_host.update(provider, id_, outs, lowered, urn=URN)
    assert _live(redshift) == 2 and outs["previous_automated_snapshot_retention_days"] == 3

    redshift.modify_cluster(ClusterIdentifier=CLUSTER, AutomatedSnapshotRetentionPeriod=20)
    read_id, live = dynamic_host.read(provider, id_, outs, urn=URN)
    assert read_id == CLUSTER and live["automated_snapshot_retention_days"] == 20

    dynamic_host.delete(provider, id_, live, urn=URN)
    assert _live(redshift) == 3


def test_a_failure_reaches_the_engine_as_the_provider_message(dynamic_host: DynamicProviderHost, aws_env: str) -> None:
    props = {"cluster_identifier": "ghost", "region": REGION, "automated_snapshot_retention_days": 7,
             "manual_snapshot_retention_days": None}
    with pytest.raises(ProviderCallError) as caught:
        dynamic_host.create(SnapshotRetentionProvider(), props, urn=URN)
    assert caught.value.message == ("policies.errors.ProviderError: cluster 'ghost' does not exist in us-east-1; "
                                    "snapshot retention can only be set on an existing cluster")
