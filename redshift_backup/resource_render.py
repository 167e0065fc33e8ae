"""The resource view of `diff` (redshift_backup.resource_diff) as text, markdown and JSON.

Text lines are never wrapped (names, ARNs and values must stay whole to be read and copied); markdown puts each
policy's changes in a table, folded in `<details>` when it is long.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from redshift_backup.render import md_cell, md_code, short_type
from redshift_backup.resource_diff import OP_WORDS, InputChange, ResourceChange, ResourceDiff, op_counts

HOW = "the program of each side run under Pulumi's mock runtime, offline"
# A policy's changes are folded in the markdown when there are more than this many.
FOLD_AFTER = 5
PROTECTED = "protected: `pulumi up` stops at it until `protect` is turned off"
STACK_GROUP = "the stack (not owned by a policy)"


def counts_text(diff: ResourceDiff, changes: list[ResourceChange] | None = None) -> str:
    counts = op_counts(diff.changes if changes is None else changes)
    return ", ".join(f"{n} {OP_WORDS[op]}" for op, n in counts.items() if n) or "no change"


def _summary(diff: ResourceDiff) -> str:
    return f"{counts_text(diff)}; {diff.unchanged} unchanged"


def _errors(diff: ResourceDiff) -> list[str]:
    return [f"the {side} side's program failed under the mock runtime: {error}"
            for side, error in (("old", diff.old_error), ("new", diff.new_error)) if error]


def _component_label(diff: ResourceDiff, name: str | None) -> str:
    if name is None:
        return "(top level)"
    token = diff.component_types.get(name)
    return f"{name} ({short_type(token).rsplit(':', 1)[-1]})" if token else name


def _group_label(policy: str | None) -> str:
    return f"policy {policy}" if policy else STACK_GROUP


def _needs_care(change: ResourceChange) -> bool:
    return change.protect and change.op in ("delete", "replace")


# --- text -------------------------------------------------------------------------------------------------------------


def text_lines(diff: ResourceDiff) -> list[Text]:
    """The resource view for the terminal, one resource per line under its policy and component."""
    lines = [Text(f"Resources ({HOW}): {_summary(diff)}", style="bold", no_wrap=True)]
    if diff.old_error or diff.new_error:
        return [Text("Resources: not compared", style="bold red")] + [Text(f"  {e}", no_wrap=True)
                                                                       for e in _errors(diff)]
    for policy, components in diff.groups():
        changes = [c for _, group in components for c in group]
        lines.append(Text(f"{_group_label(policy)}: {counts_text(diff, changes)}", style="bold cyan", no_wrap=True))
        for component, group in components:
            lines.append(Text(f"  in {_component_label(diff, component)}", no_wrap=True))
            for change in group:
                line = Text(no_wrap=True)
                line.append(f"    {change.symbol:<2} ", style=_STYLE[change.op])
                line.append(change.name + (" (protected)" if change.protect else ""))
                line.append(f"  {short_type(change.type)}  {change.region}", style="dim")
                lines.append(line)
                lines += [Text(f"         {item.text}", no_wrap=True) for item in change.inputs]
                if _needs_care(change):
                    lines.append(Text(f"         {PROTECTED}", style="yellow", no_wrap=True))
    return lines


_STYLE = {"create": "green", "delete": "red", "update": "yellow", "replace": "magenta",
          "update_or_replace": "yellow"}


# --- markdown ---------------------------------------------------------------------------------------------------------


def _md_input(item: InputChange) -> str:
    return item.describe(md_code, {"replace": " **(replaces)**", "update or replace": " _(update or replace)_"})


def _md_row(diff: ResourceDiff, change: ResourceChange) -> str:
    inputs = [_md_input(i) for i in change.inputs] + ([f"**{PROTECTED}**"] if _needs_care(change) else [])
    cells = [md_code(change.symbol), change.name + (" (protected)" if change.protect else ""),
             md_code(short_type(change.type)), _component_label(diff, change.component), change.region,
             "\n".join(inputs)]
    return "| " + " | ".join(md_cell(c) for c in cells) + " |"


def markdown_lines(diff: ResourceDiff) -> list[str]:
    """The resource view for a PR comment: a summary, then a table per policy (folded when long)."""
    lines = ["### Resources", ""]
    if diff.old_error or diff.new_error:
        return lines + [f"Not compared: {e}" for e in _errors(diff)] + [""]
    lines += [f"From {HOW}: **{counts_text(diff)}**; {diff.unchanged} unchanged. `+` create, `-` delete, `~` update "
              "in place, `+-` replace (delete and create).", ""]
    for policy, components in diff.groups():
        changes = [c for _, group in components for c in group]
        label = f"policy <code>{policy}</code>" if policy else STACK_GROUP
        lines.append(f"<details{'' if len(changes) > FOLD_AFTER else ' open'}><summary>{label}: "
                     f"{counts_text(diff, changes)}</summary>")
        lines += ["", "| | Resource | Type | In | Region | Changed inputs (old -> new) |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [_md_row(diff, c) for c in changes]
        lines += ["", "</details>", ""]
    return lines


# --- JSON -------------------------------------------------------------------------------------------------------------


def document(diff: ResourceDiff) -> dict[str, Any]:
    """The `resources` object of `diff --format json` (docs/review.md describes it)."""
    return {
        "computed_by": HOW,
        "old_error": diff.old_error,
        "new_error": diff.new_error,
        "counts": diff.counts(),
        "unchanged": diff.unchanged,
        "changes": [{"op": c.op, "symbol": c.symbol, "type": c.type, "name": c.name, "region": c.region,
                     "policy": c.policy, "component": c.component, "protect": c.protect,
                     "inputs": [{"path": i.path, "old": i.old, "new": i.new, "effect": i.effect,
                                 "removed": list(i.removed), "added": list(i.added)} for i in c.inputs]}
                    for c in diff.changes],
    }
