"""`BackupAuditFramework` under the Pulumi mock runtime: the framework, its controls and its compliance reports."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.audit import BackupAuditFramework
from components.backup_policy import RedshiftBackupPolicy
from policies.errors import ConfigError
from redshift_backup.mockrun import ProgramRun, run_program

CONFIG = {"aws:region": "us-east-1"}
FRAMEWORK = "aws:backup/framework:Framework"
REPORT_PLAN = "aws:backup/reportPlan:ReportPlan"
PROD = yaml.safe_load(open("Pulumi.prod.yaml", encoding="utf-8"))["config"]["redshift-backup:policies"][0]


def orders(**audit: Any) -> dict[str, Any]:
    return {"name": "orders", "tags": {"team": "sales"}, "selection": {"clusters": ["orders-prod"]},
            "backup": {"rules": [{"name": "daily", "delete_after_days": 14}]}, "audit": audit}


def build(*policies: dict[str, Any], preview: bool = False) -> ProgramRun:
    def program() -> None:
        for raw in policies:
            RedshiftBackupPolicy(raw["name"], policy=raw)

    return run_program(CONFIG, preview=preview, program=program)


def of_type(run: ProgramRun, token: str) -> list[Any]:
    return [r for r in run.registrations if r.type == token]


def test_prod_framework_mirrors_the_policy_and_feeds_both_compliance_reports() -> None:
    run = build(PROD)
    (framework,) = of_type(run, FRAMEWORK)
    assert framework.name == "prod-analytics-audit" and framework.parent_name == "prod-analytics-audit"
    assert framework.inputs["name"] == "prod_analytics_audit"
    assert framework.inputs["tags"] == {"cost-center": "4711", "environment": "prod", "owner": "data-platform"}
    controls = framework.inputs["controls"]
    assert len(controls) == 26
    plan_controls = [c for c in controls if c["name"] == "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"]
    # The mocks give a resource the id "<name>-id": the plan control is scoped to the policy's own plan.
    assert {tuple(c["scope"]["complianceResourceIds"]) for c in plan_controls} == {("prod-analytics-plan-id",)}
    age = next(c for c in controls if c["name"] == "BACKUP_LAST_RECOVERY_POINT_CREATED")
    assert age["inputParameters"] == [{"name": "recoveryPointAgeUnit", "value": "hours"},
                                      {"name": "recoveryPointAgeValue", "value": "32"}]
    assert age["scope"] == {"complianceResourceIds": ["analytics-prod"], "complianceResourceTypes": ["Redshift"]}
    encrypted = next(c for c in controls if c["name"] == "BACKUP_RECOVERY_POINT_ENCRYPTED")
    assert encrypted == {"name": "BACKUP_RECOVERY_POINT_ENCRYPTED",
                         "scope": {"tags": {"redshift-backup:policy": "prod-analytics"}}}
    plans = {r.inputs["reportSetting"]["reportTemplate"]: r for r in of_type(run, REPORT_PLAN)
             if r.parent_name == "prod-analytics-audit"}
    assert set(plans) == {"CONTROL_COMPLIANCE_REPORT", "RESOURCE_COMPLIANCE_REPORT"}
    for plan in plans.values():
        assert plan.inputs["reportSetting"]["frameworkArns"] == [framework.outputs["arn"]]
        assert plan.inputs["reportSetting"]["numberOfFrameworks"] == 1
        # The policy's job reports have a bucket: the compliance reports go there too.
        assert plan.inputs["reportDeliveryChannel"] == {
            "s3BucketName": run.named("prod-analytics-reports-bucket").outputs["bucket"], "formats": ["CSV", "JSON"]}
    assert plans["CONTROL_COMPLIANCE_REPORT"].inputs["name"] == "prod_analytics_control_compliance"


def test_the_framework_is_known_at_preview_except_the_plan_id() -> None:
    run = build(PROD, preview=True)
    (framework,) = of_type(run, FRAMEWORK)
    controls = framework.inputs["controls"]
    assert len(controls) == 26
    assert {c["name"] for c in controls if "scope" in c and "complianceResourceIds" in c["scope"]
            and c["scope"]["complianceResourceIds"] == ["analytics-prod"]} >= {"BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN"}


def test_without_a_report_bucket_the_audit_makes_its_own_private_one() -> None:
    run = build(orders())
    bucket = run.named("orders-audit-bucket")
    assert bucket.parent_name == "orders-audit"
    settings = {r.urn for r in run.registrations if r.name.startswith("orders-audit-bucket-")}
    assert len(settings) == 5
    plans = of_type(run, REPORT_PLAN)
    assert len(plans) == 2
    for plan in plans:
        assert plan.inputs["reportDeliveryChannel"] == {"s3BucketName": bucket.outputs["bucket"], "formats": ["CSV"]}
        assert settings <= set(plan.dependencies)
    block = run.named("orders-audit-bucket-public-access").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))


def test_a_given_bucket_and_prefix_are_used_as_they_are() -> None:
    run = build(orders(reports={"s3_bucket_name": "audit-evidence", "s3_key_prefix": "redshift", "formats": ["JSON"]}))
    assert not [r for r in run.registrations if r.type.startswith("aws:s3/")]
    assert [p.inputs["reportDeliveryChannel"] for p in of_type(run, REPORT_PLAN)] == 2 * [
        {"formats": ["JSON"], "s3BucketName": "audit-evidence", "s3KeyPrefix": "redshift"}]


def test_a_policy_without_audit_registers_no_framework() -> None:
    raw = orders()
    del raw["audit"]
    run = build(raw)
    assert not of_type(run, FRAMEWORK)
    assert not [r for r in run.registrations if r.type == "redshift-backup:index:BackupAuditFramework"]


def test_the_component_refuses_what_aws_would_refuse_before_registering() -> None:
    raw = orders()
    raw["backup"]["vault"] = {"allowed_principals": [f"arn:aws:iam::111122223333:role/r{i}" for i in range(6)]}

    def program() -> None:
        BackupAuditFramework("orders-audit", raw, "us-east-1", plan_id="plan-1")

    with pytest.raises(Exception) as err:
        run_program(CONFIG, preview=True, program=program)
    cause: BaseException | None = err.value
    while cause is not None and not isinstance(cause, ConfigError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, ConfigError)
    assert "exempts at most 5" in str(cause)


def test_compliance_reports_in_the_job_report_bucket_wait_for_its_setup() -> None:
    # The bucket's ownership, public-access block, encryption, versioning and policy come before any report plan.
    run = build(PROD)
    setup = {r.urn for r in run.registrations if r.parent_name == "prod-analytics-reports"
             and r.name.startswith("prod-analytics-reports-bucket-")}
    assert len(setup) == 5
    for plan in of_type(run, REPORT_PLAN):
        assert setup <= set(plan.dependencies), plan.name


def test_copies_are_cross_account_as_the_whole_stack_sees_them() -> None:
    # Only the other policy's role ARN names the stack's account: the audited policy alone cannot tell that its
    # copy goes to another account, the stack can (as `check` and `plan` do).
    role = {"name": "roles", "selection": {"clusters": ["a"]},
            "backup": {"rules": [{"name": "daily"}], "iam_role_arn": "arn:aws:iam::111122223333:role/backup"}}
    copying = orders()
    copying["backup"]["rules"][0]["copy_actions"] = [
        {"destination_vault_arn": "arn:aws:backup:us-east-1:444455556666:backup-vault:central"}]

    def names(account: str | None) -> set[str]:
        def program() -> None:
            RedshiftBackupPolicy("roles", policy=role)
            RedshiftBackupPolicy("orders", policy=copying, stack_account=account)

        (framework,) = of_type(run_program(CONFIG, preview=False, program=program), FRAMEWORK)
        return {c["name"] for c in framework.inputs["controls"]}

    assert "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT" in names("111122223333")
    assert "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT" not in names(None)
