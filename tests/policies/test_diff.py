"""policies.diff: each risk rule triggered by a minimal pair of configs, and what must not be flagged."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
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

def _second_policy(clusters: list[str], backup: bool = True) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        raw["policies"].append({"name": "extra", "selection": {"clusters": clusters},
                                **({"backup": {"preset": "daily_35_day_retention",
                                               "vault": {"name": "extra-vault"}}} if backup else {})})
    return edit


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
    # finance moves from analytics to a new policy with the same layers
    ("medium", "coverage-moved", "cluster",
     lambda raw: (policy(raw)["selection"].update(clusters=["analytics"]),
                  raw["policies"].append({"name": "finance", "selection": {"clusters": ["finance"]},
                                          "backup": {"preset": "daily_35_day_retention",
                                                     "vault": {"name": "finance-vault"}},
                                          "snapshots": {"schedule": ["cron(0 0,12 *)"]}}))),
    ("medium", "copy-vault-changed", "policy",
     _set((*RULE, "copy_actions", 0, "destination_vault_arn"),
          "arn:aws:backup:us-west-2:111122223333:backup-vault:copies")),
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
    ("info", "rule-renamed", "policy", _set((*RULE, "name"), "nightly")),
    ("info", "vault-lock-changed", "policy", _set((*VAULT, "lock", "max_retention_days"), 3000)),
    ("info", "policy-added", "policy",
     lambda raw: raw["policies"].append({"name": "sales", "selection": {"clusters": ["sales"]},
                                         "backup": {"preset": "daily_35_day_retention"}})),
]


# Minimal pairs read the other way: the edit makes the old config, BASE is the new one.
BACKWARD_CASES: list[tuple[str, str, str, Edit]] = [
    ("medium", "coverage-reduced", "cluster", _second_policy(["analytics"])),
    ("info", "setting-managed", "policy", _delete((*NATIVE, "automated_snapshot_retention_days"))),
    ("info", "setting-managed", "policy", _delete((*NATIVE, "manual_snapshot_retention_days"))),
]


@pytest.mark.parametrize(("level", "rule", "scope", "base_edit"), BACKWARD_CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(BACKWARD_CASES)])
def test_each_rule_is_triggered_by_a_minimal_change_backwards(level: str, rule: str, scope: str,
                                                              base_edit: Edit) -> None:
    result = findings(lambda raw: None, base_edit=base_edit)
    assert (level, rule, scope) in rules_of(result), [f.message for f in result.findings]


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
    # "Where" names the place, not "stack stack".
    (moved,) = [f for f in result.findings if f.rule == "region-changed"]
    assert moved.subject == "us-west-2"
    named = diff_stacks(make(), dataclasses.replace(make(move, "us-west-2"), name="prod"), NOW)
    assert [f.subject for f in named.findings if f.rule == "region-changed"] == ["prod (us-west-2)"]


def test_tag_selector_rows_are_compared_by_selector() -> None:
    def tagged(value: str) -> Edit:
        return _set((*P, "selection"), {"clusters": ["analytics", "finance"],
                                        "conditions": {"string_equals": [{"key": "backup", "value": value}]}})
    result = findings(tagged("weekly"), base_edit=tagged("daily"))
    lost = [f for f in result.findings if f.rule == "coverage-lost"]
    assert [(f.scope, f.subject) for f in lost] == [("selector", "tag backup = daily")]


def test_a_selection_whose_exclusions_change_is_the_same_selection() -> None:
    def tagged(*excluded: str) -> Edit:
        return _set((*P, "selection"), {"clusters": ["analytics", "finance"],
                                        "conditions": {"string_equals": [{"key": "backup", "value": "daily"}]},
                                        **({"not_resources": list(excluded)} if excluded else {})})
    narrowed = findings(tagged("scratch"), base_edit=tagged())
    assert [(f.level, f.rule, f.scope, f.message) for f in narrowed.findings if f.scope == "selector"] == [
        ("high", "coverage-lost", "selector", "scratch excluded: no longer backed up by this selection (if it "
         "carries the tags) nor by any other policy")]
    elsewhere = findings(lambda raw: (tagged("scratch")(raw), _second_policy(["scratch"])(raw)),
                         base_edit=tagged())
    assert [(f.level, f.rule, f.message) for f in elsewhere.findings if f.scope == "selector"] == [
        ("medium", "coverage-reduced", "scratch excluded from this selection; still covered by extra (AWS Backup)")]
    widened = findings(tagged(), base_edit=tagged("scratch"))
    assert [(f.level, f.rule) for f in widened.findings if f.scope == "selector"] == [("info", "coverage-added")]


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


# --- the audit's defects, each as a minimal pair ------------------------------------------------------------------


def one_rule(schedule: str, **rule: Any) -> Stack:
    return validate_config({"policies": [{"name": "analytics", "selection": {"clusters": ["analytics"]},
                                          "backup": {"rules": [{"name": "daily", "schedule": schedule, **rule}]}}]},
                           "us-east-1")


@pytest.mark.parametrize("now", [NOW, datetime(2026, 12, 20, 3, 0, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)])
def test_rpo_of_a_schedule_skipping_a_month_does_not_depend_on_the_date(now: datetime) -> None:
    result = diff_stacks(one_rule("cron(0 5 ? * * *)"), one_rule("cron(0 5 ? 1-11 * *)"), now)
    worse = {f.message for f in result.findings if f.rule == "rpo-worse"}
    assert worse == {f"worst-case RPO of the policy over the 8 years from {now:%Y-%m-%d}: from 1 day to 32 days",
                     f"worst-case RPO over the 8 years from {now:%Y-%m-%d}: from 1 day to 32 days"}


def test_a_schedule_that_ends_is_a_worse_rpo() -> None:
    result = diff_stacks(one_rule("cron(0 5 ? * * *)"), one_rule("cron(0 5 ? * * 2026-2027)"), NOW)
    (worse, _) = [f for f in result.findings if f.rule == "rpo-worse"]
    assert worse.level == "high"
    assert worse.message.endswith("from 1 day to none after 2027-12-31 05:00 UTC (the schedules end)")


def test_a_rewritten_schedule_with_the_same_run_times_is_not_moved() -> None:
    result = diff_stacks(one_rule("cron(0 5 ? * * *)"), one_rule("cron(0 5 * * ? *)"), NOW)
    assert [(f.level, f.rule, f.message) for f in result.findings] == [
        ("info", "settings-changed", "rule daily: schedule rewritten from cron(0 5 ? * * *) (UTC) to "
                                     "cron(0 5 * * ? *) (UTC); it runs at the same times")]
    same_zone = diff_stacks(one_rule("cron(0 5 ? * * *)"), one_rule("cron(0 5 ? * * *)", schedule_timezone="Etc/UTC"),
                            NOW)
    assert [f.rule for f in same_zone.findings] == ["settings-changed"]


def test_a_schedule_limited_to_years_is_moved_even_when_the_period_matches() -> None:
    result = diff_stacks(one_rule("cron(0 5 ? * * *)"), one_rule("cron(0 5 ? * * 2026-2199)"), NOW)
    assert ("medium", "schedule-moved", "policy") in rules_of(result)


def test_native_schedule_rewritten_or_reordered() -> None:
    reordered = findings(_set((*NATIVE, "schedule"), ["cron(0 12 *)", "cron(0 0 *)"]),
                         base_edit=_set((*NATIVE, "schedule"), ["cron(0 0 *)", "cron(0 12 *)"]))
    assert reordered.findings == ()
    rewritten = findings(_set((*NATIVE, "schedule"), ["cron(0 0,12 1-7)"]))
    assert [f.message for f in rewritten.findings] == [
        "native snapshot schedule rewritten from cron(0 0,12 *) to cron(0 0,12 1-7); it takes snapshots at the "
        "same times"]


def _reorder(raw: dict[str, Any]) -> None:
    daily(raw)["copy_actions"].insert(0, {"destination_region": "eu-west-1"})
    p = policy(raw)
    p["selection"]["clusters"].reverse()
    p["backup"]["rules"].reverse()
    p["notifications"]["emails"].reverse()
    p["notifications"]["backup_vault_events"].reverse()
    p["snapshots"]["schedule"] = ["cron(0 12 *)", "cron(0 0 *)"]


def _unordered_base(raw: dict[str, Any]) -> None:
    policy(raw)["snapshots"]["schedule"] = ["cron(0 0 *)", "cron(0 12 *)"]
    daily(raw)["copy_actions"].append({"destination_region": "eu-west-1"})


def test_reordering_lists_is_no_change() -> None:
    assert findings(_reorder, base_edit=_unordered_base).findings == ()


def test_a_renamed_rule_with_the_same_settings_is_info() -> None:
    result = findings(_set((*RULE, "name"), "nightly"))
    assert [(f.level, f.rule, f.message) for f in result.findings] == [
        ("info", "rule-renamed", "rule daily renamed to nightly; same schedule, retention and copies")]
    # Matched by what it does, not by its name or cron text: renamed and rewritten is still a rename.
    rewritten = findings(lambda raw: daily(raw).update(name="nightly", schedule="cron(0 5 * * ? *)"))
    assert [(f.level, f.rule) for f in rewritten.findings] == [("info", "settings-changed"),
                                                                ("info", "rule-renamed")]
    assert rewritten.findings[1].message == "rule daily renamed to nightly; same schedule, retention and copies"
    # Renamed with another change: one rule compared with itself (the plan updates it in place).
    shorter = findings(lambda raw: daily(raw).update(name="nightly", delete_after_days=7))
    assert ("high", "retention-shortened", "policy") in rules_of(shorter)
    assert ("info", "rule-renamed", "policy") in rules_of(shorter)
    assert not {"rule-removed", "rule-added"} & {f.rule for f in shorter.findings}
    assert any(f.message == "rule daily renamed to nightly; it runs at the same times" for f in shorter.findings)
    # Renamed and moved to other times: nothing says it is the same rule.
    moved = findings(lambda raw: daily(raw).update(name="nightly", schedule="cron(0 23 ? * * *)"))
    assert {("high", "rule-removed", "policy"), ("info", "rule-added", "policy")} <= rules_of(moved)


def test_every_other_changed_setting_is_listed_next_to_other_findings() -> None:
    def edit(raw: dict[str, Any]) -> None:
        daily(raw)["delete_after_days"] = 7  # a finding of its own
        daily(raw)["start_window_minutes"] = 60
        policy(raw)["description"] = "tier 1"
        policy(raw)["tags"] = {"owner": "data"}
        policy(raw)["snapshots"]["cross_region_copy"]["kms_key_id"] = (
            "arn:aws:kms:us-west-2:111122223333:key/0a1b2c3d")
    result = findings(edit)
    assert ("high", "retention-shortened", "policy") in rules_of(result)
    (rest,) = [f.message for f in result.findings if f.rule == "settings-changed"]
    assert rest == ("backup.rules[daily].start_window_minutes: 480 -> 60; description: unset -> tier 1; "
                    "snapshots.cross_region_copy.kms_key_id: unset -> arn:aws:kms:us-west-2:111122223333:key/"
                    "0a1b2c3d; tags.owner: unset -> data")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("INFO", "ERROR", ("medium", "notifications-reduced", "notifications reduced: Redshift events limited to "
                                                          "severity ERROR")),
    ("ERROR", "INFO", ("info", "notifications-added", "notifications widened: Redshift events of every severity "
                                                      "(INFO and ERROR)")),
    ("ERROR", None, ("info", "notifications-added", "notifications widened: Redshift events of every severity "
                                                    "(INFO and ERROR)")),
    (None, "INFO", ("info", "settings-changed", "notifications.redshift_event_severity: unset -> INFO")),
])
def test_redshift_event_severity(old: str | None, new: str | None, expected: tuple[str, str, str]) -> None:
    result = findings(_set((*NOTIFY, "redshift_event_severity"), new),
                      base_edit=_set((*NOTIFY, "redshift_event_severity"), old))
    assert [(f.level, f.rule, f.message) for f in result.findings] == [expected]


VAULT_A = "arn:aws:backup:us-west-2:111122223333:backup-vault:copies-a"
VAULT_B = "arn:aws:backup:us-west-2:111122223333:backup-vault:copies-b"


def _copy_to(vault: str | None, account: str | None = None, arns: bool = False) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        copy: dict[str, Any] = {"destination_region": "us-west-2", "delete_after_days": 90}
        if vault:
            copy["destination_vault_arn"] = vault
        if account:
            copy["destination_account_id"] = account
        daily(raw)["copy_actions"] = [copy]
        if arns:  # name a cluster by ARN: the stack's account is then known
            policy(raw)["selection"]["clusters"] = ["analytics",
                                                    "arn:aws:redshift:us-east-1:111122223333:cluster:finance"]
    return edit


@pytest.mark.parametrize("arns", [False, True])
def test_a_copy_into_another_vault_of_the_same_account_is_medium(arns: bool) -> None:
    result = findings(_copy_to(VAULT_B, arns=arns), base_edit=_copy_to(VAULT_A, arns=arns))
    assert [(f.level, f.rule, f.message) for f in result.findings] == [
        ("medium", "copy-vault-changed", f"rule daily: copies to us-west-2 go to vault {VAULT_B} instead of vault "
         f"{VAULT_A}: new copies land in another vault, under its lock and access policy; copies already made "
         "stay in the old vault until they expire")]
    created = findings(_copy_to(VAULT_A, arns=arns), base_edit=_copy_to(None, arns=arns))
    assert rules_of(created) == {("medium", "copy-vault-changed", "policy")}
    assert "instead of the vault this stack creates there" in created.findings[0].message


def test_a_copy_to_the_stacks_own_account_is_not_cross_account() -> None:
    own = findings(_copy_to(VAULT_A, account="111122223333", arns=True), base_edit=_copy_to(None, arns=True))
    assert rules_of(own) == {("medium", "copy-vault-changed", "policy")}
    other = "arn:aws:backup:us-west-2:444455556666:backup-vault:org"
    away = findings(_copy_to(other, arns=True), base_edit=_copy_to(None, arns=True))
    assert {("high", "copy-removed", "policy"), ("info", "copy-added", "cluster")} <= rules_of(away)
    assert "now copied to account 444455556666" in {f.message for f in away.findings}


def test_a_second_covering_policy_is_info_and_losing_one_is_medium() -> None:
    added = findings(_second_policy(["analytics"]))
    assert ("info", "coverage-added", "cluster") in rules_of(added)
    assert added.highest == "info"
    reduced = findings(lambda raw: None, base_edit=_second_policy(["analytics"]))
    assert ("medium", "coverage-reduced", "cluster") in rules_of(reduced)
    assert not [f for f in reduced.findings if f.rule == "coverage-moved"]


@pytest.mark.parametrize(("old_days", "new_days", "expected"), [
    (3, 10, ("high", "vault-lock-weakened", "vault analytics-vault: vault lock weakened: cooling-off period 3 days "
             "-> 10 days (the lock can be removed for 10 days after it is applied); once past its cooling-off "
             "period a compliance lock cannot be changed and the update fails")),
    (10, 3, ("info", "vault-lock-changed", "vault analytics-vault: vault lock changed: cooling-off period 10 days "
             "-> 3 days (immutable sooner); once past its cooling-off period a compliance lock cannot be changed "
             "and the update fails")),
])
def test_vault_lock_cooling_off_period(old_days: int, new_days: int, expected: tuple[str, str, str]) -> None:
    result = findings(_set((*VAULT, "lock", "changeable_for_days"), new_days),
                      base_edit=_set((*VAULT, "lock", "changeable_for_days"), old_days))
    assert [(f.level, f.rule, f.message) for f in result.findings] == [expected]


def test_vault_lock_changes_name_their_values() -> None:
    result = findings(_set((*VAULT, "lock", "max_retention_days"), 3000))
    assert [f.message for f in result.findings] == [
        "vault analytics-vault: vault lock changed: maximum retention 3650 -> 3000 days; once past its cooling-off "
        "period a compliance lock cannot be changed and the update fails"]


ROOT = Path(__file__).resolve().parents[2]


def _documented_rules() -> set[str]:
    doc = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    table = doc[doc.index("### Risk rules"):doc.index("Findings are listed most severe first")]
    return {rule for line in table.splitlines() if line.startswith("| ")
            for rule in re.findall(r"`([a-z]+(?:-[a-z]+)+)`", line.split("|")[2])}


def test_every_rule_is_documented_and_has_a_minimal_pair() -> None:
    source = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "policies").glob("diff*.py")))
    raised = set(re.findall(r'(?:add\(|Finding\()"(?:high|medium|info)", "([a-z-]+)"', source))
    assert raised == _documented_rules()
    paired = {rule for _, rule, _, _ in CASES + BACKWARD_CASES}
    # region-changed and the reverse-only infos have their own tests above
    assert raised - paired == {"region-changed", "vault-lock-added", "layer-added"}
