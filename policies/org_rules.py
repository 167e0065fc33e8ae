"""The organization path's rules: what AWS Organizations backup policies cannot express (refused with why and
what to use instead), and the rules across targets, overrides, locks and AWS's limits.

Sources: see `policies.organization` ([SYNTAX], [INHERIT], [POLICIES], [QUOTAS], [API]).
"""

from __future__ import annotations

from typing import Any

from policies.model_fields import arn_account
from policies.models import Policy
from policies.organization import (
    MAX_PATH_LENGTH,
    MAX_POLICIES_PER_ORGANIZATION,
    MAX_POLICIES_PER_TARGET,
    OrganizationConfig,
    OrgPolicy,
    OrgTarget,
    PolicyOverride,
    cross_account_copies,
    parent_of,
    target_kind,
)

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
        out.append((("backup", "opt_in_region_settings"), "is per account, and the organization's plans do not "
                    "need it: they name the Redshift resource type, which AWS Backup takes over service opt-in; for "
                    "this account's own tag-only plans use organization.opt_in_management_account", True))
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
    vaults: dict[str, int] = {}
    for i, policy in enumerate(config.policies):
        for path, message, value in org_policy_problems(policy):
            out.append((("policies", i, *path), message, value))
        out += _copy_region_problems(config, i, policy)
        if policy.name in names:
            out.append((("policies", i, "name"), f"is already used by policies[{names[policy.name]}]", policy.name))
        names.setdefault(policy.name, i)
        # The baseline StackSets of two policies would create one vault twice in every account and region.
        vault = policy.vault_name
        if policy.backup and vault:
            if vault in vaults:
                out.append((("policies", i, "backup", "vault", "name"), f"policies[{vaults[vault]}] already creates "
                            f"a vault named {vault!r} in every targeted account and region; give each policy its "
                            "own vault name", vault))
            vaults.setdefault(vault, i)
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
    if config.cross_account_backup is False and cross_account_copies(config):
        out.append((("cross_account_backup",), "is off, but policies copy to other accounts "
                    f"({', '.join(cross_account_copies(config))}); AWS Backup refuses cross-account copies "
                    "unless the organization turns it on", False))
    if config.run_as == "delegated_administrator" and config.delegated_administrator_account_id:
        out.append((("delegated_administrator_account_id",), "only the management account can register a "
                    "delegated administrator; leave this out when run_as is delegated_administrator",
                    config.delegated_administrator_account_id))
    return out


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


def _copy_region_problems(config: OrganizationConfig, i: int, policy: Policy) -> list[
        tuple[tuple[str | int, ...], str, Any]]:
    """A same-account copy to a region the plan itself runs in would copy, there, into the vault it backs up to."""
    out: list[tuple[tuple[str | int, ...], str, Any]] = []
    regions = set(config.regions_of(policy)) if isinstance(policy, OrgPolicy) else set()
    for r, rule in enumerate(policy.backup.rules if policy.backup else []):
        for c, copy in enumerate(rule.copy_actions):
            if copy.destination_account_id is None and copy.region in regions:
                out.append((("policies", i, "backup", "rules", r, "copy_actions", c, "destination_region"),
                            f"is one of the plan's own regions ({', '.join(sorted(regions))}): in {copy.region} the "
                            "copy would go to the vault the backup is already in; copy to a region the plan does not "
                            "back up, or take that region out of the plan's regions", copy.region))
    return out
