"""Pure planning of the native layer: which clusters, which names, and what a change would delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.errors import ConfigError
from policies.models import Policy
from policies.native_plan import (
    MANUAL_SNAPSHOT_CAVEAT,
    CopyPlan,
    EventPlan,
    EventSubscriptionPlan,
    native_change_risks,
    plan_native_layer,
    protected_clusters,
    retention_change_risks,
    retention_input_problems,
    tags_match,
)
from policies.selection import Conditions
from policies.validation import load_stack_file, validate_policy

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


def policy(**snapshots: Any) -> Policy:
    raw = {"name": "warehouse", "selection": {"clusters": ["warehouse-a", "warehouse-b"]},
           "snapshots": snapshots or {"automated_snapshot_retention_days": 7}}
    return validate_policy(raw, REGION)


def test_prod_stack_plan_is_pinned() -> None:
    prod = load_stack_file(ROOT / "Pulumi.prod.yaml").policies[0]
    plan = plan_native_layer(prod, REGION)
    assert plan.clusters == ("analytics-prod", "finance-prod")  # analytics-prod-scratch is excluded, never named
    assert plan.schedule_identifier == "prod-analytics-snapshot-schedule"
    assert plan.schedule_definitions == ("cron(0 0,12 *)", "cron(30 6 SAT)")
    assert (plan.automated_snapshot_retention_days, plan.manual_snapshot_retention_days) == (7, 90)
    assert plan.copy == CopyPlan("us-west-2", 7, None, "prod-analytics-copy-grant",
                                 "arn:aws:kms:us-west-2:111122223333:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
    assert plan.events == EventPlan((
        EventSubscriptionPlan("events", "prod-analytics-redshift-events", "cluster",
                              ("analytics-prod", "finance-prod"), ("management", "monitoring")),
        # Snapshot identifiers are not known in advance: every snapshot of the account and region.
        EventSubscriptionPlan("snapshot-events", "prod-analytics-redshift-snapshot-events", "cluster-snapshot", (),
                              ("management", "monitoring")),
    ), None, None)


@pytest.mark.parametrize("categories, snapshot_categories", [
    (["monitoring", "security"], ("monitoring",)),
    (["configuration", "security", "pending"], None),
])
def test_snapshot_events_keep_only_the_categories_snapshots_have(categories: list[str],
                                                                  snapshot_categories: tuple[str, ...] | None
                                                                  ) -> None:
    raw = {"name": "warehouse", "selection": {"clusters": ["warehouse-a"]},
           "snapshots": {"schedule": ["rate(8 hours)"]},
           "notifications": {"redshift_event_categories": categories}}
    events = plan_native_layer(validate_policy(raw, REGION), REGION).events
    assert events is not None
    clusters, *snapshots = events.subscriptions
    assert (clusters.source_type, clusters.categories) == ("cluster", tuple(categories))
    assert [s.categories for s in snapshots] == ([snapshot_categories] if snapshot_categories else [])


def test_a_policy_without_snapshots_cannot_be_planned() -> None:
    dev = load_stack_file(ROOT / "Pulumi.dev.yaml").policies[0]
    with pytest.raises(ConfigError, match="policy.snapshots: is not set"):
        plan_native_layer(dev, REGION)


def test_a_cluster_arn_in_another_region_is_rejected_with_its_path() -> None:
    raw = {"name": "warehouse", "snapshots": {"automated_snapshot_retention_days": 7},
           "selection": {"clusters": ["warehouse-a", "arn:aws:redshift:eu-west-1:111122223333:cluster:far"]}}
    with pytest.raises(ConfigError) as caught:
        validate_policy(raw, REGION)
    assert [p.render() for p in caught.value.problems] == [
        "policy.selection.clusters[1]: is in region eu-west-1, but a stack protects resources of its own region "
        "(us-east-1) only: declare it in a stack of that region "
        "(received 'arn:aws:redshift:eu-west-1:111122223333:cluster:far')"]


def test_protected_clusters_keep_named_order_then_sorted_discoveries_without_exclusions() -> None:
    raw = {"name": "warehouse", "snapshots": {"automated_snapshot_retention_days": 7},
           "selection": {"clusters": ["zeta", "alpha"], "not_resources": ["gamma"], "discover_tagged_clusters": True,
                         "conditions": {"string_equals": [{"key": "tier", "value": "1"}]}}}
    assert protected_clusters(validate_policy(raw, REGION), ["gamma", "delta", "alpha", "beta"]) == [
        "zeta", "alpha", "beta", "delta"]


def test_no_event_plan_without_notifications_or_categories() -> None:
    assert plan_native_layer(policy(), REGION).events is None
    raw = {"name": "warehouse", "selection": {"clusters": ["warehouse-a"]},
           "snapshots": {"schedule": ["rate(8 hours)"]},
           "notifications": {"redshift_event_categories": [], "backup_vault_events": ["COPY_JOB_FAILED"]}}
    assert plan_native_layer(validate_policy(raw, REGION), REGION).events is None


def test_an_existing_grant_is_used_and_none_is_created() -> None:
    plan = plan_native_layer(policy(cross_region_copy={"destination_region": "eu-west-1",
                                                       "snapshot_copy_grant_name": "org-grant"}), REGION)
    assert plan.copy == CopyPlan("eu-west-1", 7, None, "org-grant", None)


# --- tags -----------------------------------------------------------------------------------------------------


def conditions(**ops: dict[str, str]) -> Conditions:
    return Conditions.model_validate({op: [{"key": k, "value": v} for k, v in pairs.items()]
                                      for op, pairs in ops.items()})


@pytest.mark.parametrize("tags, cond, expected", [
    ({"tier": "1"}, conditions(string_equals={"tier": "1"}), True),
    ({"tier": "2"}, conditions(string_equals={"tier": "1"}), False),
    ({}, conditions(string_equals={"tier": "1"}), False),
    ({}, conditions(string_not_equals={"backup": "none"}), True),  # a missing tag is "not equal"
    ({"backup": "none"}, conditions(string_not_equals={"backup": "none"}), False),
    ({"env": "prod-eu"}, conditions(string_like={"env": "prod-*"}), True),
    ({"env": "prod"}, conditions(string_like={"env": "pro?"}), True),
    ({"env": "staging"}, conditions(string_like={"env": "prod-*"}), False),
    ({}, conditions(string_like={"env": "*"}), False),  # StringLike needs the tag
    ({}, conditions(string_not_like={"env": "dev*"}), True),
    ({"env": "dev-1"}, conditions(string_not_like={"env": "dev*"}), False),
    ({"v": "axb"}, conditions(string_like={"v": "a.b"}), False),  # only * and ? are wildcards
    ({"tier": "1", "backup": "none"}, conditions(string_equals={"tier": "1"}, string_not_equals={"backup": "none"}),
     False),  # conditions are ANDed
])
def test_tags_match_follows_aws_backup_conditions(tags: dict[str, str], cond: Conditions, expected: bool) -> None:
    assert tags_match(tags, cond) is expected


# --- risks ----------------------------------------------------------------------------------------------------


def test_lowering_automated_retention_is_a_risk_with_the_numbers() -> None:
    assert retention_change_risks(14, 5, "a") == [
        "cluster 'a': automated snapshot retention goes from 14 days to 5 days: automated snapshots older than 5 days "
        "are deleted at once"]
    assert retention_change_risks(7, 0) == [
        "automated snapshot retention goes from 7 days to 0: automated snapshots are turned off and every existing "
        "automated snapshot is deleted at once"]
    assert retention_change_risks(None, 1) == [] and retention_change_risks(3, None) == []
    assert retention_change_risks(7, 1) == [
        "automated snapshot retention goes from 7 days to 1 day: automated snapshots older than 1 day are deleted "
        "at once"]


@given(st.integers(0, 35), st.integers(0, 35))
def test_a_risk_exactly_when_retention_goes_down(old: int, new: int) -> None:
    assert bool(retention_change_risks(old, new)) is (new < old)


def test_native_change_risks_between_two_versions_of_a_policy() -> None:
    copy = {"destination_region": "us-west-2", "retention_days": 14}
    old = policy(automated_snapshot_retention_days=10, cross_region_copy=copy)
    assert native_change_risks(old, old) == []
    lower = policy(automated_snapshot_retention_days=3, cross_region_copy={**copy, "retention_days": 7})
    assert native_change_risks(old, lower) == [
        "cluster 'warehouse-a': automated snapshot retention goes from 10 days to 3 days: automated snapshots older "
        "than 3 days are deleted at once",
        "cluster 'warehouse-a': retention of automated snapshots copied to us-west-2 goes from 14 days to 7 days: "
        "copies older than 7 days are deleted there at once",
        "cluster 'warehouse-b': automated snapshot retention goes from 10 days to 3 days: automated snapshots older "
        "than 3 days are deleted at once",
        "cluster 'warehouse-b': retention of automated snapshots copied to us-west-2 goes from 14 days to 7 days: "
        "copies older than 7 days are deleted there at once"]
    moved = policy(automated_snapshot_retention_days=10, cross_region_copy={**copy, "destination_region": "eu-west-1"})
    assert native_change_risks(old, moved)[0] == (
        "cluster 'warehouse-a': the copy destination moves from us-west-2 to eu-west-1; copying is disabled, then "
        "enabled again (a replacement)")
    off = policy(automated_snapshot_retention_days=10)
    assert native_change_risks(old, off)[0] == "cluster 'warehouse-a': cross-region copy to us-west-2 is turned off"


def test_a_cluster_leaving_the_layer_is_a_risk_when_retention_was_managed() -> None:
    old = policy(automated_snapshot_retention_days=10)
    risks = native_change_risks(old, None)
    assert len(risks) == 2 and all("leaves the native layer" in r for r in risks)
    assert native_change_risks(policy(schedule=["rate(8 hours)"]), None) == []
    assert native_change_risks(None, old) == []


# --- the retention resource's inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("props, expected", [
    ({"cluster_identifier": "a", "region": REGION, "automated_snapshot_retention_days": 7}, []),
    ({"cluster_identifier": "a", "region": REGION, "manual_snapshot_retention_days": -1}, []),
    ({"cluster_identifier": "A_b", "region": REGION, "automated_snapshot_retention_days": 7}, ["cluster_identifier"]),
    ({"cluster_identifier": "a", "region": "", "automated_snapshot_retention_days": 7}, ["region"]),
    ({"cluster_identifier": "a", "region": REGION, "automated_snapshot_retention_days": 36},
     ["automated_snapshot_retention_days"]),
    ({"cluster_identifier": "a", "region": REGION, "automated_snapshot_retention_days": True},
     ["automated_snapshot_retention_days"]),
    ({"cluster_identifier": "a", "region": REGION, "manual_snapshot_retention_days": 0},
     ["manual_snapshot_retention_days"]),
    ({"cluster_identifier": "a", "region": REGION}, ["automated_snapshot_retention_days"]),
])
def test_retention_inputs_are_checked(props: dict[str, Any], expected: list[str]) -> None:
    assert [prop for prop, _ in retention_input_problems(props)] == expected


def test_the_aws_backup_caveat_names_both_settings() -> None:
    assert "ManualSnapshotRetentionPeriod" in MANUAL_SNAPSHOT_CAVEAT
    assert "delete_after_days" in MANUAL_SNAPSHOT_CAVEAT
