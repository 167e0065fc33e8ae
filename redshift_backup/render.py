"""Rendering of `plan` as a terminal table (rich), markdown for a PR comment, or stable JSON, and the helpers
`diff`'s rendering shares (redshift_backup/diff_render.py).

The JSON documents are the contract for other tools (docs/review.md describes every key); the text and markdown
are for people and may change wording between versions.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from policies.policy_summary import PolicySummary
from policies.protection_matrix import ProtectionRow
from policies.schedule_words import days_text
from policies.summary import StackSummary
from policies.summary_parts import Upcoming
from policies.summary_words import duration_text
from redshift_backup.matrix import MatrixRow, matrix_renderables, protection_rows
from redshift_backup.plan import PlannedResource, ReviewInput

PLAN_FORMAT = "redshift-backup/plan"
FORMAT_VERSION = 1
# `plan` compares with nothing: what it lists is what a new stack gets, not what changes in an existing one.
DECLARED = "a new stack gets them all; for an existing one, `diff` shows what changes"
TEXT_WIDTH = 120  # when piped: a fixed width keeps output (and golden files) independent of the terminal

# An organization stack has none of its own: its policies are in the organization sections.
NO_POLICIES = "No policies (redshift-backup:policies): this stack protects nothing in its own account and region."


def time_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def retention_text(days: int | None) -> str:
    return "none" if days is None else days_text(days)


def short_type(token: str) -> str:
    """`aws:backup/vault:Vault` -> `aws:backup:Vault`, as `pulumi preview` shows types (JSON keeps the token)."""
    parts = token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"
    return token


def _upcoming_lines(items: Sequence[Upcoming]) -> list[str]:
    return [f"{time_text(u.time)}  {', '.join(u.labels)}" for u in items]


# --- JSON -------------------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Dataclasses to objects; datetimes as ISO 8601 UTC; durations as whole minutes (key gets `_minutes`)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, timedelta) or (item is None and f.name == "rpo"):
                out[f"{f.name}_minutes"] = None if item is None else int(item.total_seconds() // 60)
                out[f"{f.name}_text"] = duration_text(item)
            else:
                out[f.name] = jsonable(item)
        return out
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def plan_document(summary: StackSummary, resources: Sequence[PlannedResource] | None,
                  resources_error: str | None, assumptions: Sequence[str] = ()) -> dict[str, Any]:
    """The `plan --format json` document."""
    return {
        "format": PLAN_FORMAT,
        "version": FORMAT_VERSION,
        "stack": {"name": summary.name, "region": summary.region, "source": summary.source,
                  "now": jsonable(summary.now)},
        "policies": [jsonable(p) | {"layers": list(p.layers)} for p in summary.policies],
        "protection": [jsonable(r) | {"layers": list(r.layers)} for r in summary.matrix],
        "resources": None if resources is None else [
            {"type": r.type, "name": r.name, "parent": r.parent, "region": r.region, "protect": r.protect,
             "custom": r.custom, "inputs": {i.key: i.text for i in r.inputs}} for r in resources],
        "resources_error": resources_error,
        "assumptions": list(assumptions),
        "restores": jsonable(summary.restores),
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


# --- text (rich) --------------------------------------------------------------------------------------------------


def _console(tty: bool, file: Any) -> Console:
    return Console(file=file, width=None if tty else TEXT_WIDTH, force_terminal=tty, no_color=not tty,
                   highlight=False, emoji=False, soft_wrap=False)


def render_text(renderables: Sequence[RenderableType], tty: bool = False) -> str:
    """Render rich objects to a string: colours and rounded boxes on a terminal, plain ASCII when piped.

    A `Text` marked `no_wrap` (a path, say) is printed on one line whatever its length: rich's own `no_wrap`
    still breaks at spaces, `soft_wrap` does not.
    """
    buffer = io.StringIO()
    console = _console(tty, buffer)
    for renderable in renderables:
        console.print(renderable, soft_wrap=isinstance(renderable, Text) and bool(renderable.no_wrap))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    return grid


def _policy_block(policy: PolicySummary) -> RenderableType:
    title = Text(f"Policy {policy.name}", style="bold cyan")
    if policy.description:
        title.append(f": {policy.description}", style="")
    grid = _grid()
    grid.add_row("Protects", "\n".join(t.label for t in policy.targets))
    if policy.native is not None:
        grid.add_row("Native layer on", "\n".join(t.label for t in policy.native_targets) or "none")
    for rule in policy.rules:
        grid.add_row(f"Rule {rule.name}", rule.text)
    if policy.vault:
        grid.add_row("Vault", policy.vault.text)
    if policy.native:
        grid.add_row("Native snapshots", "\n".join(policy.native.lines))
    if policy.notifications:
        grid.add_row("Notifications", policy.notifications.text)
    grid.add_row("Next backups", "\n".join(_upcoming_lines(policy.next_times)) or "none scheduled")
    grid.add_row("Worst-case RPO", duration_text(policy.rpo))
    grid.add_row("Longest retention", retention_text(policy.longest_retention_days))
    for caveat in policy.caveats:
        grid.add_row("Note", caveat)
    return Group(title, grid, Text(""))


def _coverage_text(row: ProtectionRow) -> str:
    return "\n".join(f"{c.policy}: {' + '.join(c.layers)}" for c in row.coverage)


def _copies_text(row: ProtectionRow) -> str:
    return "\n".join(list(row.copy_regions) + [f"account {a}" for a in row.copy_accounts]) or "none"


def _row_notes(summary: StackSummary) -> list[str]:
    """The targets' notes, each once (not once per cluster), and none its policy already printed."""
    return [c for c in dict.fromkeys(c for r in summary.matrix for c in r.caveats)
            if not any(c in p.caveats for p in summary.policies)]


def _row_details(row: ProtectionRow) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return (("Schedule", tuple(row.schedules)),
            ("Next backups", tuple(_upcoming_lines(row.next_times)) or ("none scheduled",)),
            ("Notified", tuple(row.notified) or ("nobody",)))


def _row_block(row: MatrixRow) -> RenderableType:
    """A target's details under the matrix table."""
    grid = _grid()
    for key, lines in row.details:
        grid.add_row(key, "\n".join(lines))
    return Group(Text(row.label, style="bold cyan"), grid, Text(""))


def _resource_name(r: PlannedResource) -> str:
    return r.name + (" (protected)" if r.protect else "")


def input_lines(inputs: Sequence[ReviewInput]) -> list[str]:
    """`key: value`, a value of several lines continued under its first line."""
    out = []
    for item in inputs:
        head = f"{item.key}: "
        out.append(head + item.lines[0])
        out += [" " * len(head) + line for line in item.lines[1:]]
    return out


def _resources_block(resources: Sequence[PlannedResource]) -> list[Text]:
    """The resource tree, one line per resource (children indented under their parent), inputs below it.

    Lines are never wrapped or cut (`no_wrap`): names and ARNs must stay whole to be read and copied. Columns are
    aligned on the widest name, so a long name makes a line longer than the text width rather than break.
    """
    indent = 2
    names = [" " * (indent * r.depth) + _resource_name(r) for r in resources]
    name_width = max([len("Name"), *map(len, names)])
    region_width = max([len("Region"), *(len(r.region or "-") for r in resources)])
    lines = [Text(f"Resources the program declares ({len(resources)}), each under its parent", style="bold"),
             Text(DECLARED[0].upper() + DECLARED[1:] + "."),
             Text(f"{'Name':<{name_width}}  {'Region':<{region_width}}  Type", style="bold", no_wrap=True)]
    for r, name in zip(resources, names, strict=True):
        line = Text(no_wrap=True)
        line.append(f"{name:<{name_width}}", style="cyan")
        line.append(f"  {r.region or '-':<{region_width}}  ")
        line.append(short_type(r.type), style="dim")
        lines.append(line)
        pad = " " * (indent * r.depth + 4)
        lines += [Text(pad + text, no_wrap=True) for text in input_lines(r.inputs)]
    return lines


def plan_text(summary: StackSummary, resources: Sequence[PlannedResource] | None, resources_error: str | None,
              tty: bool = False, assumptions: Sequence[str] = (), extra_rows: Sequence[MatrixRow] = ()) -> str:
    """`plan --format text`; `assumptions` (what offline values stand for) are said once, at the top;
    `extra_rows` are matrix rows another module adds (an organization's policies), after the stack's."""
    parts: list[RenderableType] = [Text(_heading(summary), style="bold"), *(Text(a) for a in assumptions), Text("")]
    parts += [_policy_block(p) for p in summary.policies] or [Text(NO_POLICIES + "\n")]
    rows = [*protection_rows(summary.matrix, _row_details), *extra_rows]
    if rows:
        width = shutil.get_terminal_size().columns if tty else TEXT_WIDTH
        matrix, is_table = matrix_renderables(rows, width, tty)
        parts += [*matrix, Text("")] if is_table else matrix
        if is_table:
            parts += [_row_block(row) for row in rows if row.details]
        notes = _row_notes(summary)
        if notes:
            grid = _grid()
            for note in notes:
                grid.add_row("Note", note)
            parts += [grid, Text("")]
    if resources is not None:
        parts += [*_resources_block(resources), Text("")]
    else:
        parts += [Text("Resources: the program could not run under the mock runtime:", style="bold red"),
                  Text(f"  {resources_error}"), Text("")]
    parts.append(Text("Declared restores", style="bold"))
    if summary.restores:
        grid = _grid()
        for restore in summary.restores:
            grid.add_row(f"{restore.name} ({restore.kind})", "\n".join(restore.lines))
        parts.append(grid)
    else:
        parts.append(Text("none"))
    return render_text(parts, tty)


def _heading(summary: StackSummary) -> str:
    stack = f"stack {summary.name}" if summary.name else "stack"
    source = f" ({summary.source})" if summary.source else ""
    return f"Backup plan for {stack}{source}, region {summary.region}; times from {time_text(summary.now)}"


# --- markdown -------------------------------------------------------------------------------------------------------


def md_cell(text: str) -> str:
    """A markdown table cell: pipes escaped, line breaks as <br>."""
    return text.replace("|", "\\|").replace("\n", "<br>") or " "


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines


def md_code(text: str) -> str:
    """Inline code, so that `*` in a cron expression or `_` in a name is not read as emphasis."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_input(item: ReviewInput) -> str:
    """One input in a table cell: the key, then each value line in code (a value of several lines starts below)."""
    values = [md_code(line.strip()) for line in item.lines]
    return f"{item.key}: {values[0]}" if len(values) == 1 else "\n".join([f"{item.key}:", *values])


def _policy_md(policy: PolicySummary) -> list[str]:
    lines = [f"### Policy `{policy.name}`", ""]
    if policy.description:
        lines += [policy.description, ""]
    lines.append("- **Protects:** " + "; ".join(f"`{t.label}`" for t in policy.targets))
    if policy.native is not None:
        lines.append("- **Native layer on:** " + ("; ".join(f"`{t.label}`" for t in policy.native_targets) or
                                                  "none"))
    lines += [f"- **Rule `{r.name}`:** {r.text}" for r in policy.rules]
    if policy.vault:
        lines.append(f"- **Vault:** {policy.vault.text}")
    if policy.native:
        lines.append("- **Native snapshots:** " + "; ".join(policy.native.lines))
    if policy.notifications:
        lines.append(f"- **Notifications:** {policy.notifications.text}")
    lines.append(f"- **Worst-case RPO:** {duration_text(policy.rpo)}; **longest retention:** "
                 f"{retention_text(policy.longest_retention_days)}")
    lines.append("- **Next backups:** " + ("; ".join(_upcoming_lines(policy.next_times)) or "none scheduled"))
    lines += [f"- **Note:** {c}" for c in policy.caveats]
    return lines + [""]


def plan_markdown(summary: StackSummary, resources: Sequence[PlannedResource] | None,
                  resources_error: str | None, assumptions: Sequence[str] = ()) -> str:
    """`plan --format markdown`: fits a pull-request comment."""
    lines = [f"## {_heading(summary)}", "", *(f"> {a}" for a in assumptions), *([""] if assumptions else [])]
    for policy in summary.policies:
        lines += _policy_md(policy)
    if not summary.policies:
        lines += [NO_POLICIES, ""]
    if summary.matrix:
        lines += ["### Protection matrix", ""]
        lines += md_table(
            ("Protected", "Covered by", "Schedule", "Next backups", "RPO", "Retention", "Copies", "Vault lock",
             "Notified"),
            [(r.target.label, _coverage_text(r), "\n".join(r.schedules),
              "\n".join(_upcoming_lines(r.next_times)) or "none scheduled", duration_text(r.rpo),
              retention_text(r.longest_retention_days), _copies_text(r),
              "\n".join(r.vault_locks) or "-", "\n".join(r.notified) or "nobody") for r in summary.matrix])
        notes = _row_notes(summary)
        lines += [""] + [f"> **Note:** {c}" for c in notes] + ([""] if notes else [])
    if resources is not None:
        lines += [f"<details><summary>Resources the program declares ({len(resources)})</summary>", "",
                  DECLARED[0].upper() + DECLARED[1:] + ".", ""]
        lines += md_table(("Type", "Name", "Region", "Parent", "Inputs"),
                          [(f"`{short_type(r.type)}`", _resource_name(r), r.region or "-", r.parent or "-",
                            "\n".join(_md_input(i) for i in r.inputs)) for r in resources])
        lines += ["", "</details>", ""]
    else:
        lines += [f"**Resources:** the program could not run under the mock runtime: `{resources_error}`", ""]
    lines += ["### Declared restores", ""]
    lines += [f"- `{s.name}` ({s.kind}): " + "; ".join(s.lines) for s in summary.restores] or ["None."]
    return "\n".join(lines).rstrip() + "\n"
