"""`redshift-backup diff`: exit codes, --fail-on, formats, invalid files, and --base against a temporary git repo."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_backup.cli import main
from tests.cli.goldens import check_golden

ROOT = Path(__file__).resolve().parents[2]
STACKS = Path(__file__).resolve().parent / "stacks"
NOW = "2026-11-22T03:00:00Z"
PROD = ROOT / "Pulumi.prod.yaml"
WEAKENED = STACKS / "Pulumi.prod-weakened.yaml"

MEDIUM_ONLY = """\
config:
  aws:region: us-east-1
  redshift-backup:policies:
    - name: analytics
      selection:
        clusters: [analytics]
      backup:
        rules:
          - name: daily
            schedule: cron(0 {hour} ? * * *)
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args, "--now", NOW])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_weakening_exits_one_by_default_and_zero_with_fail_on_never() -> None:
    result = run(str(PROD), str(WEAKENED))
    assert result.exit_code == 1, result.output
    assert "FAIL: at least one finding is high or higher" in result.stdout
    assert run(str(PROD), str(WEAKENED), "--fail-on", "never").exit_code == 0


def test_fail_on_medium_catches_a_moved_schedule(tmp_path: Path) -> None:
    old = write(tmp_path / "Pulumi.old.yaml", MEDIUM_ONLY.format(hour=5))
    new = write(tmp_path / "Pulumi.new.yaml", MEDIUM_ONLY.format(hour=6))
    assert run(str(old), str(new)).exit_code == 0
    result = run(str(old), str(new), "--fail-on", "medium")
    assert result.exit_code == 1
    assert "MEDIUM" in result.stdout and "schedule moved from every day at 05:00 UTC to every day at 06:00 UTC" \
        in result.stdout


def test_text_keeps_brackets_of_config_paths(tmp_path: Path) -> None:
    old = write(tmp_path / "Pulumi.old.yaml", MEDIUM_ONLY.format(hour=5))
    new = write(tmp_path / "Pulumi.new.yaml", MEDIUM_ONLY.format(hour=5) + "            start_window_minutes: 60\n")
    result = run(str(old), str(new))
    assert "backup.rules[daily].start_window_minutes: 480 -> 60" in result.stdout


def test_improvement_exits_zero() -> None:
    result = run(str(WEAKENED), str(PROD))
    assert result.exit_code == 0, result.output
    assert "0 high, 1" in result.stdout and "HIGH" not in result.stdout


def test_tally_survives_long_paths(tmp_path: Path) -> None:
    # CI clones into a deeper directory than a laptop: a long path once wrapped the tally across two lines.
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    deep.mkdir(parents=True)
    old, new = shutil.copy(WEAKENED, deep / "Pulumi.old.yaml"), shutil.copy(PROD, deep / "Pulumi.new.yaml")
    result = run(str(old), str(new))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Backup policy diff: 0 high, 1 medium, 7 info"
    assert result.stdout.splitlines()[1:3] == [f"old: {old}", f"new: {new}"]


def test_json_is_stable_and_complete() -> None:
    result = run(str(PROD), str(WEAKENED), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["format"], document["version"], document["now"]) == ("redshift-backup/diff", 1,
                                                                           "2026-11-22T03:00:00Z")
    assert (document["highest"], document["fail_on"], document["fails"]) == ("high", "never", False)
    assert document["counts"] == {"high": 7, "medium": 2, "info": 0}
    assert set(document["findings"][0]) == {"level", "rule", "scope", "subject", "message"}
    assert {f["rule"] for f in document["findings"]} == {
        "copy-removed", "vault-lock-weakened", "automated-retention-lowered", "rpo-worse", "coverage-lost",
        "schedule-moved", "notifications-reduced"}


@pytest.mark.parametrize(("fmt", "extension"), [("markdown", "md"), ("text", "txt"), ("json", "json")])
def test_weakened_prod_matches_golden(fmt: str, extension: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both views, the risk findings and the resources, in every format."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["diff", "Pulumi.prod.yaml", "tests/cli/stacks/Pulumi.prod-weakened.yaml",
                                       "--format", fmt, "--now", NOW])
    assert result.exit_code == 1
    assert result.stderr == ""
    check_golden(f"diff-prod-weakened.{extension}", result.stdout)


def test_an_invalid_stack_is_refused_with_every_problem(tmp_path: Path) -> None:
    broken = write(tmp_path / "Pulumi.broken.yaml", MEDIUM_ONLY.format(hour=99).replace("analytics]",
                                                                                          "Analytics]"))
    result = run(str(PROD), str(broken))
    assert result.exit_code == 1
    assert "2 problems in" in result.stderr
    assert "policies[0].selection.clusters[0]" in result.stderr
    assert "policies[0].backup.rules[0].schedule" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[str(PROD)], [str(PROD), str(PROD), str(PROD)],
                                  ["--base", "HEAD", str(PROD), str(PROD)], [str(PROD), str(PROD), "--now", "soon"],
                                  [str(PROD), str(PROD), "--format", "html"], [str(PROD), str(PROD), "--fail-on", "low"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["diff", *args])
    assert result.exit_code == 2, result.output


# --- --base -----------------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    stacks = tmp_path / "infra"
    stacks.mkdir()
    shutil.copy(PROD, stacks / "Pulumi.prod.yaml")
    git(tmp_path, "add", "infra/Pulumi.prod.yaml")
    git(tmp_path, "commit", "-q", "-m", "prod")
    shutil.copy(WEAKENED, stacks / "Pulumi.prod.yaml")  # the pull request's change, not committed
    return tmp_path


def test_base_compares_with_the_file_at_a_ref(repo: Path) -> None:
    result = run("--base", "main", str(repo / "infra" / "Pulumi.prod.yaml"), "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["old"] == "main:infra/Pulumi.prod.yaml"  # the path from the repository root
    assert document["counts"]["high"] == 7


def test_base_from_another_working_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    assert run("--base", "HEAD", "Pulumi.prod.yaml").exit_code == 1


def test_base_treats_a_new_stack_file_as_all_added(repo: Path) -> None:
    new = repo / "infra" / "Pulumi.dev.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", new)
    result = run("--base", "main", str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["old"] == "main:infra/Pulumi.dev.yaml (not in main)"
    assert [f["rule"] for f in document["findings"]] == ["policy-added", "coverage-added"]
    # Compared with nothing, every resource is created.
    assert {c["op"] for c in document["resources"]["changes"]} == {"create"}
    assert (len(document["resources"]["changes"]), document["resources"]["unchanged"]) == (8, 0)


def test_base_with_a_missing_ref_is_a_usage_error(repo: Path) -> None:
    result = run("--base", "no-such-branch", str(repo / "infra" / "Pulumi.prod.yaml"))
    assert result.exit_code == 2
    assert "git ref 'no-such-branch' does not exist" in result.stderr


def test_base_outside_a_git_repo_is_a_usage_error(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.prod.yaml"
    shutil.copy(PROD, stack)
    result = run("--base", "main", str(stack))
    assert result.exit_code == 2
    assert "is not inside a git work tree" in result.stderr


def test_base_without_git_installed_is_a_usage_error(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-path")))
    result = run("--base", "main", str(repo / "infra" / "Pulumi.prod.yaml"))
    assert result.exit_code == 2
    assert "git is not installed" in result.stderr


def test_base_version_invalid_is_reported_with_its_ref(repo: Path) -> None:
    stack = repo / "infra" / "Pulumi.prod.yaml"
    stack.write_text(MEDIUM_ONLY.format(hour=99), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    shutil.copy(PROD, stack)
    result = run("--base", "HEAD", str(stack))
    assert result.exit_code == 1
    assert "1 problem in HEAD:infra/Pulumi.prod.yaml" in result.stderr


def test_base_version_not_utf8_is_a_problem_not_a_traceback(repo: Path) -> None:
    stack = repo / "infra" / "Pulumi.prod.yaml"
    stack.write_bytes(b"config:\n  aws:region: us-east-1 # caf\xe9\n")  # Latin-1, as an old editor saves it
    git(repo, "commit", "-q", "-am", "latin-1")
    shutil.copy(PROD, stack)
    result = run("--base", "HEAD", str(stack))
    assert result.exit_code == 1, result.output
    assert "HEAD:infra/Pulumi.prod.yaml" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("remove", ["file", "directory"])
def test_base_reviews_a_deleted_stack_file_as_everything_removed(repo: Path, remove: str) -> None:
    stack = repo / "infra" / "Pulumi.prod.yaml"
    if remove == "file":
        stack.unlink()
    else:
        shutil.rmtree(stack.parent)
    result = run("--base", "main", str(stack), "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert (document["old"], document["new"]) == ("main:infra/Pulumi.prod.yaml", f"{stack} (deleted)")
    assert {(f["level"], f["rule"]) for f in document["findings"]} >= {("high", "policy-removed"),
                                                                       ("high", "coverage-lost")}
    assert {c["op"] for c in document["resources"]["changes"]} == {"delete"}


def test_a_missing_stack_file_is_refused(repo: Path, tmp_path: Path) -> None:
    """Not at the base either (a typo), or without --base: nothing says what the file was."""
    typo = repo / "infra" / "Pulumi.prdo.yaml"
    at_base = run("--base", "main", str(typo))
    assert at_base.exit_code == 2  # a usage error, as for `check` and `plan`
    assert "Pulumi.prdo.yaml does not exist, neither in the working tree nor at main" in at_base.stderr
    result = run(str(PROD), str(tmp_path / "Pulumi.gone.yaml"))
    assert result.exit_code == 2
    assert "no such stack file:" in result.stderr and "Pulumi.gone.yaml" in result.stderr
