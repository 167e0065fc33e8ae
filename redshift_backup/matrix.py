"""The protection matrix for the terminal: a table that never breaks a word, an ARN or a date, or a list.

Each cell is lines of tokens; a token (a word, an ARN, `2026-11-22 05:00 UTC`) is never broken. Columns are sized
so that the longest token of each fits; lines wrap between tokens. When even that does not fit the width, the
matrix is a list, one block per target. Anyone can feed rows (`MatrixRow`): `protection_rows` makes them from
`policies.summary`'s protection matrix, other modules (an organization's policies) may add their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from policies.schedules import days_text
from policies.summary import ProtectionRow, duration_text

COLUMNS = ("Protected", "Covered by", "Next backup", "Worst-case RPO", "Longest retention", "Copies", "Vault lock")
# A timestamp as `plan` prints it is one token; anything else splits at spaces.
_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?: UTC)?|\S+")
# Per column: one space of padding each side and a border; one more border at the end.
_COLUMN_OVERHEAD = 3

Cell = tuple[tuple[str, ...], ...]  # lines, each a tuple of tokens


def tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def cell(*lines: str) -> Cell:
    """A cell from lines of text (each split into tokens); no line at all is a `-`."""
    return tuple(tokens(line) for line in lines if line) or (("-",),)


@dataclass(frozen=True)
class MatrixRow:
    """One target of the matrix: its label, a cell per column after the first (COLUMNS order), and details the
    caller prints under the table (`(key, lines)`), which the list form shows in the target's block instead."""

    label: str
    cells: tuple[Cell, ...]
    details: tuple[tuple[str, tuple[str, ...]], ...] = ()


def protection_rows(rows: Sequence[ProtectionRow],
                    details: Callable[[ProtectionRow], tuple[tuple[str, tuple[str, ...]], ...]] | None = None
                    ) -> list[MatrixRow]:
    """The rows of `policies.summary.protection_matrix`, with each row's `details` if given."""
    return [MatrixRow(r.target.label, (
        cell(*(f"{c.policy}: {' + '.join(c.layers)}" for c in r.coverage)),
        cell(_first_time(r)),
        cell(duration_text(r.rpo)),
        cell("none" if r.longest_retention_days is None else days_text(r.longest_retention_days)),
        cell(*(list(r.copy_regions) + [f"account {a}" for a in r.copy_accounts])) if (
            r.copy_regions or r.copy_accounts) else cell("none"),
        cell(*r.vault_locks),
    ), details(r) if details else ()) for r in rows]


def _first_time(row: ProtectionRow) -> str:
    if not row.next_times:
        return "none scheduled"
    return row.next_times[0].time.strftime("%Y-%m-%d %H:%M UTC")


def _wrap(line: tuple[str, ...], width: int) -> list[str]:
    out: list[str] = []
    current = ""
    for token in line:
        if current and len(current) + 1 + len(token) > width:
            out.append(current)
            current = token
        else:
            current = f"{current} {token}" if current else token
    return out + ([current] if current else [])


def _widths(columns: Sequence[Sequence[Cell]], width: int) -> list[int] | None:
    """Column widths that fit `width` with no token broken, or None when the longest tokens alone do not fit."""
    least = [max(len(t) for c in cells for line in c for t in line) for cells in columns]
    ideal = [max(len(" ".join(line)) for c in cells for line in c) for cells in columns]
    room = width - _COLUMN_OVERHEAD * len(columns) - 1
    if sum(least) > room:
        return None
    if sum(ideal) <= room:
        return ideal
    # Give each column its longest token, then share what is left in proportion to what each still wants.
    spare = room - sum(least)
    wants = [i - m for i, m in zip(ideal, least, strict=True)]
    total = sum(wants)
    sizes = [m + spare * w // total for m, w in zip(least, wants, strict=True)]
    return sizes


def matrix_renderables(rows: Sequence[MatrixRow], width: int, tty: bool,
                       title: str = "Protection matrix") -> tuple[list[RenderableType], bool]:
    """The matrix as a table when it fits `width` without breaking a token, else as a list per target (with each
    row's details); the flag says whether it is the table (then the caller prints the details)."""
    headers = [cell(h) for h in COLUMNS]
    columns = [[headers[i], *(cell(r.label) if i == 0 else r.cells[i - 1] for r in rows)] for i in range(len(COLUMNS))]
    widths = _widths(columns, width)
    if widths is None:
        return _as_list(rows, title, width), False
    table = Table(title=title, title_justify="left", box=box.ROUNDED if tty else box.ASCII, show_lines=True,
                  expand=False)
    for header, size in zip(headers, widths, strict=True):
        table.add_column("\n".join(_wrap(header[0], size)), width=size, no_wrap=True, overflow="ignore")
    for row_cells in zip(*[column[1:] for column in columns], strict=True):
        table.add_row(*(Text("\n".join(w for line in c for w in _wrap(line, size)))
                        for c, size in zip(row_cells, widths, strict=True)))
    return [table], True


def _as_list(rows: Sequence[MatrixRow], title: str, width: int) -> list[RenderableType]:
    """One block per target, a column per line: `Covered by   prod-analytics: AWS Backup`. Lines are never
    wrapped (a token longer than the width runs past it rather than break)."""
    key_width = max(len(k) for k in [*COLUMNS[1:], *(key for r in rows for key, _ in r.details)])
    out: list[RenderableType] = [Text(f"{title} (one block per target: the table does not fit in {width} columns "
                                      "without breaking a name)", style="bold", no_wrap=True)]
    for row in rows:
        out.append(Text(row.label, style="bold cyan", no_wrap=True))
        fields = [(h, [" ".join(line) for line in c]) for h, c in zip(COLUMNS[1:], row.cells, strict=True)]
        for key, lines in [*fields, *((k, list(v)) for k, v in row.details)]:
            for i, line in enumerate(lines):
                out.append(Text(f"  {key if i == 0 else '':<{key_width}}  {line}", no_wrap=True))
        out.append(Text(""))
    return out
