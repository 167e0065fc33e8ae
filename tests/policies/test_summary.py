"""policies.summary: the wording of rules and layers, next times, RPO, retention and the protection matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from policies import native_plan
from policies import summary as s
from policies.models import stack_account
from policies.validation import load_stack_file, validate_config

ROOT = Path(__file__).resolve().parents[2]
# A Sunday 03:00 UTC: the weekly prod rule (Sunday 06:00) and the native 12:00 run both fall inside the next day.
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def stack(*policies: dict[str, Any], restores: list[dict[str, Any]] | None = None, region: str = "us-east-1"):
    raw: dict[str, Any] = {"policies": list(policies)}
    if restores is not None:
        raw["restores"] = restores
    return validate_config(raw, region)


def backup_policy(name: str = "pol", clusters: list[str] | None = None, **backup: Any) -> dict[str, Any]:
    return {"name": name, "selection": {"clusters": clusters or ["analytics"]},
            "backup": backup or {"rules": [{"name": "daily"}]}}


def test_dev_stack_summary_is_pinned() -> None:
    result = s.summarize(load_stack_file(ROOT / "Pulumi.dev.yaml"), NOW)
    (policy,) = result.policies
    assert [r.text for r in policy.rules] == ["every day at 05:00 UTC, kept 35 days"]
    assert policy.rpo == timedelta(days=1)
    assert policy.longest_retention_days == 35
    assert [t.label for t in policy.targets] == ["tag backup = daily"]
    assert [u.time for u in policy.next_times] == [datetime(2026, 11, d, 5, 0, tzinfo=UTC) for d in range(22, 27)]
    assert policy.next_times[0].labels == ("dev-daily/daily (AWS Backup)",)
    assert policy.vault is not None and policy.vault.text.startswith("vault dev-daily-vault, encrypted with the "
                                                                      "AWS managed key, no vault lock")
    assert policy.vault.text.endswith("recovery points deletable by anyone with IAM permission (no deny policy), "
                                      "not protected from `pulumi destroy`")
    assert policy.caveats == ()
    (row,) = result.matrix
    assert (row.target.kind, row.target.label, row.layers) == ("tag_selector", "tag backup = daily", ("AWS Backup",))


def test_prod_stack_summary_is_pinned() -> None:
    result = s.summarize(load_stack_file(ROOT / "Pulumi.prod.yaml"), NOW)
    (policy,) = result.policies
    assert [r.text for r in policy.rules] == [
        "every day at 05:00 UTC, kept 35 days, copied to us-west-2 and kept 35 days",
        "every Sunday at 06:00 UTC, kept 90 days, copied to account 444455556666 (us-east-1) and kept 365 days "
        "(1 year)",
        "on day 1 of every month at 05:00 Europe/Berlin, kept 2555 days (7 years), copied to us-west-2 and kept "
        "2555 days (7 years)",
    ]
    assert [r.rpo for r in policy.rules] == [timedelta(days=1), timedelta(days=7), timedelta(days=30)]
    assert policy.native is not None
    assert policy.native.lines == (
        "snapshots every day at 00:00 and 12:00 UTC; every Saturday at 06:30 UTC",
        "automated snapshots kept 7 days",
        "manual snapshots kept 90 days by default",
        "snapshots copied to us-west-2, automated copies kept 7 days, manual copies kept for ever",
    )
    # Both layers together: the native 00:00/12:00 snapshots bound the gap at 12 hours.
    assert policy.rpo == timedelta(hours=12)
    assert policy.longest_retention_days == 2555
    assert [(u.time.hour, u.labels) for u in policy.next_times] == [
        (5, ("prod-analytics/daily (AWS Backup)",)), (6, ("prod-analytics/weekly (AWS Backup)",)),
        (12, ("prod-analytics (native snapshot)",)), (0, ("prod-analytics (native snapshot)",)),
        (5, ("prod-analytics/daily (AWS Backup)",))]
    assert policy.caveats == (s.manual_snapshot_caveat(),)
    rows = {r.target.label: r for r in result.matrix}
    assert list(rows) == [
        "analytics-prod", "finance-prod", "tag tier = 1 and tag backup != none, except analytics-prod-scratch",
        "namespace arn:aws:redshift-serverless:us-east-1:111122223333:namespace/"
        "3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"]
    named = rows["finance-prod"]
    assert named.layers == ("AWS Backup", "native snapshots")
    assert (named.rpo, named.longest_retention_days) == (timedelta(hours=12), 2555)
    assert (named.copy_regions, named.copy_accounts) == (("us-west-2",), ("444455556666",))
    assert named.vault_locks == ("prod-analytics-vault: compliance (30-2555 days)",)
    assert named.notified == ("dba-oncall@example.com", "data-platform@example.com",
                              "topic prod-analytics-backup-events")
    assert named.caveats == (s.manual_snapshot_caveat(),)
    # Tag-selected clusters get AWS Backup only (no discover_tagged_clusters): the daily rule sets the RPO.
    tagged = rows["tag tier = 1 and tag backup != none, except analytics-prod-scratch"]
    assert (tagged.layers, tagged.rpo, tagged.caveats) == (("AWS Backup",), timedelta(days=1), ())


def test_caveat_is_the_native_layer_one() -> None:
    assert s.manual_snapshot_caveat() == native_plan.MANUAL_SNAPSHOT_CAVEAT
    assert "AWS Backup cannot manage automated snapshots" in s.manual_snapshot_caveat()


@pytest.mark.parametrize(("copy", "words"), [
    ({"destination_region": "us-west-2", "delete_after_days": 90}, "copied to us-west-2 and kept 90 days"),
    ({"destination_region": "eu-west-1"}, "copied to eu-west-1 and kept 35 days"),
    ({"destination_account_id": "444455556666",
      "destination_vault_arn": "arn:aws:backup:us-east-1:444455556666:backup-vault:central",
      "delete_after_days": 365}, "copied to account 444455556666 (us-east-1) and kept 365 days (1 year)"),
])
def test_copy_wording(copy: dict[str, Any], words: str) -> None:
    policy = backup_policy(rules=[{"name": "daily", "copy_actions": [copy]}])
    (rule,) = s.summarize(stack(policy), NOW).policies[0].rules
    assert rule.text == f"every day at 05:00 UTC, kept 35 days, {words}"


OWN_VAULT = "arn:aws:backup:us-west-2:111122223333:backup-vault:copies"
OWN_CLUSTER = "arn:aws:redshift:us-east-1:111122223333:cluster:finance"


@pytest.mark.parametrize(("clusters", "copy", "accounts", "words"), [
    # The stack's account is unknown: a vault ARN alone is taken as this account's (README: destination_account_id
    # marks another account), and the words show the ARN.
    (["analytics"], {"destination_vault_arn": OWN_VAULT}, (), f"copied to vault {OWN_VAULT}"),
    # Known from a cluster ARN: a vault there is this account's, even with destination_account_id.
    (["analytics", OWN_CLUSTER], {"destination_vault_arn": OWN_VAULT}, (), f"copied to vault {OWN_VAULT}"),
    (["analytics", OWN_CLUSTER], {"destination_vault_arn": OWN_VAULT, "destination_account_id": "111122223333"}, (),
     f"copied to vault {OWN_VAULT}"),
    (["analytics", OWN_CLUSTER], {"destination_vault_arn": OWN_VAULT.replace("111122223333", "444455556666")},
     ("444455556666",), "copied to account 444455556666 (us-west-2)"),
])
def test_copies_to_the_stacks_own_account_are_not_cross_account(clusters: list[str], copy: dict[str, Any],
                                                                accounts: tuple[str, ...], words: str) -> None:
    policy = backup_policy(clusters=clusters, rules=[{"name": "daily", "copy_actions": [copy]}])
    result = s.summarize(stack(policy), NOW)
    assert result.policies[0].rules[0].text == f"every day at 05:00 UTC, kept 35 days, {words} and kept 35 days"
    assert {row.copy_accounts for row in result.matrix} == {accounts}


def test_stack_account_comes_from_arns_that_must_be_in_it() -> None:
    assert stack_account(stack(backup_policy()).policies) is None
    assert stack_account(stack(backup_policy(clusters=[OWN_CLUSTER])).policies) == "111122223333"
    role = backup_policy(rules=[{"name": "daily"}], iam_role_arn="arn:aws:iam::222233334444:role/backup")
    assert stack_account(stack(role).policies) == "222233334444"
    both = backup_policy(clusters=[OWN_CLUSTER], rules=[{"name": "daily"}],
                         iam_role_arn="arn:aws:iam::222233334444:role/backup")
    assert stack_account(stack(both).policies) is None  # two accounts: not known


def test_rpo_of_two_rules_is_the_longest_gap_between_them() -> None:
    policy = backup_policy(rules=[{"name": "morning", "schedule": "cron(0 6 ? * * *)"},
                                  {"name": "evening", "schedule": "cron(0 18 ? * MON-FRI *)"}])
    result = s.summarize(stack(policy), NOW).policies[0]
    # Weekdays run 06:00 and 18:00; Friday 18:00 to Saturday 06:00 is 12 hours, the evening rule alone waits Friday to Monday.
    assert result.rpo == timedelta(days=1)
    assert [r.rpo for r in result.rules] == [timedelta(days=1), timedelta(days=3)]


def test_native_layer_without_schedule_keeps_redshift_default_and_no_rpo() -> None:
    policy = {"name": "pol", "selection": {"clusters": ["analytics"]},
              "snapshots": {"automated_snapshot_retention_days": 5}}
    result = s.summarize(stack(policy), NOW)
    (p,) = result.policies
    assert p.native is not None and p.native.lines[0] == s.DEFAULT_NATIVE_SCHEDULE
    assert (p.rpo, p.next_times, p.rules, p.vault) == (None, (), (), None)
    assert p.longest_retention_days == 5
    assert result.matrix[0].layers == ("native snapshots",)


def test_automated_retention_zero_says_snapshots_are_off_not_the_default_schedule() -> None:
    policy = {"name": "pol", "selection": {"clusters": ["analytics"]},
              "snapshots": {"automated_snapshot_retention_days": 0}}
    result = s.summarize(stack(policy), NOW)
    (p,) = result.policies
    assert p.native is not None
    assert p.native.lines == ("automated snapshots turned off (retention 0): Redshift takes none and deletes the "
                              "existing ones",)
    assert (p.rpo, p.next_times, p.longest_retention_days) == (None, (), None)
    assert result.matrix[0].schedules == ("pol native: automated snapshots off",)


def test_rate_times_say_which_start_they_assume() -> None:
    policy = {"name": "pol", "selection": {"clusters": ["analytics"]}, "snapshots": {"schedule": ["rate(12 hours)"]}}
    (p,) = s.summarize(stack(policy), NOW).policies
    assert p.native is not None
    assert p.native.lines[:2] == ("snapshots every 12 hours",
                                  "rate() times assume a start at 00:00 UTC; Redshift's real start is unverified")
    assert {label for u in p.next_times for label in u.labels} == {
        "pol (native snapshot, rate() from 00:00 UTC assumed)"}


def test_one_cluster_in_two_policies_gets_one_row_with_both_layers_and_the_combined_rpo() -> None:
    weekly = backup_policy("backups", rules=[{"name": "weekly", "preset": "weekly"}])
    native = {"name": "snaps", "selection": {"clusters": ["analytics"]},
              "snapshots": {"schedule": ["cron(0 0,12 *)"], "automated_snapshot_retention_days": 3}}
    (row,) = s.summarize(stack(weekly, native), NOW).matrix
    assert [(c.policy, c.layers) for c in row.coverage] == [("backups", ("AWS Backup",)),
                                                            ("snaps", ("native snapshots",))]
    assert row.rpo == timedelta(hours=12)
    assert row.longest_retention_days == 90
    assert row.caveats == (s.manual_snapshot_caveat(),)
    assert row.schedules == ("backups/weekly: every Saturday at 05:00 UTC",
                             "snaps native: every day at 00:00 and 12:00 UTC")


def test_selection_rows_for_patterns_tags_exclusions_and_discovery() -> None:
    tag = {"string_equals": [{"key": "backup", "value": "daily"}], "string_like": [{"key": "team", "value": "data*"}]}
    patterns = {"name": "patterns", "selection": {
        "clusters": ["analytics-*", "finance"], "not_resources": ["finance"], "conditions": tag},
        "backup": {"rules": [{"name": "daily"}]}}
    discovered = {"name": "discovered", "selection": {"conditions": tag, "discover_tagged_clusters": True},
                  "snapshots": {"automated_snapshot_retention_days": 7}}
    first, second = s.summarize(stack(patterns, discovered), NOW).policies
    assert [(t.kind, t.label) for t in first.targets] == [
        ("cluster_pattern", "clusters matching analytics-*"),
        ("tag_selector", "tag backup = daily and tag team like data*, except finance")]
    assert first.native_targets == ()
    # Discovery lets the native layer reach tag-selected clusters.
    assert [t.label for t in second.native_targets] == ["tag backup = daily and tag team like data*"]
    assert second.targets == second.native_targets


def test_declared_restores_are_described() -> None:
    restores = [{"name": "analytics-copy", "source": {"latest_snapshot_of": "analytics"}}]
    result = s.summarize(stack(backup_policy(), restores=restores), NOW)
    (restore,) = result.restores
    assert (restore.name, restore.kind, restore.source) == ("analytics-copy", "cluster",
                                                            "the latest snapshot of analytics")
    assert restore.lines[0].startswith("restore cluster analytics-copy from the latest snapshot of analytics")


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        s.summarize(stack(backup_policy()), datetime(2026, 1, 1))


@pytest.mark.parametrize(("days", "text"), [(1, "1 day"), (35, "35 days"), (365, "365 days (1 year)"),
                                            (1825, "1825 days (5 years)"), (400, "400 days"), (-1, "for ever")])
def test_days_text(days: int, text: str) -> None:
    assert s.days_text(days) == text


@pytest.mark.parametrize(("value", "text"), [
    (timedelta(hours=12), "12 hours"), (timedelta(days=1, hours=1, minutes=30), "1 day 1 hour 30 minutes"),
    (timedelta(days=30), "30 days"), (None, "unknown")])
def test_duration_text(value: timedelta | None, text: str) -> None:
    assert s.duration_text(value) == text
