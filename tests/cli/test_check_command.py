"""`redshift-backup check` and `schema`: exit codes, messages, no tracebacks, run as a real subprocess too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from redshift_backup.cli import main

ROOT = Path(__file__).resolve().parents[2]

BROKEN = """\
config:
  aws:region: us-east-1
  redshift-backup:policies:
    - name: analytics
      selection:
        clusters: [Analytics]
      backup:
        rules:
          - name: daily
            schedule: cron(0 5 * * * *)
            start_window_minutes: 30
            delete_after_days: 35
            copy_actions:
              - destination_region: us-west-2
                delete_after_dayz: 90
"""


def test_valid_files_exit_zero() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "Pulumi.dev.yaml"), str(ROOT / "Pulumi.prod.yaml")])
    assert result.exit_code == 0, result.output
    assert "Pulumi.dev.yaml: valid (1 policy, region us-east-1)" in result.output
    assert "Pulumi.prod.yaml: valid" in result.output


def test_invalid_file_exits_one_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"4 problems in {path}:"
    # Each at file:line:column of the value (of the key, for an unknown key), in document order; the rule's
    # start window is checked although its schedule is invalid.
    assert lines[1].startswith(f"{path}:6:20: policies[0].selection.clusters[0]: expected a cluster identifier")
    assert lines[2].startswith(f"{path}:10:23: policies[0].backup.rules[0].schedule: ")
    assert lines[3] == (f"{path}:11:35: policies[0].backup.rules[0].start_window_minutes: AWS Backup needs a start "
                        "window of at least 60 minutes (received 30)")
    assert lines[4] == (f"{path}:15:17: policies[0].backup.rules[0].copy_actions[0].delete_after_dayz: unknown key; "
                        "did you mean `delete_after_days`? (received 90)")
    assert "Traceback" not in result.output


def test_one_bad_file_among_good_ones_still_fails(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(ROOT / "Pulumi.dev.yaml"), str(path)])
    assert result.exit_code == 1
    assert "Pulumi.dev.yaml: valid" in result.output


def test_usage_error_exits_two() -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_schema_into_a_directory_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "missing" / "schema.json")])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "No such file or directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_schema_describes_the_stack_file_and_rejects_unknown_keys_of_ours() -> None:
    import jsonschema
    import yaml

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    policy = schema["$defs"]["Policy"]
    assert set(policy["properties"]) >= {"name", "selection", "backup", "snapshots", "notifications"}
    assert policy["additionalProperties"] is False
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        document = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        assert list(validator.iter_errors(document)) == []
    typo = {"config": {"aws:region": "us-east-1", "redshift-backup:polices": []}}
    assert list(validator.iter_errors(typo))


CHECKED_IN = sorted({*ROOT.glob("Pulumi.*.yaml"), *ROOT.glob("tests/**/Pulumi.*.yaml")} - {ROOT / "Pulumi.yaml"})


def test_the_schema_agrees_with_the_validator() -> None:
    import jsonschema
    import yaml

    from policies.schema import config_schema
    from policies.validation import load_stack_file

    validator = jsonschema.Draft202012Validator(config_schema())
    assert len(CHECKED_IN) >= 5
    for path in CHECKED_IN:
        load_stack_file(path)
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path
    # a rule named by its preset is valid in both; a rule with neither name nor preset in neither
    policy = {"name": "analytics", "selection": {"clusters": ["analytics"]}, "backup": {"rules": [{"preset": "weekly"}]}}
    assert not list(validator.iter_errors({"config": {"aws:region": "us-east-1", "redshift-backup:policies": [policy]}}))
    policy["backup"] = {"rules": [{"delete_after_days": 7}]}
    assert list(validator.iter_errors({"config": {"aws:region": "us-east-1", "redshift-backup:policies": [policy]}}))


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "Pulumi.nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_file_that_is_not_utf8_exits_one_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.latin1.yaml"
    path.write_bytes(b"config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n    - name: caf\xe9\n")
    proc = subprocess.run([sys.executable, "-m", "redshift_backup", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"1 problem in {path}:",
        "  - <root>: is not UTF-8 text (byte 0xe9 at line 4); Pulumi reads stack files as UTF-8: save it in that "
        "encoding"]


def test_a_misspelt_namespace_fails_instead_of_checking_nothing(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.typo.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n  redshift-backups:policies: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "redshift-backups:policies: unknown namespace 'redshift-backups'; did you mean " in result.output


def test_a_stack_that_declares_nothing_is_valid_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.empty.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0
    assert result.stdout == f"{path}: valid (0 policies, region us-east-1)\n"
    assert result.stderr == (f"warning: {path} declares no redshift-backup:policies and no redshift-backup:restores, "
                             "so it manages nothing (is the namespace spelt redshift-backup?)\n")


def test_the_installed_command_exits_one_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "redshift_backup", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 1
    assert "policies[0].backup.rules[0].schedule" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_stack_of_restores_alone_says_it_checked_them() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "tests" / "cli" / "stacks" / "Pulumi.restores.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Pulumi.restores.yaml: valid (0 policies, 3 restores, region us-east-1)\n")
    assert result.stderr == ""
