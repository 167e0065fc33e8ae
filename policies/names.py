"""AWS naming rules, and every AWS name this project derives from a policy name.

`DERIVED` is the one table of derived names: the policy name is refused when it would make any of them illegal,
saying which name breaks which rule. A capability that names a new resource after the policy adds one line:
`Derived("audit framework", "{policy_underscored}_audit", REPORT_PLAN)` (a `NameRule` of its own if AWS's
rule is new). The planners that build the names (`policies/backup_plan.py`, `policies/native_plan.py`) and this
table are kept equal by tests/policies/test_names.py.

Names the user gives directly (a snapshot copy grant, a report bucket, a vault name inside an ARN) are checked
against the same rules (`model_fields.name_rule`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class NameRule:
    """One AWS resource's naming rule: a check, the rule in words, and where AWS states it."""

    what: str
    words: str
    source: str
    check: Callable[[str], bool]

    def problem(self, name: str) -> str | None:
        return None if self.check(name) else f"{self.what} names must be {self.words} ({self.source})"


def _redshift_identifier(max_length: int) -> Callable[[str], bool]:
    pattern = re.compile(rf"^[a-z][a-z0-9-]{{0,{max_length - 1}}}$")
    return lambda name: bool(pattern.match(name)) and "--" not in name and not name.endswith("-")


def _s3_bucket(name: str) -> bool:
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name) or ".." in name:
        return False
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        return False
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")):
        return False
    return not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))


def _kms_alias(name: str) -> bool:
    return (bool(re.fullmatch(r"alias/[a-zA-Z0-9/_-]{1,250}", name)) and not name.startswith("alias/aws/"))


SNAPSHOT_COPY_GRANT = NameRule(
    "Redshift snapshot copy grant", "1-63 lowercase letters, digits and hyphens, starting with a letter, with no "
    "two hyphens in a row and no hyphen at the end", "Redshift API: CreateSnapshotCopyGrant",
    _redshift_identifier(63))
EVENT_SUBSCRIPTION = NameRule(
    "Redshift event subscription", "1-255 letters, digits and hyphens, starting with a letter, with no two hyphens "
    "in a row and no hyphen at the end", "Redshift API: CreateEventSubscription",
    lambda n: bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,254}", n)) and "--" not in n and not n.endswith("-"))
SNAPSHOT_SCHEDULE = NameRule(
    "Redshift snapshot schedule", "1-255 letters, digits and hyphens", "Redshift API: CreateSnapshotSchedule",
    lambda n: bool(re.fullmatch(r"[A-Za-z0-9-]{1,255}", n)))
BACKUP_VAULT = NameRule(
    "AWS Backup vault", "2-50 letters, digits, hyphens and underscores", "AWS Backup API: CreateBackupVault",
    lambda n: bool(re.fullmatch(r"[a-zA-Z0-9_-]{2,50}", n)))
BACKUP_PLAN = NameRule(
    "AWS Backup plan and selection", "1-50 letters, digits, hyphens, underscores and periods",
    "AWS Backup API: CreateBackupPlan, CreateBackupSelection",
    lambda n: bool(re.fullmatch(r"[a-zA-Z0-9._-]{1,50}", n)))
REPORT_PLAN = NameRule(
    "AWS Backup framework and report plan", "1-256 letters, digits and underscores, starting with a letter",
    "AWS Backup API: CreateFramework, CreateReportPlan",
    lambda n: bool(re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]{0,255}", n)))
SNS_TOPIC = NameRule(
    "SNS topic", "1-256 letters, digits, hyphens and underscores", "Amazon SNS API: CreateTopic",
    lambda n: bool(re.fullmatch(r"[A-Za-z0-9_-]{1,256}", n)))
IAM_ROLE = NameRule(
    "IAM role", "1-64 letters, digits and + = , . @ _ -", "IAM API: CreateRole",
    lambda n: bool(re.fullmatch(r"[\w+=,.@-]{1,64}", n, re.ASCII)))
KMS_ALIAS = NameRule(
    "KMS alias", "alias/ followed by 1-250 letters, digits, / _ and -, not under alias/aws/",
    "AWS KMS API: CreateAlias", _kms_alias)
ORG_POLICY = NameRule(
    "AWS Organizations policy", "1-128 characters", "AWS Organizations API: CreatePolicy",
    lambda n: 1 <= len(n) <= 128)
STACK_SET = NameRule(
    "CloudFormation StackSet", "1-128 letters, digits and hyphens, starting with a letter",
    "AWS CloudFormation API: CreateStackSet", lambda n: bool(re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", n)))
S3_BUCKET = NameRule(
    "S3 bucket", "3-63 lowercase letters, digits, periods and hyphens, starting and ending with a letter or digit, "
    "without '..', not shaped like an IP address, not starting with xn--, sthree- or amzn-s3-demo- and not ending "
    "with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3", "Amazon S3 User Guide: general purpose bucket naming rules",
    _s3_bucket)


@dataclass(frozen=True)
class Derived:
    """A name AWS gets from the policy name: `template` has `{policy}` (and `{region}`, the stack's)."""

    resource: str
    template: str
    rule: NameRule

    def name(self, policy: str, region: str) -> str:
        return self.template.format(policy=policy, policy_underscored=policy.replace("-", "_"), region=region)


# The longest region name of every partition's list stands in when the stack's region is not known.
LONGEST_REGION = "ap-southeast-7"

DERIVED: list[Derived] = [
    Derived("backup plan", "{policy}", BACKUP_PLAN),
    Derived("backup vault", "{policy}-vault", BACKUP_VAULT),
    Derived("copy vault", "{policy}-vault", BACKUP_VAULT),
    Derived("backup selection", "{policy}-clusters-10", BACKUP_PLAN),
    Derived("backup selection", "{policy}-namespaces-10", BACKUP_PLAN),
    Derived("backup selection", "{policy}-tagged", BACKUP_PLAN),
    Derived("vault key alias", "alias/redshift-backup/{policy}-vault", KMS_ALIAS),
    Derived("backup role", "{policy}-backup-{region}", IAM_ROLE),
    Derived("notification topic", "{policy}-backup-events", SNS_TOPIC),
    Derived("report plan", "{policy_underscored}_restore_jobs", REPORT_PLAN),
    Derived("snapshot schedule", "{policy}-snapshot-schedule", SNAPSHOT_SCHEDULE),
    Derived("snapshot copy grant", "{policy}-copy-grant", SNAPSHOT_COPY_GRANT),
    Derived("event subscription", "{policy}-redshift-events", EVENT_SUBSCRIPTION),
    Derived("event subscription", "{policy}-redshift-snapshot-events", EVENT_SUBSCRIPTION),
    # The `audit:` section (policies/audit.py: aws_audit_name).
    Derived("audit framework", "{policy_underscored}_audit", REPORT_PLAN),
    Derived("audit report plan", "{policy_underscored}_control_compliance", REPORT_PLAN),
    Derived("audit report plan", "{policy_underscored}_resource_compliance", REPORT_PLAN),
    # The organization path (policies/organization.py: org_names).
    Derived("organization backup policy", "redshift-backup-{policy}", ORG_POLICY),
    Derived("vault StackSet", "redshift-backup-{policy}-vault", STACK_SET),
    Derived("role StackSet", "redshift-backup-{policy}-role", STACK_SET),
    Derived("member-account backup role", "redshift-backup-{policy}", IAM_ROLE),
]


def derived_name_problems(policy: str, region: str | None) -> list[str]:
    """Every derived name `policy` would make illegal, each saying which name breaks which rule."""
    return list(_derived_name_problems(policy, region, len(DERIVED), id(DERIVED)))


@cache
def _derived_name_problems(policy: str, region: str | None, _entries: int, _table: int) -> tuple[str, ...]:
    # Cached per policy name and region (validation runs once per component); the table's length and identity
    # are in the key, so an entry added later is never missed.
    out = []
    for entry in DERIVED:
        name = entry.name(policy, region or LONGEST_REGION)
        problem = entry.rule.problem(name)
        if problem:
            out.append(f"would make the {entry.resource} name {name!r} illegal: {problem}")
    return tuple(dict.fromkeys(out))

