"""Every checked-in stack file validates, and stack files are read the way Pulumi reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.errors import ConfigError
from policies.validation import load_stack_file

ROOT = Path(__file__).resolve().parents[2]
STACK_FILES = sorted(ROOT.glob("Pulumi.*.yaml")) + sorted((ROOT / "examples").glob("**/Pulumi.*.yaml"))


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_checked_in_stack_files_are_valid(path: Path) -> None:
    stack = load_stack_file(path)
    assert stack.policies or stack.restores or stack.organization
    assert stack.name == path.name[len("Pulumi."):-len(".yaml")]


def test_the_example_stacks_exist() -> None:
    assert {p.name for p in STACK_FILES} >= {"Pulumi.dev.yaml", "Pulumi.prod.yaml"}


def test_prod_uses_every_layer_the_issue_asks_for() -> None:
    policy = load_stack_file(ROOT / "Pulumi.prod.yaml").policies[0]
    assert policy.backup is not None and policy.snapshots is not None and policy.notifications is not None
    assert [r.name for r in policy.backup.rules] == ["daily", "weekly", "monthly-7-year"]
    copies = [c for r in policy.backup.rules for c in r.copy_actions]
    assert {c.region for c in copies} >= {"us-west-2"} and any(c.destination_account_id for c in copies)
    assert policy.backup.vault.lock is not None and policy.backup.vault.lock.mode == "compliance"
    assert len(policy.snapshots.schedule) == 2
    assert policy.snapshots.cross_region_copy is not None and policy.snapshots.cross_region_copy.kms_key_id


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unprefixed_keys_belong_to_the_project_namespace(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  aws:region: us-east-1\n  policies: []\n  polices: []\n")
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    assert [p.path for p in exc.value.problems] == ["polices"]


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  aws:region: us-east-1\n  redshift-backup:policies: [\n")
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    assert "is not valid YAML at line" in exc.value.render()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_stack_file(tmp_path / "Pulumi.nope.yaml")
    assert "cannot read the file" in exc.value.render()


def test_other_namespaces_are_left_alone(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  aws:region: us-east-1\n  aws:profile: dev\n  pulumi:tags: {a: b}\n"
                           "  redshift-backup:policies: []\n")
    assert load_stack_file(path).policies == []


def test_duplicate_keys_are_errors_with_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n"
                           "  aws:region: us-east-1\n"
                           "  redshift-backup:policies:\n"
                           "    - name: analytics\n"
                           "      selection: {clusters: [analytics]}\n"
                           "      backup: {rules: [{name: daily, delete_after_days: 35, delete_after_days: 1}]}\n"
                           "  redshift-backup:policies: []\n")
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    assert [p.render() for p in exc.value.problems] == [
        "policies[0].backup.rules[0].delete_after_days: is given twice, on line 6; YAML would silently keep only "
        "the last one: remove one",
        "policies: is given twice, at lines 3 and 7; YAML would silently keep only the last one: remove one"]


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.latin1.yaml"
    path.write_bytes("config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n    - name: caf\u00e9\n"
                     .encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    assert [p.render() for p in exc.value.problems] == [
        "<root>: is not UTF-8 text (byte 0xe9 at line 4); Pulumi reads stack files as UTF-8: save it in that "
        "encoding"]


@pytest.mark.parametrize("namespace", ["redshift-backups", "redshift_backup", "Redshift-Backup", "redshiftbackup"])
def test_a_misspelt_namespace_is_an_error(tmp_path: Path, namespace: str) -> None:
    path = write(tmp_path, f"config:\n  aws:region: us-east-1\n  {namespace}:policies: []\n")
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    assert [p.render() for p in exc.value.problems] == [
        f"{namespace}:policies: unknown namespace {namespace!r}; did you mean redshift-backup:policies? (keys of other "
        "namespaces are ignored, so this config would not be read)"]


def test_secret_values_in_a_stack_file(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  aws:region: us-east-1\n  redshift-backup:policies:\n"
                           "    secure: AAABADm0cmV0\n")
    with pytest.raises(ConfigError) as exc:
        load_stack_file(path)
    (problem,) = exc.value.problems
    assert (problem.path, problem.message.split(";")[0]) == ("policies", "is a Pulumi secret ({secure: ...})")


@pytest.mark.parametrize(("file_name", "stack"), [("Pulumi.prod.yaml", "prod"), ("Pulumi.prod.yml", "prod"),
                                                   ("Pulumi.eu.prod.yaml", "eu.prod"), ("base.yaml", None)])
def test_the_stack_is_named_by_its_file(tmp_path: Path, file_name: str, stack: str | None) -> None:
    path = tmp_path / file_name
    path.write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    assert load_stack_file(path).name == stack
