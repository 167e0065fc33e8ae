"""`plan` and `diff` of the organization stack: the org section (golden files of its own), the JSON document, and
`make plan STACK=Pulumi.org.yaml` offline as a real process."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from policies.validation import load_stack_file
from redshift_backup.cli import main
from redshift_backup.org_render import org_markdown, org_text
from tests.cli.goldens import check_golden

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T03:00:00Z"
NOW_DT = datetime(2026, 11, 22, 3, tzinfo=UTC)


def test_organization_section_matches_golden() -> None:
    stack = load_stack_file(ROOT / "Pulumi.org.yaml")
    check_golden("plan-org-section.txt", org_text(stack, NOW_DT))
    check_golden("plan-org-section.md", org_markdown(stack, NOW_DT))


def test_plan_json_carries_the_organization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["plan", "Pulumi.org.yaml", "--format", "json", "--now", NOW])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    org = document["organization"]
    assert sorted(org["policies"]) == ["redshift-backup-org-baseline",
                                       "redshift-backup-org-baseline.override.777788889999",
                                       "redshift-backup-org-baseline.override.ou-a1b2-sand0001",
                                       "redshift-backup-org-prod"]
    rows = {row["target"]: row for row in org["targets"]}
    assert rows["sandbox (ou-a1b2-sand0001)"]["longest_retention_days"] == 7
    assert rows["production (ou-a1b2-prod0001)"]["rpo"] == "1 hour"
    sources = org["effective"]["ou-a1b2-sand0001"]["sources"]
    assert sources["plans.org-baseline.rules.daily.lifecycle.delete_after_days"] == [
        "override of org-baseline at sandbox (ou-a1b2-sand0001)"]
    types = {r["type"] for r in document["resources"]}
    assert {"aws:organizations/policy:Policy", "aws:organizations/policyAttachment:PolicyAttachment",
            "aws:cloudformation/stackSet:StackSet", "aws:cloudformation/stackSetInstance:StackSetInstance",
            "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
            "aws:backup/globalSettings:GlobalSettings"} <= types


def test_check_does_not_warn_about_an_organization_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "Pulumi.org.yaml"])
    assert result.exit_code == 0 and result.stderr == ""


def test_make_plan_of_the_organization_stack_runs_offline() -> None:
    done = subprocess.run([sys.executable, "-m", "redshift_backup", "plan", "Pulumi.org.yaml", "--now", NOW],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Protection by target" in done.stdout and "Done by hand in the management account" in done.stdout


def test_diff_flags_a_weakened_organization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["diff", "Pulumi.org.yaml", "tests/cli/stacks/Pulumi.org-weakened.yaml",
                                       "--format", "json", "--now", NOW])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    high = {f["rule"] for f in findings if f["level"] == "high"}
    assert high == {"org-vault-replaced", "org-lock-loosened", "org-attachment-removed", "org-retention-shortened",
                    "org-regions-removed", "org-rpo-worse", "org-copy-removed"}


def test_the_protection_matrix_has_a_row_per_organization_target() -> None:
    from redshift_backup.org_render import org_matrix_rows

    stack = load_stack_file(ROOT / "Pulumi.org.yaml")
    rows = {row.label: [" ".join(" ".join(line) for line in c) for c in row.cells]
            for row in org_matrix_rows(stack, NOW_DT)}
    assert list(rows) == [f"organization target {t.label}" for t in stack.organization.targets]  # type: ignore[union-attr]
    production = rows["organization target production (ou-a1b2-prod0001)"]
    covered, next_backup, rpo, longest, copies, locks = production
    assert covered == "org-baseline: organization backup policy org-prod: organization backup policy"
    assert (next_backup, rpo, longest) == ("2026-11-22 04:00 UTC", "1 hour", "2555 days")
    assert "org-central (2555 days)" in copies
    assert locks == "org-redshift: governance (7-400 days) org-prod-redshift: compliance (14-2555 days)"
    sandbox = rows["organization target sandbox (ou-a1b2-sand0001)"]
    assert sandbox[2:4] == ["1 day", "7 days"]  # the override shortens the baseline's retention there


def test_a_stack_without_an_organization_adds_no_rows() -> None:
    from redshift_backup.org_render import org_matrix_rows

    assert org_matrix_rows(load_stack_file(ROOT / "Pulumi.dev.yaml"), NOW_DT) == []


def test_the_organization_table_escapes_what_markdown_would_read_as_a_column() -> None:
    raw = load_stack_file(ROOT / "Pulumi.org.yaml")
    assert raw.organization is not None
    target = raw.organization.targets[0].model_copy(update={"name": "root | main"})
    organization = raw.organization.model_copy(update={"targets": [target, *raw.organization.targets[1:]]})
    stack = dataclasses.replace(raw, organization=organization)
    row = next(line for line in org_markdown(stack, NOW_DT).splitlines() if "root \\| main" in line)
    assert row.count(" | ") == 5  # six cells: the name's pipe is escaped, not a seventh column
