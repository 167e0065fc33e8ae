"""`BackupAuditFramework`: an AWS Backup Audit Manager framework mirroring one policy, with its compliance reports."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.reports import private_report_bucket
from components.vault import policy_argument
from policies import audit_controls, backup_plan
from policies.errors import ConfigError
from policies.models import Policy, stack_account


class BackupAuditFramework(pulumi.ComponentResource):
    """The framework of `policies/audit.py:framework_plan` and one report plan per compliance template.

    `plan_id` (the policy's `aws.backup.Plan` id) scopes the plan control to that plan. Reports go to
    `audit.reports.s3_bucket_name`, else `report_bucket_name` (the policy's job-report bucket), else a private
    bucket created here.
    """

    framework_arn: pulumi.Output[str]
    report_plan_arns: pulumi.Output[list[str]]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str | None = None, *,
                 plan_id: pulumi.Input[str], report_bucket_name: pulumi.Input[str] | None = None,
                 report_bucket_ready: list[pulumi.Resource] | None = None, account: str | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        policy, region = policy_argument(policy, region)
        # The stack's account as `check` and `plan` see it (from every policy's ARNs: `stack_account`), so that
        # copies count as cross-account alike; this policy's own ARNs when used alone.
        account = account if account is not None else stack_account([policy])
        ConfigError.collect(audit_controls.audit_problems([(0, policy)], region, account))
        plan = audit_controls.framework_plan(policy, region, account)
        if plan is None or policy.audit is None:
            raise ValueError(f"policy {policy.name!r} has no audit section (or no backup layer)")
        super().__init__("redshift-backup:index:BackupAuditFramework", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = backup_plan.merged_tags(policy)

        controls: list[Any] = []
        for control in plan.controls:
            args = control.args()
            scope = args.get("scope")
            if isinstance(scope, dict) and scope.get("compliance_resource_ids") == ["{plan_id}"]:
                # Only the plan's id waits for the plan; the rest of the framework is known at preview.
                scope["compliance_resource_ids"] = [plan_id]
            controls.append(args)
        framework = aws.backup.Framework(
            name, name=plan.framework_name,
            description=f"redshift-backup policy {policy.name}: controls derived from its rules",
            controls=controls, tags=tags, opts=child)

        reports = policy.audit.reports
        bucket: pulumi.Input[str]
        depends: list[pulumi.Resource] = []
        if reports.s3_bucket_name:
            bucket = reports.s3_bucket_name
        elif report_bucket_name is not None:
            bucket, depends = report_bucket_name, list(report_bucket_ready or [])
        else:
            bucket, depends = private_report_bucket(self, name, tags)
        plans = [aws.backup.ReportPlan(
            f"{name}-{spec.key}", name=spec.name,
            description=f"{spec.template} of the audit framework of redshift-backup policy {policy.name}",
            report_delivery_channel=aws.backup.ReportPlanReportDeliveryChannelArgs(
                **backup_plan.report_delivery(reports, bucket)),
            report_setting=aws.backup.ReportPlanReportSettingArgs(
                report_template=spec.template, framework_arns=[framework.arn], number_of_frameworks=1),
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=depends))
            for spec in plan.reports]

        self.framework_arn = framework.arn
        self.report_plan_arns = pulumi.Output.all(*[p.arn for p in plans])
        self.register_outputs({"framework_arn": self.framework_arn, "report_plan_arns": self.report_plan_arns})
