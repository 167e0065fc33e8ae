"""The text protection matrix (redshift_backup/matrix.py): no word, ARN or date is ever broken, at any width."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from redshift_backup.cli import main
from redshift_backup.matrix import COLUMNS, MatrixRow, cell, matrix_renderables

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T03:00:00Z"
ARN = "arn:aws:redshift-serverless:us-east-1:111122223333:namespace/3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
ROWS = [
    MatrixRow("analytics-prod", (cell("prod-analytics: AWS Backup + native snapshots", "org-baseline: AWS Backup"),
                                 cell("2026-11-22 05:00 UTC"), cell("12 hours"), cell("2555 days (7 years)"),
                                 cell("us-west-2", "account 444455556666"),
                                 cell("prod-analytics-vault: compliance (30-2555 days)"))),
    MatrixRow("tag tier = 1 and tag backup != none, except analytics-prod-scratch",
              (cell("prod-analytics: AWS Backup"), cell("none scheduled"), cell("unknown"), cell("none"),
               cell("none"), cell())),
]


def rendered(rows: list[MatrixRow], width: int) -> tuple[str, bool]:
    """As a terminal of `width` columns shows it (`plan` sizes the matrix to the terminal)."""
    parts, is_table = matrix_renderables(rows, width, tty=False)
    console = Console(file=io.StringIO(), width=width, no_color=True, highlight=False, soft_wrap=False)
    for part in parts:
        console.print(part, soft_wrap=isinstance(part, Text) and bool(part.no_wrap))
    return console.file.getvalue(), is_table  # type: ignore[attr-defined]


def tokens_of(rows: list[MatrixRow]) -> set[str]:
    return {t for r in rows for c in r.cells for line in c for t in line} | set(r.label.split()[0] for r in rows)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=40, max_value=240))
def test_no_token_is_ever_broken_at_any_width(width: int) -> None:
    text, _ = rendered(ROWS, width)
    lines = text.splitlines()
    for token in tokens_of(ROWS):
        assert any(token in line for line in lines), (width, token)
    assert any("2026-11-22 05:00 UTC" in line for line in lines)  # a timestamp stays on one line


def test_a_table_when_it_fits_a_list_per_target_when_not() -> None:
    wide, is_table = rendered(ROWS, 200)
    assert is_table and wide.splitlines()[1].startswith("+") and all(len(line) <= 200 for line in wide.splitlines())
    narrow, is_table = rendered(ROWS, 80)
    assert not is_table
    assert "does not fit in 80 columns" in narrow
    assert "  Covered by         prod-analytics: AWS Backup + native snapshots" in narrow.splitlines()


def test_rows_from_another_module_can_be_fed_in() -> None:
    """The organization's policies add rows of their own (same columns)."""
    row = MatrixRow(ARN, tuple(cell(f"value {i}") for i in range(len(COLUMNS) - 1)),
                    details=(("Org policy", ("root: backup-baseline",)),))
    text, is_table = rendered([row], 120)
    assert not is_table  # the ARN alone is wider than what is left for the other columns
    assert ARN in text.splitlines()[1] and "  Org policy         root: backup-baseline" in text


def test_plan_prints_a_note_once_not_once_per_cluster() -> None:
    result = CliRunner().invoke(main, ["plan", str(ROOT / "Pulumi.prod.yaml"), "--now", NOW])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("AWS Backup protects a Redshift cluster with manual snapshots") == 1


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_plan_text_breaks_no_token_of_the_matrix(stack: str) -> None:
    result = CliRunner().invoke(main, ["plan", str(ROOT / f"Pulumi.{stack}.yaml"), "--now", NOW])
    assert "prod-analytics\n-vault" not in result.stdout and "| : AWS" not in result.stdout
    assert all("2026-11-22 05:00" not in line or "2026-11-22 05:00 UTC" in line for line in result.stdout.splitlines())


@pytest.mark.parametrize("columns", [None, "30", "60", "200"])
def test_diff_findings_break_no_token(columns: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The risk table wraps between tokens; too narrow for that, one finding per block."""
    from datetime import UTC, datetime

    from policies.diff import diff_stacks
    from policies.validation import load_stack_file
    from redshift_backup import diff_render

    result = diff_stacks(load_stack_file(ROOT / "Pulumi.prod.yaml"),
                         load_stack_file(ROOT / "tests" / "cli" / "stacks" / "Pulumi.prod-weakened.yaml"),
                         datetime(2026, 11, 22, 3, tzinfo=UTC))
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    text = diff_render.diff_text(result, "high", tty=columns is not None)
    lines = text.splitlines()
    for finding in result.findings:
        for token in [*finding.message.split(), finding.subject]:
            assert any(token in line for line in lines), (columns, token)
    assert ("Risk" in text) == (columns != "30")  # at 30 columns: blocks, not a table


def test_plan_text_takes_rows_from_another_module() -> None:
    """How the organization's policies join the matrix: `plan_text(..., extra_rows=[...])`."""
    from datetime import UTC, datetime

    from policies.summary import summarize
    from policies.validation import load_stack_file
    from redshift_backup import render

    summary = summarize(load_stack_file(ROOT / "Pulumi.dev.yaml"), datetime(2026, 11, 22, 3, tzinfo=UTC))
    row = MatrixRow("account 444455556666", (cell("org: backup-baseline"), cell("2026-11-22 05:00 UTC"),
                                             cell("1 day"), cell("35 days"), cell("none"), cell()),
                    details=(("Org policy", ("root: backup-baseline",)),))
    text = render.plan_text(summary, None, "not run", extra_rows=[row])
    table = text[text.index("Protection matrix"):]
    assert "| account" in table and "backup-baseline" in table.split("\n\n")[0]
    assert "Org policy  root: backup-baseline" in text
