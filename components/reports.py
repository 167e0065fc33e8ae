"""`BackupReports`: AWS Backup job report plans writing to a private, encrypted S3 bucket."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.vault import policy_argument, to_json
from policies import backup_plan
from policies.models import Policy


class BackupReports(pulumi.ComponentResource):
    """One report plan per job report template, delivered to `reports.s3_bucket_name` or a bucket created here."""

    bucket_name: pulumi.Output[str]
    report_plan_arns: pulumi.Output[list[str]]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        policy, region = policy_argument(policy, region)
        reports = policy.backup.reports if policy.backup else None
        if reports is None:
            raise ValueError(f"policy {policy.name!r} has no backup.reports block")
        super().__init__("redshift-backup:index:BackupReports", name, None, opts)
        tags = backup_plan.merged_tags(policy)

        bucket_name: pulumi.Input[str]
        depends: list[pulumi.Resource] = []
        if reports.s3_bucket_name:
            bucket_name = reports.s3_bucket_name
        else:
            bucket_name, depends = private_report_bucket(self, name, tags)

        plans = []
        for spec in backup_plan.report_specs(policy):
            plans.append(aws.backup.ReportPlan(
                f"{name}-{spec.key}", name=spec.name,
                description=f"{spec.template} of redshift-backup policy {policy.name}",
                report_delivery_channel=aws.backup.ReportPlanReportDeliveryChannelArgs(
                    **backup_plan.report_delivery(reports, bucket_name)),
                report_setting=aws.backup.ReportPlanReportSettingArgs(report_template=spec.template), tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=depends)))

        self.bucket_name = pulumi.Output.from_input(bucket_name)
        # What a report plan delivering to this bucket must wait for (none for a bucket the user gives).
        self.bucket_ready = depends
        self.report_plan_arns = pulumi.Output.all(*[p.arn for p in plans])
        self.register_outputs({"bucket_name": self.bucket_name, "report_plan_arns": self.report_plan_arns})


def private_report_bucket(parent: pulumi.Resource, name: str,
                          tags: dict[str, str] | None) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
    """A private, encrypted, versioned bucket AWS Backup can write reports to (children of `parent`, named from
    `name`), and the resources a report plan must wait for."""
    child = pulumi.ResourceOptions(parent=parent)
    # Auto-named (S3 names are global); the name is kept in state, so it is stable across updates.
    bucket = aws.s3.Bucket(f"{name}-bucket", tags=tags, opts=child)
    depends: list[pulumi.Resource] = [
        # Object ownership enforced: ACLs are off, the bucket owner owns every report (AWS Backup writes with
        # `bucket-owner-full-control`, which this setting accepts).
        aws.s3.BucketOwnershipControls(
            f"{name}-bucket-ownership", bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"}, opts=child),
        aws.s3.BucketPublicAccessBlock(
            f"{name}-bucket-public-access", bucket=bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, opts=child),
        # SSE-S3 rather than a customer key: a customer key would need a key policy for the Backup Audit
        # Manager service-linked role.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-bucket-encryption", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child),
        aws.s3.BucketVersioning(
            f"{name}-bucket-versioning", bucket=bucket.id,
            versioning_configuration={"status": "Enabled"}, opts=child),
        aws.s3.BucketPolicy(
            f"{name}-bucket-policy", bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: to_json(backup_plan.report_bucket_policy(arn))), opts=child),
    ]
    return bucket.bucket, depends
