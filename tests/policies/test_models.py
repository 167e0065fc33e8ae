"""One test per rule of the policy language: the rejection, its path, the value received and what is allowed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from policies import presets
from policies.errors import ConfigError
from policies.models import Policy
from policies.validation import validate_config, validate_policy

REGION = "us-east-1"


def minimal_policy(**overrides: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "name": "analytics",
        "selection": {"clusters": ["analytics-prod"]},
        "backup": {"rules": [{"name": "daily"}]},
    }
    policy.update(overrides)
    return policy


def problems(*policies: dict[str, Any], region: str | None = REGION, now: datetime | None = None,
             **extra: Any) -> list[str]:
    """The rendered problems of a config, or [] when it is valid."""
    try:
        validate_config({"policies": list(policies), **extra}, region, now=now)
    except ConfigError as exc:
        return [p.render() for p in exc.problems]
    return []


def with_rule(**rule: Any) -> dict[str, Any]:
    return minimal_policy(backup={"rules": [{"name": "daily", **rule}]})


def with_snapshots(**layer: Any) -> dict[str, Any]:
    return minimal_policy(snapshots=layer)


def only(found: list[str]) -> str:
    assert len(found) == 1, found
    return found[0]


# --- valid shapes and defaults ------------------------------------------------------------------------------


def test_minimal_policy_is_valid_and_gets_documented_defaults() -> None:
    stack = validate_config({"policies": [minimal_policy()]}, REGION)
    rule = stack.policies[0].backup.rules[0]  # type: ignore[union-attr]
    assert (rule.schedule, rule.schedule_timezone, rule.start_window_minutes, rule.completion_window_minutes,
            rule.delete_after_days) == ("cron(0 5 ? * * *)", "UTC", 480, 10080, 35)
    vault = stack.policies[0].backup.vault  # type: ignore[union-attr]
    assert (vault.kms_key, vault.deny_recovery_point_deletion, vault.protect) == ("new", True, True)
    assert stack.policies[0].vault_name == "analytics-vault"


def test_copy_without_retention_takes_the_rule_retention() -> None:
    stack = validate_config({"policies": [with_rule(delete_after_days=40,
                                                    copy_actions=[{"destination_region": "us-west-2"}])]}, REGION)
    rule = stack.policies[0].backup.rules[0]  # type: ignore[union-attr]
    assert rule.copy_delete_after_days(rule.copy_actions[0]) == 40


# --- presets -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("preset", "name", "schedule", "days"), [
    ("daily", "daily", "cron(0 5 * * ? *)", 35),
    ("weekly", "weekly", "cron(0 5 ? * SAT *)", 90),
    ("monthly_1_year", "monthly-1-year", "cron(0 5 1 * ? *)", 365),
    ("monthly_5_year", "monthly-5-year", "cron(0 5 1 * ? *)", 1825),
    ("monthly_7_year", "monthly-7-year", "cron(0 5 1 * ? *)", 2555),
])
def test_rule_presets_are_pinned_to_their_numbers(preset: str, name: str, schedule: str, days: int) -> None:
    stack = validate_config({"policies": [minimal_policy(backup={"rules": [{"preset": preset}]})]}, REGION)
    rule = stack.policies[0].backup.rules[0]  # type: ignore[union-attr]
    assert (rule.name, rule.schedule, rule.delete_after_days) == (name, schedule, days)


def test_a_preset_expands_into_the_hand_written_shape_and_keys_next_to_it_win() -> None:
    by_preset = validate_config({"policies": [minimal_policy(backup={"rules": [
        {"preset": "weekly", "delete_after_days": 120}]})]}, REGION).policies[0]
    by_hand = validate_config({"policies": [minimal_policy(backup={"rules": [
        {"name": "weekly", "preset": "weekly", "schedule": "cron(0 5 ? * SAT *)", "delete_after_days": 120}]})]},
        REGION).policies[0]
    assert by_preset == by_hand


@pytest.mark.parametrize(("plan", "rules"), [
    ("daily_35_day_retention", ["daily"]),
    ("daily_monthly_1_year_retention", ["daily", "monthly-1-year"]),
    ("daily_weekly_monthly_5_year_retention", ["daily", "weekly", "monthly-5-year"]),
    ("daily_weekly_monthly_7_year_retention", ["daily", "weekly", "monthly-7-year"]),
])
def test_plan_presets_compose_rule_presets(plan: str, rules: list[str]) -> None:
    stack = validate_config({"policies": [minimal_policy(backup={"preset": plan})]}, REGION)
    assert [r.name for r in stack.policies[0].backup.rules] == rules  # type: ignore[union-attr]
    assert set(presets.PLAN_PRESETS) == set(presets.PlanPresetName.__args__)  # type: ignore[attr-defined]


def test_plan_preset_rules_come_before_hand_written_rules() -> None:
    stack = validate_config({"policies": [minimal_policy(backup={
        "preset": "daily_35_day_retention", "rules": [{"name": "hourly-ish", "schedule": "cron(0 */6 ? * * *)"}]})]},
        REGION)
    assert [r.name for r in stack.policies[0].backup.rules] == ["daily", "hourly-ish"]  # type: ignore[union-attr]


def test_unknown_preset_is_rejected_with_the_allowed_names() -> None:
    found = only(problems(minimal_policy(backup={"preset": "hourly"})))
    assert found.startswith("policies[0].backup.preset: expected 'daily_35_day_retention'")
    assert "'hourly'" in found


# --- AWS Backup rules ----------------------------------------------------------------------------------------


def test_backup_cron_syntax_is_checked_with_its_path() -> None:
    found = only(problems(with_rule(schedule="cron(0 5 * * * *)")))
    assert found.startswith("policies[0].backup.rules[0].schedule: ")
    assert "'?'" in found and "(received 'cron(0 5 * * * *)')" in found


def test_backup_schedule_more_often_than_hourly_is_rejected() -> None:
    found = only(problems(with_rule(schedule="cron(0,30 * ? * * *)")))
    assert found.startswith("policies[0].backup.rules[0].schedule: ")
    assert "hour" in found


def test_start_window_below_60_minutes() -> None:
    assert only(problems(with_rule(start_window_minutes=30))) == (
        "policies[0].backup.rules[0].start_window_minutes: AWS Backup needs a start window of at least 60 minutes"
        " (received 30)")


def test_completion_window_must_exceed_start_window() -> None:
    assert only(problems(with_rule(start_window_minutes=120, completion_window_minutes=150))) == (
        "policies[0].backup.rules[0].completion_window_minutes: must be at least 60 minutes longer than "
        "start_window_minutes (120) (received 150)")


@pytest.mark.parametrize("days", [0, 36501])
def test_delete_after_days_range(days: int) -> None:
    assert only(problems(with_rule(delete_after_days=days))) == (
        f"policies[0].backup.rules[0].delete_after_days: expected 1-36500 (received {days})")


@pytest.mark.parametrize(("field", "value", "path"), [
    ("automated_snapshot_retention_days", False, "snapshots.automated_snapshot_retention_days"),
    ("delete_after_days", True, "backup.rules[0].delete_after_days"),
    ("start_window_minutes", True, "backup.rules[0].start_window_minutes"),
])
def test_yaml_booleans_are_not_numbers(field: str, value: bool, path: str) -> None:
    # pydantic's lax mode would read false as 0: retention 0 turns automated snapshots off and deletes them
    policy = with_snapshots(**{field: value}) if path.startswith("snapshots") else with_rule(**{field: value})
    allowed = {"automated_snapshot_retention_days": " 0-35", "delete_after_days": " 1-36500",
               "start_window_minutes": ""}[field]
    assert only(problems(policy)) == (
        f"policies[0].{path}: expected a whole number{allowed}, not true or false (received {str(value).lower()})")


def test_a_fraction_is_not_a_whole_number() -> None:
    assert only(problems(with_rule(delete_after_days=7.5))) == (
        "policies[0].backup.rules[0].delete_after_days: expected a whole number 1-36500 (received 7.5)")


@pytest.mark.parametrize("days", ["40", 40.0])
def test_digit_strings_and_whole_floats_are_numbers(days: Any) -> None:
    # `pulumi config set --type string` gives "40"; component arguments from other languages arrive as 40.0
    stack = validate_config({"policies": [with_rule(delete_after_days=days)]}, REGION)
    assert stack.policies[0].backup.rules[0].delete_after_days == 40  # type: ignore[union-attr]


def test_windows_at_most_100_years() -> None:
    found = problems(with_rule(start_window_minutes=52_560_001, completion_window_minutes=52_560_100))
    assert found == [
        "policies[0].backup.rules[0].start_window_minutes: expected at most 52560000 minutes (100 years, AWS "
        "Backup's maximum) (received 52560001)",
        "policies[0].backup.rules[0].completion_window_minutes: expected at most 52560000 minutes (100 years, AWS "
        "Backup's maximum) (received 52560100)"]
    assert problems(with_rule(completion_window_minutes=100_000)) == []


def test_schedule_that_only_ran_in_past_years() -> None:
    # judged against the real clock: 2020 is in the past whenever this runs
    found = only(problems(with_rule(schedule="cron(0 5 ? * * 2020)")))
    assert found.startswith("policies[0].backup.rules[0].schedule: never runs again: its last run was 2020-12-31 "
                            "05:00 UTC, and the Year field allows no later run (checked against ")
    assert found.endswith("(received 'cron(0 5 ? * * 2020)')")


def test_schedule_that_ended_is_judged_against_the_given_time() -> None:
    rule = with_rule(schedule="cron(0 5 1 JAN ? 2030)", schedule_timezone="Europe/Berlin")
    assert problems(rule, now=datetime(2029, 12, 31, tzinfo=UTC)) == []
    assert only(problems(rule, now=datetime(2030, 1, 1, 4, tzinfo=UTC))) == (
        "policies[0].backup.rules[0].schedule: never runs again: its last run was 2030-01-01 04:00 UTC, and the "
        "Year field allows no later run (checked against 2030-01-01 04:00 UTC) (received 'cron(0 5 1 JAN ? 2030)')")


def test_cold_storage_is_rejected_for_redshift() -> None:
    assert only(problems(with_rule(move_to_cold_storage_after_days=30))) == (
        "policies[0].backup.rules[0].move_to_cold_storage_after_days: cold storage is not available for Amazon "
        "Redshift recovery points; leave this key out (received 30)")


def test_continuous_backup_is_rejected_for_redshift() -> None:
    found = only(problems(with_rule(enable_continuous_backup=True)))
    assert found.startswith("policies[0].backup.rules[0].enable_continuous_backup: continuous backup")


def test_rule_name_pattern() -> None:
    found = only(problems(minimal_policy(backup={"rules": [{"name": "daily backup!"}]})))
    assert found == ("policies[0].backup.rules[0].name: expected 1-50 letters, digits, '-', '_' or '.' (AWS Backup "
                     "RuleName) (received 'daily backup!')")


def test_rule_names_are_unique_within_a_plan() -> None:
    found = only(problems(minimal_policy(backup={"rules": [{"name": "daily"}, {"name": "daily"}]})))
    assert found.startswith("policies[0].backup.rules[1]: is listed twice")


def test_invalid_timezone() -> None:
    found = only(problems(with_rule(schedule_timezone="Europe/Berlinn")))
    assert found.startswith("policies[0].backup.rules[0].schedule_timezone: expected an IANA time zone name")


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory"])
def test_tz_database_files_that_are_no_zone_names(name: str) -> None:
    assert only(problems(with_rule(schedule_timezone=name))) == (
        "policies[0].backup.rules[0].schedule_timezone: expected an IANA time zone name such as UTC or "
        f"Europe/Berlin (received '{name}')")


def test_empty_timezone_gets_no_suggestions() -> None:
    assert only(problems(with_rule(schedule_timezone=""))) == (
        "policies[0].backup.rules[0].schedule_timezone: expected an IANA time zone name such as UTC or "
        "Europe/Berlin (received '')")


def test_timezone_in_the_wrong_case_gets_a_suggestion() -> None:
    assert only(problems(with_rule(schedule_timezone="europe/berlin"))) == (
        "policies[0].backup.rules[0].schedule_timezone: expected an IANA time zone name such as UTC or "
        "Europe/Berlin (did you mean Europe/Berlin?) (received 'europe/berlin')")


def test_rules_are_required() -> None:
    assert only(problems(minimal_policy(backup={}))) == (
        "policies[0].backup.rules: no rules; give a plan `preset` or at least one rule")


# --- copies --------------------------------------------------------------------------------------------------


def test_copy_to_the_stack_region_is_rejected() -> None:
    assert only(problems(with_rule(copy_actions=[{"destination_region": "us-east-1"}]))) == (
        "policies[0].backup.rules[0].copy_actions[0].destination_region: is the stack's own region (us-east-1); "
        "a copy to the same region and account adds no protection (received 'us-east-1')")


def test_cross_account_copy_needs_the_destination_vault_arn() -> None:
    found = only(problems(with_rule(copy_actions=[{"destination_account_id": "444455556666"}])))
    assert found.startswith("policies[0].backup.rules[0].copy_actions[0].destination_vault_arn: is required for a "
                            "copy to another account (444455556666)")


def test_cross_account_copy_to_the_same_region_is_allowed() -> None:
    arn = "arn:aws:backup:us-east-1:444455556666:backup-vault:central"
    assert problems(with_rule(copy_actions=[{"destination_account_id": "444455556666",
                                             "destination_vault_arn": arn}])) == []


def test_cross_account_copy_refuses_an_aws_managed_vault_key() -> None:
    arn = "arn:aws:backup:us-east-1:444455556666:backup-vault:central"
    copy = {"destination_account_id": "444455556666", "destination_vault_arn": arn}
    found = only(problems(minimal_policy(backup={"rules": [{"name": "daily", "copy_actions": [copy]}],
                                                 "vault": {"kms_key": "aws_managed"}})))
    assert found == ("policies[0].backup.vault.kms_key: cannot be used with copies to another account "
                     "(444455556666): AWS Backup cannot copy recovery points across accounts from a vault encrypted "
                     "with an AWS managed key; use kms_key: new (a customer managed key) or a customer managed key "
                     "ARN (received 'aws_managed')")
    # A same-account copy to another region is fine with AWS Backup's key.
    assert problems(minimal_policy(backup={"rules": [{"name": "daily", "copy_actions": [
        {"destination_region": "us-west-2"}]}], "vault": {"kms_key": "aws_managed"}})) == []


def test_destination_vault_arn_must_match_region() -> None:
    arn = "arn:aws:backup:eu-west-1:444455556666:backup-vault:central"
    found = only(problems(with_rule(copy_actions=[{"destination_region": "us-west-2", "destination_vault_arn": arn}])))
    assert found == (f"policies[0].backup.rules[0].copy_actions[0].destination_vault_arn: is in region eu-west-1 but "
                     f"destination_region is us-west-2 (received '{arn}')")


def test_copy_with_no_destination() -> None:
    found = only(problems(with_rule(copy_actions=[{"delete_after_days": 30}])))
    assert found.startswith("policies[0].backup.rules[0].copy_actions[0]: names no destination")


def test_two_copies_to_one_destination() -> None:
    found = only(problems(with_rule(copy_actions=[{"destination_region": "us-west-2"},
                                                  {"destination_region": "us-west-2"}])))
    assert found.startswith("policies[0].backup.rules[0].copy_actions[1]: copies to the same destination")


# --- vault ---------------------------------------------------------------------------------------------------


def locked(lock: dict[str, Any], **rule: Any) -> dict[str, Any]:
    return minimal_policy(backup={"rules": [{"name": "daily", **rule}], "vault": {"lock": lock}})


def test_rule_retention_below_vault_lock_minimum() -> None:
    found = only(problems(locked({"mode": "governance", "min_retention_days": 90, "max_retention_days": 400},
                                 delete_after_days=40)))
    assert found == ("policies[0].backup.rules[0].delete_after_days: 40 days is below the vault lock minimum of 90 "
                     "days (received 40)")


def test_copy_retention_above_vault_lock_maximum() -> None:
    found = only(problems(locked({"mode": "governance", "min_retention_days": 7, "max_retention_days": 100},
                                 delete_after_days=35,
                                 copy_actions=[{"destination_region": "us-west-2", "delete_after_days": 365}])))
    assert found == ("policies[0].backup.rules[0].copy_actions[0].delete_after_days: 365 days is above the vault lock "
                     "maximum of 100 days (received 365)")


def test_vault_lock_min_above_max() -> None:
    found = only(problems(locked({"mode": "governance", "min_retention_days": 50, "max_retention_days": 10},
                                 delete_after_days=20)))
    assert found.startswith("policies[0].backup.vault.lock.min_retention_days: is above max_retention_days (10)")


def test_governance_lock_takes_no_changeable_days() -> None:
    found = only(problems(locked({"mode": "governance", "min_retention_days": 1, "max_retention_days": 100,
                                  "changeable_for_days": 3})))
    assert found.startswith("policies[0].backup.vault.lock.changeable_for_days: only applies to compliance mode")


def test_compliance_lock_needs_three_changeable_days() -> None:
    found = only(problems(locked({"mode": "compliance", "min_retention_days": 1, "max_retention_days": 100,
                                  "changeable_for_days": 2})))
    assert found == "policies[0].backup.vault.lock.changeable_for_days: compliance mode needs at least 3 days (received 2)"


def test_compliance_lock_defaults_to_three_changeable_days() -> None:
    stack = validate_config({"policies": [locked({"mode": "compliance", "min_retention_days": 1,
                                                  "max_retention_days": 100})]}, REGION)
    assert stack.policies[0].backup.vault.lock.effective_changeable_for_days == 3  # type: ignore[union-attr]


def test_vault_name_pattern() -> None:
    found = only(problems(minimal_policy(backup={"rules": [{"name": "d"}], "vault": {"name": "a"}})))
    assert found == ("policies[0].backup.vault.name: expected 2-50 letters, digits, '-' or '_' (AWS Backup vault "
                     "name) (received 'a')")


def test_existing_vault_cannot_take_settings_of_a_created_vault() -> None:
    found = problems(minimal_policy(backup={"rules": [{"name": "d"}], "vault": {
        "existing": "central", "name": "other", "kms_key": "aws_managed"}}))
    assert sorted(found) == [
        "policies[0].backup.vault.kms_key: cannot be set together with `existing` (received 'aws_managed')",
        "policies[0].backup.vault.name: cannot be set together with `existing`: an existing vault is used as it is "
        "(received 'other')",
    ]


@pytest.mark.parametrize("days", [0, 36501])
def test_vault_lock_retention_bounds(days: int) -> None:
    found = problems(locked({"mode": "governance", "min_retention_days": days, "max_retention_days": days}))
    assert found == [f"policies[0].backup.vault.lock.{field}: expected 1-36500 (received {days})"
                     for field in ("min_retention_days", "max_retention_days")]


@pytest.mark.parametrize(("field", "arn"), [
    ("existing", "arn:aws:backup:eu-west-1:111122223333:backup-vault:central"),
    ("kms_key", "arn:aws:kms:eu-west-1:111122223333:key/abc"),
])
def test_vault_arns_must_be_in_the_stack_region(field: str, arn: str) -> None:
    kind = "vault" if field == "existing" else "key"
    assert only(problems(minimal_policy(backup={"rules": [{"name": "d"}], "vault": {field: arn}}))) == (
        f"policies[0].backup.vault.{field}: is in region eu-west-1, but the vault is in the stack's region "
        f"(us-east-1): give a {kind} of that region (received '{arn}')")


def test_kms_key_must_be_new_aws_managed_or_an_arn() -> None:
    found = only(problems(minimal_policy(backup={"rules": [{"name": "d"}], "vault": {"kms_key": "mykey"}})))
    assert found == "policies[0].backup.vault.kms_key: expected 'new', 'aws_managed' or a KMS key ARN (received 'mykey')"


# --- selection -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["Analytics", "analytics--prod", "analytics-", "1analytics", "a" * 64])
def test_cluster_identifier_rules(identifier: str) -> None:
    found = only(problems(minimal_policy(selection={"clusters": [identifier]})))
    assert found.startswith("policies[0].selection.clusters[0]: expected a cluster identifier (1-63 lowercase")
    assert f"(received '{identifier}')" in found


@pytest.mark.parametrize("identifier", ["1abc", "a--b", "ab-", "Abc", "a" * 64, "1ab*"])
def test_cluster_identifier_rules_inside_arns(identifier: str) -> None:
    arn = f"arn:aws:redshift:us-east-1:111122223333:cluster:{identifier}"
    assert only(problems(minimal_policy(selection={"clusters": [arn]}))) == (
        f"policies[0].selection.clusters[0]: the cluster identifier in this ARN, {identifier!r}, is invalid: "
        "expected 1-63 lowercase letters, digits and hyphens, starting with a letter, no '--', no trailing '-', or "
        f"a prefix of one followed by '*' (received '{arn}')")


@pytest.mark.parametrize("ref", ["analytics-*", "*", "arn:aws:redshift:us-east-1:111122223333:cluster:analytics-*"])
def test_a_trailing_wildcard_makes_a_prefix(ref: str) -> None:
    assert problems(minimal_policy(selection={"clusters": [ref]})) == []


def test_cluster_identifier_with_wildcard_in_the_middle() -> None:
    assert only(problems(minimal_policy(selection={"clusters": ["an*lytics"]}))) == (
        "policies[0].selection.clusters[0]: a wildcard '*' is only allowed at the end (e.g. analytics-*) "
        "(received 'an*lytics')")


def test_cluster_arn_with_wildcard_in_the_middle() -> None:
    found = only(problems(minimal_policy(selection={"clusters": [
        "arn:aws:redshift:us-east-1:111122223333:cluster:ana*lytics"]})))
    assert found.startswith("policies[0].selection.clusters[0]: a wildcard '*' is only allowed at the end")


def test_selection_must_select_something() -> None:
    assert only(problems(minimal_policy(selection={}))) == (
        "policies[0].selection: selects nothing; name clusters, serverless_namespaces or tag conditions")


def test_at_most_500_arns_and_30_with_a_wildcard() -> None:
    many = [f"cluster-{i}" for i in range(501)]
    assert only(problems(minimal_policy(selection={"clusters": many}))) == (
        "policies[0].selection.clusters: 501 entries; AWS Backup allows at most 500")
    wild = [f"cluster-{i}" for i in range(30)] + ["analytics-*"]
    assert only(problems(minimal_policy(selection={"clusters": wild}))) == (
        "policies[0].selection.clusters: 31 entries; AWS Backup allows at most 30 when any entry has a wildcard")


def test_empty_conditions_block_is_rejected() -> None:
    found = only(problems(minimal_policy(selection={"conditions": {}})))
    assert found.startswith("policies[0].selection.conditions: no condition given")


def test_condition_key_takes_no_prefix() -> None:
    found = only(problems(minimal_policy(selection={"conditions": {"string_equals": [
        {"key": "aws:ResourceTag/backup", "value": "daily"}]}})))
    assert found.startswith("policies[0].selection.conditions.string_equals[0].key: give the bare tag key")


def test_namespace_must_be_a_namespace_arn() -> None:
    found = only(problems(minimal_policy(selection={"serverless_namespaces": ["analytics"]})))
    assert found.startswith("policies[0].selection.serverless_namespaces[0]: expected a Redshift Serverless namespace")


NAMESPACE_ARN = "arn:aws:redshift-serverless:{region}:111122223333:namespace/{id}"


def test_namespace_wildcard_only_at_the_end() -> None:
    arn = NAMESPACE_ARN.format(region=REGION, id="3f8e*-4c5b")
    assert only(problems(minimal_policy(selection={"serverless_namespaces": [arn]}))) == (
        f"policies[0].selection.serverless_namespaces[0]: a wildcard '*' is only allowed at the end (received '{arn}')")
    assert problems(minimal_policy(selection={"serverless_namespaces": [
        NAMESPACE_ARN.format(region=REGION, id="3f8e*")]})) == []


def test_namespace_of_another_region() -> None:
    arn = NAMESPACE_ARN.format(region="eu-west-1", id="3f8e2a4c")
    assert only(problems(minimal_policy(selection={"serverless_namespaces": [arn]}))) == (
        "policies[0].selection.serverless_namespaces[0]: is in region eu-west-1, but a stack protects resources of its "
        f"own region (us-east-1) only (received '{arn}')")


@pytest.mark.parametrize(("ref", "message"), [
    ("arn:aws:redshift:us-east-1:111122223333:cluster:ana*lytics",
     "a wildcard '*' is only allowed at the end of an ARN"),
    (NAMESPACE_ARN.format(region=REGION, id="3f*8e"), "a wildcard '*' is only allowed at the end of an ARN"),
    ("arn:aws:redshift:eu-west-1:111122223333:cluster:analytics-dev",
     "is in region eu-west-1, but a stack protects resources of its own region (us-east-1) only: declare it in a "
     "stack of that region"),
    (NAMESPACE_ARN.format(region="eu-west-1", id="3f8e"),
     "is in region eu-west-1, but a stack protects resources of its own region (us-east-1) only: declare it in a "
     "stack of that region"),
])
def test_not_resources_follow_the_wildcard_and_region_rules(ref: str, message: str) -> None:
    policy = minimal_policy(selection={"clusters": ["analytics-*"], "not_resources": [ref]})
    assert only(problems(policy)) == f"policies[0].selection.not_resources[0]: {message} (received '{ref}')"


def test_excluding_every_named_cluster_selects_nothing() -> None:
    policy = minimal_policy(selection={"clusters": ["analytics"],
                                       "not_resources": ["arn:aws:redshift:us-east-1:111122223333:cluster:analytics"]})
    assert only(problems(policy)) == (
        "policies[0].selection.not_resources: excludes every cluster and namespace that clusters and "
        "serverless_namespaces name, so the selection selects nothing; remove the exclusions or the policy "
        "(received [\"arn:aws:redshift:us-east-1:111122223333:cluster:analytics\"])")
    # excluding some of them, or from a wildcard or a tag selection, is what not_resources is for
    assert problems(minimal_policy(selection={"clusters": ["analytics", "finance"], "not_resources": ["finance"]})) == []
    assert problems(minimal_policy(selection={"clusters": ["analytics-*"], "not_resources": ["analytics-dev"]})) == []


# --- notifications -------------------------------------------------------------------------------------------


def test_deprecated_vault_event_is_rejected_with_its_replacement() -> None:
    found = only(problems(minimal_policy(notifications={"backup_vault_events": ["BACKUP_JOB_FAILED"]})))
    assert found == ("policies[0].notifications.backup_vault_events: BACKUP_JOB_FAILED is deprecated by AWS Backup "
                     "and sends nothing; use BACKUP_JOB_COMPLETED (its message carries the job state) "
                     "(received [\"BACKUP_JOB_FAILED\"])")


def test_email_must_look_like_an_email() -> None:
    found = only(problems(minimal_policy(notifications={"emails": ["dba"]})))
    assert found.startswith("policies[0].notifications.emails[0]: expected an email address")


# --- native snapshots ----------------------------------------------------------------------------------------


def test_redshift_cron_syntax_is_checked_per_definition() -> None:
    found = only(problems(with_snapshots(schedule=["cron(0 5 * *)"])))
    assert found.startswith("policies[0].snapshots.schedule[0]: ")
    assert "(received 'cron(0 5 * *)')" in found


def test_two_snapshot_times_less_than_an_hour_apart() -> None:
    assert only(problems(with_snapshots(schedule=["cron(0 5 *)", "cron(30 5 *)"]))) == (
        "policies[0].snapshots.schedule: snapshots at 05:00 and 05:30 UTC on Sunday come from definitions 0 and 1; "
        "snapshots must be at least 1 hour apart (received [\"cron(0 5 *)\", \"cron(30 5 *)\"])")


@pytest.mark.parametrize("rate", ["rate(0 hours)", "rate(25 hours)"])
def test_rate_between_1_and_24_hours(rate: str) -> None:
    assert only(problems(with_snapshots(schedule=[rate]))) == (
        "policies[0].snapshots.schedule[0]: rate() must be between 1 and 24 hours, e.g. rate(12 hours) "
        f"(received '{rate}')")


def test_rate_next_to_a_cron_is_refused() -> None:
    assert only(problems(with_snapshots(schedule=["cron(30 5 *)", "rate(12 hours)"]))) == (
        "policies[0].snapshots.schedule[1]: rate() cannot be combined with cron() definitions: Redshift counts "
        "rate() from a start that cannot be known in advance (unverified: most likely the schedule's creation), and "
        "for some start its snapshots come less than 1 hour from those of definition 0; use rate() on its own, or "
        "write it as cron(0 0/12 *) next to the others (received 'rate(12 hours)')")


def test_automated_retention_range() -> None:
    assert only(problems(with_snapshots(automated_snapshot_retention_days=36))) == (
        "policies[0].snapshots.automated_snapshot_retention_days: expected 0-35 (received 36)")


@pytest.mark.parametrize(("field", "value", "verb"), [
    ("schedule", ["cron(0 5 *)"], "take"),
    ("cross_region_copy", {"destination_region": "us-west-2"}, "copy"),
])
def test_automated_snapshots_off_leave_a_schedule_or_copy_nothing_to_do(field: str, value: Any, verb: str) -> None:
    assert only(problems(with_snapshots(automated_snapshot_retention_days=0, **{field: value}))) == (
        f"policies[0].snapshots.{field}: has nothing to {verb}: automated_snapshot_retention_days is 0, which turns "
        f"automated snapshots off; remove {field} or keep automated snapshots for at least 1 day")


@pytest.mark.parametrize("days", [0, -2, 3654])
def test_manual_retention_is_minus_one_or_1_to_3653(days: int) -> None:
    assert only(problems(with_snapshots(manual_snapshot_retention_days=days))) == (
        "policies[0].snapshots.manual_snapshot_retention_days: expected -1 (keep for ever) or 1-3653 days "
        f"(received {days})")


@pytest.mark.parametrize("days", [0, 36])
def test_copy_retention_1_to_35(days: int) -> None:
    found = only(problems(with_snapshots(cross_region_copy={"destination_region": "us-west-2",
                                                            "retention_days": days})))
    assert found.startswith("policies[0].snapshots.cross_region_copy.retention_days: expected ")


def test_native_copy_to_the_stack_region() -> None:
    found = only(problems(with_snapshots(cross_region_copy={"destination_region": "us-east-1"})))
    assert found.startswith("policies[0].snapshots.cross_region_copy.destination_region: is the stack's own region")


def test_copy_grant_key_must_be_in_the_destination_region() -> None:
    key = "arn:aws:kms:us-east-1:111122223333:key/abc"
    found = only(problems(with_snapshots(cross_region_copy={"destination_region": "us-west-2", "kms_key_id": key})))
    assert found.startswith("policies[0].snapshots.cross_region_copy.kms_key_id: must be a key in the destination "
                            "region us-west-2")


def test_two_policies_giving_one_cluster_native_settings_is_an_error() -> None:
    first = with_snapshots(cross_region_copy={"destination_region": "us-west-2"})
    second = copy.deepcopy(first)
    second["name"] = "analytics-2"
    second["snapshots"] = {"cross_region_copy": {"destination_region": "eu-west-1"}}
    second["backup"]["vault"] = {"name": "other-vault"}
    assert only(problems(first, second)) == (
        "policies[1].snapshots.cross_region_copy: cluster 'analytics-prod' already gets its cross_region_copy from "
        "policies[0].snapshots.cross_region_copy ({\"destination_region\": \"us-west-2\"}); a cluster has one "
        "snapshot schedule, one retention and one copy destination, so only one policy may set each (received "
        "{\"destination_region\": \"eu-west-1\"})")


def test_two_policies_giving_one_cluster_a_retention_show_both_values() -> None:
    second = with_snapshots(automated_snapshot_retention_days=7)
    second.update(name="analytics-2", backup={"rules": [{"name": "daily"}], "vault": {"name": "other-vault"}})
    found = only(problems(with_snapshots(automated_snapshot_retention_days=35), second))
    assert found.startswith("policies[1].snapshots.automated_snapshot_retention_days: cluster 'analytics-prod' "
                            "already gets its automated_snapshot_retention_days from "
                            "policies[0].snapshots.automated_snapshot_retention_days (35); ")
    assert found.endswith("(received 7)")


def test_native_layer_needs_named_or_discovered_clusters() -> None:
    found = only(problems(minimal_policy(selection={"conditions": {"string_equals": [
        {"key": "backup", "value": "daily"}]}}, snapshots={"automated_snapshot_retention_days": 7})))
    assert found.startswith("policies[0].snapshots: native snapshot settings apply to clusters by identifier")


# --- the policy and the stack --------------------------------------------------------------------------------


def test_policy_without_a_layer() -> None:
    policy = minimal_policy()
    del policy["backup"]
    assert only(problems(policy)) == ("policies[0]: protects nothing; give a `backup` (AWS Backup) and/or a "
                                      "`snapshots` (native) layer")


def test_policy_name_pattern() -> None:
    found = only(problems(minimal_policy(name="Analytics_Prod")))
    assert found.startswith("policies[0].name: expected 2-32 lowercase letters")


def test_duplicate_policy_names() -> None:
    second = minimal_policy()
    second["backup"] = {"rules": [{"name": "daily"}], "vault": {"name": "second-vault"}}
    found = only(problems(minimal_policy(), second))
    assert found.startswith("policies[1].name: is already used by policies[0]")


def test_two_policies_creating_one_vault() -> None:
    second = minimal_policy(name="other")
    second["backup"] = {"rules": [{"name": "daily"}], "vault": {"name": "analytics-vault"}}
    found = only(problems(minimal_policy(), second))
    assert found.startswith("policies[1].backup.vault.name: policies[0] already creates a vault named "
                            "'analytics-vault'")


@pytest.mark.parametrize(("where", "path"), [
    ({"schedul": "cron(0 5 ? * * *)"}, "policies[0].backup.rules[0].schedul"),
])
def test_unknown_keys_are_errors_with_their_path(where: dict[str, Any], path: str) -> None:
    assert only(problems(with_rule(**where))) == (
        f"{path}: unknown key; did you mean `schedule`? (received 'cron(0 5 ? * * *)')")


def test_unknown_top_level_key() -> None:
    found = only(problems(minimal_policy(), polices=[]))
    assert found == "polices: unknown key; did you mean `policies`? (received [])"


def test_unknown_key_without_a_close_known_key_points_to_the_reference() -> None:
    found = only(problems(with_rule(frequency="daily")))
    assert found == ("policies[0].backup.rules[0].frequency: unknown key (check the spelling against the policy "
                     "reference) (received 'daily')")


def test_region_is_required() -> None:
    assert only(problems(minimal_policy(), region=None)) == (
        "aws:region: is required: the stack's AWS region (e.g. us-east-1)")


def test_every_problem_is_reported_at_once() -> None:
    broken = with_rule(start_window_minutes=10, delete_after_days=0, schedule="cron(bad)")
    broken["selection"] = {"clusters": ["BAD"]}
    other = minimal_policy(name="second", notifications={"emails": ["nope"]})
    other["backup"] = {"rules": [{"name": "daily"}], "vault": {"name": "second-vault"}}
    found = problems(broken, other)
    paths = sorted(p.split(":")[0] for p in found)
    # The rule's cross-field check (start window) runs although two of its fields are invalid.
    assert paths == ["policies[0].backup.rules[0].delete_after_days", "policies[0].backup.rules[0].schedule",
                     "policies[0].backup.rules[0].start_window_minutes", "policies[0].selection.clusters[0]",
                     "policies[1].notifications.emails[0]"]


def test_cross_policy_rules_still_run_when_another_policy_is_broken() -> None:
    first = with_snapshots(cross_region_copy={"destination_region": "us-west-2"})
    second = copy.deepcopy(first)
    second["name"] = "analytics-2"
    second["backup"]["vault"] = {"name": "other-vault"}
    third = minimal_policy(name="BROKEN")
    found = problems(first, second, third)
    assert [p.split(":")[0] for p in found] == ["policies[2].name", "policies[1].snapshots.cross_region_copy"]


def test_cluster_arn_of_another_region_is_rejected() -> None:
    arn = "arn:aws:redshift:eu-west-1:111122223333:cluster:analytics"
    assert only(problems(minimal_policy(selection={"clusters": [arn]}))) == (
        f"policies[0].selection.clusters[0]: is in region eu-west-1, but a stack protects resources of its own region "
        f"(us-east-1) only: declare it in a stack of that region (received '{arn}')")


def test_region_settings_opt_in_in_one_policy_only() -> None:
    first = minimal_policy(backup={"rules": [{"name": "daily"}], "opt_in_region_settings": True})
    second = minimal_policy(name="second", backup={"rules": [{"name": "daily"}], "opt_in_region_settings": True})
    assert only(problems(first, second)) == (
        "policies[1].backup.opt_in_region_settings: policies[0] already opts this region in; RegionSettings is one per "
        "account and region, so turn it on in one policy only (received true)")


# --- values YAML reads as something else -------------------------------------------------------------------------


def test_unquoted_account_id_is_read_as_a_number() -> None:
    arn = "arn:aws:backup:us-west-2:444455556666:backup-vault:central"
    found = only(problems(with_rule(copy_actions=[{"destination_account_id": 444455556666,
                                                   "destination_vault_arn": arn}])))
    assert found == ("policies[0].backup.rules[0].copy_actions[0].destination_account_id: expected text; YAML read "
                     "this as a number: quote it ('444455556666') (received 444455556666)")


def test_unquoted_date_is_read_as_a_date() -> None:
    found = only(problems(minimal_policy(tags={"since": datetime(2026, 1, 31).date()})))
    assert found == ("policies[0].tags.since: expected text; YAML read this as a date: quote it ('2026-01-31') "
                     "(received \"2026-01-31\")")


def test_pulumi_secrets_are_refused_with_an_explanation() -> None:
    policy = minimal_policy(notifications={"emails": [{"secure": "AAABAKk1"}]},
                            tags={"team": {"secure": "AAABAKk2"}})
    assert problems(policy) == [
        f"policies[0].{path}: is a Pulumi secret ({{secure: ...}}); redshift-backup config holds nothing secret "
        "(ARNs, emails and tags end up in plain resource inputs) and an encrypted value cannot be checked: set it "
        "as plain text (pulumi config set --path without --secret)"
        for path in ("notifications.emails[0]", "tags.team")]


# --- a Policy handed to a component ------------------------------------------------------------------------------


def test_a_validated_policy_is_validated_again_for_the_component_region() -> None:
    raw = with_snapshots(cross_region_copy={"destination_region": "us-west-2"})
    west = validate_policy(copy.deepcopy(raw), "eu-west-1")
    with pytest.raises(ConfigError) as exc:
        validate_policy(west, "us-west-2")
    assert [p.render() for p in exc.value.problems] == [
        "policy.snapshots.cross_region_copy.destination_region: is the stack's own region (us-west-2); expected "
        "another region (received 'us-west-2')"]


def test_revalidating_keeps_presets_and_defaults() -> None:
    raw = minimal_policy(backup={"preset": "daily_weekly_monthly_5_year_retention",
                                 "rules": [{"preset": "weekly", "name": "weekly-2", "delete_after_days": 120}],
                                 "vault": {"existing": "central"}})
    policy = validate_policy(raw, REGION)
    assert isinstance(policy, Policy)
    again = validate_policy(policy, "us-west-2")
    assert again is policy
    assert [r.name for r in again.backup.rules] == [  # type: ignore[union-attr]
        "daily", "weekly", "monthly-5-year", "weekly-2"]


def test_a_policy_validated_for_the_region_is_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = validate_policy(minimal_policy(), REGION)
    assert policy.validated_for(REGION) and not policy.validated_for("us-west-2")
    calls: list[Any] = []
    original = Policy.model_validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("context"))
        return original(*args, **kwargs)

    monkeypatch.setattr(Policy, "model_validate", counting)
    assert validate_policy(policy, REGION) is policy and calls == []
    assert validate_policy(policy, "us-west-2") is policy and calls == [{"region": "us-west-2"}]
    # A copy made without validation (model_construct) carries no region: it is validated.
    assert validate_policy(Policy.model_construct(**dict(policy)), REGION) is not policy and len(calls) == 2


def test_automated_snapshots_off_in_one_policy_and_a_schedule_in_another() -> None:
    off = {"name": "off", "selection": {"clusters": ["analytics-prod"]},
           "snapshots": {"automated_snapshot_retention_days": 0}}
    scheduled = {"name": "scheduled", "selection": {"clusters": ["analytics-prod"]},
                 "snapshots": {"schedule": ["cron(0 0,12 *)"]}}
    for order, (first, second) in (("off first", (off, scheduled)), ("schedule first", (scheduled, off))):
        with pytest.raises(ConfigError) as exc:
            validate_config({"policies": [first, second]}, REGION)
        rendered = [p.render() for p in exc.value.problems]
        assert len(rendered) == 1, (order, rendered)
        if first is off:
            assert rendered[0] == (
                "policies[1].snapshots.schedule: cluster 'analytics-prod' has automated snapshots turned off by "
                "policies[0].snapshots.automated_snapshot_retention_days (0), so this schedule would take or copy "
                "nothing; set a retention of 1-35 days there (received [\"cron(0 0,12 *)\"])"), order
        else:
            assert rendered[0] == (
                "policies[1].snapshots.automated_snapshot_retention_days: turns automated snapshots of cluster "
                "'analytics-prod' off, but policies[0].snapshots.schedule gives it a schedule, which would then take "
                "or copy nothing; expected 1-35 (received 0)"), order
