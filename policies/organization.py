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

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from policies import backup_cron
from policies import names as aws_names
from policies.base import Issues, StrictModel, problems_from_validation_error
from policies.errors import Problem
from policies.model_fields import ACCOUNT_ID, AccountId, BackupRegionName, DeleteAfterDays, RuleName
from policies.models import Policy

# [API] AttachPolicy TargetId: a root (r-), an OU (ou-<root part>-<ou part>) or a 12-digit account id.
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")

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

# Every AWS name the organization path derives from a policy name goes through `org_names`; the rule of each
# (Organizations policy, StackSet, IAM role, AWS Backup selection) is in policies/names.py, whose table of derived
# names refuses a policy name that would break one. The plan key in the document is the policy name itself.


def org_names(policy_name: str, target_id: str | None = None) -> dict[str, str]:
    """The AWS names the organization path gives one policy (and, with `target_id`, its override there)."""
    names = {
        "plan": policy_name,
        "selection": f"{policy_name}-tagged",
        "org_policy": f"redshift-backup-{policy_name}",
        "vault_stack_set": f"redshift-backup-{policy_name}-vault",
        "role_stack_set": f"redshift-backup-{policy_name}-role",
        # One role per account (IAM is global), created by the role StackSet in one region only.
        "role": f"redshift-backup-{policy_name}",
    }
    if target_id is not None:
        # '.' cannot occur in a policy name, so no policy's own name can equal another's override name.
        names["override_policy"] = f"redshift-backup-{policy_name}.override.{target_id}"
    # The rules of policies/names.py (whose table refuses a policy name that would break them): they hold for
    # every legal policy name, and fail loudly if either rule changes.
    for key, rule in (("vault_stack_set", aws_names.STACK_SET), ("role_stack_set", aws_names.STACK_SET),
                      ("role", aws_names.IAM_ROLE), ("selection", aws_names.BACKUP_PLAN),
                      ("org_policy", aws_names.ORG_POLICY), ("override_policy", aws_names.ORG_POLICY)):
        problem = rule.problem(names[key]) if key in names else None
        if problem:  # pragma: no cover - policy names are short and DNS-like
            raise ValueError(f"derived {key} name {names[key]!r}: {problem}")
    return names


# --- the models ---------------------------------------------------------------------------------------------------


class OrgPolicy(Policy):
    """A policy of the organization path: the same keys as `redshift-backup:policies`, plus where and what is
    locked. What the org path cannot express is refused by `policies.org_rules` (with why and what to use)."""

    # Default: the organization's `regions`.
    regions: list[BackupRegionName] = []
    # Parts of the plan child policies (attached to OUs or accounts below) may not change: AWS applies
    # "@@operators_allowed_for_child_policies": ["@@none"] at every node of each locked part. Default: none locked.
    lock: list[LockPart] = []


class RuleOverride(StrictModel):
    """New values for one rule of a policy attached higher up, applied with `@@assign` at this target."""

    # The rule of the policy to change, by name. Required.
    name: RuleName
    # A new AWS Backup cron schedule. Default: the policy's.
    schedule: str | None = None
    # A new retention. Default: the policy's.
    delete_after_days: DeleteAfterDays | None = None
    # A new start window, at least 60. Default: the policy's.
    start_window_minutes: int | None = Field(default=None, ge=60)
    # A new completion window, at least 120. Default: the policy's.
    completion_window_minutes: int | None = Field(default=None, ge=120)

    @model_validator(mode="after")
    def _rules(self) -> RuleOverride:
        issues = Issues()
        if self.schedule is not None:
            try:
                backup_cron.validate_backup_schedule(self.schedule)
            except ValueError as exc:
                issues.add("schedule", str(exc), self.schedule)
        if not self.model_fields_set - {"name"}:
            issues.add((), "changes nothing; give schedule, delete_after_days, start_window_minutes or "
                       "completion_window_minutes", has_value=False)
        issues.raise_if_any()
        return self


class PolicyOverride(StrictModel):
    """A child policy: changes to a policy attached at an ancestor target, for the accounts below this target."""

    # The name of the policy attached at an ancestor target. Required.
    policy: str
    # Regions added for the accounts below (`@@append`). Default: none.
    regions_append: list[BackupRegionName] = []
    # Regions taken away for the accounts below (`@@remove`). Default: none.
    regions_remove: list[BackupRegionName] = []
    # New values for some of the policy's rules (`@@assign`). Default: none.
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

    # The root (`r-...`), OU (`ou-...`) or account (12 digits) id. Required.
    id: str
    # A label for plans (e.g. the OU's name). Default: the id.
    name: str | None = None
    # The target this one sits under, by id (it must be listed too). Default: the root target when one is listed.
    # Only used offline, to compute effective policies; AWS knows the real tree.
    parent: str | None = None
    # Names of the organization policies attached here. Default: none.
    policies: list[str] = []
    # Child policies changing a policy attached higher up. Default: none.
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
        overridden = [o.policy for o in self.overrides]
        for i, name in enumerate(overridden):
            if name in overridden[:i]:
                # Two documents at one entity merge in the order they were attached ([INHERIT] example 6), which
                # Pulumi does not control: one override per policy and target.
                issues.add(("overrides", i, "policy"), f"{name!r} is already overridden at this target "
                           f"(overrides[{overridden.index(name)}]); merge the two", name)
        issues.raise_if_any()
        return self

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


class OrganizationConfig(StrictModel):
    """`redshift-backup:organization`: policies that AWS Organizations and StackSets apply to many accounts."""

    # Default regions of every policy (a policy's own `regions` replaces them).
    regions: list[BackupRegionName] = []
    # The organization's backup policies: the keys of `redshift-backup:policies`, plus `regions` and `lock`.
    policies: list[OrgPolicy] = []
    # Where they are attached: the root, OUs and accounts. Default: none.
    targets: list[OrgTarget] = []
    # Who runs `pulumi up`: the management account (default) or the delegated administrator for AWS Backup and
    # StackSets (then the StackSets are created with CallAs DELEGATED_ADMIN and the organization-wide settings
    # that only the management account may change are listed as steps to do by hand).
    run_as: RunAs = "management_account"
    # Registers that account as AWS Backup's delegated administrator (management account only). Default: none.
    delegated_administrator_account_id: AccountId | None = None
    # AWS Backup GlobalSettings isCrossAccountBackupEnabled. Default: on when a policy copies to another account.
    cross_account_backup: bool | None = None
    # StackSets: keep the baseline (vault, key, role) in an account that leaves a target OU. Default: keep it, so
    # that recovery points are not orphaned in a vault whose key is scheduled for deletion.
    retain_stacks_on_account_removal: bool = True
    # Opt Redshift in to AWS Backup in the stack's own account for every targeted region, for its own tag-only
    # plans (RegionSettings is per account and region; the organization's plans name the resource type, which AWS
    # Backup takes over the opt-in). Default: off.
    opt_in_management_account: bool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> OrganizationConfig:
        issues = Issues()
        from policies.org_rules import organization_problems  # it imports this module

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


def global_settings(config: OrganizationConfig) -> dict[str, str]:
    """AWS Backup GlobalSettings (string values, as the API takes them), or {} when nothing is to be set."""
    cross = config.cross_account_backup
    if cross is None:
        cross = bool(cross_account_copies(config))
    settings: dict[str, str] = {}
    if cross:
        settings["isCrossAccountBackupEnabled"] = "true"
    elif config.cross_account_backup is False:
        settings["isCrossAccountBackupEnabled"] = "false"
    if config.delegated_administrator_account_id:
        # Lets AWS Backup keep the delegated administrator's permissions in step with Organizations.
        settings["isDelegatedAdministratorEnabled"] = "true"
    return settings


def cross_account_copies(config: OrganizationConfig) -> list[str]:
    """The accounts policies copy to (central backup accounts)."""
    return sorted({c.destination_account_id for p in config.policies if p.backup for r in p.backup.rules
                   for c in r.copy_actions if c.destination_account_id})


def check_organization(raw: Any, region: str | None) -> tuple[OrganizationConfig | None, list[Problem]]:
    """Validate `redshift-backup:organization` (split from the stack's other keys): the config, or every problem
    with its path under `organization`."""
    try:
        return OrganizationConfig.model_validate(raw, context={"region": region}), []
    except ValidationError as exc:
        return None, problems_from_validation_error(exc, (ORGANIZATION_KEY,))
