"""AWS Backup Audit Manager frameworks that mirror a policy: the `audit:` section and the pure planning of controls.

Every control name, parameter name and value range below was read from AWS's documentation (checked 2026-12):

* "Controls and remediation" and "Choosing your controls" (AWS Backup developer guide): the ten controls, their
  scopes, the 50-controls-per-account-and-Region limit (the same control in two frameworks counts twice), up to 5
  exempt IAM roles, up to 5 accounts for the cross-account control, 1-744 hours or 1-31 days for the last recovery
  point, `maxRestoreTime` in minutes.
* "Creating frameworks using the AWS Backup API": the parameter names (`requiredFrequencyUnit`,
  `requiredFrequencyValue`, `requiredRetentionDays`, `principalArnList`, `maxRestoreTime`, `recoveryPointAgeUnit`,
  `recoveryPointAgeValue`) and the single-resource scope of a vault (`ComplianceResourceTypes:
  ["AWS::Backup::BackupVault"]`, `ComplianceResourceIds: [<vault name>]`).
* The AWS Config managed rules behind the controls (`backup-plan-min-frequency-and-min-retention-check`: frequency at
  most 24 hours or 31 days; `*-resources-protected-by-backup-plan`: `crossRegionList`, `crossAccountList`,
  `minRetentionDays`, `maxRetentionDays`).
* API `ControlScope`: resource types, or one tag key and value, or one resource type with resource ids.

What is *unverified* is said where it is used (the scope resource type names of Redshift and Redshift Serverless,
and which resource id Audit Manager expects for them), so that a wrong guess is visible in `plan` and the docs.

The controls themselves are derived in policies/audit_controls.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, model_validator

from policies import names
from policies.base import Issues, StrictModel
from policies.model_fields import TagKey, name_rule, report_duplicates

# --- AWS facts ------------------------------------------------------------------------------------------------

# "You can use up to 50 controls per account per Region. Using the same control in two different frameworks
# counts as using two controls" (Controls and remediation).
MAX_CONTROLS_PER_ACCOUNT_AND_REGION = 50
# "The Amazon Resource Names (ARNs) of up to five IAM roles allowed to manually delete recovery points".
MAX_EXEMPT_PRINCIPALS = 5
# "You can add up to 5 accounts for the control to evaluate" (cross-account backup copy is scheduled).
MAX_CROSS_ACCOUNTS = 5
# Last recovery point was created: "Values of hours can range from 1 to 744. Value of days can range from 1 to 31."
MAX_RECOVERY_POINT_AGE_HOURS = 744
# Backup plan min frequency: "Maximum of 24 for hours, 31 for days" (AWS Config rule parameters).
MAX_FREQUENCY_HOURS = 24
MAX_FREQUENCY_DAYS = 31

ControlName = Literal[
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
    "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK",
    "BACKUP_RECOVERY_POINT_ENCRYPTED",
    "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
    "BACKUP_LAST_RECOVERY_POINT_CREATED",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT",
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
    "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
]
CONTROL_NAMES: tuple[str, ...] = ControlName.__args__  # type: ignore[attr-defined]

# The parameters each control takes, as documented; `framework_plan` never emits another (tested).
CONTROL_PARAMETERS: dict[str, frozenset[str]] = {
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK": frozenset(
        {"requiredFrequencyUnit", "requiredFrequencyValue", "requiredRetentionDays"}),
    "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK": frozenset({"requiredRetentionDays"}),
    "BACKUP_RECOVERY_POINT_ENCRYPTED": frozenset(),
    "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED": frozenset({"principalArnList"}),
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK": frozenset({"minRetentionDays", "maxRetentionDays"}),
    "BACKUP_LAST_RECOVERY_POINT_CREATED": frozenset({"recoveryPointAgeUnit", "recoveryPointAgeValue"}),
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION": frozenset({"crossRegionList"}),
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT": frozenset({"crossAccountList"}),
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN": frozenset(),
    "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET": frozenset({"maxRestoreTime"}),
}

# Controls that evaluate the protected resources themselves (scoped to the policy's clusters and namespaces).
RESOURCE_CONTROLS = (
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
    "BACKUP_LAST_RECOVERY_POINT_CREATED",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT",
    "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
)

# AWS Backup's names of the resource types, as in its region opt-in and recovery points. That Audit Manager
# scopes take the same names (the documented examples use "RDS", "EC2", "DynamoDB") is *unverified* for these two.
REDSHIFT_TYPE = "Redshift"
REDSHIFT_SERVERLESS_TYPE = "Redshift Serverless"
BACKUP_PLAN_TYPE = "AWS::Backup::BackupPlan"
BACKUP_VAULT_TYPE = "AWS::Backup::BackupVault"

# What AWS Config must record for the controls to evaluate ("Choosing your controls": AWS Config recording
# resource types), plus the Redshift types the resource controls are scoped to.
CONFIG_RECORDED_TYPES = (
    "AWS::Backup::BackupPlan",
    "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault",
    "AWS::Backup::RecoveryPoint",
    "AWS::Redshift::Cluster",
)
CONFIG_NOTE = ("Audit Manager frameworks evaluate through AWS Config: they report nothing in an account and "
               "region where AWS Config does not record " + ", ".join(CONFIG_RECORDED_TYPES) +
               " (turn on a configuration recorder for them, e.g. `aws configservice put-configuration-recorder`)")

# AWS Config's rule behind the deletion control wants the vault's Deny statement to name
# backup:PutBackupVaultAccessPolicy as well ("backup-recovery-point-manual-deletion-disabled"); the vault access
# policy made here does not deny it, because that would lock `pulumi up` out of the vault's own policy.
DELETION_CONTROL_NOTE = (
    "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED: AWS Config's rule also wants the vault policy to deny "
    "backup:PutBackupVaultAccessPolicy, which this project's vault policy does not (it would lock `pulumi up` out of "
    "the policy): expect NON_COMPLIANT for the vault, or add the control to audit.skip_controls")

# The tag every recovery point of an audited policy carries, so that the recovery-point controls (whose only scope
# is a tag) evaluate exactly this policy's recovery points.
AUDIT_TAG_KEY = "redshift-backup:policy"

# The fixed year over which rule frequencies and the RPO are measured (see the module docstring).
REFERENCE_START = datetime(2026, 1, 1, tzinfo=UTC)
REFERENCE_WINDOW = timedelta(days=366)

CONTROL_COMPLIANCE_REPORT = "CONTROL_COMPLIANCE_REPORT"
RESOURCE_COMPLIANCE_REPORT = "RESOURCE_COMPLIANCE_REPORT"
COMPLIANCE_TEMPLATES = (CONTROL_COMPLIANCE_REPORT, RESOURCE_COMPLIANCE_REPORT)
TEMPLATE_SUFFIX = {CONTROL_COMPLIANCE_REPORT: "control_compliance",
                    RESOURCE_COMPLIANCE_REPORT: "resource_compliance"}


def aws_audit_name(policy_name: str, suffix: str) -> str:
    """The one place a framework or report plan name is derived from a policy name (rule: `names.REPORT_PLAN`,
    whose table `names.DERIVED` refuses a policy name that would break it).

    Policy names are 2-32 lowercase letters, digits and hyphens starting with a letter, so replacing hyphens by
    underscores always gives a valid name; the check stays so that a change to either rule fails loudly.
    """
    name = f"{policy_name.replace('-', '_')}_{suffix}"
    problem = names.REPORT_PLAN.problem(name)
    if problem:
        raise ValueError(f"{name!r} is not a valid AWS Backup framework or report plan name: {problem}")
    return name


# --- the `audit:` section ---------------------------------------------------------------------------------------


class ScopeTag(StrictModel):
    """One tag (key, optional value): AWS allows one tag per control scope."""

    # The tag key. Required.
    key: TagKey
    # Default: any value of the key.
    value: str | None = Field(default=None, min_length=1, max_length=256)


class AuditReports(StrictModel):
    """Where the compliance reports go: a CONTROL_COMPLIANCE_REPORT and a RESOURCE_COMPLIANCE_REPORT plan."""

    # Default: the bucket of the policy's `backup.reports` when it has one, else a private bucket created for them.
    s3_bucket_name: Annotated[str, name_rule(names.S3_BUCKET)] | None = None
    # Where in the bucket the reports go. Default: no prefix (where AWS Backup puts them).
    s3_key_prefix: str | None = None
    # CSV and/or JSON. Default: CSV.
    formats: list[Literal["CSV", "JSON"]] = ["CSV"]

    @model_validator(mode="after")
    def _rules(self) -> AuditReports:
        issues = Issues()
        if not self.formats:
            issues.add("formats", "is empty; expected CSV and/or JSON", [])
        report_duplicates(issues, "formats", list(self.formats))
        issues.raise_if_any()
        return self


class Audit(StrictModel):
    """An AWS Backup Audit Manager framework whose controls check what the policy promises (`audit: {}` turns it on).

    Each control is derived from the policy (docs/proving-protection.md lists how); nothing here restates a rule.
    """

    # RESTORE_TIME_FOR_RESOURCES_MEET_TARGET, in minutes (`maxRestoreTime`). Default: that control is left out.
    restore_time_target_minutes: int | None = Field(default=None, ge=1)
    # One tag that every cluster (and namespace) of this policy carries. When given, each resource control is one
    # control scoped to it. Default: one control per named cluster and namespace, and one for the tag-selected
    # clusters, scoped to the first `string_equals` condition of the selection.
    scope_tag: ScopeTag | None = None
    # Controls to leave out (e.g. to stay inside the 50 controls per account and region). Default: none.
    skip_controls: list[ControlName] = []
    # Where the control and resource compliance reports go. Default: CSV into the bucket described above.
    reports: AuditReports = AuditReports()

    @model_validator(mode="after")
    def _rules(self) -> Audit:
        issues = Issues()
        report_duplicates(issues, "skip_controls", list(self.skip_controls))
        issues.raise_if_any()
        return self
