"""Rendering of `diff`: the risk findings and, when it ran, the resource view (redshift_backup/resource_render.py)
as a terminal table, markdown for a PR comment, or stable JSON (docs/review.md describes every key)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.text import Text

from policies.diff import LEVELS, Finding, StackDiff
from redshift_backup.matrix import cell, token_table, wrapped
from redshift_backup.render import FORMAT_VERSION, TEXT_WIDTH, jsonable, md_table, render_text

if TYPE_CHECKING:
    from redshift_backup.resource_diff import ResourceDiff

DIFF_FORMAT = "redshift-backup/diff"


def diff_document(diff: StackDiff, fail_on: str, resources: ResourceDiff | None = None,
                  assumptions: Sequence[str] = ()) -> dict[str, Any]:
    """The `diff --format json` document; `resources` and `assumptions` only when the resource view ran."""
    extra: dict[str, Any] = {}
    if resources is not None:
        from redshift_backup import resource_render

        extra = {"assumptions": list(assumptions), "resources": resource_render.document(resources)}
    return {
        "format": DIFF_FORMAT,
        "version": FORMAT_VERSION,
        "old": diff.old_source,
        "new": diff.new_source,
        "now": jsonable(diff.now),
        "highest": diff.highest,
        "fail_on": fail_on,
        "fails": diff.fails(fail_on),
        "counts": diff.counts(),
        "findings": [dataclasses.asdict(f) for f in diff.findings],
        **extra,
    }


# --- text and markdown ----------------------------------------------------------------------------------------------

_LEVEL_STYLE = {"high": "bold red", "medium": "yellow", "info": "green"}
_LEVEL_MARK = {"high": "HIGH", "medium": "MEDIUM", "info": "info"}


def _diff_heading(diff: StackDiff) -> str:
    """The tally comes first so that a long path can never push it across a wrapped line."""
    counts = diff.counts()
    tally = ", ".join(f"{counts[level]} {level}" for level in LEVELS)
    return f"Backup policy diff: {tally}"


def _diff_sources(diff: StackDiff) -> list[Text]:
    """One path per line, never wrapped or cropped, so that it can be copied from a CI log."""
    return [Text(f"{label} {source}", no_wrap=True)
            for label, source in (("old:", diff.old_source), ("new:", diff.new_source))]


def diff_text(diff: StackDiff, fail_on: str, tty: bool = False, resources: ResourceDiff | None = None,
              assumptions: Sequence[str] = ()) -> str:
    """`diff --format text`: the risk view, then the resource view when it ran."""
    parts: list[RenderableType] = [Text(_diff_heading(diff), style="bold"), *_diff_sources(diff),
                                   *(Text(a) for a in assumptions), Text("")]
    if not diff.findings:
        parts.append(Text("No change to what is protected or how."))
    else:
        parts += _findings_block(diff.findings, tty)
    parts += [Text(""), Text(_verdict(diff, fail_on))]
    if resources is not None:
        from redshift_backup import resource_render

        parts += [Text(""), *resource_render.text_lines(resources)]
    return render_text(parts, tty)


def _findings_block(findings: Sequence[Finding], tty: bool) -> list[RenderableType]:
    """The findings as a table that breaks no word, path or ARN (lines wrap between them), or, on a terminal too
    narrow for that, one finding per block."""
    width = shutil.get_terminal_size().columns if tty else TEXT_WIDTH
    rows = [(cell(_LEVEL_MARK[f.level]), cell(f"{f.scope} {f.subject}"), cell(f.message)) for f in findings]
    table = token_table(("Risk", "Where", "Change"), rows, width, tty, show_lines=False,
                        cell_style=lambda r, c: _LEVEL_STYLE[findings[r].level] if c == 0 else "")
    if table is not None:
        return [table]
    out: list[RenderableType] = []
    for f in findings:
        out.append(Text(f"{_LEVEL_MARK[f.level]:<7} {f.scope} {f.subject}", style=_LEVEL_STYLE[f.level],
                        no_wrap=True))
        out += [Text(f"        {line}", no_wrap=True) for line in wrapped(f.message, max(width - 8, 20))]
    return out


def _verdict(diff: StackDiff, fail_on: str) -> str:
    if fail_on == "never":
        return "Findings never fail this check (--fail-on never)."
    if diff.fails(fail_on):
        return f"FAIL: at least one finding is {fail_on} or higher (--fail-on {fail_on})."
    return f"OK: no finding is {fail_on} or higher (--fail-on {fail_on})."


def _finding_row(f: Finding) -> tuple[str, str, str]:
    return (f"**{_LEVEL_MARK[f.level]}**" if f.level != "info" else "info", f"{f.scope} `{f.subject}`", f.message)


def diff_markdown(diff: StackDiff, fail_on: str, resources: ResourceDiff | None = None,
                  assumptions: Sequence[str] = ()) -> str:
    """`diff --format markdown`: the PR comment a reviewer reads, the risk view then the resource view."""
    lines = [f"## {_diff_heading(diff)}", "", f"old: `{diff.old_source}`  ", f"new: `{diff.new_source}`", ""]
    lines += [*(f"> {a}" for a in assumptions), *([""] if assumptions else [])]
    if not diff.findings:
        lines += ["No change to what is protected or how.", ""]
    else:
        lines += md_table(("Risk", "Where", "Change"), [_finding_row(f) for f in diff.findings]) + [""]
    lines.append(_verdict(diff, fail_on))
    if resources is not None:
        from redshift_backup import resource_render

        lines += ["", *resource_render.markdown_lines(resources)]
    return "\n".join(lines).rstrip("\n") + "\n"
