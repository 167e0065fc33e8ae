"""A provider serialized after hundreds of others (components/dynamic_resource.py) still runs in the real host.

The program side registers more retention resources than pulumi's pickle leak alone survives; the `__provider`
of the last one is then sent, as the engine would, to `python -m pulumi.dynamic`, which unpickles it and creates.
"""

from __future__ import annotations

from typing import Any

from components.retention import SnapshotRetention
from redshift_backup import mockrun
from tests.providers.conftest import REGION, seed_cluster
from tests.providers.dynamic_host import (
    DynamicProviderHost,
    dynamic_host_fixture,  # noqa: F401
    resource_urn,
)

# SnapshotRetentionProvider alone fails at pulumi's 485th serialization; well past that.
COUNT = 600
CLUSTER = "fleet-last"


def test_the_last_of_many_serialized_providers_creates_through_the_host(
        dynamic_host: DynamicProviderHost, redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3)

    def program() -> None:
        for i in range(COUNT):
            cluster = CLUSTER if i == COUNT - 1 else f"fleet-{i:04d}"
            SnapshotRetention(f"{cluster}-retention", cluster_identifier=cluster, region=REGION,
                              automated_snapshot_retention_days=7)

    run = mockrun.run_program({"aws:region": REGION}, program=program)
    last = run.named(f"{CLUSTER}-retention")
    serialized = last.inputs["__provider"]
    news = {k: v for k, v in last.inputs.items() if k != "__provider"}
    urn = resource_urn(last.name, type_=last.type)

    inputs, failures = dynamic_host.check(serialized, {}, news, urn=urn)
    assert failures == []
    id_, outs = dynamic_host.create(serialized, inputs, urn=urn)
    live = redshift.describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]
    assert id_ == CLUSTER and live["AutomatedSnapshotRetentionPeriod"] == 7
    assert outs["previous_automated_snapshot_retention_days"] == 3
