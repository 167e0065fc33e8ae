"""The controls of an audited policy's framework, derived from the policy (pure planning), and the validation of
the stack's `audit:` sections against AWS's limits. The section's model, AWS's facts and the names are in
policies/audit.py.

Planning is deterministic: the frequency of a rule and the RPO are measured over one fixed reference year, so that
the controls (resource inputs) never change from one `pulumi preview` to the next on their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from policies import backup_runs
from policies.audit import (
    AUDIT_TAG_KEY,
    BACKUP_PLAN_TYPE,
    BACKUP_VAULT_TYPE,
    COMPLIANCE_TEMPLATES,
    CONTROL_PARAMETERS,
    DELETION_CONTROL_NOTE,
    MAX_CONTROLS_PER_ACCOUNT_AND_REGION,
    MAX_CROSS_ACCOUNTS,
    MAX_EXEMPT_PRINCIPALS,
    MAX_FREQUENCY_DAYS,
    MAX_FREQUENCY_HOURS,
    MAX_RECOVERY_POINT_AGE_HOURS,
    REDSHIFT_SERVERLESS_TYPE,
    REDSHIFT_TYPE,
    REFERENCE_START,
    REFERENCE_WINDOW,
    TEMPLATE_SUFFIX,
    ScopeTag,
    aws_audit_name,
)
from policies.backup_layer import BackupRule
from policies.errors import Problem, join_path
from policies.models import Policy
from policies.rpo import worst_case_rpo
from policies.selection import cluster_identifier_of

# --- planning ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeSpec:
    """A control scope, with its meaning in words; empty: AWS's default scope (every resource the control reads)."""

    label: str
    resource_ids: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def args(self) -> dict[str, object] | None:
        """pulumi-aws `FrameworkControlScopeArgs` as a dict; None for AWS's default scope."""
        out: dict[str, object] = {}
        if self.resource_ids:
            out["compliance_resource_ids"] = list(self.resource_ids)
        if self.resource_types:
            out["compliance_resource_types"] = list(self.resource_types)
        if self.tags:
            out["tags"] = dict(self.tags)
        return out or None


@dataclass(frozen=True)
class ControlSpec:
    """One framework control: its AWS name, parameters (name, value) and scope, and what it checks in words."""

    name: str
    parameters: tuple[tuple[str, str], ...]
    scope: ScopeSpec
    text: str

    def args(self) -> dict[str, object]:
        """pulumi-aws `FrameworkControlArgs` as a dict; empty parameters and default scope left out."""
        out: dict[str, object] = {"name": self.name}
        if self.parameters:
            out["input_parameters"] = [{"name": k, "value": v} for k, v in self.parameters]
        scope = self.scope.args()
        if scope is not None:
            out["scope"] = scope
        return out


@dataclass(frozen=True)
class ReportPlanSpec:
    """One compliance report plan of the framework."""

    key: str
    name: str
    template: str


@dataclass(frozen=True)
class FrameworkPlan:
    """Everything the audit component registers for one policy, and what it leaves out and why."""

    policy: str
    framework_name: str
    controls: tuple[ControlSpec, ...]
    reports: tuple[ReportPlanSpec, ...]
    notes: tuple[str, ...] = field(default=())


def _backup_rules(policy: Policy) -> list[BackupRule]:
    return list(policy.backup.rules) if policy.backup else []


def rule_interval(rule: BackupRule) -> timedelta | None:
    """The longest time between two runs of one rule over the reference year, its cron read in UTC.

    AWS Config reads a rule's frequency from its schedule; reading the cron in UTC keeps a daily rule daily
    across a daylight-saving change of its time zone. None when the rule runs fewer than twice in the year.
    """
    runs = backup_runs.backup_times_between(rule.schedule, "UTC", REFERENCE_START, REFERENCE_START + REFERENCE_WINDOW)
    return worst_case_rpo(runs, REFERENCE_START, REFERENCE_WINDOW)


def backup_rpo(policy: Policy) -> timedelta | None:
    """The longest gap between two AWS Backup runs of the policy (all rules, each in its time zone), reference year."""
    runs: list[datetime] = []
    for rule in _backup_rules(policy):
        runs += backup_runs.backup_times_between(rule.schedule, rule.schedule_timezone, REFERENCE_START,
                                               REFERENCE_START + REFERENCE_WINDOW)
    return worst_case_rpo(runs, REFERENCE_START, REFERENCE_WINDOW)


def frequency_parameter(interval: timedelta) -> tuple[str, int] | None:
    """`(requiredFrequencyUnit, requiredFrequencyValue)` for a rule running at least every `interval`.

    Whole hours up to 24 are hours; longer intervals are whole days (rounded up) up to 31; longer ones cannot be
    expressed (None).
    """
    hours = math.ceil(interval.total_seconds() / 3600)
    if hours < MAX_FREQUENCY_HOURS:
        return "hours", max(hours, 1)
    days = math.ceil(interval.total_seconds() / 86400)
    return ("days", days) if days <= MAX_FREQUENCY_DAYS else None


def recovery_point_age(rpo: timedelta, start_window_minutes: int) -> int | None:
    """`recoveryPointAgeValue` in hours: the RPO plus the longest start window (a job may start that late), rounded
    up; None beyond AWS's 744 hours."""
    hours = math.ceil((rpo.total_seconds() + start_window_minutes * 60) / 3600)
    return hours if 1 <= hours <= MAX_RECOVERY_POINT_AGE_HOURS else None


def namespace_id(arn: str) -> str:
    """The namespace id (uuid) of a Redshift Serverless namespace ARN."""
    return arn.rsplit("/", 1)[-1]


def derived_scope_tag(policy: Policy) -> ScopeTag | None:
    """The tag scope of the tag-selected clusters: `audit.scope_tag`, else the first `string_equals` condition, else
    a `string_like` condition whose value is `*` (any value of the key); None when there is none."""
    if policy.audit is not None and policy.audit.scope_tag is not None:
        return policy.audit.scope_tag
    conditions = policy.selection.conditions
    if conditions is None:
        return None
    if conditions.string_equals:
        first = conditions.string_equals[0]
        return ScopeTag(key=first.key, value=first.value)
    for cond in conditions.string_like:
        if cond.value == "*":
            return ScopeTag(key=cond.key)
    return None


def resource_scopes(policy: Policy) -> tuple[list[ScopeSpec], list[str]]:
    """The scopes of the resource controls, and notes on what they cannot express.

    With `audit.scope_tag`: that one tag. Otherwise one scope per named cluster (type and identifier: AWS scopes
    one resource id with one type) and per named namespace, and one tag scope for the tag-selected clusters.
    """
    notes: list[str] = []
    audit = policy.audit
    if audit is not None and audit.scope_tag is not None:
        return [_tag_scope(audit.scope_tag)], notes
    selection = policy.selection
    scopes = [ScopeSpec(label=f"cluster {ident}", resource_ids=(ident,), resource_types=(REDSHIFT_TYPE,))
              for ident in selection.cluster_identifiers()]
    wild = [ref for ref in selection.clusters if "*" in ref]
    if wild:
        notes.append(f"clusters matching {', '.join(cluster_identifier_of(w) or w for w in wild)} are not in a "
                     "control scope (a scope names one resource or one tag): set audit.scope_tag to a tag they carry")
    excluded = set(selection.not_resources)
    for arn in selection.serverless_namespaces:
        if arn in excluded:
            continue
        if "*" in arn:
            notes.append(f"namespaces matching {arn} are not in a control scope: set audit.scope_tag")
            continue
        scopes.append(ScopeSpec(label=f"namespace {namespace_id(arn)}", resource_ids=(namespace_id(arn),),
                                resource_types=(REDSHIFT_SERVERLESS_TYPE,)))
    if selection.conditions is not None:
        derived = derived_scope_tag(policy)
        if derived is not None:
            scopes.append(_tag_scope(derived))
            if len(selection.conditions.all()) > 1:
                notes.append(f"the tag scope {_tag_text(derived)} is wider than the selection (a scope holds one tag): "
                             "resources that carry it but fail the selection's other conditions are evaluated too")
    return scopes, notes


def _tag_text(tag: ScopeTag) -> str:
    return f"{tag.key}={tag.value}" if tag.value is not None else f"{tag.key}=*"


def _tag_scope(tag: ScopeTag) -> ScopeSpec:
    # A tag scope cannot also name resource types (API ControlScope), so it reaches every resource with the tag.
    return ScopeSpec(label=f"resources tagged {_tag_text(tag)}", tags=((tag.key, tag.value or ""),))


def recovery_point_scope(policy: Policy) -> ScopeSpec:
    """The recovery-point controls' only scope is a tag: the one every recovery point of an audited policy carries."""
    return ScopeSpec(label=f"recovery points tagged {AUDIT_TAG_KEY}={policy.name}",
                     tags=((AUDIT_TAG_KEY, policy.name),))


def audit_recovery_point_tags(policy: Policy) -> dict[str, str]:
    """The tag the plan's rules add to recovery points when the policy is audited (empty otherwise)."""
    return {AUDIT_TAG_KEY: policy.name} if policy.audit is not None and policy.backup is not None else {}


def copy_targets(policy: Policy, region: str, stack_account: str | None) -> tuple[list[str], list[str]]:
    """The regions (other than the stack's) and other accounts the policy's AWS Backup copies go to, sorted."""
    regions: set[str] = set()
    accounts: set[str] = set()
    for rule in _backup_rules(policy):
        for copy in rule.copy_actions:
            if copy.region and copy.region != region:
                regions.add(copy.region)
            account = copy.other_account(stack_account)
            if account:
                accounts.add(account)
    return sorted(regions), sorted(accounts)


def framework_plan(policy: Policy, region: str, stack_account: str | None = None,
                   plan_id: str = "{plan_id}", vault_name: str | None = None) -> FrameworkPlan | None:
    """The framework of an audited policy (None without `audit`): its controls, report plans and notes.

    `plan_id` (known at run time only; a placeholder by default) scopes the plan control to this policy's plan.
    """
    audit = policy.audit
    if audit is None or policy.backup is None:
        return None
    backup = policy.backup
    skip = set(audit.skip_controls)
    controls: list[ControlSpec] = []
    notes: list[str] = []

    def add(name: str, parameters: Sequence[tuple[str, str]], scope: ScopeSpec, text: str) -> None:
        # Only documented control and parameter names are ever sent (policies/audit.py lists them with sources).
        unknown = {key for key, _ in parameters} - CONTROL_PARAMETERS[name]
        if unknown or not all(value for _, value in parameters):
            raise ValueError(f"{name}: parameters {sorted(unknown)} are not documented, or a value is empty")
        if name not in skip:
            controls.append(ControlSpec(name, tuple(parameters), scope, text))

    plan_scope = ScopeSpec(label=f"backup plan {policy.name}", resource_ids=(plan_id,),
                           resource_types=(BACKUP_PLAN_TYPE,))
    seen_frequency: set[tuple[str, int, int]] = set()
    for rule in sorted(backup.rules, key=lambda r: r.name):
        interval = rule_interval(rule)
        frequency = frequency_parameter(interval) if interval is not None else None
        if frequency is None:
            notes.append(f"rule {rule.name}: runs less often than every {MAX_FREQUENCY_DAYS} days, which "
                         "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK cannot express; not checked")
            continue
        unit, value = frequency
        key = (unit, value, rule.delete_after_days)
        if key in seen_frequency:
            continue
        seen_frequency.add(key)
        add("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
            [("requiredFrequencyUnit", unit), ("requiredFrequencyValue", str(value)),
             ("requiredRetentionDays", str(rule.delete_after_days))], plan_scope,
            f"the plan has a rule running at least every {value} {unit if value != 1 else unit[:-1]} kept at least "
            f"{rule.delete_after_days} days (rule {rule.name})")
    rp_scope = recovery_point_scope(policy)
    shortest = min(rule.delete_after_days for rule in backup.rules)
    add("BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK", [("requiredRetentionDays", str(shortest))], rp_scope,
        f"every recovery point is kept at least {shortest} days (the shortest rule retention)")
    add("BACKUP_RECOVERY_POINT_ENCRYPTED", [], rp_scope,
        "every recovery point is encrypted (for Redshift: the cluster's own encryption)")
    vault = backup.vault
    vault_name = vault_name or policy.vault_name or ""
    if vault.existing is not None:
        notes.append("vault: an existing vault's access policy and lock are not managed here, so "
                     "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED and the vault lock control are not added")
    else:
        if vault.deny_recovery_point_deletion:
            principals = sorted(vault.allowed_principals)
            add("BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
                [("principalArnList", ",".join(principals))] if principals else [],
                ScopeSpec(label=f"vault {vault_name}", resource_ids=(vault_name,), resource_types=(BACKUP_VAULT_TYPE,)),
                "the vault denies deleting recovery points" + (
                    f" to all but {len(principals)} exempt principal{'s' if len(principals) != 1 else ''}"
                    if principals else ""))
            if "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED" not in skip:
                notes.append(DELETION_CONTROL_NOTE)
        else:
            notes.append("vault: deny_recovery_point_deletion is off, so BACKUP_RECOVERY_POINT_MANUAL_DELETION_"
                         "DISABLED is not added (the policy does not promise it)")
    scopes, scope_notes = resource_scopes(policy)
    notes += scope_notes
    rpo = backup_rpo(policy)
    age = recovery_point_age(rpo, max(r.start_window_minutes for r in backup.rules)) if rpo is not None else None
    if age is None:
        notes.append("BACKUP_LAST_RECOVERY_POINT_CREATED: the policy's AWS Backup RPO plus its start window exceeds "
                     f"{MAX_RECOVERY_POINT_AGE_HOURS} hours (31 days), AWS's maximum; not checked")
    regions, accounts = copy_targets(policy, region, stack_account)
    for scope in scopes:
        add("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", [], scope, "in a backup plan")
        if vault.lock is not None:
            add("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                [("minRetentionDays", str(vault.lock.min_retention_days)),
                 ("maxRetentionDays", str(vault.lock.max_retention_days))], scope,
                f"backed up into a vault locked for {vault.lock.min_retention_days}-"
                f"{vault.lock.max_retention_days} days")
        if age is not None:
            add("BACKUP_LAST_RECOVERY_POINT_CREATED",
                [("recoveryPointAgeUnit", "hours"), ("recoveryPointAgeValue", str(age))], scope,
                f"a recovery point younger than {age} hours (the RPO plus the longest start window)")
        if regions:
            add("BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION", [("crossRegionList", ",".join(regions))], scope,
                f"copied to {', '.join(regions)}")
        if accounts:
            add("BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT", [("crossAccountList", ",".join(accounts))], scope,
                f"copied to account{'s' if len(accounts) > 1 else ''} {', '.join(accounts)}")
        if audit.restore_time_target_minutes is not None:
            add("RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
                [("maxRestoreTime", str(audit.restore_time_target_minutes))], scope,
                f"restored within {audit.restore_time_target_minutes} minutes")
    if audit.restore_time_target_minutes is not None:
        notes.append("RESTORE_TIME_FOR_RESOURCES_MEET_TARGET reads restore testing results, and AWS Backup restore "
                     "testing does not cover Redshift: expect no evaluation until it does")
    reports = tuple(ReportPlanSpec(key=TEMPLATE_SUFFIX[t], name=aws_audit_name(policy.name, TEMPLATE_SUFFIX[t]),
                                   template=t) for t in COMPLIANCE_TEMPLATES)
    return FrameworkPlan(policy=policy.name, framework_name=aws_audit_name(policy.name, "audit"),
                         controls=tuple(controls), reports=reports, notes=tuple(notes))


# --- validation ---------------------------------------------------------------------------------------------------


def audit_problems(policies: Iterable[tuple[int, Policy]], region: str | None,
                   stack_account: str | None = None) -> list[Problem]:
    """What AWS would refuse (or what cannot be audited) in the stack's `audit:` sections, with paths.

    Per policy: a backup layer to audit, at most 5 exempt principals and 5 copy accounts, a tag for tag-selected
    clusters. Across the stack: at most 50 controls in the account and region.
    """
    problems: list[Problem] = []
    counts: list[tuple[int, str, int]] = []
    for i, policy in policies:
        audit = policy.audit
        if audit is None:
            continue
        path = ("policies", i, "audit")
        if policy.backup is None:
            problems.append(Problem(join_path(*path), "needs a `backup` layer: Audit Manager frameworks check AWS "
                                    "Backup plans, vaults and recovery points", has_value=False))
            continue
        vault = policy.backup.vault
        if (vault.existing is None and vault.deny_recovery_point_deletion
                and "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED" not in audit.skip_controls
                and len(vault.allowed_principals) > MAX_EXEMPT_PRINCIPALS):
            problems.append(Problem(
                join_path("policies", i, "backup", "vault", "allowed_principals"),
                f"{len(vault.allowed_principals)} principals; BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED exempts "
                f"at most {MAX_EXEMPT_PRINCIPALS}: list at most {MAX_EXEMPT_PRINCIPALS}, or add that control to "
                "audit.skip_controls", has_value=False))
        _, accounts = copy_targets(policy, region or "", stack_account)
        cross_account = "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT"
        if len(accounts) > MAX_CROSS_ACCOUNTS and cross_account not in audit.skip_controls:
            problems.append(Problem(join_path(*path), f"the copies go to {len(accounts)} other accounts; "
                                    f"{cross_account} checks at most {MAX_CROSS_ACCOUNTS}: add it to "
                                    "audit.skip_controls", accounts))
        if policy.selection.conditions is not None and derived_scope_tag(policy) is None:
            problems.append(Problem(join_path(*path, "scope_tag"), "is required: the selection's tag conditions "
                                    "have no string_equals (nor a string_like '*'), and a control scope holds one "
                                    "tag; give the tag every selected cluster carries, e.g. {key: backup, value: "
                                    "daily}", has_value=False))
            continue
        plan = framework_plan(policy, region or "", stack_account)
        if plan is not None:
            if not plan.controls:
                problems.append(Problem(join_path(*path, "skip_controls"), "leaves no control; remove `audit` "
                                        "instead", list(audit.skip_controls)))
            counts.append((i, policy.name, len(plan.controls)))
    total = sum(n for _, _, n in counts)
    if total > MAX_CONTROLS_PER_ACCOUNT_AND_REGION:
        each = ", ".join(f"{name} {n}" for _, name, n in counts)
        problems.append(Problem(join_path("policies", counts[-1][0], "audit"),
                                f"the stack's frameworks would have {total} controls ({each}); AWS Backup Audit "
                                f"Manager allows {MAX_CONTROLS_PER_ACCOUNT_AND_REGION} per account and region (a "
                                "control in two frameworks counts twice, frameworks outside this stack count too): "
                                "set audit.scope_tag (one scope instead of one per cluster), add controls to "
                                "audit.skip_controls, or audit fewer policies", has_value=False))
    return problems
