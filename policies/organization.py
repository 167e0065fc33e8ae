"""The organization path: which targets (root, OUs, accounts) get which policies, in which regions, with which
values locked against child policies, and the refusals for what AWS Organizations backup policies cannot express.

Pure: pydantic models and validation only. The policy document is generated in `policies.org_policy_document`,
effective policies in `policies.org_effective`, the member-account baseline in `policies.org_baseline`.

Sources (read 2026-12, cited where each rule is used):
- [SYNTAX] AWS Organizations User Guide, "Backup policy syntax and examples" (orgs_manage_policies_backup_syntax).
- [INHERIT] AWS Organizations User Guide, "Policy syntax and inheritance for management policy types" and
  "Inheritance operators" (orgs_manage_policies_inheritance_mgmt, policy-operators).
- [POLICIES] AWS Organizations User Guide, "Managing policies": a backup policy affects the management account;
  at most 10 backup policies attached to one root, OU or account; 10,000 characters per document.
- [QUOTAS] AWS Organizations User Guide, "Quotas for AWS Organizations": 1000 policies of each type per
  organization; 1000 OUs; OUs nest at most five levels under the root.
- [API] AWS Organizations API Reference, AttachPolicy `TargetId` patterns (root, OU, account ids).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from policies import schedules
from policies.base import Issues, StrictModel
from policies.errors import Problem
from policies.models import (
    AccountId,
    DeleteAfterDays,
    Policy,
    RegionName,
    RuleName,
    arn_account,
)

# [API] AttachPolicy TargetId: a root (r-), an OU (ou-<root part>-<ou part>) or a 12-digit account id.
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")

# [POLICIES] "Maximum number you can attach to a root, OU, or account": 10 for backup policies.
MAX_POLICIES_PER_TARGET = 10
# [QUOTAS] "Number of policies of each type in an organization": 1000.
MAX_POLICIES_PER_ORGANIZATION = 1000
# [QUOTAS] OUs nest at most five levels deep under a root; with the root and an account, a path has 7 entities.
MAX_PATH_LENGTH = 7

# The stack config key (`redshift-backup:organization`) of this path.
ORGANIZATION_KEY = "organization"

LockPart = Literal["regions", "rules", "selections", "backup_plan_tags"]
LOCK_PARTS: tuple[LockPart, ...] = ("regions", "rules", "selections", "backup_plan_tags")
RunAs = Literal["management_account", "delegated_administrator"]


def target_kind(target_id: str) -> str:
    """`root`, `ou` or `account` (the id is assumed valid)."""
    if ROOT_ID.match(target_id):
        return "root"
    if OU_ID.match(target_id):
        return "ou"
    return "account"


def _target_id_problem(value: str) -> str | None:
    if ROOT_ID.match(value) or OU_ID.match(value) or ACCOUNT_ID.match(value):
        return None
    return ("expected a root id (r-xxxx), an OU id (ou-xxxx-xxxxxxxx) or a 12-digit account id, quoted in YAML "
            "(e.g. ou-a1b2-3c4d5e6f)")


# --- AWS names derived from policy names --------------------------------------------------------------------------

# Every AWS name the organization path derives from a policy name goes through `org_names`, with the rule of
# each name next to it, so that one rule for derived names can replace it in one place.
#   Organizations policy Name: 1-128 characters (API Reference, CreatePolicy `Name`).
#   StackSet name: `^[a-zA-Z][-a-zA-Z0-9]*$`, at most 128 characters (CloudFormation API, CreateStackSet).
#   IAM role name: `[\w+=,.@-]+`, 1-64 characters (IAM API, CreateRole `RoleName`); global to an account.
#   Plan key in the document: the policy name (2-32 of [a-z0-9-], see models.POLICY_NAME), which AWS Backup
#   uses as the BackupPlanName (1-200 of letters, digits, '-', '_', '.').
ORG_POLICY_NAME_MAX = 128
STACK_SET_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def org_names(policy_name: str, target_id: str | None = None) -> dict[str, str]:
    """The AWS names the organization path gives one policy (and, with `target_id`, its override there)."""
    names = {
        "plan": policy_name,
        "org_policy": f"redshift-backup-{policy_name}",
        "vault_stack_set": f"redshift-backup-{policy_name}-vault",
        "role_stack_set": f"redshift-backup-{policy_name}-role",
        # One role per account (IAM is global), created by the role StackSet in one region only.
        "role": f"redshift-backup-{policy_name}",
    }
    if target_id is not None:
        names["override_policy"] = f"redshift-backup-{policy_name}-at-{target_id}"
    for key, pattern in (("vault_stack_set", STACK_SET_NAME), ("role_stack_set", STACK_SET_NAME),
                         ("role", IAM_ROLE_NAME)):
        if not pattern.match(names[key]):  # pragma: no cover - policy names are short and DNS-like
            raise ValueError(f"derived {key} name {names[key]!r} breaks AWS's naming rule {pattern.pattern}")
    for key in ("org_policy", "override_policy"):
        if key in names and len(names[key]) > ORG_POLICY_NAME_MAX:  # pragma: no cover
            raise ValueError(f"derived {key} name {names[key]!r} is longer than {ORG_POLICY_NAME_MAX}")
    return names


# --- the models ---------------------------------------------------------------------------------------------------


class OrgPolicy(Policy):
    """A policy of the organization path: the same keys as `redshift-backup:policies`, plus where and what is
    locked. What the org path cannot express is refused by `org_policy_problems` (with why and what to use)."""

    # Default: the organization's `regions`.
    regions: list[RegionName] = []
    # Parts of the plan child policies (attached to OUs or accounts below) may not change: AWS applies
    # "@@operators_allowed_for_child_policies": ["@@none"] at every node of each locked part. Default: none locked.
    lock: list[LockPart] = []


class RuleOverride(StrictModel):
    """New values for one rule of a policy attached higher up, applied with `@@assign` at this target."""

    name: RuleName
    schedule: str | None = None
    delete_after_days: DeleteAfterDays | None = None
    start_window_minutes: int | None = Field(default=None, ge=60)
    completion_window_minutes: int | None = Field(default=None, ge=120)

    @model_validator(mode="after")
    def _rules(self) -> RuleOverride:
        issues = Issues()
        if self.schedule is not None:
            try:
                schedules.validate_backup_schedule(self.schedule)
            except ValueError as exc:
                issues.add("schedule", str(exc), self.schedule)
        if not self.model_fields_set - {"name"}:
            issues.add((), "changes nothing; give schedule, delete_after_days, start_window_minutes or "
                       "completion_window_minutes", has_value=False)
        issues.raise_if_any()
        return self


class PolicyOverride(StrictModel):
    """A child policy: changes to a policy attached at an ancestor target, for the accounts below this target."""

    policy: str
    regions_append: list[RegionName] = []
    regions_remove: list[RegionName] = []
    rules: list[RuleOverride] = []

    @model_validator(mode="after")
    def _rules(self) -> PolicyOverride:
        issues = Issues()
        if not (self.regions_append or self.regions_remove or self.rules):
            issues.add((), "changes nothing; give regions_append, regions_remove or rules", has_value=False)
        if self.regions_append and self.regions_remove:
            # One value-setting operator per setting in the document we generate: AWS's examples never combine
            # them, and the order they would apply in is not documented.
            issues.add("regions_remove", "give regions_append or regions_remove in one override, not both; put "
                       "the other on a target below", self.regions_remove)
        issues.raise_if_any()
        return self


class OrgTarget(StrictModel):
    """A root, OU or account, and what this stack attaches to it."""

    id: str
    # A label for plans (e.g. the OU's name). Default: the id.
    name: str | None = None
    # The target this one sits under, by id (it must be listed too). Default: the root target when one is listed.
    # Only used offline, to compute effective policies; AWS knows the real tree.
    parent: str | None = None
    policies: list[str] = []
    overrides: list[PolicyOverride] = []

    @model_validator(mode="after")
    def _rules(self) -> OrgTarget:
        issues = Issues()
        problem = _target_id_problem(self.id)
        if problem:
            issues.add("id", problem, self.id)
        if self.parent is not None and _target_id_problem(self.parent):
            issues.add("parent", _target_id_problem(self.parent) or "", self.parent)
        elif self.parent is not None and ACCOUNT_ID.match(self.parent):
            issues.add("parent", "an account has no children; expected the root or an OU id", self.parent)
        if not (self.policies or self.overrides):
            issues.add((), "attaches nothing; give policies or overrides", has_value=False)
        seen = [p for i, p in enumerate(self.policies) if p in self.policies[:i]]
        for name in seen:
            issues.add("policies", f"lists {name!r} twice", name)
        issues.raise_if_any()
        return self

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


class OrganizationConfig(StrictModel):
    """`redshift-backup:organization`: policies that AWS Organizations and StackSets apply to many accounts."""

    # Default regions of every policy (a policy's own `regions` replaces them).
    regions: list[RegionName] = []
    policies: list[OrgPolicy] = []
    targets: list[OrgTarget] = []
    # Who runs `pulumi up`: the management account (default) or the delegated administrator for AWS Backup and
    # StackSets (then the StackSets are created with CallAs DELEGATED_ADMIN and the organization-wide settings
    # that only the management account may change are listed as steps to do by hand).
    run_as: RunAs = "management_account"
    # Registers this account as AWS Backup's delegated administrator (management account only). Default: none.
    delegated_administrator_account_id: AccountId | None = None
    # AWS Backup GlobalSettings isCrossAccountBackupEnabled. Default: on when a policy copies to another account.
    cross_account_backup: bool | None = None
    # StackSets: keep the baseline (vault, key, role) in an account that leaves a target OU. Default: keep it, so
    # that recovery points are not orphaned in a vault whose key is scheduled for deletion.
    retain_stacks_on_account_removal: bool = True
    # Opt Redshift in to AWS Backup in the stack's own account for every targeted region (RegionSettings is per
    # account and region; member accounts are listed as a step to do by hand). Default: off.
    opt_in_management_account: bool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> OrganizationConfig:
        issues = Issues()
        for path, problem, value in organization_problems(self):
            issues.add(path, problem, value, has_value=value is not None)
        if not issues:
            # Only a config that passed every other rule is turned into documents and checked against AWS's
            # grammar and limits: a document AWS would refuse is a config error like any other.
            from policies.org_policy_document import config_document_problems

            region = (info.context or {}).get("region") or "us-east-1"
            for path, problem, value in config_document_problems(self, region):
                issues.add(path, problem, value, has_value=False)
        issues.raise_if_any()
        return self

    def policy(self, name: str) -> OrgPolicy:
        return next(p for p in self.policies if p.name == name)

    def regions_of(self, policy: OrgPolicy) -> list[str]:
        return sorted(set(policy.regions or self.regions))

    def target(self, target_id: str) -> OrgTarget:
        return next(t for t in self.targets if t.id == target_id)

    def chain(self, target_id: str) -> list[OrgTarget]:
        """The targets from the root down to `target_id` (only those listed in this config)."""
        out: list[OrgTarget] = []
        current: str | None = target_id
        while current is not None and len(out) <= MAX_PATH_LENGTH:
            target = self.target(current)
            out.append(target)
            current = parent_of(self, target)
        return list(reversed(out))


def parent_of(config: OrganizationConfig, target: OrgTarget) -> str | None:
    """A target's parent id: its `parent`, else the one root target listed (None for a root)."""
    if target.parent is not None or target_kind(target.id) == "root":
        return target.parent
    roots = [t.id for t in config.targets if target_kind(t.id) == "root"]
    return roots[0] if len(roots) == 1 else None


# --- refusals: what the org path cannot express -------------------------------------------------------------------

_USE_STACK = "use a single-account stack (redshift-backup:policies) in that account instead"


def org_policy_problems(policy: Policy) -> list[tuple[tuple[str | int, ...], str, Any]]:
    """Why `policy` cannot be an organization backup policy as written: (path, message, value) each."""
    out: list[tuple[tuple[str | int, ...], str, Any]] = []
    selection = policy.selection
    if selection.clusters:
        out.append((("selection", "clusters"), "an organization backup policy selects by resource type and tag, "
                    "not by cluster: one document serves every account, and a cluster identifier or ARN names "
                    "one account's cluster ([SYNTAX], selections); tag the clusters and select them with "
                    "selection.conditions, or " + _USE_STACK, selection.clusters))
    if selection.serverless_namespaces:
        out.append((("selection", "serverless_namespaces"), "an organization backup policy cannot name a "
                    "namespace (its ARN is one account's); tag the namespaces and select them with "
                    "selection.conditions, or " + _USE_STACK, selection.serverless_namespaces))
    if selection.not_resources:
        out.append((("selection", "not_resources"), "an organization backup policy excludes resource types, not "
                    "resources ([SYNTAX], not_resource_types); exclude by tag with "
                    "selection.conditions.string_not_equals (e.g. key backup, value none)", selection.not_resources))
    if selection.discover_tagged_clusters:
        out.append((("selection", "discover_tagged_clusters"), "tag discovery feeds the native snapshot layer, "
                    "which the organization path does not have; leave it out", True))
    if selection.conditions is None and not out:
        out.append((("selection",), "selects nothing an organization policy can express; give tag conditions "
                    "(selection.conditions)", None))
    if policy.snapshots is not None:
        out.append((("snapshots",), "Redshift's native snapshot settings are per cluster and have no "
                    "organization engine (neither backup policies nor StackSets set them); " + _USE_STACK, None))
    if policy.notifications is not None:
        out.append((("notifications",), "vault notifications are not part of an organization backup policy; "
                    "use AWS Backup's cross-account monitoring in the management account, or " + _USE_STACK, None))
    backup = policy.backup
    if backup is None:
        out.append((("backup",), "is required: the organization path is AWS Backup's", None))
        return out
    if backup.iam_role_arn:
        out.append((("backup", "iam_role_arn"), "names one account's role; the baseline creates the role AWS "
                    "Backup assumes in every account, and the document names it with $account ([SYNTAX], "
                    "iam_role_arn): leave this key out", backup.iam_role_arn))
    if backup.restore_pass_role_arns and any(arn_account(a) for a in backup.restore_pass_role_arns):
        out.append((("backup", "restore_pass_role_arns"), "names roles of one account, but the baseline role "
                    "exists in every account; grant iam:PassRole in each account yourself, or " + _USE_STACK,
                    backup.restore_pass_role_arns))
    if backup.reports is not None:
        out.append((("backup", "reports"), "report plans are per account and have no organization engine; use "
                    "AWS Backup Audit Manager's cross-account reports in the management account, or " + _USE_STACK,
                    None))
    if backup.opt_in_region_settings:
        out.append((("backup", "opt_in_region_settings"), "is per account; use organization."
                    "opt_in_management_account for this account, and see the steps done by hand for the others",
                    True))
    vault = backup.vault
    if vault.existing is not None and vault.existing.startswith("arn:"):
        out.append((("backup", "vault", "existing"), "an ARN names one account's vault; give the vault's name "
                    "(it must exist in every account and region)", vault.existing))
    if vault.kms_key not in ("new", "aws_managed"):
        out.append((("backup", "vault", "kms_key"), "a key ARN names one account's key; use kms_key: new (the "
                    "baseline creates a key in every account and region) or aws_managed", vault.kms_key))
    for i, rule in enumerate(backup.rules):
        if rule.schedule_timezone not in ("UTC", "Etc/UTC"):
            out.append((("backup", "rules", i, "schedule_timezone"), "a backup policy rule has no time zone: its "
                        "schedule_expression is a cron expression in UTC ([SYNTAX], rules); write the schedule in "
                        "UTC", rule.schedule_timezone))
        for j, copy in enumerate(rule.copy_actions):
            if copy.destination_vault_arn is not None and copy.destination_account_id is None:
                out.append((("backup", "rules", i, "copy_actions", j, "destination_vault_arn"), "in an "
                            "organization policy a vault ARN without destination_account_id would name one "
                            "account's vault for every account; for a copy in each account's own other region "
                            "give destination_region only ($account is filled in by AWS), for a central backup "
                            "account give destination_account_id too", copy.destination_vault_arn))
    return out


def organization_problems(config: OrganizationConfig) -> list[tuple[tuple[str | int, ...], str, Any]]:
    """Rules across the organization config: unique names, known targets and policies, locks, AWS's limits."""
    out: list[tuple[tuple[str | int, ...], str, Any]] = []
    names: dict[str, int] = {}
    for i, policy in enumerate(config.policies):
        for path, message, value in org_policy_problems(policy):
            out.append((("policies", i, *path), message, value))
        if policy.name in names:
            out.append((("policies", i, "name"), f"is already used by policies[{names[policy.name]}]", policy.name))
        names.setdefault(policy.name, i)
        if not (policy.regions or config.regions):
            out.append((("policies", i, "regions"), "no regions: give regions here or organization.regions "
                        "([SYNTAX]: a plan must list its regions)", None))
        if len(set(policy.lock)) != len(policy.lock):
            out.append((("policies", i, "lock"), "lists a part twice", policy.lock))
    if config.policies and not config.targets:
        out.append((("targets",), "no targets: attach each policy to the root, an OU or an account", None))
    ids: dict[str, int] = {}
    for t, target in enumerate(config.targets):
        if target.id in ids:
            out.append((("targets", t, "id"), f"is already listed as targets[{ids[target.id]}]", target.id))
        ids.setdefault(target.id, t)
    if len([t for t in config.targets if target_kind(t.id) == "root"]) > 1:
        out.append((("targets",), "lists more than one root; an organization has one root ([QUOTAS])", None))
    for t, target in enumerate(config.targets):
        out += _target_problems(config, t, target, names, ids)
    attached = len({p for t in config.targets for p in t.policies}) + sum(len(t.overrides) for t in config.targets)
    if attached > MAX_POLICIES_PER_ORGANIZATION:
        out.append((("targets",), f"{attached} backup policies; AWS Organizations allows "
                    f"{MAX_POLICIES_PER_ORGANIZATION} per organization ([QUOTAS])", None))
    if config.cross_account_backup is False and _cross_account_copies(config):
        out.append((("cross_account_backup",), "is off, but policies copy to other accounts "
                    f"({', '.join(_cross_account_copies(config))}); AWS Backup refuses cross-account copies "
                    "unless the organization turns it on", False))
    if config.run_as == "delegated_administrator" and config.delegated_administrator_account_id:
        out.append((("delegated_administrator_account_id",), "only the management account can register a "
                    "delegated administrator; leave this out when run_as is delegated_administrator",
                    config.delegated_administrator_account_id))
    return out


def global_settings(config: OrganizationConfig) -> dict[str, str]:
    """AWS Backup GlobalSettings (string values, as the API takes them), or {} when nothing is to be set."""
    cross = config.cross_account_backup
    if cross is None:
        cross = any(c.destination_account_id for p in config.policies if p.backup for r in p.backup.rules
                    for c in r.copy_actions)
    settings: dict[str, str] = {}
    if cross:
        settings["isCrossAccountBackupEnabled"] = "true"
    elif config.cross_account_backup is False:
        settings["isCrossAccountBackupEnabled"] = "false"
    if config.delegated_administrator_account_id:
        # Lets AWS Backup keep the delegated administrator's permissions in step with Organizations.
        settings["isDelegatedAdministratorEnabled"] = "true"
    return settings


def _cross_account_copies(config: OrganizationConfig) -> list[str]:
    return sorted({c.destination_account_id for p in config.policies if p.backup for r in p.backup.rules
                   for c in r.copy_actions if c.destination_account_id})


def _target_problems(config: OrganizationConfig, t: int, target: OrgTarget, names: dict[str, int],
                     ids: dict[str, int]) -> list[tuple[tuple[str | int, ...], str, Any]]:
    out: list[tuple[tuple[str | int, ...], str, Any]] = []
    here = ("targets", t)
    if target.parent is not None and target.parent not in ids:
        out.append(((*here, "parent"), "is not listed under targets; list the parent too (with what it attaches, "
                    "or nothing else to attach, give it only the policies it has)", target.parent))
        return out
    if target_kind(target.id) == "root" and target.parent is not None:
        out.append(((*here, "parent"), "a root has no parent", target.parent))
        return out
    chain = _safe_chain(config, target)
    if chain is None:
        out.append(((*here, "parent"), "the parents form a loop, or the path is deeper than AWS allows (five "
                    "levels of OUs under the root, [QUOTAS])", target.parent))
        return out
    if target_kind(target.id) == "account" and parent_of(config, target) is None:
        out.append(((*here, "parent"), "an account target needs its parent (the OU it is in, or the root): "
                    "StackSets reach one account through an OU and an account filter ([CFN-ORGS] in "
                    "policies/org_baseline.py)", None))
    ancestors = chain[:-1]
    inherited = {p: a for a in ancestors for p in a.policies}
    for i, name in enumerate(target.policies):
        if name not in names:
            out.append(((*here, "policies", i), f"no policy named {name!r} under organization.policies", name))
        elif name in inherited:
            # Two attachments of one policy on one path: the same plan twice, and two StackSet instance
            # resources over the same accounts (deleting one would remove the other's stacks).
            out.append(((*here, "policies", i), f"is already attached to {inherited[name].label}, which this "
                        "target is under; its accounts inherit it", name))
    if len(target.policies) + len(target.overrides) > MAX_POLICIES_PER_TARGET:
        out.append(((*here,), f"attaches {len(target.policies) + len(target.overrides)} backup policies (policies "
                    f"and overrides each are one); AWS allows {MAX_POLICIES_PER_TARGET} per root, OU or account "
                    "([POLICIES])", None))
    for o, override in enumerate(target.overrides):
        out += _override_problems(config, (*here, "overrides", o), target, override, inherited, names)
    return out


def _safe_chain(config: OrganizationConfig, target: OrgTarget) -> list[OrgTarget] | None:
    seen: list[str] = []
    current: OrgTarget | None = target
    while current is not None:
        if current.id in seen or len(seen) >= MAX_PATH_LENGTH:
            return None
        seen.append(current.id)
        parent = parent_of(config, current)
        current = next((x for x in config.targets if x.id == parent), None) if parent else None
    return [config.target(i) for i in reversed(seen)]


def _override_problems(config: OrganizationConfig, where: tuple[str | int, ...], target: OrgTarget,
                       override: PolicyOverride, inherited: dict[str, OrgTarget],
                       names: dict[str, int]) -> list[tuple[tuple[str | int, ...], str, Any]]:
    out: list[tuple[tuple[str | int, ...], str, Any]] = []
    if override.policy not in names:
        return [((*where, "policy"), f"no policy named {override.policy!r} under organization.policies",
                 override.policy)]
    if override.policy in target.policies:
        return [((*where, "policy"), "is attached to this same target; two policies at one level merge in the "
                 "order they were attached ([INHERIT], example 6), which Pulumi does not control: put the "
                 "override on a target below", override.policy)]
    if override.policy not in inherited:
        return [((*where, "policy"), "is not attached to any target above this one, so there is nothing to "
                 "override", override.policy)]
    policy = config.policy(override.policy)
    owner = inherited[override.policy].label
    if (override.regions_append or override.regions_remove) and "regions" in policy.lock:
        out.append(((*where, "regions_append" if override.regions_append else "regions_remove"),
                    f"regions are locked by {override.policy} at {owner} (@@none): AWS would ignore this change",
                    override.regions_append or override.regions_remove))
    missing = sorted(set(override.regions_remove) - set(config.regions_of(policy)))
    if missing:
        out.append(((*where, "regions_remove"), f"{', '.join(missing)} not among the policy's regions", missing))
    rules = {r.name: r for r in policy.backup.rules} if policy.backup else {}
    for r, rule in enumerate(override.rules):
        if "rules" in policy.lock:
            out.append(((*where, "rules", r), f"rules are locked by {override.policy} at {owner} (@@none): AWS "
                        "would ignore this change", rule.name))
            continue
        if rule.name not in rules:
            out.append(((*where, "rules", r, "name"), f"{override.policy} has no rule {rule.name!r} (it has "
                        f"{', '.join(sorted(rules))})", rule.name))
            continue
        lock = policy.backup.vault.lock if policy.backup else None
        if lock and rule.delete_after_days is not None and not (
                lock.min_retention_days <= rule.delete_after_days <= lock.max_retention_days):
            out.append(((*where, "rules", r, "delete_after_days"), f"is outside the vault lock of "
                        f"{override.policy} ({lock.min_retention_days}-{lock.max_retention_days} days)",
                        rule.delete_after_days))
        base = rules[rule.name]
        start = rule.start_window_minutes or base.start_window_minutes
        complete = rule.completion_window_minutes or base.completion_window_minutes
        if complete < start + 60:
            out.append(((*where, "rules", r, "completion_window_minutes"), "must be at least 60 minutes longer "
                        f"than the start window ({start})", complete))
    return out


def organization_config_problems(raw: Any, region: str | None, prefix: str = "organization") -> list[Problem]:
    """Validate `redshift-backup:organization` (already split from the stack's other keys) into Problems."""
    from pydantic import ValidationError

    from policies.base import problems_from_validation_error

    try:
        OrganizationConfig.model_validate(raw, context={"region": region})
    except ValidationError as exc:
        return problems_from_validation_error(exc, (prefix,))
    return []


def load_organization(raw: Any, region: str | None) -> OrganizationConfig:
    """The validated config (call `organization_config_problems` first for the Problems)."""
    return OrganizationConfig.model_validate(raw, context={"region": region})
