"""The protection matrix for the terminal: a table that never breaks a word, an ARN or a date, or a list.

Each cell is lines of tokens; a token (a word, an ARN, `2026-11-22 05:00 UTC`) is never broken. Columns are sized
so that the longest token of each fits; lines wrap between tokens. When even that does not fit the width, the
matrix is a list, one block per target. Anyone can feed rows (`MatrixRow`): `protection_rows` makes them from
`policies.protection_matrix`, other modules (an organization's policies) may add their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from policies.protection_matrix import ProtectionRow
from policies.schedule_words import days_text
from policies.summary_words import duration_text

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
    """The rows of `policies.protection_matrix.protection_matrix`, with each row's `details` if given."""
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
    # Give each column its longest token, then share what is left fairly: a column that wants less than an equal
    # share gets all it wants (its lines stay whole), the rest split what remains.
    spare = room - sum(least)
    sizes = list(least)
    wanting = {i: ideal[i] - least[i] for i in range(len(columns)) if ideal[i] > least[i]}
    while wanting and spare > 0:
        share = spare // len(wanting)
        content = {i: w for i, w in wanting.items() if w <= share}
        if not content:
            for n, i in enumerate(sorted(wanting)):
                sizes[i] += share + (1 if n < spare - share * len(wanting) else 0)
            break
        for i, w in content.items():
            sizes[i] += w
            spare -= w
            del wanting[i]
    return sizes


def matrix_renderables(rows: Sequence[MatrixRow], width: int, tty: bool,
                       title: str = "Protection matrix") -> tuple[list[RenderableType], bool]:
    """The matrix as a table when it fits `width` without breaking a token, else as a list per target (with each
    row's details); the flag says whether it is the table (then the caller prints the details)."""
    table = token_table(COLUMNS, [(cell(r.label), *r.cells) for r in rows], width, tty, title=title)
    if table is None:
        return _as_list(rows, title, width), False
    return [table], True


def token_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], width: int, tty: bool, *,
                title: str | None = None, show_lines: bool = True,
                cell_style: Callable[[int, int], str] | None = None) -> Table | None:
    """A table of token cells that fits `width` with no token broken (lines wrap between tokens), or None when
    the longest tokens alone do not fit. `cell_style(row, column)` gives a cell's rich style, if any."""
    header_cells = [cell(h) for h in headers]
    columns = [[header_cells[i], *(row[i] for row in rows)] for i in range(len(headers))]
    widths = _widths(columns, width)
    if widths is None:
        return None
    table = Table(title=title, title_justify="left", box=box.ROUNDED if tty else box.ASCII, show_lines=show_lines,
                  expand=False)
    for header, size in zip(header_cells, widths, strict=True):
        table.add_column("\n".join(_wrap(header[0], size)), width=size, no_wrap=True, overflow="ignore")
    for r, row in enumerate(rows):
        table.add_row(*(Text("\n".join(w for line in c for w in _wrap(line, size)),
                             style=cell_style(r, i) if cell_style else "")
                        for i, (c, size) in enumerate(zip(row, widths, strict=True))))
    return table


def wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken only between tokens (a longer token stands alone)."""
    return _wrap(tokens(text), width)


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
