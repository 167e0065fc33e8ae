"""The small pieces the policy models share: ARN and name patterns, limits, annotated field types with their rules."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo

from policies import backup_runs, names
from policies.base import Issues, RuleViolation
from policies.regions import region_problem

RULE_NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")
VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_]{2,50}$")
# Policy names become part of every child resource name (vault, plan, selection, schedule, role), so they are
# kept short and DNS-like: the longest derived name ("<policy>-snapshot-schedule") must stay inside AWS limits.
POLICY_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
CLUSTER_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$")
# [0-9], not \d: \d also matches other scripts' digits, which no AWS account id has.
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:.+$")
# The identifier part is checked on its own (policies/selection.py), so that its message can say what is wrong.
CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:redshift:([a-z0-9-]+):([0-9]{12}):cluster:([^:/\s]+)$")
NAMESPACE_ARN = re.compile(r"^arn:aws[a-z-]*:redshift-serverless:([a-z0-9-]+):([0-9]{12}):namespace/([0-9a-f*-]+)$")
VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:([a-z0-9-]+):([0-9]{12}):backup-vault:([a-zA-Z0-9\-_]{2,50})$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):(key|alias)/.+$")
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")
# `.fifo` topics match, so that the notifications rule can say why AWS Backup cannot use them.
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):([0-9]{12}):[A-Za-z0-9_-]{1,251}(\.fifo)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# `aws:` is reserved in any letter case (AWS refuses AWS:Team as it refuses aws:team).
TAG_KEY = re.compile(r"^(?![aA][wW][sS]:)[\w .:/=+\-@]{1,128}$")
# IAM's character set for tag values (TagRole): letters, digits, spaces and _ . : / = + - @.
IAM_TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")

MAX_DELETE_AFTER_DAYS = 36500


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


def name_rule(rule: names.NameRule) -> Any:
    """A name given directly, checked against the rule of the AWS resource it names."""
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
    if not backup_runs.is_timezone(value):
        zones = backup_runs.iana_timezones()
        last = value.strip().lower().split("/")[-1]
        close = sorted(z for z in zones if last and z.lower().endswith(last))[:3]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"expected an IANA time zone name such as UTC or Europe/Berlin{hint}")
    return value


def _tag_key_rule(value: str) -> str:
    if not TAG_KEY.match(value):
        raise RuleViolation("tag", "expected a tag key of 1-128 letters, digits, spaces and _ . : / = + - @, not "
                            "starting with 'aws:' in any letter case (AWS reserves it)")
    return value


# A tag key on its own (a control scope's tag), by the same rule as the keys of `tags`.
TagKey = Annotated[str, AfterValidator(_tag_key_rule)]


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



def report_duplicates(issues: Issues, field: str, values: list[str]) -> None:
    """One issue for each value `values` lists a second time, naming where it was first."""
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            issues.add((field, i), f"is listed twice (first at {field}[{seen[value]}])", value)
        seen.setdefault(value, i)
