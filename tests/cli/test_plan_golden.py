"""Golden outputs of `plan` for the example stacks, in every format, from the real program under the mock runtime.

Pinned "now" (`--now`) makes the next backup times deterministic. Refresh after an intended change with
`REDSHIFT_BACKUP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli` and review the diff of tests/cli/golden/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_backup.cli import main
from tests.cli.goldens import check_golden

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T03:00:00Z"
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json"}


@pytest.mark.parametrize("stack", ["dev", "prod", "drill"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_plan_matches_golden(stack: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the stack file's path is part of the output
    result = CliRunner().invoke(main, ["plan", f"Pulumi.{stack}.yaml", "--format", fmt, "--now", NOW])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    check_golden(f"plan-{stack}.{EXTENSIONS[fmt]}", result.stdout)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_declared_restores_match_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["plan", "tests/cli/stacks/Pulumi.restores.yaml", "--format", fmt,
                                       "--now", NOW])
    assert result.exit_code == 0, result.output
    check_golden(f"plan-restores.{EXTENSIONS[fmt]}", result.stdout)


def test_prod_plan_lists_every_layer_and_restore_section() -> None:
    result = CliRunner().invoke(main, ["plan", str(ROOT / "Pulumi.prod.yaml"), "--format", "json", "--now", NOW])
    document = json.loads(result.stdout)
    types = {r["type"] for r in document["resources"]}
    assert {"aws:backup/plan:Plan", "aws:backup/vault:Vault", "aws:backup/selection:Selection",
            "aws:redshift/snapshotSchedule:SnapshotSchedule", "aws:redshift/snapshotCopy:SnapshotCopy"} <= types
    protected = {r["name"] for r in document["resources"] if r["protect"]}
    assert "prod-analytics-vault" in protected
    assert document["resources_error"] is None
    assert document["restores"] == []


def test_make_plan_command_prints_the_plan_without_warnings() -> None:
    """What `make plan` runs, as a real process: the plan on stdout, nothing on stderr (no asyncio warning)."""
    done = subprocess.run([sys.executable, "-m", "redshift_backup", "plan", "Pulumi.dev.yaml", "--now", NOW],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    check_golden("plan-dev.txt", done.stdout)
