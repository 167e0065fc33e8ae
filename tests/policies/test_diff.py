"""policies.diff: each risk rule triggered by a minimal pair of configs, and what must not be flagged."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from policies.diff import Finding, StackDiff, changed_paths, diff_stacks
from policies.validation import Stack, validate_config

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

BASE: dict[str, Any] = {
    "policies": [{
        "name": "analytics",
        "selection": {"clusters": ["analytics", "finance"]},
        "backup": {
            "rules": [{"name": "daily", "schedule": "cron(0 5 ? * * *)", "delete_after_days": 35,
                       "copy_actions": [{"destination_region": "us-west-2", "delete_after_days": 90}]},
                      {"name": "monthly", "preset": "monthly_1_year"}],
            "vault": {"lock": {"mode": "compliance", "min_retention_days": 7, "max_retention_days": 3650},
                      "allowed_principals": ["arn:aws:iam::111122223333:role/break-glass"]},
        },
        "snapshots": {"schedule": ["cron(0 0,12 *)"], "automated_snapshot_retention_days": 7,
                      "manual_snapshot_retention_days": 30,
                      "cross_region_copy": {"destination_region": "us-west-2", "retention_days": 7}},
        "notifications": {"emails": ["dba@example.com", "oncall@example.com"],
                          "backup_vault_events": ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"]},
    }],
    "restores": [{"name": "analytics-copy", "source": {"latest_snapshot_of": "analytics"}}],
}

Edit = Callable[[dict[str, Any]], None]


def make(edit: Edit | None = None, region: str = "us-east-1") -> Stack:
    raw = copy.deepcopy(BASE)
    if edit:
        edit(raw)
    return validate_config(raw, region)


def policy(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["policies"][0]


def daily(raw: dict[str, Any]) -> dict[str, Any]:
    return policy(raw)["backup"]["rules"][0]


def findings(edit: Edit, base_edit: Edit | None = None, region: str = "us-east-1") -> StackDiff:
    return diff_stacks(make(base_edit), make(edit, region), NOW)


def rules_of(result: StackDiff) -> set[tuple[str, str, str]]:
    return {(f.level, f.rule, f.scope) for f in result.findings}


def test_identical_stacks_have_no_findings() -> None:
    result = diff_stacks(make(), make(), NOW)
    assert result.findings == ()
    assert result.highest is None
    assert not result.fails("medium")


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        target: Any = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(path: tuple[Any, ...]) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        target: Any = raw
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


P = ("policies", 0)
RULE = (*P, "backup", "rules", 0)
NATIVE = (*P, "snapshots")
VAULT = (*P, "backup", "vault")
NOTIFY = (*P, "notifications")

# (expected level, rule id, scope, edit of the new config): each a minimal change that must trigger the rule.
CASES: list[tuple[str, str, str, Edit]] = [
    # --- high
    ("high", "retention-shortened", "policy", _set((*RULE, "delete_after_days"), 7)),
    ("high", "retention-shortened", "policy", _set((*RULE, "copy_actions", 0, "delete_after_days"), 30)),
    ("high", "retention-shortened", "policy", _set((*NATIVE, "manual_snapshot_retention_days"), 3)),
    ("high", "retention-shortened", "policy", _set((*NATIVE, "cross_region_copy", "retention_days"), 1)),
    ("high", "retention-shortened", "cluster", _delete((*P, "backup", "rules", 1))),
    ("high", "rpo-worse", "cluster", _delete((*P, "snapshots", "schedule"))),
    ("high", "rpo-worse", "policy", _set((*NATIVE, "schedule"), ["cron(0 0 *)"])),
    ("high", "copy-removed", "policy", _set((*RULE, "copy_actions"), [])),
    # The cluster keeps a copy in us-west-2 while either layer copies there: remove both.
    ("high", "copy-removed", "cluster",
     lambda raw: (daily(raw).update(copy_actions=[]), policy(raw)["snapshots"].pop("cross_region_copy"))),
    ("high", "copy-removed", "policy", _set((*RULE, "copy_actions", 0, "destination_region"), "eu-west-1")),
    ("high", "copy-removed", "policy", _delete((*NATIVE, "cross_region_copy"))),
    ("high", "copy-removed", "policy", _set((*NATIVE, "cross_region_copy", "destination_region"), "eu-west-1")),
    ("high", "coverage-lost", "cluster", _set((*P, "selection", "clusters"), ["analytics"])),
    ("high", "layer-removed", "cluster", _delete(NATIVE)),
    ("high", "layer-removed", "policy", _delete(NATIVE)),
    ("high", "vault-lock-removed", "policy", _delete((*VAULT, "lock"))),
    ("high", "vault-lock-weakened", "policy", _set((*VAULT, "lock", "mode"), "governance")),
    ("high", "vault-lock-weakened", "policy", _set((*VAULT, "lock", "min_retention_days"), 1)),
    ("high", "vault-replaced", "policy", _set((*VAULT, "name"), "other-vault")),
    ("high", "vault-replaced", "policy", _set((*VAULT, "kms_key"), "aws_managed")),
    ("high", "automated-retention-lowered", "policy", _set((*NATIVE, "automated_snapshot_retention_days"), 1)),
    ("high", "automated-retention-lowered", "policy", _delete((*NATIVE, "automated_snapshot_retention_days"))),
    ("high", "automated-retention-lowered", "policy", _set((*P, "selection", "clusters"), ["analytics"])),
    ("high", "rule-removed", "policy", _delete((*P, "backup", "rules", 1))),
    ("high", "deletion-guard-removed", "policy",
     lambda raw: policy(raw)["backup"]["vault"].update(deny_recovery_point_deletion=False, allowed_principals=[])),
    ("high", "policy-removed", "policy", _set(("policies",), [])),
    # --- medium
    ("medium", "notifications-reduced", "policy", _set((*NOTIFY, "emails"), ["dba@example.com"])),
    ("medium", "notifications-reduced", "policy", _set((*NOTIFY, "backup_vault_events"), ["BACKUP_JOB_COMPLETED"])),
    ("medium", "notifications-reduced", "policy", _delete(NOTIFY)),
    ("medium", "notifications-reduced", "policy", _set((*NOTIFY, "redshift_event_severity"), "ERROR")),
    ("medium", "schedule-moved", "policy", _set((*RULE, "schedule"), "cron(0 7 ? * * *)")),
    ("medium", "schedule-moved", "policy", _set((*NATIVE, "schedule"), ["cron(0 1,13 *)"])),
    ("medium", "restore-source-changed", "restore", _set(("restores", 0, "source"), {"latest_snapshot_of": "finance"})),
    ("medium", "restore-removed", "restore", _set(("restores",), [])),
    ("medium", "vault-unprotected", "policy", _set((*VAULT, "protect"), False)),
    ("medium", "deletion-guard-widened", "policy",
     _set((*VAULT, "allowed_principals"), ["arn:aws:iam::111122223333:role/break-glass",
                                           "arn:aws:iam::111122223333:role/ops"])),
    ("medium", "setting-unmanaged", "policy", _delete((*NATIVE, "manual_snapshot_retention_days"))),
    # --- info
    ("info", "retention-longer", "policy", _set((*RULE, "delete_after_days"), 60)),
    ("info", "rule-added", "policy",
     lambda raw: policy(raw)["backup"]["rules"].append({"name": "weekly", "preset": "weekly"})),
    ("info", "copy-added", "policy",
     lambda raw: daily(raw)["copy_actions"].append({"destination_region": "eu-west-1"})),
    ("info", "coverage-added", "cluster", _set((*P, "selection", "clusters"), ["analytics", "finance", "sales"])),
    ("info", "rpo-better", "cluster", _set((*NATIVE, "schedule"), ["cron(0 0,6,12,18 *)"])),
    ("info", "notifications-added", "policy", _set((*NOTIFY, "emails"), ["dba@example.com", "oncall@example.com",
                                                                         "lead@example.com"])),
    ("info", "restore-added", "restore",
     lambda raw: raw["restores"].append({"name": "finance-copy", "source": {"latest_snapshot_of": "finance"}})),
    ("info", "restore-changed", "restore", _set(("restores", 0, "node_type"), "ra3.xlplus")),
    ("info", "settings-changed", "policy", _set((*P, "description"), "now described")),
    ("info", "vault-lock-changed", "policy", _set((*VAULT, "lock", "max_retention_days"), 3000)),
    ("info", "policy-added", "policy",
     lambda raw: raw["policies"].append({"name": "sales", "selection": {"clusters": ["sales"]},
                                         "backup": {"preset": "daily_35_day_retention"}})),
]


@pytest.mark.parametrize(("level", "rule", "scope", "edit"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_is_triggered_by_a_minimal_change(level: str, rule: str, scope: str, edit: Edit) -> None:
    result = findings(edit)
    assert (level, rule, scope) in rules_of(result), [f.message for f in result.findings]


def test_the_reverse_of_an_improvement_is_a_risk() -> None:
    """Info findings read backwards are the high ones: adding a lock is info, removing it high."""
    add_lock = findings(lambda raw: None, base_edit=_delete((*VAULT, "lock")))
    assert ("info", "vault-lock-added", "policy") in rules_of(add_lock)
    assert add_lock.highest == "info"
    add_layer = findings(lambda raw: None, base_edit=_delete(NATIVE))
    assert {("info", "layer-added", "policy"), ("info", "layer-added", "cluster"),
            ("info", "rpo-better", "cluster")} <= rules_of(add_layer)


def test_schedule_moved_without_a_worse_rpo_is_only_medium() -> None:
    result = findings(_set((*RULE, "schedule"), "cron(0 7 ? * * *)"))
    assert result.highest == "medium"
    (moved,) = [f for f in result.findings if f.rule == "schedule-moved"]
    assert moved.message == ("rule daily: schedule moved from every day at 05:00 UTC to every day at 07:00 UTC")
    assert result.fails("medium") and not result.fails("high") and not result.fails("never")


def test_messages_name_old_and_new_values() -> None:
    # Retention 0 leaves a schedule and a copy nothing to do (an error), so they go too.
    result = findings(_set(NATIVE, {"automated_snapshot_retention_days": 0}))
    messages = [f.message for f in result.findings if f.rule == "automated-retention-lowered"]
    assert messages == ["automated snapshot retention goes from 7 days to 0: automated snapshots are turned off "
                        "and every existing automated snapshot is deleted at once"]
    shorter = findings(_set((*RULE, "delete_after_days"), 7))
    assert Finding("high", "retention-shortened", "policy", "analytics",
                   "rule daily: retention shortened from 35 days to 7 days") in shorter.findings


def test_cluster_rpo_counts_both_layers() -> None:
    """Moving the daily backup later leaves the 12-hourly snapshots in charge: no RPO finding at all."""
    result = findings(_set((*RULE, "schedule"), "cron(0 9 ? * * *)"))
    assert not [f for f in result.findings if f.rule.startswith("rpo")]


def test_region_change_is_high() -> None:
    def move(raw: dict[str, Any]) -> None:
        policy(raw)["snapshots"]["cross_region_copy"]["destination_region"] = "us-east-1"
        daily(raw)["copy_actions"][0]["destination_region"] = "us-east-1"
    result = findings(move, region="us-west-2")
    assert ("high", "region-changed", "stack") in rules_of(result)


def test_tag_selector_rows_are_compared_by_selector() -> None:
    def tagged(value: str) -> Edit:
        return _set((*P, "selection"), {"clusters": ["analytics", "finance"],
                                        "conditions": {"string_equals": [{"key": "backup", "value": value}]}})
    result = findings(tagged("weekly"), base_edit=tagged("daily"))
    lost = [f for f in result.findings if f.rule == "coverage-lost"]
    assert [(f.scope, f.subject) for f in lost] == [("selector", "tag backup = daily")]


def test_findings_are_ordered_most_severe_first() -> None:
    def mixed(raw: dict[str, Any]) -> None:
        daily(raw)["delete_after_days"] = 60
        policy(raw)["notifications"]["emails"] = ["dba@example.com"]
        policy(raw)["backup"]["vault"].pop("lock")
    levels = [f.level for f in findings(mixed).findings]
    assert levels == sorted(levels, key=["high", "medium", "info"].index)
    assert levels[0] == "high" and "medium" in levels and levels[-1] == "info"


def test_fail_on_rejects_unknown_levels() -> None:
    with pytest.raises(ValueError, match="fail_on"):
        diff_stacks(make(), make(), NOW).fails("low")


def test_changed_paths() -> None:
    assert changed_paths({"a": {"b": 1, "c": [1]}}, {"a": {"b": 2, "c": [1]}, "d": 3}) == ["a.b", "d"]
