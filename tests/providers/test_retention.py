"""The snapshot retention provider against a moto server on 127.0.0.1, asserted through describe_clusters."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.output import Unknown
from pulumi.runtime import rpc

from components.retention import SnapshotRetentionProvider
from policies.errors import ProviderError
from tests.providers.conftest import REGION, seed_cluster

CLUSTER = "analytics-prod"


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the provider logs with pulumi.log.warn (the risk lines)."""
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *args, **kwargs: seen.append(msg))
    return seen


def _live(redshift: Any, cluster: str = CLUSTER) -> dict[str, Any]:
    return redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]  # type: ignore[no-any-return]


def _props(automated: int | None = 7, manual: int | None = None, cluster: str = CLUSTER) -> dict[str, Any]:
    return {"cluster_identifier": cluster, "region": REGION, "automated_snapshot_retention_days": automated,
            "manual_snapshot_retention_days": manual}


def test_create_sets_retention_and_records_what_it_found(redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3)
    before = _live(redshift)
    result = SnapshotRetentionProvider().create(_props(automated=7))
    assert result.id == CLUSTER
    assert result.outs["previous_automated_snapshot_retention_days"] == 3
    assert result.outs["previous_manual_snapshot_retention_days"] is None  # not managed, not recorded
    after = _live(redshift)
    assert after["AutomatedSnapshotRetentionPeriod"] == 7
    # What it found, recorded on the cluster before the change (a re-run after an interruption reads it there).
    assert after["Tags"] == [{"Key": "redshift-backup:retention-found", "Value": "cluster=analytics-prod automated=3"}]
    # Nothing but retention and that tag was sent: every other setting is as it was.
    changed = ("AutomatedSnapshotRetentionPeriod", "Tags")
    unchanged = {k: v for k, v in after.items() if k not in changed}
    assert unchanged == {k: v for k, v in before.items() if k not in changed}


def test_create_on_a_missing_cluster_fails_with_the_reason(aws_env: str) -> None:
    with pytest.raises(ProviderError, match="cluster 'ghost' does not exist in us-east-1"):
        SnapshotRetentionProvider().create(_props(cluster="ghost"))


def test_create_lowering_retention_logs_the_risk(redshift: Any, warnings: list[str]) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=14)
    SnapshotRetentionProvider().create(_props(automated=5))
    assert warnings == ["risk: cluster 'analytics-prod': automated snapshot retention goes from 14 days to 5 days: "
                        "automated snapshots older than 5 days are deleted at once"]
    assert _live(redshift)["AutomatedSnapshotRetentionPeriod"] == 5


def test_update_changes_retention_in_place_and_keeps_the_first_record(redshift: Any, warnings: list[str]) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=2)
    provider = SnapshotRetentionProvider()
    outs = provider.create(_props(automated=7)).outs
    updated = provider.update(CLUSTER, outs, _props(automated=10)).outs
    assert _live(redshift)["AutomatedSnapshotRetentionPeriod"] == 10
    assert updated["automated_snapshot_retention_days"] == 10
    assert updated["previous_automated_snapshot_retention_days"] == 2  # what was found before the first change
    assert warnings == []  # raising retention deletes nothing


def test_a_setting_no_longer_managed_goes_back_to_what_was_found(redshift: Any, warnings: list[str]) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=4)
    provider = SnapshotRetentionProvider()
    outs = provider.create(_props(automated=9)).outs
    updated = provider.update(CLUSTER, outs, _props(automated=None, manual=30)).outs
    assert _live(redshift)["AutomatedSnapshotRetentionPeriod"] == 4
    assert updated["previous_automated_snapshot_retention_days"] is None
    assert warnings and "goes from 9 days to 4 days" in warnings[0]


def test_read_reports_drift_and_a_vanished_cluster(redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER)
    provider = SnapshotRetentionProvider()
    outs = provider.create(_props(automated=7)).outs
    assert provider.read(CLUSTER, outs).outs == outs  # no drift
    redshift.modify_cluster(ClusterIdentifier=CLUSTER, AutomatedSnapshotRetentionPeriod=2)  # changed by hand
    drifted = provider.read(CLUSTER, outs)
    assert drifted.id == CLUSTER and drifted.outs["automated_snapshot_retention_days"] == 2
    assert provider.diff(CLUSTER, drifted.outs, _props(automated=7)).changes is True  # `up` puts 7 back
    redshift.delete_cluster(ClusterIdentifier=CLUSTER, SkipFinalClusterSnapshot=True)
    gone = provider.read(CLUSTER, outs)
    assert (gone.id, gone.outs) == (None, {})


def test_delete_restores_the_values_found(redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3)
    provider = SnapshotRetentionProvider()
    outs = provider.create(_props(automated=12)).outs
    provider.delete(CLUSTER, outs)
    assert _live(redshift)["AutomatedSnapshotRetentionPeriod"] == 3
    assert _live(redshift)["Tags"] == []  # the record goes once the values are back


def test_a_create_rerun_after_the_change_reads_the_values_found_from_the_cluster(redshift: Any) -> None:
    # The first create changed the cluster, then its answer was lost: the engine runs create again, with no state.
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3, )
    provider = SnapshotRetentionProvider()
    provider.create(_props(automated=12, manual=30))
    again = provider.create(_props(automated=12, manual=30)).outs
    assert (again["previous_automated_snapshot_retention_days"], again["previous_manual_snapshot_retention_days"]) \
        == (3, -1)
    provider.delete(CLUSTER, again)
    live = _live(redshift)
    assert (live["AutomatedSnapshotRetentionPeriod"], live["ManualSnapshotRetentionPeriod"], live["Tags"]) == (
        3, -1, [])


def test_a_record_tag_of_another_cluster_is_not_read(redshift: Any) -> None:
    # Tags travel with snapshots into restored clusters: a record naming another cluster says nothing of this one.
    seed_cluster(redshift, CLUSTER, AutomatedSnapshotRetentionPeriod=3,
                 Tags=[{"Key": "redshift-backup:retention-found", "Value": "cluster=elsewhere automated=20"}])
    outs = SnapshotRetentionProvider().create(_props(automated=12)).outs
    assert outs["previous_automated_snapshot_retention_days"] == 3


def test_delete_of_a_cluster_that_disappeared_is_done(redshift: Any) -> None:
    seed_cluster(redshift, CLUSTER)
    provider = SnapshotRetentionProvider()
    outs = provider.create(_props(automated=12)).outs
    redshift.delete_cluster(ClusterIdentifier=CLUSTER, SkipFinalClusterSnapshot=True)
    provider.delete(CLUSTER, outs)  # must not raise
    assert redshift.describe_clusters()["Clusters"] == []


def test_diff_replaces_on_identity_and_updates_retention_in_place(warnings: list[str]) -> None:
    provider = SnapshotRetentionProvider()
    olds = {**_props(automated=7), "previous_automated_snapshot_retention_days": 1,
            "previous_manual_snapshot_retention_days": None}
    assert provider.diff(CLUSTER, olds, _props(automated=7)).changes is False
    moved = provider.diff(CLUSTER, olds, _props(automated=7, cluster="finance-prod"))
    assert moved.changes is True and moved.replaces == ["cluster_identifier"]
    raised = provider.diff(CLUSTER, olds, _props(automated=8))
    assert raised.changes is True and raised.replaces == [] and warnings == []
    lowered = provider.diff(CLUSTER, olds, _props(automated=0))
    assert lowered.replaces == [] and lowered.changes is True
    assert warnings == ["risk: cluster 'analytics-prod': automated snapshot retention goes from 7 days to 0: "
                        "automated snapshots are turned off and every existing automated snapshot is deleted at "
                        "once"]


def test_check_reports_bad_inputs_and_lets_unknowns_through() -> None:
    provider = SnapshotRetentionProvider()
    bad = provider.check({}, _props(automated=36.0, manual=0, cluster="Bad_Name"))  # type: ignore[arg-type]
    assert sorted(f.property for f in bad.failures) == ["automated_snapshot_retention_days", "cluster_identifier",
                                                         "manual_snapshot_retention_days"]
    ok = provider.check({}, _props(automated=7.0))  # type: ignore[arg-type]
    assert ok.failures == [] and ok.inputs["automated_snapshot_retention_days"] == 7
    assert isinstance(ok.inputs["automated_snapshot_retention_days"], int)
    preview = provider.check({}, {**_props(), "cluster_identifier": Unknown()})
    assert preview.failures == []
    # The engine's wire form of an unknown, as the dynamic host may hand it over.
    wire = provider.check({}, {**_props(), "cluster_identifier": rpc.UNKNOWN})
    assert wire.failures == []
    assert provider.diff("x", _props(), {**_props(), "cluster_identifier": rpc.UNKNOWN}).replaces == [
        "cluster_identifier"]
    nothing = provider.check({}, _props(automated=None, manual=None))
    assert [f.property for f in nothing.failures] == ["automated_snapshot_retention_days"]
