"""The organization section of `plan`: per target the effective plans, rules, RPO, retention and copies with where
each value comes from, the StackSet baseline, the organization settings and what is done by hand.

Its own module, hooked into `plan` after the single-account sections, so the two renderings evolve apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policies.backup_runs import next_backup_times
from policies.org_baseline import stack_set_instances
from policies.org_effective import EffectiveRule, TargetView, protection_rows, target_views
from policies.org_grammar import MAX_DOCUMENT_CHARACTERS, document_text
from policies.org_policy_document import documents
from policies.org_steps import manual_steps
from policies.organization import OrganizationConfig, global_settings
from policies.policy_summary import vault_summary
from policies.summary_words import duration_text
from policies.validation import Stack
from redshift_backup.matrix import MatrixRow, cell
from redshift_backup.render import md_table, time_text


def _days(days: int | None) -> str:
    return "-" if days is None else f"{days} days"


def _source(rule: EffectiveRule, key: str) -> str:
    found = rule.sources.get(key)
    return "; ".join(found) if found else "-"


def _rule_lines(rule: EffectiveRule) -> list[str]:
    lines = [f"rule {rule.name}: {rule.schedule} (UTC) [from {_source(rule, 'schedule_expression')}]",
             f"  retention {_days(rule.delete_after_days)} [from {_source(rule, 'lifecycle.delete_after_days')}]",
             f"  windows start {rule.start_window_minutes} / complete {rule.completion_window_minutes} minutes",
             f"  vault {rule.vault}"]
    for arn, days in rule.copies:
        lines.append(f"  copy to {arn}, kept {_days(days)} "
                     f"[from {_source(rule, f'copy_actions.{arn}.lifecycle.delete_after_days')}]")
    return lines


def target_lines(view: TargetView) -> list[str]:
    lines = [f"{view.target.label}: {' > '.join(view.path)}"]
    for plan in view.plans:
        regions = ", ".join(plan.regions)
        locked = f"; locked: {', '.join(plan.locked)}" if plan.locked else "; child policies may change it"
        lines.append(f"  plan {plan.name} in {regions} [regions from "
                     f"{'; '.join(plan.sources.get('regions', ())) or '-'}]{locked}")
        lines += [f"    {line}" for r in plan.rules for line in _rule_lines(r)]
    lines.append(f"  worst-case RPO {duration_text(view.rpo)}")
    lines += [f"  IGNORED by AWS: {i.source} tried {i.operator} at {i.path} (restricted above)" for i in view.ignored]
    lines += [f"  PROBLEM: {p}" for p in view.problems]
    return lines


def _settings_lines(config: OrganizationConfig) -> list[str]:
    settings = global_settings(config)
    return [
        f"run as: {config.run_as}",
        f"delegated administrator for AWS Backup: {config.delegated_administrator_account_id or 'none'}",
        "AWS Backup global settings: " + (", ".join(f"{k}={v}" for k, v in settings.items()) or "unchanged"),
        f"StackSets: service-managed, automatic deployment on, retain stacks on account removal: "
        f"{'yes' if config.retain_stacks_on_account_removal else 'no'}",
        f"Redshift opt-in in this account: {'yes' if config.opt_in_management_account else 'no'}",
    ]


def org_sections(stack: Stack, now: datetime) -> dict[str, list[str]]:
    """The organization section as titled groups of lines (text and markdown render these)."""
    config = stack.organization
    assert config is not None
    docs = documents(config, stack.region)
    views = target_views(config, stack.region, now)
    instances = stack_set_instances(config, stack.region)
    sections: dict[str, list[str]] = {}
    sections["Organization backup policies"] = [
        f"{name}: {len(document_text(doc))}/{MAX_DOCUMENT_CHARACTERS} characters" for name, doc in docs.items()]
    sections["Attachments"] = [
        f"{t.label}: " + ", ".join([*t.policies, *(f"override of {o.policy}" for o in t.overrides)])
        for t in config.targets]
    sections["Protection by target (effective policy of an account directly under each target)"] = [
        line for view in views for line in target_lines(view)]
    sections["Member-account baseline (StackSets)"] = [
        f"{i.key}: {i.stack_set} stack set of {i.policy} -> {i.target} in {i.region}"
        + (f" (accounts {', '.join(i.accounts)} of {', '.join(i.organizational_unit_ids)})" if i.accounts else "")
        for i in instances]
    sections["Organization settings"] = _settings_lines(config)
    sections["Done by hand in the management account"] = manual_steps(config, stack.region)
    return sections


def _headline(stack: Stack) -> str:
    config = stack.organization
    assert config is not None
    attached = sum(len(t.policies) + len(t.overrides) for t in config.targets)
    return (f"Organization (redshift-backup:organization): {len(config.policies)} backup policies, {attached} "
            f"attachments to {len(config.targets)} targets; the sections above cover redshift-backup:policies only")


def org_text(stack: Stack, now: datetime) -> str:
    out: list[str] = ["", _headline(stack)]
    for title, lines in org_sections(stack, now).items():
        out += ["", title] + [f"  {line}" for line in lines]
    return "\n".join(out) + "\n"


def org_markdown(stack: Stack, now: datetime) -> str:
    config = stack.organization
    assert config is not None
    views = target_views(config, stack.region, now)
    out = ["", f"## {_headline(stack)}", "", "### Organization: protection by target", ""]
    out += md_table(("Target", "Plans", "RPO", "Longest retention", "Copies", "Ignored"), [
        (row["target"], ", ".join(row["plans"]), row["rpo"], _days(row["longest_retention_days"]),
         "\n".join(row["copies"]) or "-", "\n".join(row["ignored"]) or "-") for row in protection_rows(views)])
    for title, lines in org_sections(stack, now).items():
        out += ["", f"### Organization: {title}", ""] + [f"- `{line}`" if line.startswith(" ") else f"- {line}"
                                                         for line in lines]
    return "\n".join(out) + "\n"


def org_document(stack: Stack, now: datetime) -> dict[str, Any]:
    config = stack.organization
    assert config is not None
    docs = documents(config, stack.region)
    views = target_views(config, stack.region, now)
    return {
        "policies": {name: {"characters": len(document_text(doc)), "document": doc} for name, doc in docs.items()},
        "targets": protection_rows(views),
        "effective": {v.target.id: {"document": v.effective.document,
                                    "sources": {k: list(s) for k, s in sorted(v.effective.sources.items())}}
                      for v in views},
        "stack_set_instances": [i.key for i in stack_set_instances(config, stack.region)],
        "settings": _settings_lines(config),
        "manual_steps": manual_steps(config, stack.region),
    }


def org_plan_document(stack: Stack, now: datetime) -> dict[str, Any]:
    """The `organization` key of `plan --format json` ({} for a stack without one)."""
    return {"organization": org_document(stack, now)} if stack.organization is not None else {}


def org_plan_markdown(stack: Stack, now: datetime) -> str:
    """The organization sections of `plan --format markdown` ("" for a stack without one)."""
    return org_markdown(stack, now) if stack.organization is not None else ""


def org_plan_text(stack: Stack, now: datetime) -> str:
    """The organization sections of `plan --format text` ("" for a stack without one)."""
    return org_text(stack, now) if stack.organization is not None else ""


def org_matrix_rows(stack: Stack, now: datetime) -> list[MatrixRow]:
    """One row of `plan`'s protection matrix per organization target (none for a stack without one): what
    an account directly under the target gets from the effective policy. Next backup is the earliest run of any
    effective rule (UTC: organization backup policies have no time zone)."""
    config = stack.organization
    if config is None:
        return []
    views = target_views(config, stack.region, now)
    # The vault (and its lock) is the member-account baseline's, made from the policy's vault spec.
    policies = {p.name: p for p in config.policies}
    out = []
    for view, row in zip(views, protection_rows(views), strict=True):
        upcoming = [t for plan in view.plans for rule in plan.rules if rule.schedule
                    for t in next_backup_times(rule.schedule, "UTC", now, 1)]
        out.append(MatrixRow(f"organization target {row['target']}", (
            cell(*(f"{name}: organization backup policy" for name in row["plans"])),
            cell(time_text(min(upcoming)) if upcoming else "none scheduled"),
            cell(row["rpo"]),
            cell(_days(row["longest_retention_days"])),
            cell(*row["copies"]) if row["copies"] else cell("none"),
            cell(*(f"{vault.name}: {vault.lock_text}" for vault in
                   (vault_summary(policies[name]) for name in row["plans"] if name in policies) if vault)),
        )))
    return out
