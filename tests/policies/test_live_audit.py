"""The pure half of `audit`: what a stack promises per resource, AWS Backup selection matching, and the gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from policies.live_audit import Facts, Promise, audit_resources, fails, gaps_of, promise_for, selection_covers
from policies.validation import validate_config

REGION = "us-east-1"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ARN = "arn:aws:redshift:us-east-1:123456789012:cluster:{}"


def stack(*policies: dict[str, Any]) -> list[Any]:
    return validate_config({"policies": list(policies)}, REGION).policies


GOLD = {
    "name": "gold",
    "selection": {"clusters": ["orders-prod", "sales-*"], "not_resources": ["sales-scratch"],
                  "conditions": {"string_equals": [{"key": "tier", "value": "gold"}]}},
    "backup": {"rules": [{"name": "daily", "schedule": "cron(0 5 * * ? *)", "start_window_minutes": 120,
                          "completion_window_minutes": 480, "delete_after_days": 35,
                          "copy_actions": [{"destination_region": "us-west-2"}]}],
               "vault": {"lock": {"mode": "governance", "min_retention_days": 7, "max_retention_days": 100}}},
}
NATIVE = {
    "name": "native",
    "selection": {"clusters": ["orders-prod"]},
    "snapshots": {"schedule": ["cron(0 0,12 *)"], "automated_snapshot_retention_days": 7,
                  "cross_region_copy": {"destination_region": "us-west-2"}},
}


def cluster(identifier: str, **facts: Any) -> Facts:
    return Facts(kind="cluster", identifier=identifier, arn=ARN.format(identifier), **facts)


def test_promise_merges_every_covering_policy_and_layer() -> None:
    promise = promise_for(stack(GOLD, NATIVE), cluster("orders-prod"), REGION, NOW)
    assert promise.policies == ("gold", "native")
    assert (promise.backup, promise.native) == (True, True)
    # Daily AWS Backup at 05:00 and native snapshots at 00:00 and 12:00: the longest gap is 12:00 -> 24:00.
    assert promise.rpo == timedelta(hours=12)
    assert promise.tolerance == timedelta(hours=2)
    assert promise.automated_retention_days == 7
    assert promise.native_copy_region == "us-west-2"
    assert promise.backup_copy_regions == ("us-west-2",)
    assert promise.shortest_backup_retention_days == 35
    assert promise.vault_lock is True


@pytest.mark.parametrize(("facts", "policies"), [
    (cluster("sales-eu"), ("gold",)),  # a wildcard entry
    (cluster("sales-scratch"), ()),  # excluded by not_resources
    (cluster("billing", tags={"tier": "gold"}), ("gold",)),  # tag conditions
    (cluster("billing", tags={"tier": "silver"}), ()),
])
def test_coverage_follows_names_wildcards_exclusions_and_tags(facts: Facts, policies: tuple[str, ...]) -> None:
    assert promise_for(stack(GOLD), facts, REGION, NOW).policies == policies


def test_tag_selected_clusters_get_no_native_promise_without_discovery() -> None:
    promise = promise_for(stack(GOLD), cluster("billing", tags={"tier": "gold"}), REGION, NOW)
    assert (promise.backup, promise.native, promise.automated_retention_days) == (True, False, None)


def test_namespaces_are_covered_by_their_arn() -> None:
    namespace_arn = "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/3f8e2a4c-0000-0000-0000-000000000001"
    policy = {**GOLD, "selection": {"serverless_namespaces": [namespace_arn]}}
    facts = Facts(kind="namespace", identifier="warehouse", arn=namespace_arn)
    assert promise_for(stack(policy), facts, REGION, NOW).policies == ("gold",)


@pytest.mark.parametrize(("selection", "tags", "covered"), [
    ({"Resources": [ARN.format("a")]}, {}, True),
    ({"Resources": [ARN.format("*")]}, {}, True),
    ({"Resources": [ARN.format("*")], "NotResources": [ARN.format("a")]}, {}, False),
    ({"Resources": [ARN.format("b*")]}, {}, False),
    ({"Resources": [ARN.format("*")],
      "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "gold"}]}},
     {"tier": "gold"}, True),
    ({"Resources": [ARN.format("*")],
      "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "gold"}]}},
     {}, False),
    ({"Resources": [ARN.format("*")],
      "Conditions": {"StringNotEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "none"}]}},
     {"backup": "none"}, False),
    ({"Resources": [ARN.format("*")],
      "Conditions": {"StringLike": [{"ConditionKey": "aws:ResourceTag/team", "ConditionValue": "data-*"}]}},
     {"team": "data-eng"}, True),
    ({"Resources": [ARN.format("*")],
      "Conditions": {"StringNotLike": [{"ConditionKey": "aws:ResourceTag/team", "ConditionValue": "data-*"}]}},
     {"team": "data-eng"}, False),
    ({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]},
     {"backup": "daily"}, True),
    ({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]},
     {}, False),
])
def test_selection_matching_follows_aws_backup(selection: dict[str, Any], tags: dict[str, str],
                                               covered: bool) -> None:
    assert selection_covers(selection, ARN.format("a"), tags) is covered


def full_facts(**changes: Any) -> Facts:
    facts = cluster("orders-prod", automated_retention_days=7, snapshot_schedule=("cron(0 0,12 *)",),
                    native_copy_region="us-west-2", newest_snapshot=NOW - timedelta(hours=3),
                    backup_selections=("gold/gold-clusters",), backup_vaults=("gold-vault",),
                    locked_vaults=("gold-vault",), backup_copy_regions=("us-west-2",),
                    shortest_backup_retention_days=35, newest_recovery_point=NOW - timedelta(hours=7))
    return Facts(**{**facts.__dict__, **changes})


def kinds(facts: Facts) -> list[tuple[str, str]]:
    promise = promise_for(stack(GOLD, NATIVE), facts, REGION, NOW)
    return [(g.kind, g.level) for g in gaps_of(facts, promise, NOW)]


def test_an_account_that_keeps_every_promise_has_no_gap() -> None:
    assert kinds(full_facts()) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"backup_selections": ()}, [("uncovered", "high")]),
    ({"newest_snapshot": NOW - timedelta(hours=20), "newest_recovery_point": NOW - timedelta(hours=15)},
     [("stale", "high")]),
    # 13 hours: beyond the 12-hour RPO but inside its 2-hour start window.
    ({"newest_snapshot": NOW - timedelta(hours=13), "newest_recovery_point": None}, []),
    ({"newest_snapshot": None, "newest_recovery_point": None}, [("stale", "high")]),
    ({"automated_retention_days": 1}, [("retention", "medium")]),
    ({"automated_retention_days": 0}, [("retention", "high")]),
    ({"shortest_backup_retention_days": 7}, [("retention", "medium")]),
    ({"native_copy_region": None}, [("copy_missing", "high")]),
    ({"native_copy_region": "eu-west-1"}, [("copy_missing", "high")]),
    ({"backup_copy_regions": ()}, [("copy_missing", "high")]),
    ({"locked_vaults": ()}, [("vault_lock", "medium")]),
    ({"snapshot_schedule": ()}, [("schedule", "medium")]),
])
def test_each_gap(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert kinds(full_facts(**changes)) == expected


def test_gap_messages_say_what_was_found_and_what_was_promised() -> None:
    facts = full_facts(newest_snapshot=NOW - timedelta(days=2, hours=3), newest_recovery_point=None,
                       automated_retention_days=1)
    promise = promise_for(stack(GOLD, NATIVE), facts, REGION, NOW)
    messages = [g.message for g in gaps_of(facts, promise, NOW)]
    assert messages == [
        "cluster orders-prod: the newest recovery point or snapshot is 2 days 3 hours old; the stack promises an RPO "
        "of 12 hours (plus a start window of 2 hours)",
        "cluster orders-prod keeps automated snapshots 1 day; the stack promises 7 days",
    ]
    stray = cluster("stray")
    (gap,) = gaps_of(stray, Promise(), NOW)
    assert gap.message == ("cluster stray is covered by no policy of this stack (not named, and its tags match no "
                           "selection): name it in a policy's selection, or tag it")


def test_fail_on_thresholds_and_order() -> None:
    audits = audit_resources(stack(GOLD, NATIVE), [full_facts(locked_vaults=()), cluster("a-stray")], REGION, NOW)
    assert [a.facts.identifier for a in audits] == ["a-stray", "orders-prod"]
    assert fails(audits, "high") and fails(audits, "medium") and not fails(audits, "never")
    only_medium = audit_resources(stack(GOLD, NATIVE), [full_facts(locked_vaults=())], REGION, NOW)
    assert not fails(only_medium, "high") and fails(only_medium, "medium")
