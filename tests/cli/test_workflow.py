"""The PR review workflow calls the CLI with commands and options that exist, and runs check, plan and diff --base."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import yaml

from redshift_backup.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "redshift-backup-review.yml"


def cli_invocations() -> list[list[str]]:
    """Every `.venv/bin/redshift-backup ...` call in the workflow, with shell variables filled in."""
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    calls = []
    for job in document["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                match = re.search(r"\.venv/bin/redshift-backup (.*?)(\|\||$)", line)
                if match:
                    text = match.group(1).replace('"$BASE"', "origin/main").replace('"$stack"', "Pulumi.dev.yaml")
                    calls.append(shlex.split(text.replace("Pulumi.*.yaml", "Pulumi.dev.yaml Pulumi.prod.yaml")))
    return calls


def test_workflow_runs_check_plan_and_diff_against_the_base() -> None:
    calls = cli_invocations()
    assert [c[0] for c in calls] == ["check", "diff", "plan"]
    diff = calls[1]
    assert diff[diff.index("--base") + 1] == "origin/main"
    assert diff[diff.index("--format") + 1] == "markdown"
    assert calls[2][calls[2].index("--format") + 1] == "markdown"


def test_every_invocation_parses() -> None:
    for args in cli_invocations():
        command = main.get_command(click.Context(main), args[0])
        assert command is not None, args
        command.make_context(args[0], list(args[1:]))  # raises click.UsageError on an unknown option or value


def test_pull_request_trigger_and_comment_permission() -> None:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as True.
    trigger = document.get("on", document.get(True))
    assert "pull_request" in trigger
    assert document["permissions"]["pull-requests"] == "write"
    steps = document["jobs"]["review"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
