"""The PR review workflow: it runs redshift_backup/review.py in one step, keeps the artifact when that step fails,
and derives the preview matrix from the stack files; the CLI calls the review makes exist and parse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from redshift_backup import review
from redshift_backup.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "redshift-backup-review.yml"


def workflow() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("args", [review.check_args(["Pulumi.dev.yaml", "Pulumi.prod.yaml"]),
                                  review.diff_args("origin/main", "Pulumi.dev.yaml", "high"),
                                  review.plan_args("Pulumi.dev.yaml")])
def test_every_cli_call_of_the_review_parses(args: list[str]) -> None:
    command = main.get_command(click.Context(main), args[0])
    assert command is not None, args
    command.make_context(args[0], list(args[1:]))  # raises click.UsageError on an unknown option or value


def test_pull_request_trigger_and_comment_permission() -> None:
    document = workflow()
    # PyYAML reads the bare key `on` as True.
    trigger = document.get("on", document.get(True))
    assert "pull_request" in trigger
    assert document["permissions"]["pull-requests"] == "write"
    steps = document["jobs"]["review"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0


def test_one_step_reviews_and_posts_and_the_artifact_survives_its_failure() -> None:
    steps = workflow()["jobs"]["review"]["steps"]
    (step,) = [s for s in steps if "redshift_backup.review" in s.get("run", "")]
    assert step["run"].strip() == ".venv/bin/python -m redshift_backup.review"
    assert {"BASE", "PR", "GH_TOKEN", "POST_COMMENT"} <= set(step["env"])
    assert "if" not in step  # runs, and posts, whatever an earlier step found
    (artifact,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert artifact["if"] == "success() || failure()" and artifact["with"]["path"] == "review.md"
    assert "--edit-last" not in WORKFLOW.read_text(encoding="utf-8")


def test_the_preview_matrix_comes_from_the_stack_files() -> None:
    jobs = workflow()["jobs"]
    assert jobs["preview"]["needs"] == "stacks"
    assert jobs["preview"]["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.stacks.outputs.stacks) }}"}
    credentials = [s for s in jobs["preview"]["steps"] if "configure-aws-credentials" in str(s.get("uses"))]
    assert credentials[0]["with"]["aws-region"] == "${{ matrix.region }}"
    matrix_step = jobs["stacks"]["steps"][-1]["run"].split("\n")
    # Installed the way the review job is: `make setup` (a `pip -c requirements.txt` fails on its `-e .`).
    assert matrix_step[:2] == ["make setup", '.venv/bin/python -m redshift_backup.review matrix >> "$GITHUB_OUTPUT"']
    stacks = {entry["stack"] for entry in review.preview_matrix(ROOT)}
    assert stacks == {p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")}


def test_the_review_annotates_and_can_upload_sarif() -> None:
    steps = workflow()["jobs"]["review"]["steps"]
    (sarif,) = [s for s in steps if "--format sarif" in s.get("run", "")]
    (upload,) = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload["with"]["sarif_file"] in sarif["run"]
    assert "REDSHIFT_BACKUP_SARIF" in sarif["if"] and sarif["if"] == upload["if"]
    assert workflow()["permissions"]["security-events"] == "write"
    # The check call the annotations make parses.
    command = main.get_command(click.Context(main), "check")
    assert command is not None
    command.make_context("check", ["--format", "json", "Pulumi.dev.yaml"])
