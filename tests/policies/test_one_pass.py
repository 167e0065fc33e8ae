"""One pass, in document order, at its line: stack files with several defects of different kinds at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.errors import ConfigError
from policies.validation import load_stack_file, validate_config

# Eight independent defects: a field error (cluster id), a cross-field error in the same rule as two field
# errors (start window beside a bad schedule and time zone), an unknown key, a vault field error beside a lock
# that contradicts itself, a lock bound the rule breaks, a cross-policy duplicate name next to a policy with
# a field error, and an octal account id.
MANY = """\
config:
  aws:region: us-east-1
  redshift-backup:policies:
    - name: analytics
      selection:
        clusters: [Analytics]
      backup:
        rules:
          - name: daily
            schedule: cron(0 5 * * * *)
            start_window_minutes: 30
            schedule_timezone: Europe/Berln
            delete_after_days: 35
            copy_actions:
              - destination_region: us-west-2
                destination_account_id: 012345670123
                destination_vault_arn: arn:aws:backup:us-west-2:123456789012:backup-vault:copies
                delete_after_dayz: 90
        vault:
          name: x
          lock: {mode: governance, min_retention_days: 100, max_retention_days: 50}
    - name: analytics
      selection: {clusters: [ok]}
      backup:
        rules:
          - name: daily
            delete_after_days: 40
        vault:
          name: second
          lock: {mode: governance, min_retention_days: 60, max_retention_days: 90}
"""


def load_problems(tmp_path: Path, text: str) -> list[tuple[int | None, int | None, str, str]]:
    path = tmp_path / "Pulumi.many.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    return [(p.line, p.column, p.path, p.rule) for p in caught.value.problems]


def test_every_defect_in_one_run_in_document_order_at_its_line(tmp_path: Path) -> None:
    found = load_problems(tmp_path, MANY)
    assert found == [
        (6, 20, "policies[0].selection.clusters[0]", "selection"),
        (10, 23, "policies[0].backup.rules[0].schedule", "backup-rule"),
        (11, 35, "policies[0].backup.rules[0].start_window_minutes", "backup-rule"),
        (12, 32, "policies[0].backup.rules[0].schedule_timezone", "backup-rule"),
        (16, 41, "policies[0].backup.rules[0].copy_actions[0].destination_account_id", "yaml-type"),
        (18, 17, "policies[0].backup.rules[0].copy_actions[0].delete_after_dayz", "unknown-key"),
        (20, 17, "policies[0].backup.vault.name", "vault"),
        (21, 56, "policies[0].backup.vault.lock.min_retention_days", "vault-lock"),
        (22, 13, "policies[1].name", "cross-policy"),
        (27, 32, "policies[1].backup.rules[0].delete_after_days", "backup-layer"),
    ]


def test_the_octal_hint_shows_the_digits_the_user_wrote(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.many.yaml"
    path.write_text(MANY, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    (octal,) = [p for p in caught.value.problems if p.path.endswith("destination_account_id")]
    assert octal.message == ("expected text; YAML read 012345670123 as a number (a leading 0 makes it octal: "
                             "1402433619): quote it ('012345670123')")


def test_a_missing_key_is_placed_at_its_mapping_and_an_unknown_key_at_the_key(tmp_path: Path) -> None:
    found = load_problems(tmp_path, "config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n"
                                    "    - name: analytics\n      backup: {rules: [{name: daily}]}\n"
                                    "      selektion: {}\n")
    assert found == [(4, 7, "policies[0].selection", "required-key"),
                     (6, 7, "policies[0].selektion", "unknown-key")]


def test_cross_field_checks_run_on_the_valid_fields_of_a_vault() -> None:
    # The vault's name is invalid: its other rule (principals need deny_recovery_point_deletion) still runs.
    policy = {"name": "analytics", "selection": {"clusters": ["a"]},
              "backup": {"rules": [{"name": "daily"}],
                         "vault": {"name": "x", "deny_recovery_point_deletion": False,
                                   "allowed_principals": ["arn:aws:iam::123456789012:role/admin"]}}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [policy]}, "us-east-1")
    assert [p.path for p in caught.value.problems] == ["policies[0].backup.vault.name",
                                                       "policies[0].backup.vault.allowed_principals"]


def test_a_check_whose_input_is_invalid_is_skipped() -> None:
    # completion_window_minutes is compared with start_window_minutes: with a start window that is no number,
    # only the start window is reported.
    policy = {"name": "analytics", "selection": {"clusters": ["a"]},
              "backup": {"rules": [{"name": "daily", "start_window_minutes": "soon", "completion_window_minutes": 10}]}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [policy]}, "us-east-1")
    assert [p.path for p in caught.value.problems] == ["policies[0].backup.rules[0].start_window_minutes"]


def test_snapshot_spacing_and_copy_rules_run_beside_field_errors() -> None:
    policy = {"name": "analytics", "selection": {"clusters": ["a"]},
              "snapshots": {"schedule": ["cron(0 1 *)", "cron(30 1 *)"], "manual_snapshot_retention_days": 0,
                            "cross_region_copy": {"destination_region": "us-east-1", "retention_days": 99}}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [policy]}, "us-east-1")
    paths = [p.path for p in caught.value.problems]
    assert "policies[0].snapshots.manual_snapshot_retention_days" in paths
    assert "policies[0].snapshots.cross_region_copy.retention_days" in paths
    assert any(p.startswith("policies[0].snapshots.schedule") for p in paths)  # closer than an hour
    # The copy's retention is invalid; its destination is valid, and the snapshot layer's rule on it still runs.
    assert "policies[0].snapshots.cross_region_copy.destination_region" in paths


def test_checks_after_an_invalid_field_in_the_same_validator_still_run() -> None:
    # The schedule (read by the "never runs again" check) is invalid; the cold storage, continuous backup and
    # copy destination rules written after that check in the same validator still run.
    policy = {"name": "analytics", "selection": {"clusters": ["a"], "conditions": {"string_equals": "x"},
                                                 "not_resources": ["a"]},
              "backup": {"rules": [{"name": "daily", "schedule": "cron(bad)", "move_to_cold_storage_after_days": 30,
                                    "enable_continuous_backup": True,
                                    "copy_actions": [{"destination_region": "us-west-2"},
                                                     {"destination_region": "us-west-2"}]}]}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [policy]}, "us-east-1")
    assert [p.path for p in caught.value.problems] == [
        "policies[0].selection.conditions.string_equals",
        "policies[0].backup.rules[0].schedule",
        "policies[0].backup.rules[0].move_to_cold_storage_after_days",
        "policies[0].backup.rules[0].enable_continuous_backup",
        "policies[0].backup.rules[0].copy_actions[1]",
    ]


def test_cross_policy_rules_see_the_valid_parts_of_a_broken_policy() -> None:
    # The second policy's rule has an invalid start window; its vault name still collides with the first's.
    first = {"name": "one", "selection": {"clusters": ["a"]},
             "backup": {"rules": [{"name": "daily"}], "vault": {"name": "shared"}}}
    second = {"name": "two", "selection": {"clusters": ["b"]},
              "backup": {"rules": [{"name": "daily", "start_window_minutes": 5}], "vault": {"name": "shared"}}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [first, second]}, "us-east-1")
    assert [(p.path, p.rule) for p in caught.value.problems] == [
        ("policies[1].backup.rules[0].start_window_minutes", "backup-rule"),
        ("policies[1].backup.vault.name", "cross-policy")]


def test_paths_and_lines_follow_the_file_when_a_plan_preset_adds_rules(tmp_path: Path) -> None:
    # The preset's rule comes first in the model; the file's rules[1] is still called rules[1], at its line.
    text = ("config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n    - name: analytics\n"
            "      selection: {clusters: [a]}\n      backup:\n        preset: daily_35_day_retention\n"
            "        rules:\n          - name: extra\n          - name: second\n            start_window_minutes: 5\n"
            "        vault: {lock: {mode: governance, min_retention_days: 50, max_retention_days: 90}}\n")
    found = load_problems(tmp_path, text)
    assert found == [
        (7, 17, "policies[0].backup.preset", "backup-layer"),  # the preset's own rule keeps 35 days
        (9, 13, "policies[0].backup.rules[0].delete_after_days", "backup-layer"),
        (10, 13, "policies[0].backup.rules[1].delete_after_days", "backup-layer"),
        (11, 35, "policies[0].backup.rules[1].start_window_minutes", "backup-rule"),
    ]


def test_a_misspelt_allowed_value_names_the_nearest_and_the_lock_bounds_still_apply() -> None:
    policy = {"name": "analytics", "selection": {"clusters": ["a"]},
              "backup": {"rules": [{"name": "daily"}],
                         "vault": {"lock": {"mode": "governence", "min_retention_days": 100,
                                            "max_retention_days": 200}}}}
    with pytest.raises(ConfigError) as caught:
        validate_config({"policies": [policy]}, "us-east-1")
    assert [p.render() for p in caught.value.problems] == [
        "policies[0].backup.vault.lock.mode: expected 'governance' or 'compliance' (did you mean 'governance'?) "
        "(received 'governence')",
        "policies[0].backup.rules[0].delete_after_days: 35 days is below the vault lock minimum of 100 days "
        "(received 35)"]


def test_a_component_argument_with_a_plan_preset_keeps_the_written_rule_index() -> None:
    from policies.validation import validate_policy

    policy = {"name": "analytics", "selection": {"clusters": ["a"]},
              "backup": {"preset": "daily_35_day_retention", "rules": [{"name": "x", "start_window_minutes": 5}]}}
    with pytest.raises(ConfigError) as caught:
        validate_policy(policy, "us-east-1")
    assert [p.path for p in caught.value.problems] == ["policy.backup.rules[0].start_window_minutes"]


def test_every_rule_of_a_restore_runs_beside_a_field_error() -> None:
    restore = {"name": "drill", "source": {"latest_snapshot_of": "analytics"}, "port": 80,
               "node_type": "ra3.xlplus", "automated_snapshot_retention_days": 0, "skip_final_snapshot": True,
               "final_snapshot_retention_days": 30,
               "iam_roles": ["arn:aws:iam::123456789012:role/a"],
               "default_iam_role_arn": "arn:aws:iam::123456789012:role/b"}
    with pytest.raises(ConfigError) as caught:
        validate_config({"restores": [restore]}, "us-east-1")
    assert sorted(p.path for p in caught.value.problems) == [
        "restores[0].automated_snapshot_retention_days", "restores[0].default_iam_role_arn",
        "restores[0].final_snapshot_retention_days", "restores[0].port"]
