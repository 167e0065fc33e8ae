"""`RedshiftSnapshotPolicy` under the mock runtime: every resource of the example stacks, its parent and key inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from components.retention import SnapshotRetention
from components.snapshot_policy import TOKEN, RedshiftSnapshotPolicy
from policies.errors import ConfigError
from policies.validation import load_stack_file
from redshift_backup import mockrun

ROOT = Path(__file__).resolve().parents[2]
NAME = "prod-analytics-snapshots"
RETENTION = f"pulumi-python:{SnapshotRetention._resource_type_name}"
CLUSTERS = ["analytics-prod", "finance-prod"]


@pytest.fixture
def options(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Resource options the recording monitor does not keep (replaceOnChanges, deleteBeforeReplace), by name."""
    seen: dict[str, dict[str, Any]] = {}

    class Monitor(mockrun.RecordingMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            seen[request.name] = {"replace_on_changes": sorted(request.replaceOnChanges),
                                  "delete_before_replace": request.deleteBeforeReplace}
            return super().RegisterResource(request)

    monkeypatch.setattr(mockrun, "RecordingMonitor", Monitor)
    return seen


def _stack_config(file: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / file).read_text())["config"]  # type: ignore[no-any-return]


def _run(policy: Any, *, preview: bool = False, with_topic: bool = True, config: dict[str, Any] | None = None
         ) -> mockrun.ProgramRun:
    def program() -> None:
        topic = aws.sns.Topic("shared-events") if with_topic else None
        component = RedshiftSnapshotPolicy(NAME, policy=policy, region="us-east-1",
                                           topic_arn=topic.arn if topic else None)
        pulumi.export("clusters", component.cluster_identifiers)
        pulumi.export("grant", component.copy_grant_name)
        pulumi.export("schedule_id", component.schedule_id)
        pulumi.export("subscription_id", component.event_subscription_id)

    return mockrun.run_program(config or {"aws:region": "us-east-1"}, preview=preview, program=program)


@pytest.fixture(scope="module")
def prod_policy() -> Any:
    return load_stack_file(ROOT / "Pulumi.prod.yaml").policies[0]


def test_prod_stack_registers_the_whole_native_layer(prod_policy: Any, options: dict[str, Any]) -> None:
    run = _run(prod_policy, config=_stack_config("Pulumi.prod.yaml"))
    names = {(r.type, r.name) for r in run.registrations}
    assert names == {
        ("aws:sns/topic:Topic", "shared-events"),
        (TOKEN, NAME),
        ("aws:redshift/snapshotSchedule:SnapshotSchedule", f"{NAME}-schedule"),
        ("aws:redshift/snapshotCopyGrant:SnapshotCopyGrant", f"{NAME}-copy-grant"),
        # Used alone (no shared providers given), the component makes its own provider for the grant's region.
        ("pulumi:providers:aws", f"{NAME}-provider-us-west-2"),
        ("aws:redshift/eventSubscription:EventSubscription", f"{NAME}-events"),
        ("aws:redshift/eventSubscription:EventSubscription", f"{NAME}-snapshot-events"),
        *{("aws:redshift/snapshotScheduleAssociation:SnapshotScheduleAssociation", f"{NAME}-{c}-schedule")
          for c in CLUSTERS},
        *{("aws:redshift/snapshotCopy:SnapshotCopy", f"{NAME}-{c}-copy") for c in CLUSTERS},
        *{(RETENTION, f"{NAME}-{c}-retention") for c in CLUSTERS},
    }
    component = run.named(NAME)
    assert component.parent is None and not component.custom
    assert all(r.parent == component.urn for r in run.registrations if r.name.startswith(f"{NAME}-"))

    schedule = run.named(f"{NAME}-schedule")
    assert schedule.inputs["identifier"] == "prod-analytics-snapshot-schedule"
    assert schedule.inputs["definitions"] == ["cron(0 0,12 *)", "cron(30 6 SAT)"]
    assert schedule.inputs["region"] == "us-east-1"
    assert schedule.inputs["tags"] == {"environment": "prod", "owner": "data-platform", "cost-center": "4711"}
    for cluster in CLUSTERS:
        assoc = run.named(f"{NAME}-{cluster}-schedule")
        assert assoc.inputs == {"clusterIdentifier": cluster, "scheduleIdentifier": f"{NAME}-schedule-id",
                                "region": "us-east-1"}
        retention = run.named(f"{NAME}-{cluster}-retention")
        assert retention.inputs["cluster_identifier"] == cluster
        assert retention.inputs["automated_snapshot_retention_days"] == 7
        assert retention.inputs["manual_snapshot_retention_days"] == 90
        # Cluster modifications go one after another: retention first.
        assert retention.urn in assoc.dependencies
    assert run.outputs["clusters"] == CLUSTERS
    assert run.outputs["schedule_id"] == f"{NAME}-schedule-id"


def test_prod_cross_region_copy_uses_a_grant_in_the_destination(prod_policy: Any,
                                                                 options: dict[str, Any]) -> None:
    run = _run(prod_policy)
    grant = run.named(f"{NAME}-copy-grant")
    # Created in the destination region through an explicit provider.
    provider = run.named(f"{NAME}-provider-us-west-2")
    assert provider.inputs["region"] == "us-west-2" and "region" not in grant.inputs
    assert grant.provider is not None and grant.provider.startswith(provider.urn + "::")
    assert grant.inputs["snapshotCopyGrantName"] == "prod-analytics-copy-grant"
    assert grant.inputs["kmsKeyId"] == prod_policy.snapshots.cross_region_copy.kms_key_id
    for cluster in CLUSTERS:
        copy = run.named(f"{NAME}-{cluster}-copy")
        assert copy.inputs == {"clusterIdentifier": cluster, "destinationRegion": "us-west-2", "retentionPeriod": 7,
                               "snapshotCopyGrantName": "prod-analytics-copy-grant", "region": "us-east-1"}
        assert grant.urn in copy.dependencies
        # One change at a time per cluster: retention, then the schedule association, then the copy.
        association, retention = run.named(f"{NAME}-{cluster}-schedule"), run.named(f"{NAME}-{cluster}-retention")
        assert {association.urn, retention.urn} <= set(copy.dependencies)
        assert copy.urn not in association.dependencies and association.urn not in retention.dependencies
        # A new destination (or grant) is disable-then-enable: replaced, the old one removed first.
        assert options[copy.name] == {"replace_on_changes": ["destinationRegion", "snapshotCopyGrantName"],
                                      "delete_before_replace": True}
    assert run.outputs["grant"] == "prod-analytics-copy-grant"


def test_prod_events_go_to_the_shared_topic(prod_policy: Any) -> None:
    run = _run(prod_policy)
    topic = run.named("shared-events")
    sub = run.named(f"{NAME}-events")
    assert sub.inputs["snsTopicArn"] == topic.outputs["arn"]
    assert sub.inputs["sourceType"] == "cluster"
    assert sub.inputs["sourceIds"] == CLUSTERS
    assert sub.inputs["eventCategories"] == ["management", "monitoring"]
    assert sub.inputs["name"] == "prod-analytics-redshift-events"
    assert "severity" not in sub.inputs
    assert run.outputs["subscription_id"] == f"{NAME}-events-id"
    # The clusters' snapshots, to the same topic: by source type, since snapshot identifiers are not known ahead.
    snapshots = run.named(f"{NAME}-snapshot-events")
    assert snapshots.inputs == {"name": "prod-analytics-redshift-snapshot-events", "snsTopicArn": topic.outputs["arn"],
                                "sourceType": "cluster-snapshot", "eventCategories": ["management", "monitoring"],
                                "enabled": True, "region": "us-east-1", "tags": sub.inputs["tags"]}


def test_preview_registers_the_same_resources_with_unknown_outputs(prod_policy: Any) -> None:
    applied = {(r.type, r.name) for r in _run(prod_policy).registrations}
    preview = _run(prod_policy, preview=True)
    assert {(r.type, r.name) for r in preview.registrations} == applied
    assert preview.outputs["clusters"] == CLUSTERS


POLICY = {
    "name": "warehouse",
    "selection": {"clusters": ["warehouse-a", "arn:aws:redshift:us-east-1:111122223333:cluster:warehouse-b"],
                  "not_resources": ["warehouse-b"]},
    "snapshots": {"schedule": ["rate(12 hours)"]},
}


def test_a_schedule_only_policy_creates_only_the_schedule(options: dict[str, Any]) -> None:
    run = _run(POLICY, with_topic=False)
    types = sorted(r.type for r in run.registrations)
    assert types == sorted([TOKEN, "aws:redshift/snapshotSchedule:SnapshotSchedule",
                            "aws:redshift/snapshotScheduleAssociation:SnapshotScheduleAssociation"])
    # warehouse-b is named but excluded by not_resources.
    assert run.named(f"{NAME}-warehouse-a-schedule").inputs["clusterIdentifier"] == "warehouse-a"
    assert run.outputs["clusters"] == ["warehouse-a"]
    assert run.outputs["grant"] is None and run.outputs["subscription_id"] is None
    assert "tags" not in run.named(f"{NAME}-schedule").inputs


def test_an_existing_grant_is_named_not_created() -> None:
    policy = {**POLICY, "snapshots": {"cross_region_copy": {"destination_region": "eu-west-1", "retention_days": 3,
                                                            "manual_snapshot_retention_days": 30,
                                                            "snapshot_copy_grant_name": "org-grant"}}}
    run = _run(policy, with_topic=False)
    assert run.by_type("aws:redshift/snapshotCopyGrant:SnapshotCopyGrant") == []
    copy = run.named(f"{NAME}-warehouse-a-copy")
    assert copy.inputs["snapshotCopyGrantName"] == "org-grant"
    assert copy.inputs["manualSnapshotRetentionPeriod"] == 30 and copy.inputs["retentionPeriod"] == 3
    assert copy.dependencies == []  # no retention resource, no grant to wait for


@pytest.mark.parametrize("snapshots, before_copy", [
    ({"schedule": ["rate(12 hours)"]}, ["schedule"]),
    ({"automated_snapshot_retention_days": 5}, ["retention"]),
    ({"schedule": ["rate(12 hours)"], "manual_snapshot_retention_days": 30}, ["retention", "schedule"]),
], ids=["schedule", "retention", "both"])
def test_a_cluster_copy_waits_for_that_cluster_s_other_changes(snapshots: dict[str, Any],
                                                                before_copy: list[str]) -> None:
    clusters = ["warehouse-a", "warehouse-c"]
    policy = {**POLICY, "selection": {"clusters": clusters},
              "snapshots": {**snapshots, "cross_region_copy": {"destination_region": "eu-west-1"}}}
    run = _run(policy, with_topic=False)
    for cluster in clusters:
        other = next(c for c in clusters if c != cluster)
        copy = run.named(f"{NAME}-{cluster}-copy")
        # Only this cluster's changes: the clusters themselves are changed in parallel.
        assert sorted(copy.dependencies) == sorted(run.named(f"{NAME}-{cluster}-{kind}").urn for kind in before_copy)
        assert not any(f"{other}-" in urn for urn in copy.dependencies)
        if before_copy == ["retention", "schedule"]:
            association = run.named(f"{NAME}-{cluster}-schedule")
            assert run.named(f"{NAME}-{cluster}-retention").urn in association.dependencies


@pytest.mark.parametrize("timeout", [None, 90])
def test_the_retention_deadline_is_passed_to_each_retention_resource(timeout: int | None) -> None:
    def program() -> None:
        RedshiftSnapshotPolicy(NAME, policy={**POLICY, "snapshots": {"automated_snapshot_retention_days": 5}},
                               region="us-east-1", retention_timeout_minutes=timeout)

    run = mockrun.run_program({"aws:region": "us-east-1"}, preview=False, program=program)
    retention = run.named(f"{NAME}-warehouse-a-retention")
    # None is left out of the inputs: the provider's default (30 minutes) applies.
    assert retention.inputs.get("timeout_minutes") == timeout


def test_the_policy_topic_is_used_when_no_shared_topic_is_given() -> None:
    topic = "arn:aws:sns:us-east-1:111122223333:dba-events"
    policy = {**POLICY, "notifications": {"sns_topic_arn": topic, "redshift_event_severity": "ERROR",
                                          "redshift_event_categories": ["monitoring"]}}
    run = _run(policy, with_topic=False)
    for key in ("events", "snapshot-events"):
        sub = run.named(f"{NAME}-{key}")
        assert (sub.inputs["snsTopicArn"], sub.inputs["severity"], sub.inputs["eventCategories"]) == (
            topic, "ERROR", ["monitoring"])


def test_no_topic_at_all_means_no_subscription() -> None:
    policy = {**POLICY, "notifications": {"emails": ["dba@example.com"]}}
    run = _run(policy, with_topic=False)
    assert run.by_type("aws:redshift/eventSubscription:EventSubscription") == []


@pytest.mark.parametrize("policy, path", [
    ({**POLICY, "snapshots": {"automated_snapshot_retention_days": 40}},
     "policy.snapshots.automated_snapshot_retention_days"),
    ({**POLICY, "selection": {"clusters": ["arn:aws:redshift:eu-west-1:111122223333:cluster:elsewhere"]}},
     "policy.selection.clusters[0]"),
])
def test_an_invalid_policy_registers_nothing(policy: dict[str, Any], path: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[Any] = []

    class Spy(mockrun.RecordingMonitor):
        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            self.registrations = registered

    monkeypatch.setattr(mockrun, "RecordingMonitor", Spy)
    with pytest.raises(ConfigError) as caught:
        _run(policy, with_topic=False)
    assert [p.path for p in caught.value.problems] == [path]
    assert registered == []


def test_the_dev_stack_has_no_native_layer() -> None:
    dev = load_stack_file(ROOT / "Pulumi.dev.yaml").policies[0]
    with pytest.raises(ConfigError, match="policy.snapshots: is not set"):
        _run(dev, with_topic=False)
