"""The policy language: pydantic models of `redshift-backup:policies`, with every rule AWS checks only at apply time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from policies import names, presets, schedules
from policies.audit import Audit
from policies.base import Issues, RuleViolation, StrictModel, skip_if_invalid
from policies.regions import region_problem
from policies.restores import RestoreSpec

# --- small field rules --------------------------------------------------------------------------------------

RULE_NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")
VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_]{2,50}$")
# Policy names become part of every child resource name (vault, plan, selection, schedule, role), so they are
# kept short and DNS-like: the longest derived name ("<policy>-snapshot-schedule") must stay inside AWS limits.
POLICY_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
CLUSTER_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$")
# The identifier part is checked on its own (`_cluster_id_problem`), so that its message can say what is wrong.
CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:redshift:([a-z0-9-]+):(\d{12}):cluster:([^:/\s]+)$")
NAMESPACE_ARN = re.compile(r"^arn:aws[a-z-]*:redshift-serverless:([a-z0-9-]+):(\d{12}):namespace/([0-9a-f*-]+)$")
VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:([a-z0-9-]+):(\d{12}):backup-vault:([a-zA-Z0-9\-_]{2,50})$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/.+$")
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
# `.fifo` topics match, so that the notifications rule can say why AWS Backup cannot use them.
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,251}(\.fifo)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# `aws:` is reserved in any letter case (AWS refuses AWS:Team as it refuses aws:team).
TAG_KEY = re.compile(r"^(?![aA][wW][sS]:)[\w .:/=+\-@]{1,128}$")
# IAM's character set for tag values (TagRole): letters, digits, spaces and _ . : / = + - @.
IAM_TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")

MAX_SELECTION_ARNS = 500
MAX_SELECTION_ARNS_WITH_WILDCARD = 30
MAX_DELETE_AFTER_DAYS = 36500
# AWS Backup documents 100 years (52,560,000 minutes) as the maximum start window, and the same for the
# completion window of StartBackupJob; botocore's model gives no maximum.
MAX_WINDOW_MINUTES = 52_560_000


def _matches(pattern: re.Pattern[str], expected: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


def _cluster_identifier_rule(value: str) -> str:
    if not CLUSTER_ID.match(value):
        raise ValueError(
            "expected a Redshift cluster identifier: 1-63 lowercase letters, digits and hyphens, starting with a"
            " letter, no '--' and no trailing '-' (e.g. analytics-prod)"
        )
    return value


def _region_rule(*services: str) -> Any:
    """A region that exists (botocore's endpoint data) and offers `services`: the one region rule."""
    def check(value: str) -> str:
        problem = region_problem(value, services)
        if problem:
            raise RuleViolation("region", problem)
        return value

    return AfterValidator(check)


def _derived_names_rule(value: str, info: ValidationInfo) -> str:
    problems = names.derived_name_problems(value, (info.context or {}).get("region"))
    if problems:
        raise RuleViolation("derived-name", "; ".join(problems))
    return value


def _name_rule(rule: names.NameRule) -> Any:
    def check(value: str) -> str:
        problem = rule.problem(value)
        if problem:
            raise RuleViolation("resource-name", f"expected a legal name: {problem}")
        return value

    return AfterValidator(check)


def vault_arn_problem(arn: str) -> str | None:
    """Why `arn` is not a backup vault ARN; for a vault name that breaks AWS Backup's rule, that rule."""
    parts = arn.split(":")
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "backup" and parts[5] == "backup-vault":
        problem = names.BACKUP_VAULT.problem(parts[6])
        if problem:
            return f"the vault name in this ARN, {parts[6]!r}, is invalid: {problem}"
    if not VAULT_ARN.match(arn):
        return "expected a backup vault ARN, arn:aws:backup:<region>:<account>:backup-vault:<name>"
    return None


def _timezone_rule(value: str) -> str:
    if not schedules.is_timezone(value):
        zones = schedules.iana_timezones()
        last = value.strip().lower().split("/")[-1]
        close = sorted(z for z in zones if last and z.lower().endswith(last))[:3]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"expected an IANA time zone name such as UTC or Europe/Berlin{hint}")
    return value


def _tags_rule(value: dict[str, str]) -> dict[str, str]:
    for key, val in value.items():
        if not TAG_KEY.match(key):
            raise RuleViolation("tag", f"tag key {key!r} is invalid: expected 1-128 letters, digits, spaces and "
                                "_ . : / = + - @, not starting with 'aws:' in any letter case (AWS reserves it)")
        if len(val) > 256:
            raise RuleViolation("tag", f"tag {key!r} has a value longer than 256 characters")
    if len(value) > 50:
        raise RuleViolation("tag", f"{len(value)} tags given; AWS allows at most 50 per resource")
    return value


PolicyName = Annotated[str, _matches(POLICY_NAME, "2-32 lowercase letters, digits and hyphens, starting with a "
                                     "letter and not ending with '-' (e.g. analytics-daily)"),
                       AfterValidator(_derived_names_rule)]
RuleName = Annotated[str, _matches(RULE_NAME, "1-50 letters, digits, '-', '_' or '.' (AWS Backup RuleName)")]
VaultName = Annotated[str, _matches(VAULT_NAME, "2-50 letters, digits, '-' or '_' (AWS Backup vault name)")]
ClusterIdentifier = Annotated[str, AfterValidator(_cluster_identifier_rule)]
AccountId = Annotated[str, _matches(ACCOUNT_ID, "a 12-digit AWS account id, quoted in YAML (e.g. '123456789012')")]
RegionName = Annotated[str, _region_rule()]
BackupRegionName = Annotated[str, _region_rule("backup")]
RedshiftRegionName = Annotated[str, _region_rule("redshift")]
Timezone = Annotated[str, AfterValidator(_timezone_rule)]
Tags = Annotated[dict[str, str], AfterValidator(_tags_rule)]
KmsKeyArn = Annotated[str, _matches(KMS_KEY_ARN, "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>")]
IamRoleArn = Annotated[str, _matches(IAM_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>")]
SnsTopicArn = Annotated[str, _matches(SNS_TOPIC_ARN, "an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>")]
Email = Annotated[str, _matches(EMAIL, "an email address such as dba@example.com")]
DeleteAfterDays = Annotated[int, Field(ge=1, le=MAX_DELETE_AFTER_DAYS)]


def arn_region(arn: str) -> str | None:
    """The region field of an ARN (None for global services such as IAM)."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 else None


def arn_account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] or None if len(parts) > 4 else None


# --- selection ----------------------------------------------------------------------------------------------


class TagCondition(StrictModel):
    """One condition on a resource tag; the component prefixes the key with `aws:ResourceTag/`."""

    key: str
    value: str

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if value.startswith("aws:ResourceTag/"):
            raise ValueError("give the bare tag key (e.g. backup); the aws:ResourceTag/ prefix is added for you")
        if not TAG_KEY.match(value):
            raise RuleViolation("tag", "expected a tag key of 1-128 characters, not starting with 'aws:' in any "
                                "letter case")
        return value


class Conditions(StrictModel):
    """Tag conditions, ANDed together (AWS Backup `Conditions`): every listed condition must hold."""

    string_equals: list[TagCondition] = []
    string_not_equals: list[TagCondition] = []
    string_like: list[TagCondition] = []
    string_not_like: list[TagCondition] = []

    def all(self) -> list[tuple[str, TagCondition]]:
        return [(op, c) for op in ("string_equals", "string_not_equals", "string_like", "string_not_like")
                for c in getattr(self, op)]

    @model_validator(mode="after")
    def _not_only_negative(self) -> Conditions:
        if not self.all():
            issues = Issues()
            issues.add((), "no condition given; list at least one under string_equals, string_not_equals, "
                       "string_like or string_not_like, or leave out conditions", has_value=False)
            issues.raise_if_any()
        return self


def _is_wildcard(ref: str) -> bool:
    return "*" in ref


class Selection(StrictModel):
    """What a policy protects. Clusters are named by identifier or ARN; tag conditions select the rest.

    Every list is optional, but together they must select something. `not_resources` excludes clusters (by
    identifier or ARN) or namespaces (by ARN) that the rest would select.
    """

    clusters: list[str] = []
    serverless_namespaces: list[str] = []
    conditions: Conditions | None = None
    not_resources: list[str] = []
    # The native layer needs cluster identifiers; clusters chosen only by tag are looked up with boto3 at
    # preview time when this is on (off by default: it makes `pulumi preview` depend on the live account).
    discover_tagged_clusters: bool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Selection:
        issues = Issues()
        region = (info.context or {}).get("region")
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if not (self.clusters or self.serverless_namespaces or self.conditions):
                issues.add((), "selects nothing; name clusters, serverless_namespaces or tag conditions",
                           has_value=False)
        for field in ("clusters", "not_resources"):
            with skip_if_invalid():
                refs: list[str] = getattr(self, field)
                for i, ref in enumerate(refs):
                    problem = _resource_ref_problem(ref, allow_namespace=field == "not_resources")
                    if problem:
                        issues.add((field, i), problem, ref)
                    elif region and ref.startswith("arn:") and arn_region(ref) != region:
                        issues.add((field, i), f"is in region {arn_region(ref)}, but a stack protects resources "
                                   f"of its own region ({region}) only: declare it in a stack of that region", ref)
                _duplicates(issues, field, refs)
                wild = [r for r in refs if _is_wildcard(r)]
                limit = MAX_SELECTION_ARNS_WITH_WILDCARD if wild else MAX_SELECTION_ARNS
                if len(refs) > limit:
                    issues.add(field, f"{len(refs)} entries; AWS Backup allows at most {limit}"
                               + (" when any entry has a wildcard" if wild else ""), has_value=False)
        with skip_if_invalid():
            for i, ref in enumerate(self.serverless_namespaces):
                if not NAMESPACE_ARN.match(ref):
                    issues.add(("serverless_namespaces", i), "expected a Redshift Serverless namespace ARN, "
                               "arn:aws:redshift-serverless:<region>:<account>:namespace/<uuid>", ref)
                elif "*" in ref[:-1]:
                    issues.add(("serverless_namespaces", i), "a wildcard '*' is only allowed at the end", ref)
                elif region and arn_region(ref) != region:
                    issues.add(("serverless_namespaces", i), f"is in region {arn_region(ref)}, but a stack "
                               f"protects resources of its own region ({region}) only", ref)
            _duplicates(issues, "serverless_namespaces", self.serverless_namespaces)
        with skip_if_invalid():
            excluded = {cluster_identifier_of(r) or r for r in self.not_resources}
            left = [r for r in self.clusters if _is_wildcard(r) or (cluster_identifier_of(r) or r) not in excluded]
            left += [r for r in self.serverless_namespaces if r not in excluded]
            if (self.clusters or self.serverless_namespaces) and not (left or self.conditions):
                issues.add("not_resources", "excludes every cluster and namespace that clusters and "
                           "serverless_namespaces name, so the selection selects nothing; remove the exclusions or "
                           "the policy", self.not_resources)
        with skip_if_invalid():
            if self.discover_tagged_clusters and not self.conditions:
                issues.add("discover_tagged_clusters", "is on but no tag conditions are given; there is nothing to "
                           "discover", True)
        issues.raise_if_any()
        return self

    def cluster_identifiers(self) -> list[str]:
        """The named clusters' identifiers (ARNs reduced to their identifier), wildcards left out."""
        excluded = self.excluded_identifiers()
        idents = (cluster_identifier_of(ref) for ref in self.clusters)
        return [i for i in idents if i and not _is_wildcard(i) and i not in excluded]

    def excluded_identifiers(self) -> set[str]:
        return {i for i in (cluster_identifier_of(r) for r in self.not_resources) if i}


def cluster_identifier_of(ref: str) -> str | None:
    """`analytics` -> `analytics`; a cluster ARN -> its identifier; anything else -> None."""
    m = CLUSTER_ARN.match(ref)
    if m:
        return m.group(3)
    return ref if not ref.startswith("arn:") else None


CLUSTER_ID_RULE = ("1-63 lowercase letters, digits and hyphens, starting with a letter, no '--', no trailing "
                   "'-'")


def _resource_ref_problem(ref: str, allow_namespace: bool) -> str | None:
    if ref.startswith("arn:"):
        if "*" in ref[:-1]:
            return "a wildcard '*' is only allowed at the end of an ARN"
        cluster = CLUSTER_ARN.match(ref)
        if cluster:
            if _cluster_id_problem(cluster.group(3)):
                return (f"the cluster identifier in this ARN, {cluster.group(3)!r}, is invalid: expected "
                        f"{CLUSTER_ID_RULE}, or a prefix of one followed by '*'")
            return None
        if allow_namespace and NAMESPACE_ARN.match(ref):
            return None
        kinds = "a cluster ARN arn:aws:redshift:<region>:<account>:cluster:<id>"
        if allow_namespace:
            kinds += " or a namespace ARN arn:aws:redshift-serverless:<region>:<account>:namespace/<uuid>"
        return f"expected a cluster identifier or {kinds}"
    return _cluster_id_problem(ref)


def _cluster_id_problem(ident: str) -> str | None:
    """The identifier rule, where a trailing `*` makes a prefix (AWS Backup's only wildcard)."""
    if "*" in ident[:-1]:
        return "a wildcard '*' is only allowed at the end (e.g. analytics-*)"
    # A prefix may end in '-' (analytics-*): check it as if completed.
    if ident.endswith("*") and CLUSTER_ID.match(ident[:-1] + "x"):
        return None
    if not CLUSTER_ID.match(ident):
        return f"expected a cluster identifier ({CLUSTER_ID_RULE}) or a cluster ARN"
    return None


def _duplicates(issues: Issues, field: str, values: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            issues.add((field, i), f"is listed twice (first at {field}[{seen[value]}])", value)
        seen.setdefault(value, i)


# --- AWS Backup layer ---------------------------------------------------------------------------------------


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
        schedules.validate_backup_schedule(value)
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
            last = schedules.last_backup_time_if_ended(self.schedule, self.schedule_timezone, now)
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
    s3_bucket_name: Annotated[str, _name_rule(names.S3_BUCKET)] | None = None
    s3_key_prefix: str | None = None
    formats: list[Literal["CSV", "JSON"]] = ["CSV"]

    @model_validator(mode="after")
    def _rules(self) -> ReportPlan:
        issues = Issues()
        if not self.templates:
            issues.add("templates", "is empty; leave out `reports` to have no report plan", [])
        _duplicates(issues, "templates", list(self.templates))
        if not self.formats:
            issues.add("formats", "is empty; expected CSV and/or JSON", [])
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
            _duplicates(issues, "rules", [r.name for r in self.rules])
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


# --- notifications ------------------------------------------------------------------------------------------

BackupVaultEvent = Literal[
    "BACKUP_JOB_STARTED", "BACKUP_JOB_COMPLETED", "COPY_JOB_STARTED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED",
    "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED", "RECOVERY_POINT_MODIFIED",
]
DEPRECATED_EVENTS = {
    "BACKUP_JOB_SUCCESSFUL": "BACKUP_JOB_COMPLETED", "BACKUP_JOB_FAILED": "BACKUP_JOB_COMPLETED",
    "RESTORE_JOB_SUCCESSFUL": "RESTORE_JOB_COMPLETED", "RESTORE_JOB_FAILED": "RESTORE_JOB_COMPLETED",
}
RedshiftEventCategory = Literal["configuration", "management", "monitoring", "security", "pending"]


class Notifications(StrictModel):
    """Who is told: AWS Backup vault events and Redshift cluster/snapshot events go to one SNS topic."""

    # Default: a topic this policy creates ("<policy>-backup-events") whose policy lets AWS Backup publish.
    sns_topic_arn: SnsTopicArn | None = None
    emails: list[Email] = []
    # Default: job completions (which carry success or failure), failed copies and completed restores.
    backup_vault_events: list[str] = ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED"]
    # Redshift event subscription (native layer). Default: management (snapshots, restores) and monitoring
    # (failures) events; severity unset, which pulumi-aws sends as INFO.
    redshift_event_categories: list[RedshiftEventCategory] = ["management", "monitoring"]
    redshift_event_severity: Literal["INFO", "ERROR"] | None = None

    @field_validator("backup_vault_events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        allowed = list(BackupVaultEvent.__args__)  # type: ignore[attr-defined]
        for event in value:
            if event in DEPRECATED_EVENTS:
                raise ValueError(f"{event} is deprecated by AWS Backup and sends nothing; use "
                                 f"{DEPRECATED_EVENTS[event]} (its message carries the job state)")
            if event not in allowed:
                raise ValueError(f"{event!r} is not an AWS Backup vault event; expected one of {', '.join(allowed)}")
        if len(set(value)) != len(value):
            raise ValueError("lists an event twice")
        return value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Notifications:
        issues = Issues()
        with skip_if_invalid():
            topic = self.sns_topic_arn
            region = (info.context or {}).get("region")
            if topic and topic.endswith(".fifo"):
                issues.add("sns_topic_arn", "is a FIFO topic; AWS Backup notifies standard SNS topics only",
                           topic, rule="notification-topic")
            elif topic and region and arn_region(topic) != region:
                issues.add("sns_topic_arn", f"is in region {arn_region(topic)}; AWS Backup notifies a topic in the "
                           f"vault's own region only ({region}, the stack's)", topic, rule="notification-topic")
        _duplicates(issues, "emails", list(self.emails))
        if not self.backup_vault_events and not self.redshift_event_categories:
            issues.add((), "notifies of nothing: both backup_vault_events and redshift_event_categories are empty",
                       has_value=False)
        issues.raise_if_any()
        return self


# --- Redshift native snapshot layer -------------------------------------------------------------------------


class CrossRegionCopy(StrictModel):
    """Redshift's own cross-region snapshot copy: one destination region per cluster."""

    destination_region: RedshiftRegionName
    # Default 7 days (Redshift's default) for copied automated snapshots; 1-35.
    retention_days: int = Field(default=7, ge=1, le=35)
    # Copied manual snapshots: -1 keeps them for ever, 1-3653 days. Default: Redshift's default (-1).
    manual_snapshot_retention_days: int | None = None
    # KMS-encrypted clusters need a snapshot copy grant in the destination region. Give the destination-region
    # key (`kms_key_id`) to have one created, or the name of an existing grant there. Default: neither
    # (unencrypted clusters).
    kms_key_id: KmsKeyArn | None = None
    snapshot_copy_grant_name: Annotated[str, _name_rule(names.SNAPSHOT_COPY_GRANT)] | None = None

    @field_validator("manual_snapshot_retention_days")
    @classmethod
    def _manual(cls, value: int | None) -> int | None:
        return _manual_retention(value)

    @model_validator(mode="after")
    def _rules(self) -> CrossRegionCopy:
        issues = Issues()
        if self.kms_key_id and self.snapshot_copy_grant_name:
            issues.add("snapshot_copy_grant_name", "give either kms_key_id (a grant is created) or an existing "
                       "snapshot_copy_grant_name, not both", self.snapshot_copy_grant_name)
        if self.kms_key_id and arn_region(self.kms_key_id) != self.destination_region:
            issues.add("kms_key_id", f"must be a key in the destination region {self.destination_region}: the "
                       "copy grant lets Redshift encrypt the copies there", self.kms_key_id)
        issues.raise_if_any()
        return self


def _manual_retention(value: int | None) -> int | None:
    if value is not None and value != -1 and not 1 <= value <= 3653:
        raise ValueError("expected -1 (keep for ever) or 1-3653 days")
    return value


class SnapshotLayer(StrictModel):
    """Redshift's own snapshots for the policy's clusters: a schedule, retention settings, cross-region copy."""

    # Snapshot schedule definitions, `cron(Minutes Hours Day-of-week)` in UTC or `rate(N hours)`. Default: none
    # (clusters keep Redshift's default of a snapshot every 8 hours or 5 GB per node of change).
    schedule: list[str] = []
    # 0-35 days (0 turns automated snapshots off; RA3 needs 1-35). Default: leave the cluster's setting alone.
    automated_snapshot_retention_days: int | None = Field(default=None, ge=0, le=35)
    # -1 (for ever) or 1-3653. Default: leave the cluster's setting alone.
    manual_snapshot_retention_days: int | None = None
    cross_region_copy: CrossRegionCopy | None = None

    @field_validator("manual_snapshot_retention_days")
    @classmethod
    def _manual(cls, value: int | None) -> int | None:
        return _manual_retention(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> SnapshotLayer:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            for index, message in schedules.snapshot_definition_problems(self.schedule) if self.schedule else []:
                if index is None:
                    issues.add("schedule", message, self.schedule)
                else:
                    issues.add(("schedule", index), message, self.schedule[index])
            if len(self.schedule) > 50:
                issues.add("schedule", f"{len(self.schedule)} definitions; keep it to a handful", has_value=False)
        region = (info.context or {}).get("region")
        with skip_if_invalid():
            copy = self.cross_region_copy
            if copy and region and copy.destination_region == region:
                issues.add(("cross_region_copy", "destination_region"), f"is the stack's own region ({region}); "
                           "expected another region", copy.destination_region)
        with skip_if_invalid():
            if self.automated_snapshot_retention_days == 0:
                for field in ("schedule", "cross_region_copy"):
                    with skip_if_invalid():
                        if getattr(self, field):
                            issues.add(field, f"has nothing to {'take' if field == 'schedule' else 'copy'}: "
                                       "automated_snapshot_retention_days is 0, which turns automated snapshots "
                                       f"off; remove {field} or keep automated snapshots for at least 1 day",
                                       has_value=False)
        with skip_if_invalid():
            if not (self.schedule or self.automated_snapshot_retention_days is not None
                    or self.manual_snapshot_retention_days is not None or self.cross_region_copy):
                issues.add((), "sets nothing; give schedule, a retention or cross_region_copy, or leave out "
                           "`snapshots`", has_value=False)
        issues.raise_if_any()
        return self


# --- policy and stack ---------------------------------------------------------------------------------------


class Policy(StrictModel):
    """One backup policy: what to protect, and how each layer (AWS Backup, native snapshots) protects it."""

    name: PolicyName
    description: str | None = None
    # Added to every resource this policy creates (and to recovery points, after recovery_point_tags).
    tags: Tags = {}
    selection: Selection
    backup: BackupLayer | None = None
    snapshots: SnapshotLayer | None = None
    notifications: Notifications | None = None
    # An AWS Backup Audit Manager framework mirroring this policy (policies/audit.py). Default: none.
    audit: Audit | None = None
    # The stack region this instance passed validation for (set by validation, not a config key): lets
    # `validate_policy` skip validating again an instance each component of one policy is handed.
    _validated_region: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Policy:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if self.backup is None and self.snapshots is None:
                issues.add((), "protects nothing; give a `backup` (AWS Backup) and/or a `snapshots` (native) "
                           "layer", has_value=False)
        with skip_if_invalid():
            if self.snapshots and not (self.selection.clusters or self.selection.discover_tagged_clusters):
                issues.add("snapshots", "native snapshot settings apply to clusters by identifier; name clusters "
                           "in selection.clusters, or set selection.discover_tagged_clusters: true",
                           has_value=False)
        with skip_if_invalid():
            if self.backup and self.backup.iam_role_arn is None:
                # The policy's tags land on the IAM role it creates: IAM's character set applies (TagRole).
                for key, value in self.tags.items():
                    if not IAM_TAG_VALUE.match(value):
                        issues.add(("tags", key), "has characters IAM refuses in a tag value, and this tag lands "
                                   "on the IAM role the policy creates: use letters, digits, spaces and "
                                   "_ . : / = + - @ only", value, rule="tag")
        with skip_if_invalid():
            if self.snapshots and any(_is_wildcard(c) for c in self.selection.clusters):
                issues.add("snapshots", "native snapshot settings cannot follow a wildcard in selection.clusters; "
                           "name the clusters, or use tag conditions with discover_tagged_clusters",
                           has_value=False)
        issues.raise_if_any()
        # Only reached when every rule of every part passed (the parts validate first).
        self._validated_region = (info.context or {}).get("region")
        return self

    def validated_for(self, region: str) -> bool:
        """Whether this instance passed validation with `region` as the stack's region."""
        return self._validated_region == region

    @property
    def vault_name(self) -> str | None:
        """The vault this policy backs up into: created (named) or existing (name or ARN)."""
        if not self.backup:
            return None
        vault = self.backup.vault
        return vault.existing or vault.name or f"{self.name}-vault"


def stack_account(policies: Iterable[Policy]) -> str | None:
    """The stack's own account, from the ARNs that AWS requires to be in it; None when none (or two) are given.

    A stack file does not name its account (the program asks AWS at run time). Backup selections, the role AWS
    Backup assumes, the roles it passes and the plan's target vault are all in the plan's account, so their ARNs
    tell it. Not used: `allowed_principals`, KMS keys and topics, which may live in any account.
    """
    arns: list[str] = []
    for policy in policies:
        selection = policy.selection
        arns += [r for r in [*selection.clusters, *selection.not_resources, *selection.serverless_namespaces]
                 if r.startswith("arn:")]
        if policy.backup:
            arns += [policy.backup.vault.existing or "", policy.backup.iam_role_arn or "",
                     *policy.backup.restore_pass_role_arns]
    accounts = {arn_account(a) for a in arns if a.startswith("arn:")} - {None}
    return accounts.pop() if len(accounts) == 1 else None


class StackConfig(StrictModel):
    """Everything under the `redshift-backup:` namespace of a stack's config.

    The stack's region (`aws:region`) is not part of it: validation receives it as context.
    """

    policies: list[Policy] = []
    # Restores declared as code (policies/restores.py): `pulumi up` restores, `pulumi destroy` removes.
    restores: list[RestoreSpec] = []
