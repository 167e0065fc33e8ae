"""The cluster restore provider in the real dynamic-provider host, driven over gRPC like the engine, on moto."""

from __future__ import annotations

from typing import Any

import pytest

from components.restore_cluster import ClusterRestoreProvider
from policies.restores import OWNERSHIP_TAG
from tests.providers.conftest import seed_cluster, seed_snapshot
from tests.providers.dynamic_host import (
    UNKNOWN,
    DynamicProviderHost,
    ProviderCallError,
    dynamic_host_fixture,  # noqa: F401
)

OWNER = "redshift-backup/host/drill"


def inputs(**extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": "drill", "ownership_tag_value": OWNER,
            "source": {"latest_snapshot_of": "analytics-prod"}, "timeout_minutes": 75,
            "final_snapshot_retention_days": 7, "skip_final_snapshot": False, "publicly_accessible": False,
            "tags": {"purpose": "drill"}, **extra}


@pytest.fixture
def prod(redshift: Any) -> None:
    seed_cluster(redshift, "analytics-prod")
    seed_snapshot(redshift, "analytics-prod", "nightly")


def test_cluster_restore_lifecycle_through_the_host(dynamic_host: DynamicProviderHost, redshift: Any,
                                                    prod: None) -> None:
    provider = ClusterRestoreProvider()
    checked, failures = dynamic_host.check(provider, {}, inputs())
    assert failures == []
    assert checked["source"] == {"latest_snapshot_of": "analytics-prod"}

    id_, outs = dynamic_host.create(provider, checked)
    assert id_ == "drill"
    assert outs["resolved_snapshot_identifier"] == "nightly"
    assert outs["cluster_arn"] == "arn:aws:redshift:us-east-1:123456789012:cluster:drill"
    assert outs["endpoint_port"] == 5439
    cluster = redshift.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    tags = {t["Key"]: t["Value"] for t in cluster["Tags"]}
    assert tags == {OWNERSHIP_TAG: OWNER, "purpose": "drill"}
    # Progress went to the host's stderr, where the engine shows it.
    dynamic_host.wait_for_stderr("cluster drill: available, restore completed")

    # A new snapshot does not make the next preview flap: the resolved source is in the outputs.
    seed_snapshot(redshift, "analytics-prod", "later")
    assert dynamic_host.diff(provider, id_, outs, checked).changes is False
    in_place = dynamic_host.diff(provider, id_, outs, {**checked, "tags": {"purpose": "drill2"}})
    assert in_place.changes is True and in_place.replaces == []
    replace = dynamic_host.diff(provider, id_, outs, {**checked, "kms_key_id": "alias/other"})
    assert replace.replaces == ["kms_key_id"] and replace.delete_before_replace is True

    outs = dynamic_host.update(provider, id_, outs, {**checked, "tags": {"purpose": "drill2"}})
    cluster = redshift.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    assert {t["Key"]: t["Value"] for t in cluster["Tags"]} == {OWNERSHIP_TAG: OWNER, "purpose": "drill2"}
    assert outs["tags"] == {"purpose": "drill2"} and outs["resolved_snapshot_identifier"] == "nightly"

    read_id, read_outs = dynamic_host.read(provider, id_, outs)
    assert read_id == "drill" and read_outs["cluster_status"] == "available"

    dynamic_host.delete(provider, id_, outs)
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["analytics-prod"]
    assert any(s["SnapshotIdentifier"].startswith("drill-final-")
               for s in redshift.describe_cluster_snapshots()["Snapshots"])
    gone_id, gone_outs = dynamic_host.read(provider, id_, outs)
    assert gone_id is None and gone_outs == {}


def test_check_in_the_host_fails_early_and_skips_unknowns(dynamic_host: DynamicProviderHost) -> None:
    provider = ClusterRestoreProvider()
    _, failures = dynamic_host.check(provider, {}, inputs(multi_az=True, port=80))
    assert sorted(prop for prop, _ in failures) == ["multi_az", "port"]
    _, preview = dynamic_host.check(provider, {}, inputs(source=UNKNOWN, cluster_subnet_group_name=UNKNOWN))
    assert preview == []


def test_a_refused_create_reaches_the_engine_with_its_reason(dynamic_host: DynamicProviderHost, redshift: Any,
                                                             prod: None) -> None:
    seed_cluster(redshift, "drill")
    with pytest.raises(ProviderCallError) as info:
        dynamic_host.create(ClusterRestoreProvider(), inputs())
    assert "cluster drill already exists and is not ours" in info.value.message
    assert len(redshift.describe_clusters()["Clusters"]) == 2
