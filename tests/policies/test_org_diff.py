"""`diff` rules of the organization path, one test per rule, on the effective policy of each target."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import yaml

from policies.diff import diff_stacks
from policies.validation import validate_config

NOW = datetime(2026, 1, 5, tzinfo=UTC)
BASE = yaml.safe_load(open("Pulumi.org.yaml", encoding="utf-8"))["config"]["redshift-backup:organization"]


def rules_between(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, str]]:
    result = diff_stacks(validate_config({"organization": old}, "us-east-1"),
                         validate_config({"organization": new}, "us-east-1"), NOW)
    return {(f.level, f.rule, f.subject) for f in result.findings}


def changed(edit: Any) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    edit(new)
    return new


def test_no_change_no_finding() -> None:
    assert rules_between(BASE, copy.deepcopy(BASE)) == set()


def test_a_single_account_stack_gets_no_organization_finding() -> None:
    stack = validate_config({}, "us-east-1")
    assert diff_stacks(stack, stack, NOW).findings == ()


def test_loosened_lock_is_high() -> None:
    new = changed(lambda o: o["policies"][1].update(lock=["regions"]))
    assert {("high", "org-lock-loosened", "organization policy org-prod")} <= rules_between(BASE, new)


def test_retention_shortened_by_an_override_is_high_on_that_target_only() -> None:
    def edit(o: dict[str, Any]) -> None:
        o["targets"][3]["overrides"].append({"policy": "org-baseline", "rules": [{"name": "daily",
                                                                                  "delete_after_days": 10}]})
        o["targets"][3]["overrides"][0].pop("regions_append")
        o["targets"][3]["overrides"] = o["targets"][3]["overrides"][1:]
    found = rules_between(BASE, changed(edit))
    shortened = {s for level, rule, s in found if rule == "org-retention-shortened"}
    assert shortened == {"analytics-prod account (777788889999)"}
    assert ("high", "org-regions-removed", "analytics-prod account (777788889999)") in found


def test_a_target_that_loses_an_inherited_plan() -> None:
    def edit(o: dict[str, Any]) -> None:
        o["targets"] = [{"id": "ou-a1b2-prod0001", "name": "production", "policies": ["org-prod"]},
                        {"id": "ou-a1b2-sand0001", "name": "sandbox", "policies": ["org-baseline"]}]
    found = rules_between(BASE, changed(edit))
    assert ("high", "org-attachment-removed", "root (r-a1b2)") in found
    assert ("high", "org-plan-lost", "production (ou-a1b2-prod0001)") in found
    assert not any(rule == "org-plan-lost" and "sandbox" in subject for _, rule, subject in found)


def test_vault_renamed_in_the_baseline_is_high() -> None:
    new = changed(lambda o: o["policies"][0]["backup"]["vault"].update(name="renamed"))
    assert ("high", "org-vault-replaced", "organization policy org-baseline") in rules_between(BASE, new)


def test_removed_copy_and_policy() -> None:
    new = changed(lambda o: o["policies"][1]["backup"]["rules"][1].update(copy_actions=[]))
    assert ("high", "org-copy-removed", "production (ou-a1b2-prod0001)") in rules_between(BASE, new)
    gone = changed(lambda o: (o["policies"].pop(1), o["targets"][1].update(policies=[]),
                              o["targets"][1].pop("policies"), o["targets"][1].update(
                                  overrides=[{"policy": "org-baseline", "regions_append": ["us-west-2"]}])))
    assert ("high", "org-policy-removed", "organization policy org-prod") in rules_between(BASE, gone)


def test_removing_the_whole_organization_section_is_high_everywhere() -> None:
    result = diff_stacks(validate_config({"organization": BASE}, "us-east-1"), validate_config({}, "us-east-1"), NOW)
    rules = {(f.rule, f.subject) for f in result.findings if f.level == "high"}
    assert {("org-attachment-removed", "root (r-a1b2)"), ("org-attachment-removed", "production (ou-a1b2-prod0001)"),
            ("org-policy-removed", "organization policy org-baseline")} <= rules


def test_an_rpo_worse_only_outside_the_coming_week_is_found() -> None:
    # The baseline's daily rule stops running in June: the week after NOW (January) looks the same, the eight
    # years `diff` compares over do not.
    def edit(o: dict[str, Any]) -> None:
        o["policies"][0]["backup"]["rules"][0]["schedule"] = "cron(0 5 ? 1-5,7-12 * *)"
    found = rules_between(BASE, changed(edit))
    assert ("high", "org-rpo-worse", "sandbox (ou-a1b2-sand0001)") in found
