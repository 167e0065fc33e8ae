"""Rewriting a config without changing what it does yields no finding above info (policies.diff, hypothesis).

The rewrites are those a reviewer meets in real pull requests: rules renamed, reordered or written out from their
preset; a cron written another way (`?` moved, `*` as a range, month and weekday names, `UTC` as `Etc/UTC`);
native snapshot definitions split or merged; lists reordered; a cluster named by its ARN.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.diff import diff_stacks
from policies.validation import validate_config

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
ACCOUNT = "111122223333"

BASE: dict[str, Any] = {
    "policies": [{
        "name": "analytics",
        "selection": {"clusters": ["analytics", "finance"],
                      "conditions": {"string_equals": [{"key": "tier", "value": "1"}, {"key": "team", "value": "data"}],
                                     "string_not_equals": [{"key": "backup", "value": "none"}]},
                      "not_resources": ["scratch", "sandbox"]},
        "backup": {
            "rules": [{"name": "daily", "schedule": "cron(0 5 ? * * *)", "delete_after_days": 35,
                       "copy_actions": [{"destination_region": "us-west-2", "delete_after_days": 90},
                                        {"destination_region": "eu-west-1"}]},
                      {"name": "weekly", "schedule": "cron(0 6 ? * SUN *)", "delete_after_days": 90},
                      {"name": "monthly", "preset": "monthly_1_year"}],
            "vault": {"lock": {"mode": "compliance", "min_retention_days": 7, "max_retention_days": 3650}},
        },
        "snapshots": {"schedule": ["cron(0 0,12 *)"], "automated_snapshot_retention_days": 7},
        "notifications": {"emails": ["dba@example.com", "oncall@example.com"],
                          "backup_vault_events": ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"]},
    }],
}

# Each schedule with forms that run at exactly the same times.
SAME_SCHEDULE = {
    "cron(0 5 ? * * *)": ["cron(0 5 ? * * *)", "cron(0 5 * * ? *)", "cron(0 5 ? * 1-7 *)", "cron(0 5 ? * SUN-SAT *)",
                          "cron(0 5 1-31 * ? *)"],
    "cron(0 6 ? * SUN *)": ["cron(0 6 ? * SUN *)", "cron(0 6 ? * 1 *)", "cron(0 6 ? JAN-DEC SUN *)"],
    "cron(0 5 1 * ? *)": ["cron(0 5 1 * ? *)", "cron(0 5 1 JAN-DEC ? *)", "cron(0 5 1 1-12 ? *)"],
}
SAME_DEFINITIONS = [["cron(0 0,12 *)"], ["cron(0 0 *)", "cron(0 12 *)"], ["cron(0 12 *)", "cron(0 0 *)"],
                    ["cron(0 0,12 SUN-SAT)"]]
MONTHLY_1_YEAR = {"schedule": "cron(0 5 1 * ? *)", "delete_after_days": 365}
NAMES = st.sampled_from(["daily", "weekly", "monthly", "nightly", "every-day", "sunday", "first-of-month"])


def shuffled(data: st.DataObject, items: list[Any]) -> list[Any]:
    return list(data.draw(st.permutations(items)))


def rewrite(data: st.DataObject) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    policy = raw["policies"][0]
    rules = policy["backup"]["rules"]
    names = data.draw(st.lists(NAMES, min_size=len(rules), max_size=len(rules), unique=True))
    for rule, name in zip(rules, names, strict=True):
        rule["name"] = name
        if rule.get("preset") == "monthly_1_year" and data.draw(st.booleans()):
            del rule["preset"]
            rule.update(MONTHLY_1_YEAR)  # the preset written out
        schedule = rule.get("schedule")
        if schedule:
            rule["schedule"] = data.draw(st.sampled_from(SAME_SCHEDULE[schedule]))
            if data.draw(st.booleans()):
                rule["schedule_timezone"] = data.draw(st.sampled_from(["UTC", "Etc/UTC"]))
        if "copy_actions" in rule:
            rule["copy_actions"] = shuffled(data, rule["copy_actions"])
            if data.draw(st.booleans()):
                rule["copy_actions"][-1] = {**rule["copy_actions"][-1]}
                if "delete_after_days" not in rule["copy_actions"][-1]:
                    # Left out, a copy is kept as long as the rule's backups: say so explicitly.
                    rule["copy_actions"][-1]["delete_after_days"] = rule["delete_after_days"]
    policy["backup"]["rules"] = shuffled(data, rules)
    selection = policy["selection"]
    selection["clusters"] = [f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:{c}" if data.draw(st.booleans()) else c
                             for c in shuffled(data, selection["clusters"])]
    for op in ("string_equals", "string_not_equals"):
        selection["conditions"][op] = shuffled(data, selection["conditions"][op])
    selection["not_resources"] = shuffled(data, selection["not_resources"])
    policy["snapshots"]["schedule"] = data.draw(st.sampled_from(SAME_DEFINITIONS))
    for key in ("emails", "backup_vault_events"):
        policy["notifications"][key] = shuffled(data, policy["notifications"][key])
    return raw


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_rewrite_that_keeps_the_meaning_has_no_finding_above_info(data: st.DataObject) -> None:
    old = validate_config(BASE, "us-east-1")
    new = validate_config(rewrite(data), "us-east-1")
    result = diff_stacks(old, new, NOW)
    above = [(f.level, f.rule, f.message) for f in result.findings if f.level != "info"]
    assert above == []
    assert not {"rule-removed", "rule-added", "coverage-lost", "coverage-added", "copy-removed", "copy-added"} & {
        f.rule for f in result.findings}


def test_the_rewrites_are_not_vacuous() -> None:
    """A change of meaning inside the same machinery is found: one schedule an hour later."""
    raw = copy.deepcopy(BASE)
    raw["policies"][0]["backup"]["rules"][0].update(name="nightly", schedule="cron(0 6 * * ? *)")
    result = diff_stacks(validate_config(BASE, "us-east-1"), validate_config(raw, "us-east-1"), NOW)
    assert {"rule-removed", "rule-added"} <= {f.rule for f in result.findings}
