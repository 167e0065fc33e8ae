"""The PR review (redshift_backup/review.py): every stack's diff before any plan, deleted stacks reviewed, the
comment found by its marker and edited, the cut that keeps the diffs. `gh` is a fake on PATH; no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redshift_backup import review
from redshift_backup.review import MARKER, Review, StackFile, comment_text, cut, preview_matrix

FAKE_BIN = Path(__file__).resolve().parent / "fake_bin"  # holds the fake `gh`


def policy(name: str, delete_after_days: int = 35) -> dict[str, object]:
    return {"config": {"aws:region": "us-east-1", "redshift-backup:policies": [
        {"name": name, "selection": {"clusters": [f"{name}-cluster"]},
         "backup": {"rules": [{"name": "daily", "schedule": "cron(0 5 * * ? *)",
                               "delete_after_days": delete_after_days}]}}]}}


def write(path: Path, document: dict[str, object]) -> None:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A `gh` on PATH; returns (its log, the comment listing it answers with)."""
    log, comments = tmp_path / "gh.log", tmp_path / "comments.json"
    comments.write_text("[]", encoding="utf-8")
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_LOG", str(log))
    monkeypatch.setenv("FAKE_GH_COMMENTS", str(comments))
    return log, comments


def calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_review_of_a_changed_a_deleted_and_a_new_stack(tmp_path: Path, fake_gh: tuple[Path, Path]) -> None:
    log, comments = fake_gh
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo / "Pulumi.changed.yaml", policy("changed"))
    write(repo / "Pulumi.deleted.yaml", policy("deleted"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    # The pull request: a retention cut (a high finding), a stack file removed, one added.
    write(repo / "Pulumi.changed.yaml", policy("changed", delete_after_days=7))
    (repo / "Pulumi.deleted.yaml").unlink()
    write(repo / "Pulumi.new.yaml", policy("new"))
    # An older review comment, and Pulumi's preview comment posted after it by the same bot.
    comments.write_text(json.dumps([
        {"id": 3, "body": "looks fine to me", "user": {"type": "User"}},
        {"id": 7, "body": f"{MARKER}\nthe previous review", "user": {"type": "Bot"}},
        {"id": 9, "body": "#### :tropical_drink: `preview` on changed", "user": {"type": "Bot"}}]), encoding="utf-8")

    done = subprocess.run([sys.executable, "-m", "redshift_backup.review"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "BASE": "main", "PR": "5", "GITHUB_REPOSITORY": "owner/repo"},
                          timeout=120, check=False)

    assert done.returncode == 1, done.stdout + done.stderr  # the retention cut is high: the job fails after posting
    assert "Traceback" not in done.stderr and "cannot run gh" not in done.stderr, done.stderr
    (listing, edit) = calls(log)
    assert listing["args"][:2] == ["api", "--paginate"] and "repos/owner/repo/issues/5/comments" in listing["args"][2]
    assert edit["args"] == ["api", "--method", "PATCH", "repos/owner/repo/issues/comments/7", "--input", "-"]
    body = json.loads(str(edit["stdin"]))["body"]
    assert body == (repo / "comment.md").read_text(encoding="utf-8") == (repo / "review.md").read_text("utf-8")
    assert body.startswith(MARKER + "\n")
    first_plan = body.index("<details><summary>Full plan of")
    for name in ("Pulumi.changed.yaml", "Pulumi.deleted.yaml", "Pulumi.new.yaml"):
        assert body.index(f"**`{name}`**") < first_plan, name
    assert "**`Pulumi.deleted.yaml`** (deleted on this branch)" in body
    deleted = body[body.index("**`Pulumi.deleted.yaml`**"):first_plan]
    assert "policy-removed" in deleted or "no longer" in deleted, deleted  # compared with an empty stack
    assert "cannot read" not in body
    assert "::error::diff of `Pulumi.deleted.yaml`" in done.stdout  # removing a stack's protection is high
    assert "**`Pulumi.new.yaml`** (added on this branch)" in body
    assert "retention" in body[:first_plan]  # the finding is in the diffs part
    assert "Full plan of <code>Pulumi.deleted.yaml</code>" not in body  # nothing to plan or check
    assert "Pulumi.changed.yaml: valid" in body and "Pulumi.new.yaml: valid" in body
    assert body.count("<details") == body.count("</details>")
    assert "::error::diff of `Pulumi.changed.yaml`" in done.stdout
    # The retention cut is annotated on the changed line of its policy (delete_after_days), in the new file.
    changed_line = next(i for i, line in enumerate((repo / "Pulumi.changed.yaml").read_text().splitlines(), 1)
                        if "delete_after_days: 7" in line)
    assert f"::error file=Pulumi.changed.yaml,line={changed_line},title=redshift-backup diff%3A high risk" in done.stdout


def test_without_a_review_comment_one_is_created(fake_gh: tuple[Path, Path]) -> None:
    log, comments = fake_gh
    comments.write_text(json.dumps([{"id": 9, "body": "pulumi preview", "user": {"type": "Bot"}},
                                    {"id": 10, "body": f"quoting {MARKER}", "user": {"type": "Bot"}}]), "utf-8")
    assert review.post("owner/repo", "5", "text") == "created the review comment"
    create = calls(log)[-1]
    assert create["args"] == ["api", "--method", "POST", "repos/owner/repo/issues/5/comments", "--input", "-"]
    assert json.loads(str(create["stdin"])) == {"body": "text"}


def test_a_long_review_cuts_the_plans_only_on_a_line_and_closes_what_is_open() -> None:
    diffs = [MARKER, "## review", "**`Pulumi.prod.yaml`**", "| **HIGH** | policy `p` | copy removed |"]
    plan = ["<details><summary>Full plan of <code>Pulumi.prod.yaml</code></summary>", "",
            "<details><summary>Resources</summary>", *(f"| `aws:backup:Vault` | vault-é-{n} |" for n in range(5000)),
            "</details>", "</details>"]
    text = comment_text(Review(head=diffs, plans=plan), limit=20_000)
    assert len(text.encode("utf-8")) <= 20_000
    assert text.startswith("\n".join(diffs))
    lines = text.splitlines()
    assert all(line in diffs or line in plan or line.startswith("_Truncated") or line == "" for line in lines)
    assert text.count("<details") == text.count("</details>") == 2
    assert "job artifact `redshift-backup-review`" in lines[-1]


def test_a_cut_inside_a_code_block_closes_it() -> None:
    kept = cut(["<details>", "```text", *(f"error line {n}" for n in range(100))], budget=400)
    assert kept[-3:] == ["```", "", "</details>"] and "error line 99" not in kept
    assert len("\n".join(kept).encode("utf-8")) <= 400


def test_diffs_alone_too_long_are_cut_and_the_plans_dropped() -> None:
    text = comment_text(Review(head=[MARKER, *("x" * 100 for _ in range(500))], plans=["<details>", "plan"]),
                        limit=5_000)
    assert len(text.encode("utf-8")) <= 5_000 and "plan" not in text.splitlines()


def test_stack_files_are_the_union_of_the_base_and_the_working_tree(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    for name in ("Pulumi.a.yaml", "Pulumi.b.yaml", "Pulumi.yaml", "notes.yaml"):
        (tmp_path / name).write_text("config: {}\n", encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "Pulumi.a.yaml").unlink()
    (tmp_path / "Pulumi.c.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "Pulumi.d.yml").write_text("config: {}\n", encoding="utf-8")  # the rule check/plan/diff use
    stacks, error = review.stack_files("main", tmp_path)
    assert error is None
    assert [(s.path, s.state) for s in stacks] == [("Pulumi.a.yaml", "deleted"), ("Pulumi.b.yaml", ""),
                                                   ("Pulumi.c.yaml", "added"), ("Pulumi.d.yml", "added")]
    assert review.stack_files("no-such-ref", tmp_path)[1] is not None
    assert StackFile("x", at_base=True, in_tree=True).state == ""


def test_preview_matrix_from_the_stack_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "Pulumi.dev.yaml", {"config": {"aws:region": "eu-west-1"}})
    write(tmp_path / "Pulumi.drill.yaml", {"config": {"aws:region": "us-east-1"}})
    assert preview_matrix(tmp_path) == [{"stack": "dev", "region": "eu-west-1"},
                                        {"stack": "drill", "region": "us-east-1"}]
    assert preview_matrix(tmp_path, only="drill") == [{"stack": "drill", "region": "us-east-1"}]
    # No region, or no YAML: no preview, a warning, and the review job says what is wrong with the file.
    write(tmp_path / "Pulumi.noregion.yaml", {"config": {}})
    (tmp_path / "Pulumi.broken.yaml").write_text("config: [\n", encoding="utf-8")
    assert [m["stack"] for m in preview_matrix(tmp_path)] == ["dev", "drill"]
    warnings = capsys.readouterr().err
    assert "::warning::no preview of Pulumi.noregion.yaml: it has no aws:region" in warnings
    assert "::warning::no preview of Pulumi.broken.yaml: cannot read it" in warnings


def test_a_missing_gh_is_a_clear_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SystemExit, match="cannot run gh"):
        review.gh(["api", "user"])
