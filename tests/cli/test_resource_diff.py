"""The resource view of `diff` (redshift_backup/resource_diff.py): both sides run under the mock runtime, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policies.validation import load_stack_file
from redshift_backup.assumptions import ACCOUNT, account_of
from redshift_backup.cli import main
from redshift_backup.mockrun import Registration
from redshift_backup.plan import stack_file_config
from redshift_backup.resource_diff import compare, input_changes, resource_diff

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "Pulumi.prod.yaml"
WEAKENED = ROOT / "tests" / "cli" / "stacks" / "Pulumi.prod-weakened.yaml"
NOW = "2026-11-22T03:00:00Z"


@pytest.fixture(scope="module")
def weakened() -> Any:
    old, new = load_stack_file(PROD), load_stack_file(WEAKENED)
    return resource_diff(stack_file_config(PROD), stack_file_config(WEAKENED), stack="prod",
                         account=account_of(new, old).id, policies=["prod-analytics"])


def test_the_weakened_prod_example(weakened: Any) -> None:
    assert weakened.counts() == {"create": 0, "delete": 4, "update": 4, "replace": 3, "update_or_replace": 0}
    assert weakened.unchanged == 42
    by_name = {c.name: c for c in weakened.changes}
    lock = by_name["prod-analytics-vault-lock"]
    assert (lock.op, lock.symbol, lock.protect, lock.component) == ("replace", "+-", True, "prod-analytics-vault")
    assert [(i.path, i.old, i.new, i.effect) for i in lock.inputs] == [("changeableForDays", "3", "unset", "replace")]
    selection = by_name["prod-analytics-selection-clusters"]
    assert (selection.op, selection.inputs[0].removed) == (
        "replace", ("arn:aws:redshift:us-east-1:111122223333:cluster:finance-prod",))
    plan = by_name["prod-analytics-plan"]
    assert (plan.op, [i.path for i in plan.inputs]) == ("update", ["rules[daily].copyActions"])
    retention = by_name["prod-analytics-snapshots-analytics-prod-retention"]
    assert [(i.path, i.old, i.new) for i in retention.inputs] == [("automated_snapshot_retention_days", "7", "1")]
    assert by_name["prod-analytics-snapshots-finance-prod-copy"].op == "delete"
    # Everything is owned by the one policy, grouped by the component it sits in.
    (policy, components), = weakened.groups()
    assert policy == "prod-analytics"
    assert [c for c, _ in components] == ["prod-analytics", "prod-analytics-vault", "prod-analytics-vault-us-west-2",
                                          "prod-analytics-notifications", "prod-analytics-snapshots"]


def test_no_change_is_all_unchanged_and_a_new_stack_is_all_created() -> None:
    config = stack_file_config(ROOT / "Pulumi.dev.yaml")
    same = resource_diff(config, config, stack="dev", account=ACCOUNT, policies=["dev-daily"])
    assert same.changes == () and same.unchanged == 8  # components are counted too
    new = resource_diff(None, config, stack="dev", account=ACCOUNT, policies=["dev-daily"])
    assert {c.op for c in new.changes} == {"create"} and new.unchanged == 0 and len(new.changes) == 8


def test_a_program_that_fails_on_one_side_is_reported_not_compared() -> None:
    broken = {"aws:region": "us-east-1", "redshift-backup:policies": "not a list"}
    result = resource_diff(broken, stack_file_config(ROOT / "Pulumi.dev.yaml"), stack="dev", account=ACCOUNT,
                           policies=[])
    assert result.old_error and result.new_error is None and result.changes == ()


def registration(type_: str, name: str, inputs: dict[str, Any]) -> Registration:
    return Registration(type=type_, name=name, urn=f"urn:pulumi:s::p::{type_}::{name}", parent=None, custom=True,
                        inputs=inputs, outputs={})


def test_what_is_not_known_to_replace_or_update_says_so() -> None:
    old = registration("aws:sns/topic:Topic", "topic", {"name": "a"})
    new = registration("aws:sns/topic:Topic", "topic", {"name": "b"})
    (change,) = compare({old.urn: old}, {new.urn: new}, {}, []).changes
    assert (change.op, change.symbol, change.inputs[0].effect) == ("update_or_replace", "~", "update or replace")
    assert change.inputs[0].text == "name: a -> b  (update or replace)"


def test_input_changes_name_items_parse_documents_and_ignore_order() -> None:
    old = {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 35}}, {"ruleName": "weekly"}],
           "policy": json.dumps({"Statement": [{"Sid": "deny", "Effect": "Deny"}]}),
           "definitions": ["cron(0 0 *)", "cron(0 12 *)"]}
    new = {"rules": [{"ruleName": "weekly"}, {"ruleName": "daily", "lifecycle": {"deleteAfter": 7}}],
           "policy": json.dumps({"Statement": [{"Sid": "deny", "Effect": "Allow"}]}),
           "definitions": ["cron(0 12 *)", "cron(0 0 *)"]}
    changes = input_changes("aws:backup/plan:Plan", old, new)
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("policy.Statement[deny].Effect", "Deny", "Allow"), ("rules[daily].lifecycle.deleteAfter", "35", "7")]


def test_diff_shows_both_views_in_every_format() -> None:
    args = ["diff", str(PROD), str(WEAKENED), "--now", NOW]
    text = CliRunner().invoke(main, args).stdout
    assert "Backup policy diff: 7 high" in text and "4 to delete, 4 to update, 3 to replace; 42 unchanged" in text
    assert re.search(r"^    \+- prod-analytics-vault-lock \(protected\)  aws:backup:VaultLockConfiguration", text,
                     re.MULTILINE)
    markdown = CliRunner().invoke(main, [*args, "--format", "markdown"]).stdout
    assert "### Resources" in markdown and "<details><summary>policy <code>prod-analytics</code>" in markdown
    document = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    assert document["resources"]["counts"]["replace"] == 3
    assert document["assumptions"] == [
        "Account 111122223333 is the one the config's ARNs name (its own clusters, namespaces, vaults or roles)."]
    without = json.loads(CliRunner().invoke(main, [*args, "--format", "json", "--no-resources"]).stdout)
    assert "resources" not in without and "assumptions" not in without


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_an_unknown_account_is_a_visible_placeholder_said_once(fmt: str, tmp_path: Path) -> None:
    # The base excluded a cluster: the changed input is an ARN in the stack's account, which no ARN names.
    old = tmp_path / "Pulumi.dev.yaml"
    old.write_text((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8").replace(
        "              value: daily\n", "              value: daily\n        not_resources: [scratch]\n"),
        encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old), str(ROOT / "Pulumi.dev.yaml"), "--format", fmt,
                                       "--now", NOW, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("`<account>`: the stack's AWS account id") == 1
    assert "123456789012" not in out
    assert "arn:aws:redshift:us-east-1:<account>:cluster:scratch" in out
    if fmt == "json":
        assert json.loads(out)["assumptions"][0].startswith("Placeholders for values known only in AWS")


def excerpt(doc: Path, start: str) -> list[str]:
    """The lines of the first ```markdown block after `start` in a document."""
    text = doc.read_text(encoding="utf-8")
    block = text[text.index("```markdown", text.index(start)) + len("```markdown"):]
    return block[:block.index("```")].strip("\n").splitlines()


@pytest.mark.parametrize(("doc", "start"), [("README.md", "An excerpt of the comment"),
                                            ("docs/review.md", "What a reviewer reads")])
def test_the_documented_excerpts_are_real_output(doc: str, start: str) -> None:
    """Every table row, summary and heading shown is a line of the pinned output (only rows are left out)."""
    golden = (ROOT / "tests" / "cli" / "golden" / "diff-prod-weakened.md").read_text(encoding="utf-8").splitlines()
    lines = excerpt(ROOT / doc, start)
    shown = [line for line in lines if line.startswith(("| ", "<details>", "From the program", "> Account", "##"))]
    assert len(shown) >= 10
    assert [line for line in shown if line not in golden] == []


def test_the_pr_comment_shows_both_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review (redshift_backup/review.py) of a pull request that weakens prod: findings, then resources."""
    import shutil
    import subprocess

    from redshift_backup import review

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    shutil.copy(PROD, tmp_path / "Pulumi.prod.yaml")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    shutil.copy(WEAKENED, tmp_path / "Pulumi.prod.yaml")
    monkeypatch.chdir(tmp_path)
    parts = review.review("main", "high", *review.stack_files("main"))
    body = "\n".join(parts.head)
    findings, resources = body.index("| Risk | Where | Change |"), body.index("### Resources")
    assert findings < resources
    assert "**4 to delete, 4 to update, 3 to replace**; 42 unchanged" in body
    assert "| `+-` | prod-analytics-vault-lock (protected) | `aws:backup:VaultLockConfiguration` |" in body
    assert body.count("Account 111122223333 is the one the config's ARNs name") == 1
