"""Pure tests of the audit frameworks: which controls a policy gets, their parameters and scopes, and validation."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import audit, names
from policies import audit_controls as controls
from policies.backup_layer import BackupRule
from policies.errors import ConfigError
from policies.models import Policy
from policies.validation import load_stack_file, validate_config

REGION = "us-east-1"


def policy(**changes: Any) -> dict[str, Any]:
    """A small audited policy: one named cluster, a daily rule copied to us-west-2, a locked vault."""
    raw: dict[str, Any] = {
        "name": "orders",
        "selection": {"clusters": ["orders-prod"]},
        "backup": {
            "rules": [{"name": "daily", "schedule": "cron(0 5 * * ? *)", "delete_after_days": 35,
                       "start_window_minutes": 60,
                       "copy_actions": [{"destination_region": "us-west-2"}]}],
            "vault": {"lock": {"mode": "governance", "min_retention_days": 7, "max_retention_days": 400}},
        },
        "audit": {},
    }
    for key, value in changes.items():
        raw[key] = value
    return raw


def plan_of(raw: dict[str, Any], account: str | None = None) -> controls.FrameworkPlan:
    stack = validate_config({"policies": [raw]}, REGION)
    plan = controls.framework_plan(stack.policies[0], REGION, account)
    assert plan is not None
    return plan


def problems(*policies: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config({"policies": list(policies)}, REGION)
    return [p.render() for p in err.value.problems]


def by_name(plan: controls.FrameworkPlan, name: str) -> list[controls.ControlSpec]:
    return [c for c in plan.controls if c.name == name]


def test_a_small_policy_gets_every_control_it_promises_with_parameters_from_its_rules() -> None:
    plan = plan_of(policy())
    assert plan.framework_name == "orders_audit"
    assert [c.name for c in plan.controls] == [
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
        "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK",
        "BACKUP_RECOVERY_POINT_ENCRYPTED",
        "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
        "BACKUP_LAST_RECOVERY_POINT_CREATED",
        "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
    ]
    (frequency,) = by_name(plan, "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")
    assert frequency.parameters == (("requiredFrequencyUnit", "days"), ("requiredFrequencyValue", "1"),
                                    ("requiredRetentionDays", "35"))
    assert frequency.args()["scope"] == {"compliance_resource_ids": ["{plan_id}"],
                                         "compliance_resource_types": ["AWS::Backup::BackupPlan"]}
    (lock,) = by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK")
    assert dict(lock.parameters) == {"minRetentionDays": "7", "maxRetentionDays": "400"}
    assert lock.args()["scope"] == {"compliance_resource_ids": ["orders-prod"], "compliance_resource_types": ["Redshift"]}
    (age,) = by_name(plan, "BACKUP_LAST_RECOVERY_POINT_CREATED")
    # A daily rule (24 hours) plus its 60-minute start window.
    assert dict(age.parameters) == {"recoveryPointAgeUnit": "hours", "recoveryPointAgeValue": "25"}
    (region,) = by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION")
    assert region.parameters == (("crossRegionList", "us-west-2"),)
    (deletion,) = by_name(plan, "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED")
    assert deletion.args() == {"name": "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED", "scope": {
        "compliance_resource_ids": ["orders-vault"], "compliance_resource_types": ["AWS::Backup::BackupVault"]}}
    [rp_scope] = {c.scope for c in by_name(plan, "BACKUP_RECOVERY_POINT_ENCRYPTED")}
    assert rp_scope.args() == {"tags": {"redshift-backup:policy": "orders"}}
    # AWS Config's rule wants backup:PutBackupVaultAccessPolicy denied too, which the vault policy does not.
    assert audit.DELETION_CONTROL_NOTE in plan.notes
    assert [r.name for r in plan.reports] == ["orders_control_compliance", "orders_resource_compliance"]
    assert [r.template for r in plan.reports] == ["CONTROL_COMPLIANCE_REPORT", "RESOURCE_COMPLIANCE_REPORT"]


def test_the_prod_example_stays_inside_aws_names_parameters_and_the_control_limit() -> None:
    stack = load_stack_file("Pulumi.prod.yaml")
    plan = controls.framework_plan(stack.policies[0], stack.region)
    assert plan is not None
    assert {c.name for c in plan.controls} == set(audit.CONTROL_NAMES) - {"RESTORE_TIME_FOR_RESOURCES_MEET_TARGET"}
    for control in plan.controls:
        assert {k for k, _ in control.parameters} <= audit.CONTROL_PARAMETERS[control.name]
        assert all(isinstance(v, str) and v for _, v in control.parameters)
    assert len(plan.controls) <= audit.MAX_CONTROLS_PER_ACCOUNT_AND_REGION
    frequencies = {(dict(c.parameters)["requiredFrequencyValue"], dict(c.parameters)["requiredRetentionDays"])
                   for c in by_name(plan, "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")}
    assert frequencies == {("1", "35"), ("7", "90"), ("31", "2555")}
    (exempt,) = by_name(plan, "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED")
    assert exempt.parameters == (("principalArnList", "arn:aws:iam::111122223333:role/backup-break-glass"),)
    labels = {c.scope.label for c in by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN")}
    assert labels == {"cluster analytics-prod", "cluster finance-prod", "resources tagged tier=1",
                      "namespace 3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}
    (account,) = {c.parameters for c in by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT")}
    assert account == (("crossAccountList", "444455556666"),)
    assert any("wider than the selection" in note for note in plan.notes)


@pytest.mark.parametrize(("interval", "expected"), [
    (timedelta(hours=1), ("hours", 1)),
    (timedelta(minutes=90), ("hours", 2)),
    (timedelta(hours=12), ("hours", 12)),
    (timedelta(hours=24), ("days", 1)),
    (timedelta(days=7), ("days", 7)),
    (timedelta(days=31), ("days", 31)),
    (timedelta(days=31, hours=1), None),
])
def test_frequency_parameter_stays_inside_24_hours_or_31_days(interval: timedelta,
                                                               expected: tuple[str, int] | None) -> None:
    assert controls.frequency_parameter(interval) == expected


def test_recovery_point_age_is_rpo_plus_start_window_up_to_744_hours() -> None:
    assert controls.recovery_point_age(timedelta(hours=24), 60) == 25
    assert controls.recovery_point_age(timedelta(hours=12), 90) == 14
    assert controls.recovery_point_age(timedelta(hours=744), 0) == 744
    assert controls.recovery_point_age(timedelta(hours=744), 1) is None


def test_a_daily_rule_is_daily_across_daylight_saving_in_its_time_zone() -> None:
    rule = BackupRule.model_validate({"name": "d", "schedule": "cron(0 1 * * ? *)", "schedule_timezone": "Europe/Berlin"})
    assert controls.rule_interval(rule) == timedelta(days=1)


def test_rules_aws_cannot_express_are_left_out_with_a_note() -> None:
    raw = policy()
    raw["backup"]["rules"] = [{"name": "yearly", "schedule": "cron(0 5 1 1 ? *)", "delete_after_days": 400}]
    plan = plan_of(raw)
    assert not by_name(plan, "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")
    assert not by_name(plan, "BACKUP_LAST_RECOVERY_POINT_CREATED")
    assert any(note.startswith("rule yearly: runs less often than every 31 days") for note in plan.notes)
    assert any("exceeds 744 hours" in note for note in plan.notes)


def test_only_what_the_policy_promises_is_checked() -> None:
    raw = policy()
    raw["backup"]["vault"] = {"deny_recovery_point_deletion": False}
    raw["backup"]["rules"][0]["copy_actions"] = []
    plan = plan_of(raw)
    names = {c.name for c in plan.controls}
    assert not names & {"BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED", "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                        "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION", "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT",
                        "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET"}
    assert any("deny_recovery_point_deletion is off" in note for note in plan.notes)


def test_an_existing_vault_gets_no_vault_controls() -> None:
    raw = policy()
    raw["backup"]["vault"] = {"existing": "shared-vault"}
    plan = plan_of(raw)
    assert not by_name(plan, "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED")
    assert not by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK")


def test_restore_target_and_cross_account_copies() -> None:
    raw = policy(audit={"restore_time_target_minutes": 240})
    raw["backup"]["rules"][0]["copy_actions"].append(
        {"destination_account_id": "444455556666",
         "destination_vault_arn": "arn:aws:backup:us-east-1:444455556666:backup-vault:central"})
    plan = plan_of(raw)
    (restore,) = by_name(plan, "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET")
    assert restore.parameters == (("maxRestoreTime", "240"),)
    (account,) = by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT")
    assert account.parameters == (("crossAccountList", "444455556666"),)
    assert any("restore testing does not cover Redshift" in note for note in plan.notes)


def test_scope_tag_replaces_the_per_resource_scopes() -> None:
    raw = policy(audit={"scope_tag": {"key": "backup", "value": "gold"}})
    raw["selection"]["clusters"] = ["a-prod", "b-prod", "c-*"]
    plan = plan_of(raw)
    scopes = {c.scope for c in by_name(plan, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN")}
    assert [s.args() for s in scopes] == [{"tags": {"backup": "gold"}}]
    without = plan_of(policy(selection={"clusters": ["a-prod", "c-*"]}))
    assert [c.scope.label for c in by_name(without, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN")] == ["cluster a-prod"]
    assert any("clusters matching c-*" in note for note in without.notes)


def test_the_recovery_point_tag_goes_into_the_plan_rules_only_when_audited() -> None:
    from policies.backup_plan import plan_rules

    audited = validate_config({"policies": [policy()]}, REGION).policies[0]
    plain = validate_config({"policies": [policy(audit=None)]}, REGION).policies[0]
    assert plan_rules(audited, "v", {"us-west-2": "w"})[0]["recovery_point_tags"] == {
        "redshift-backup:policy": "orders"}
    assert "recovery_point_tags" not in plan_rules(plain, "v", {"us-west-2": "w"})[0]


def test_too_many_exempt_principals_is_refused_unless_the_control_is_skipped() -> None:
    raw = policy()
    raw["backup"]["vault"]["allowed_principals"] = [f"arn:aws:iam::111122223333:role/r{i}" for i in range(6)]
    assert problems(raw) == [
        "policies[0].backup.vault.allowed_principals: 6 principals; BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED "
        "exempts at most 5: list at most 5, or add that control to audit.skip_controls"]
    raw["audit"] = {"skip_controls": ["BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED"]}
    validate_config({"policies": [raw]}, REGION)
    assert audit.DELETION_CONTROL_NOTE not in plan_of(raw).notes


def test_more_than_five_copy_accounts_is_refused() -> None:
    raw = policy()
    raw["backup"]["vault"] = {"kms_key": "new"}
    raw["backup"]["rules"] = [
        {"name": f"r{i}", "delete_after_days": 35, "copy_actions": [{
            "destination_account_id": f"44445555666{i}",
            "destination_vault_arn": f"arn:aws:backup:us-east-1:44445555666{i}:backup-vault:central"}]}
        for i in range(6)]
    (message,) = problems(raw)
    assert message.startswith("policies[0].audit: the copies go to 6 other accounts; "
                              "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT checks at most 5")


def test_the_stack_may_not_exceed_50_controls_in_its_account_and_region() -> None:
    many = [policy(name=f"p{i}", selection={"clusters": [f"c{i}-a", f"c{i}-b"]}) for i in range(5)]
    messages = problems(*many)
    assert messages == [
        "policies[4].audit: the stack's frameworks would have 60 controls (p0 12, p1 12, p2 12, p3 12, p4 12); AWS Backup "
        "Audit Manager allows 50 per account and region (a control in two frameworks counts twice, frameworks "
        "outside this stack count too): set audit.scope_tag (one scope instead of one per cluster), add controls to "
        "audit.skip_controls, or audit fewer policies"]
    for raw in many:
        raw["audit"] = {"scope_tag": {"key": "team", "value": raw["name"]}}
    validate_config({"policies": many}, REGION)


def test_tag_conditions_without_string_equals_need_a_scope_tag() -> None:
    raw = policy(selection={"conditions": {"string_not_equals": [{"key": "backup", "value": "none"}]}})
    assert problems(raw) == [
        "policies[0].audit.scope_tag: is required: the selection's tag conditions have no string_equals (nor a "
        "string_like '*'), and a control scope holds one tag; give the tag every selected cluster carries, e.g. "
        "{key: backup, value: daily}"]
    raw["audit"] = {"scope_tag": {"key": "tier"}}
    plan = plan_of(raw)
    assert {c.scope.args() == {"tags": {"tier": ""}} for c in by_name(plan, "BACKUP_LAST_RECOVERY_POINT_CREATED")} == {
        True}
    like = policy(selection={"conditions": {"string_like": [{"key": "backup", "value": "*"}]}})
    assert plan_of(like).controls


def test_audit_needs_a_backup_layer_and_rejects_unknown_keys_and_repeats() -> None:
    native = {"name": "native", "selection": {"clusters": ["orders-prod"]},
              "snapshots": {"automated_snapshot_retention_days": 7}, "audit": {}}
    assert problems(native) == ["policies[0].audit: needs a `backup` layer: Audit Manager frameworks check AWS "
                                "Backup plans, vaults and recovery points"]
    assert problems(policy(audit={"controls": []})) == [
        "policies[0].audit.controls: unknown key; did you mean `skip_controls`? (received [])"]
    repeated = policy(audit={"skip_controls": ["BACKUP_RECOVERY_POINT_ENCRYPTED", "BACKUP_RECOVERY_POINT_ENCRYPTED"]})
    assert problems(repeated) == [
        "policies[0].audit.skip_controls[1]: is listed twice (first at skip_controls[0]) (received 'BACKUP_RECOVERY_POINT_ENCRYPTED')"]
    wrong = policy(audit={"skip_controls": ["BACKUP_EVERYTHING"]})
    (message,) = problems(wrong)
    assert message.startswith("policies[0].audit.skip_controls[0]: expected 'BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_")
    assert problems(policy(audit={"restore_time_target_minutes": 0}))[0].startswith(
        "policies[0].audit.restore_time_target_minutes: expected of at least 1")


def test_skipping_every_control_is_refused() -> None:
    everything = list(audit.CONTROL_NAMES)
    (message,) = problems(policy(audit={"skip_controls": everything}))
    assert message.startswith("policies[0].audit.skip_controls: leaves no control; remove `audit` instead (received")


def test_planning_is_deterministic_and_needs_no_clock() -> None:
    first = plan_of(copy.deepcopy(policy()))
    assert plan_of(policy()) == first


@given(st.from_regex(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$", fullmatch=True),
       st.sampled_from(["audit", "control_compliance", "resource_compliance"]))
def test_every_policy_name_gives_a_valid_framework_and_report_plan_name(name: str, suffix: str) -> None:
    assert names.REPORT_PLAN.problem(audit.aws_audit_name(name, suffix)) is None


def test_an_invalid_derived_name_fails_loudly() -> None:
    with pytest.raises(ValueError, match="not a valid AWS Backup framework or report plan name"):
        audit.aws_audit_name("9lives", "audit")


def test_policy_model_accepts_audit_directly() -> None:
    parsed = Policy.model_validate(policy(), context={"region": REGION})
    assert parsed.audit is not None and parsed.audit.reports.formats == ["CSV"]


def test_audit_tags_buckets_and_formats_follow_the_rules_their_twins_follow() -> None:
    # A scope tag is a tag key like any other; a report bucket is an S3 bucket name like backup.reports' one.
    found = problems(policy(audit={"scope_tag": {"key": "AWS:team"}, "reports": {
        "s3_bucket_name": "Not_A_Bucket", "formats": ["CSV", "CSV"]}}))
    assert [p.split(":")[0] for p in found] == ["policies[0].audit.scope_tag.key",
                                                "policies[0].audit.reports.s3_bucket_name",
                                                "policies[0].audit.reports.formats[1]"]
    assert "not starting with 'aws:'" in found[0] and "S3 bucket names must be" in found[1]
    assert "is listed twice (first at formats[0])" in found[2]
    job_reports = policy()
    job_reports["backup"]["reports"] = {"formats": ["JSON", "JSON"]}
    assert [p.split(":")[0] for p in problems(job_reports)] == ["policies[0].backup.reports.formats[1]"]
