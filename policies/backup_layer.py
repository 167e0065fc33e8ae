"""The AWS Backup layer of a policy: rules and their copy actions, the vault and its lock, report plans."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from policies import backup_cron, backup_runs, names, presets
from policies.base import Issues, StrictModel, skip_if_invalid
from policies.model_fields import (
    ARN,
    KMS_KEY_ARN,
    MAX_DELETE_AFTER_DAYS,
    VAULT_ARN,
    AccountId,
    BackupRegionName,
    DeleteAfterDays,
    IamRoleArn,
    RuleName,
    Tags,
    Timezone,
    VaultName,
    arn_account,
    arn_region,
    name_rule,
    report_duplicates,
    vault_arn_problem,
)

# AWS Backup documents 100 years (52,560,000 minutes) as the maximum start window, and the same for the
# completion window of StartBackupJob; botocore's model gives no maximum.
MAX_WINDOW_MINUTES = 52_560_000


class CopyAction(StrictModel):
    """A copy of each recovery point to another region and/or account, with its own retention.

    Same account, other region: the destination vault is created for you (named like the source vault) unless
    `destination_vault_arn` is given. Another account: `destination_vault_arn` is required (we cannot create a
    vault in another account), and that vault's access policy must allow the copy.
    """

    destination_region: BackupRegionName | None = None
    destination_account_id: AccountId | None = None
    destination_vault_arn: str | None = None
    # Default: the rule's own delete_after_days. A copy action is always given a lifecycle, because one without
    # keeps copies for ever (FACTS.md): the bill surprises people.
    delete_after_days: DeleteAfterDays | None = None

    @model_validator(mode="after")
    def _rules(self) -> CopyAction:
        issues = Issues()
        arn = self.destination_vault_arn
        if arn is not None:
            m = VAULT_ARN.match(arn)
            problem = vault_arn_problem(arn)
            if problem or not m:
                issues.add("destination_vault_arn", problem or "expected a backup vault ARN", arn,
                           rule="resource-name" if problem and "vault name" in problem else None)
            else:
                if self.destination_region and m.group(1) != self.destination_region:
                    issues.add("destination_vault_arn", f"is in region {m.group(1)} but destination_region is "
                               f"{self.destination_region}", arn)
                if self.destination_account_id and m.group(2) != self.destination_account_id:
                    issues.add("destination_vault_arn", f"is in account {m.group(2)} but destination_account_id "
                               f"is {self.destination_account_id}", arn)
        elif self.destination_account_id:
            issues.add("destination_vault_arn", "is required for a copy to another account "
                       f"({self.destination_account_id}): give the ARN of a vault there whose access policy "
                       "allows backup:CopyIntoBackupVault from this account", has_value=False)
        if not (self.destination_region or self.destination_account_id or arn):
            issues.add((), "names no destination; give destination_region, destination_account_id with "
                       "destination_vault_arn, or destination_vault_arn", has_value=False)
        issues.raise_if_any()
        return self

    @property
    def region(self) -> str | None:
        """The destination region, from `destination_region` or the vault ARN."""
        if self.destination_region:
            return self.destination_region
        return arn_region(self.destination_vault_arn) if self.destination_vault_arn else None

    @property
    def account_id(self) -> str | None:
        if self.destination_account_id:
            return self.destination_account_id
        return arn_account(self.destination_vault_arn) if self.destination_vault_arn else None

    def other_account(self, stack_account: str | None) -> str | None:
        """The account copies go to when it is not the stack's own, else None.

        `destination_account_id` says so; a `destination_vault_arn` alone does when `stack_account` (see
        `stack_account`) is known and differs. While the stack's account is unknown, a vault ARN alone counts as
        this account's: the README documents `destination_account_id` as the way to copy to another account, and
        claiming an off-account copy that may not exist would overstate the protection.
        """
        account = self.account_id
        if account is None or account == stack_account:
            return None
        return account if self.destination_account_id or stack_account is not None else None


def _name_or_preset(schema: dict[str, Any]) -> None:
    """A rule's JSON Schema: `name` or `preset` is required (a preset names the rule)."""
    schema["required"] = [k for k in schema.get("required", []) if k != "name"]
    if not schema["required"]:
        del schema["required"]
    schema["anyOf"] = [{"required": ["name"]}, {"required": ["preset"]}]


class BackupRule(StrictModel):
    """One AWS Backup rule: when backups are taken, how long they are kept, where copies go.

    `preset` fills in the schedule and retention of a named preset (see policies/presets.py); any key given next
    to it overrides the preset's value, so a preset is only a shorter way to write the same rule.
    """

    # The preset gives the name when `name` is left out; the JSON Schema says so too (`_name_or_preset`).
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_name_or_preset)

    name: RuleName
    preset: presets.RulePresetName | None = None
    # Default: every day at 05:00 UTC, AWS Backup's own default.
    schedule: str = presets.DEFAULT_SCHEDULE
    schedule_timezone: Timezone = "UTC"
    # Default 480 minutes (8 hours), AWS Backup's console default. AWS rejects less than 60 at apply time.
    start_window_minutes: int = 480
    # Default 10080 minutes (7 days), AWS Backup's default.
    completion_window_minutes: int = 10080
    # Default 35 days. Recovery points that never expire are not offered: they are the classic runaway bill.
    delete_after_days: DeleteAfterDays = 35
    recovery_point_tags: Tags = {}
    copy_actions: list[CopyAction] = []
    # Present only to reject them with an explanation rather than as unknown keys.
    move_to_cold_storage_after_days: int | None = None
    enable_continuous_backup: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("preset"), str):
            return presets.expand_rule(data)
        return data

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        backup_cron.validate_backup_schedule(value)
        return value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> BackupRule:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if self.start_window_minutes < 60:
                issues.add("start_window_minutes", "AWS Backup needs a start window of at least 60 minutes",
                           self.start_window_minutes)
        with skip_if_invalid():
            if self.completion_window_minutes < self.start_window_minutes + 60:
                issues.add("completion_window_minutes", "must be at least 60 minutes longer than "
                           f"start_window_minutes ({self.start_window_minutes})", self.completion_window_minutes)
        for field in ("start_window_minutes", "completion_window_minutes"):
            with skip_if_invalid():
                if getattr(self, field) > MAX_WINDOW_MINUTES:
                    issues.add(field, f"expected at most {MAX_WINDOW_MINUTES} minutes (100 years, AWS Backup's "
                               "maximum)", getattr(self, field))
        now = (info.context or {}).get("now") or datetime.now(UTC)
        with skip_if_invalid():
            last = backup_runs.last_backup_time_if_ended(self.schedule, self.schedule_timezone, now)
            if last is not None:
                issues.add("schedule", f"never runs again: its last run was {last:%Y-%m-%d %H:%M} UTC, and the "
                           f"Year field allows no later run (checked against {now:%Y-%m-%d %H:%M} UTC)",
                           self.schedule)
        with skip_if_invalid():
            if self.move_to_cold_storage_after_days is not None:
                issues.add("move_to_cold_storage_after_days", "cold storage is not available for Amazon Redshift "
                           "recovery points; leave this key out", self.move_to_cold_storage_after_days)
        with skip_if_invalid():
            if self.enable_continuous_backup:
                issues.add("enable_continuous_backup", "continuous backup (point-in-time recovery) is not "
                           "available for Amazon Redshift; leave this key out", True)
        region = (info.context or {}).get("region")
        seen: dict[tuple[str | None, str | None], int] = {}
        for i, copy in enumerate(self.copy_actions):
            with skip_if_invalid():  # a copy action whose destination is invalid is compared with nothing
                account = (info.context or {}).get("account_id")
                if region and copy.region == region and copy.account_id in (None, account):
                    issues.add(("copy_actions", i, "destination_region"), f"is the stack's own region ({region}); "
                               "a copy to the same region and account adds no protection", copy.region)
                key = (copy.region, copy.account_id)
                if key in seen:
                    issues.add(("copy_actions", i), f"copies to the same destination as copy_actions[{seen[key]}]",
                               has_value=False)
                seen.setdefault(key, i)
        issues.raise_if_any()
        return self

    def copy_delete_after_days(self, copy: CopyAction) -> int:
        """The retention a copy gets: its own, or else the rule's."""
        return copy.delete_after_days if copy.delete_after_days is not None else self.delete_after_days


class VaultLock(StrictModel):
    """AWS Backup Vault Lock. Compliance mode becomes immutable `changeable_for_days` after it is applied."""

    mode: Literal["governance", "compliance"]
    min_retention_days: int = Field(ge=1, le=MAX_DELETE_AFTER_DAYS)
    max_retention_days: int = Field(ge=1, le=MAX_DELETE_AFTER_DAYS)
    # Compliance only; default 3 (the minimum): the cooling-off period in which the lock can still be removed.
    changeable_for_days: int | None = None

    @model_validator(mode="after")
    def _rules(self) -> VaultLock:
        issues = Issues()
        if self.min_retention_days > self.max_retention_days:
            issues.add("min_retention_days", f"is above max_retention_days ({self.max_retention_days})",
                       self.min_retention_days)
        if self.mode == "governance" and self.changeable_for_days is not None:
            issues.add("changeable_for_days", "only applies to compliance mode; governance mode has no cooling-"
                       "off period (set mode: compliance, or leave this key out)", self.changeable_for_days)
        if self.mode == "compliance" and self.changeable_for_days is not None and self.changeable_for_days < 3:
            issues.add("changeable_for_days", "compliance mode needs at least 3 days", self.changeable_for_days)
        issues.raise_if_any()
        return self

    @property
    def effective_changeable_for_days(self) -> int | None:
        if self.mode == "compliance":
            return self.changeable_for_days if self.changeable_for_days is not None else 3
        return None


class Vault(StrictModel):
    """Where recovery points live: a vault this policy creates, or an existing vault (`existing`)."""

    # An existing vault's name or ARN: used as it is, nothing is created, and no other vault key may be given.
    existing: str | None = None
    # Default: "<policy name>-vault".
    name: VaultName | None = None
    # "new" (default): a customer-managed KMS key with yearly rotation and an alias; "aws_managed": AWS Backup's
    # own key; or the ARN of an existing key in the stack's region.
    kms_key: str = "new"
    lock: VaultLock | None = None
    # Default on: an access policy that denies deleting recovery points and changing their lifecycle to every
    # principal except those in `allowed_principals`.
    deny_recovery_point_deletion: bool = True
    allowed_principals: list[str] = []
    # Default on: Pulumi's `protect` on the vault and its key, so a config mistake cannot delete backups.
    protect: bool = True

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Vault:
        issues = Issues()
        region = (info.context or {}).get("region")
        for field in ("existing", "kms_key"):
            arn = getattr(self, field)
            if region and arn and arn.startswith("arn:") and arn_region(arn) not in (None, region):
                issues.add(field, f"is in region {arn_region(arn)}, but the vault is in the stack's region "
                           f"({region}): give a {'vault' if field == 'existing' else 'key'} of that region", arn)
        if self.existing is not None:
            if self.existing.startswith("arn:"):
                problem = vault_arn_problem(self.existing)
                if problem:
                    issues.add("existing", problem, self.existing, rule="resource-name")
            elif names.BACKUP_VAULT.problem(self.existing):
                issues.add("existing", f"expected a vault name or a backup vault ARN: "
                           f"{names.BACKUP_VAULT.problem(self.existing)}", self.existing, rule="resource-name")
            for field in ("name", "lock"):
                if getattr(self, field) is not None:
                    issues.add(field, "cannot be set together with `existing`: an existing vault is used as it "
                               "is", getattr(self, field) if field == "name" else None, has_value=field == "name")
            if "kms_key" in self.model_fields_set:
                issues.add("kms_key", "cannot be set together with `existing`", self.kms_key)
            if self.allowed_principals:
                issues.add("allowed_principals", "cannot be set together with `existing`: the access policy of "
                           "an existing vault is not managed here", self.allowed_principals)
        if self.kms_key not in ("new", "aws_managed") and not KMS_KEY_ARN.match(self.kms_key):
            issues.add("kms_key", "expected 'new', 'aws_managed' or a KMS key ARN", self.kms_key)
        for i, principal in enumerate(self.allowed_principals):
            if not (ARN.match(principal) and ":iam::" in principal):
                issues.add(("allowed_principals", i), "expected an IAM role or user ARN", principal)
        if self.allowed_principals and not self.deny_recovery_point_deletion:
            issues.add("allowed_principals", "only has a meaning with deny_recovery_point_deletion: true",
                       self.allowed_principals)
        issues.raise_if_any()
        return self


class ReportPlan(StrictModel):
    """An AWS Backup report plan writing job reports to S3 (off unless a `reports` block is given)."""

    # Default: all three job reports.
    templates: list[Literal["BACKUP_JOB_REPORT", "COPY_JOB_REPORT", "RESTORE_JOB_REPORT"]] = [
        "BACKUP_JOB_REPORT", "COPY_JOB_REPORT", "RESTORE_JOB_REPORT"]
    # Default: a bucket the component creates (private, encrypted, versioned).
    s3_bucket_name: Annotated[str, name_rule(names.S3_BUCKET)] | None = None
    s3_key_prefix: str | None = None
    formats: list[Literal["CSV", "JSON"]] = ["CSV"]

    @model_validator(mode="after")
    def _rules(self) -> ReportPlan:
        issues = Issues()
        if not self.templates:
            issues.add("templates", "is empty; leave out `reports` to have no report plan", [])
        report_duplicates(issues, "templates", list(self.templates))
        if not self.formats:
            issues.add("formats", "is empty; expected CSV and/or JSON", [])
        report_duplicates(issues, "formats", list(self.formats))
        issues.raise_if_any()
        return self


class BackupLayer(StrictModel):
    """The AWS Backup layer of a policy: a plan of rules, a vault, the IAM role, optional reports."""

    # A plan preset expands into rules placed before any rules written by hand (policies/presets.py).
    preset: presets.PlanPresetName | None = None
    rules: list[BackupRule] = []
    vault: Vault = Vault()
    # Default: a role this policy creates, trusted by backup.amazonaws.com, with AWS's managed policies.
    iam_role_arn: IamRoleArn | None = None
    # Roles that restores of these recovery points attach to the restored cluster: the created role is allowed
    # to iam:PassRole them to Redshift (the managed restore policy does not).
    restore_pass_role_arns: list[IamRoleArn] = []
    reports: ReportPlan | None = None
    # Off by default: opting Redshift in is a per-account-and-region singleton (RegionSettings); two stacks that
    # both manage it fight over it. Turn on in exactly one stack per account and region.
    opt_in_region_settings: bool = False

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("preset"), str):
            return presets.expand_plan(data)
        return data

    @model_validator(mode="after")
    def _rules(self) -> BackupLayer:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if not self.rules and self.preset is None:  # an invalid preset gave no rules: it is reported instead
                issues.add("rules", "no rules; give a plan `preset` or at least one rule", has_value=False)
        with skip_if_invalid():
            report_duplicates(issues, "rules", [r.name for r in self.rules])
        with skip_if_invalid():
            if self.iam_role_arn and self.restore_pass_role_arns:
                issues.add("restore_pass_role_arns", "only applies to the role this policy creates; with "
                           "iam_role_arn, grant iam:PassRole on that role yourself", self.restore_pass_role_arns)
        with skip_if_invalid():
            if self.vault.kms_key == "aws_managed" and self.vault.existing is None:
                accounts = sorted({c.destination_account_id for r in self.rules for c in r.copy_actions
                                   if c.destination_account_id})
                if accounts:
                    # AWS documents cross-account copy for vaults encrypted with a customer managed key only: an
                    # AWS managed key's policy cannot be changed to let another account use it.
                    issues.add(("vault", "kms_key"), "cannot be used with copies to another account "
                               f"({', '.join(accounts)}): AWS Backup cannot copy recovery points across accounts "
                               "from a vault encrypted with an AWS managed key; use kms_key: new (a customer "
                               "managed key) or a customer managed key ARN", self.vault.kms_key)
        with skip_if_invalid():
            lock = self.vault.lock
            if lock is not None:
                _rules_inside_lock(issues, self.rules, lock)
        issues.raise_if_any()
        return self


def _rules_inside_lock(issues: Issues, rules: list[BackupRule], lock: VaultLock) -> None:
    """Every rule's and copy's retention inside the lock's bounds; a rule or copy with an invalid retention is
    skipped alone."""
    for i, rule in enumerate(rules):
        with skip_if_invalid():
            _inside_lock(issues, ("rules", i, "delete_after_days"), rule.delete_after_days, lock)
        with skip_if_invalid():
            for j, copy in enumerate(rule.copy_actions):
                with skip_if_invalid():
                    if copy.destination_vault_arn is None:  # copies into vaults we create get the same lock
                        _inside_lock(issues, ("rules", i, "copy_actions", j, "delete_after_days"),
                                     rule.copy_delete_after_days(copy), lock)


def _inside_lock(issues: Issues, where: tuple[str | int, ...], days: int, lock: VaultLock) -> None:
    if days < lock.min_retention_days:
        issues.add(where, f"{days} days is below the vault lock minimum of {lock.min_retention_days} days", days)
    elif days > lock.max_retention_days:
        issues.add(where, f"{days} days is above the vault lock maximum of {lock.max_retention_days} days", days)
