"""`diff` rules of the organization path: what a change to `redshift-backup:organization` does to each target.

Compared on the effective policy of each target (policies/org_effective.py), so a change counts by its effect on
the accounts: a retention shortened by a new override is flagged as surely as one shortened in the policy itself.
High: a target that loses an attachment or a plan (its accounts lose coverage), a shortened retention, a removed
copy, rule or region, a worse RPO, a child allowed to override what was locked, a baseline change that replaces the
vault in every member account.
"""

from __future__ import annotations

from datetime import datetime

from policies.diff_findings import Finding
from policies.diff_match import COMPARE_YEARS, Rpo, rpo_of_schedules
from policies.org_baseline import vault_replacements
from policies.org_effective import EffectivePlan, TargetView, target_views
from policies.organization import OrganizationConfig
from policies.validation import Stack

SCOPE = "target"


def _views(stack: Stack, now: datetime) -> dict[str, TargetView]:
    if stack.organization is None:
        return {}
    return {v.target.id: v for v in target_views(stack.organization, stack.region, now)}


def _attachments(config: OrganizationConfig | None) -> dict[tuple[str, str], str]:
    if config is None:
        return {}
    return {(t.id, p): t.label for t in config.targets for p in t.policies}


def organization_findings(old: Stack, new: Stack, now: datetime) -> list[Finding]:
    """Findings between the organization sections of two stacks (none when neither has one)."""
    if old.organization is None and new.organization is None:
        return []
    out: list[Finding] = []
    out += _policy_findings(old.organization, new.organization, new.region or old.region)
    before, after = _attachments(old.organization), _attachments(new.organization)
    lost_attachments = set(before) - set(after)
    for target_id, policy in sorted(lost_attachments):
        out.append(Finding("high", "org-attachment-removed", SCOPE, before[(target_id, policy)],
                           f"{policy} is no longer attached here: every account under this target loses its plan "
                           "(AWS Backup deletes it from their effective policy)"))
    for target_id, policy in sorted(set(after) - set(before)):
        out.append(Finding("info", "org-attachment-added", SCOPE, after[(target_id, policy)], f"{policy} attached"))
    old_views, new_views = _views(old, now), _views(new, now)
    for target_id, was in old_views.items():
        now_view = new_views.get(target_id)
        if now_view is None:
            continue
        out += _view_findings(was, now_view, {p for t, p in lost_attachments if t == target_id}, now)
    if old.organization and new.organization and old.organization.retain_stacks_on_account_removal and \
            not new.organization.retain_stacks_on_account_removal:
        out.append(Finding("medium", "org-baseline-not-retained", "stack", "organization",
                           "retain_stacks_on_account_removal turned off: an account that leaves a target OU loses its "
                           "vault stack, and with it the key its recovery points are encrypted with"))
    return out


def _policy_findings(old: OrganizationConfig | None, new: OrganizationConfig | None, region: str) -> list[Finding]:
    out: list[Finding] = []
    old_policies = {p.name: p for p in old.policies} if old else {}
    new_policies = {p.name: p for p in new.policies} if new else {}
    for name, policy in old_policies.items():
        subject = f"organization policy {name}"
        other = new_policies.get(name)
        if other is None:
            out.append(Finding("high", "org-policy-removed", "policy", subject, "organization policy removed: it is "
                               "detached everywhere and its StackSets are deleted (vaults and keys are retained)"))
            continue
        for part in sorted(set(policy.lock) - set(other.lock)):
            out.append(Finding("high", "org-lock-loosened", "policy", subject,
                               f"{part} no longer locked: child policies attached below may now change it "
                               "(@@operators_allowed_for_child_policies no longer @@none)"))
        for reason in vault_replacements(policy, other, region):
            out.append(Finding("high", "org-vault-replaced", "policy", subject,
                               f"baseline change replaces the vault in every member account and region: {reason}; "
                               "the old vault is retained, but new backups go to a new one"))
    for name in new_policies.keys() - old_policies.keys():
        out.append(Finding("info", "org-policy-added", "policy", f"organization policy {name}",
                           "organization policy added"))
    return out


def _view_rpo(view: TargetView, now: datetime) -> Rpo:
    """A target's RPO over the comparison period (`diff`'s: a gap outside the coming week counts too); org
    backup policies schedule in UTC."""
    return rpo_of_schedules([(r.schedule, "UTC") for p in view.plans for r in p.rules if r.schedule], [], now)


def _view_findings(old: TargetView, new: TargetView, lost: set[str], now: datetime) -> list[Finding]:
    subject = new.target.label
    out: list[Finding] = []
    new_plans = {p.name: p for p in new.plans}
    for plan in old.plans:
        other = new_plans.get(plan.name)
        if other is None:
            if plan.name not in lost:
                out.append(Finding("high", "org-plan-lost", SCOPE, subject, f"accounts here lose plan {plan.name} "
                                   "(inherited from a target above, or moved)"))
            continue
        out += _plan_findings(subject, plan, other)
    was, now_rpo = _view_rpo(old, now), _view_rpo(new, now)
    # A target with no plan left is reported as the plans it lost, not again as an RPO.
    scheduled = all(r.worst is not None or r.ends is not None for r in (was, now_rpo))
    if scheduled and now_rpo.key > was.key:
        out.append(Finding("high", "org-rpo-worse", SCOPE, subject,
                           f"worst-case RPO over the {COMPARE_YEARS} years from {now:%Y-%m-%d}: from {was.text} to "
                           f"{now_rpo.text}"))
    return out


def _plan_findings(subject: str, old: EffectivePlan, new: EffectivePlan) -> list[Finding]:
    out: list[Finding] = []
    gone = sorted(set(old.regions) - set(new.regions))
    if gone:
        out.append(Finding("high", "org-regions-removed", SCOPE, subject,
                           f"plan {old.name} no longer backs up {', '.join(gone)}"))
    new_rules = {r.name: r for r in new.rules}
    for rule in old.rules:
        other = new_rules.get(rule.name)
        where = f"plan {old.name}, rule {rule.name}"
        if other is None:
            out.append(Finding("high", "org-rule-removed", SCOPE, subject, f"{where} removed"))
            continue
        if rule.delete_after_days and other.delete_after_days and other.delete_after_days < rule.delete_after_days:
            source = "; ".join(other.sources.get("lifecycle.delete_after_days", ())) or "-"
            out.append(Finding("high", "org-retention-shortened", SCOPE, subject,
                               f"{where}: retention {rule.delete_after_days} -> {other.delete_after_days} days "
                               f"(from {source})"))
        copies = dict(other.copies)
        for arn, days in rule.copies:
            if arn not in copies:
                out.append(Finding("high", "org-copy-removed", SCOPE, subject, f"{where}: copy to {arn} removed"))
            elif days and copies[arn] and copies[arn] < days:  # type: ignore[operator]
                out.append(Finding("high", "org-retention-shortened", SCOPE, subject,
                                   f"{where}: copy to {arn} kept {days} -> {copies[arn]} days"))
    return out
