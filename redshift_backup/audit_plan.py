"""The audit part of `plan`: each audited policy's Audit Manager framework, its controls and what AWS Config needs.

Appended to the plan's text and markdown, and added to its JSON as the `audit` key, only when a policy has an
`audit:` section (other stacks' plans are unchanged).
"""

from __future__ import annotations

from typing import Any

from policies.audit import CONFIG_NOTE, CONFIG_RECORDED_TYPES, MAX_CONTROLS_PER_ACCOUNT_AND_REGION
from policies.audit_controls import ControlSpec, FrameworkPlan, framework_plan
from policies.models import stack_account
from policies.validation import Stack
from redshift_backup.render import md_cell

HEADING = "Audit frameworks (AWS Backup Audit Manager)"


def frameworks(stack: Stack) -> list[FrameworkPlan]:
    """The framework of every audited policy of the stack, in stack order."""
    account = stack_account(stack.policies)
    plans = (framework_plan(p, stack.region, account) for p in stack.policies)
    return [p for p in plans if p is not None]


def _parameters_text(control: ControlSpec) -> str:
    return ", ".join(f"{k}={v}" for k, v in control.parameters) or "no parameters"


def _total(plans: list[FrameworkPlan]) -> str:
    total = sum(len(p.controls) for p in plans)
    return (f"{total} of the {MAX_CONTROLS_PER_ACCOUNT_AND_REGION} controls AWS allows per account and region "
            "(frameworks outside this stack count too)")


def audit_plan_text(stack: Stack) -> str:
    """The audit section of `plan` as plain text ("" when no policy is audited)."""
    plans = frameworks(stack)
    if not plans:
        return ""
    lines = ["", HEADING]
    for plan in plans:
        lines.append(f"{plan.framework_name} (policy {plan.policy}): {len(plan.controls)} controls")
        for control in plan.controls:
            lines.append(f"  {control.name}")
            lines.append(f"      {control.text}")
            lines.append(f"      {_parameters_text(control)}; scope: {control.scope.label}")
        for report in plan.reports:
            lines.append(f"  report plan {report.name}: {report.template}")
        lines += [f"  note: {note}" for note in plan.notes]
    lines.append(_total(plans))
    lines.append(CONFIG_NOTE)
    return "\n".join(lines) + "\n"


def audit_plan_markdown(stack: Stack) -> str:
    """The audit section of `plan` as markdown ("" when no policy is audited)."""
    plans = frameworks(stack)
    if not plans:
        return ""
    lines = ["", f"### {HEADING}", ""]
    for plan in plans:
        lines += [f"**{plan.framework_name}** (policy `{plan.policy}`): {len(plan.controls)} controls", "",
                  "| control | checks | parameters | scope |", "| --- | --- | --- | --- |"]
        lines += [f"| `{c.name}` | {md_cell(c.text)} | {md_cell(_parameters_text(c))} | {md_cell(c.scope.label)} |"
                  for c in plan.controls]
        lines.append("")
        lines += [f"- report plan `{r.name}`: {r.template}" for r in plan.reports]
        lines += [f"- note: {md_cell(note)}" for note in plan.notes]
        lines.append("")
    lines += [_total(plans) + ".", "", CONFIG_NOTE + "."]
    return "\n".join(lines) + "\n"


def audit_plan_document(stack: Stack) -> dict[str, Any]:
    """`{"audit": ...}` for the plan's JSON document; `{}` when no policy is audited."""
    plans = frameworks(stack)
    if not plans:
        return {}
    return {"audit": {
        "frameworks": [{
            "policy": p.policy,
            "framework_name": p.framework_name,
            "controls": [{"name": c.name, "parameters": dict(c.parameters), "scope": {
                "label": c.scope.label, "resource_ids": list(c.scope.resource_ids),
                "resource_types": list(c.scope.resource_types), "tags": dict(c.scope.tags)}, "text": c.text}
                for c in p.controls],
            "report_plans": [{"name": r.name, "template": r.template} for r in p.reports],
            "notes": list(p.notes),
        } for p in plans],
        "controls_total": sum(len(p.controls) for p in plans),
        "controls_limit": MAX_CONTROLS_PER_ACCOUNT_AND_REGION,
        "aws_config_must_record": list(CONFIG_RECORDED_TYPES),
    }}
