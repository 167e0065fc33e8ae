"""`redshift-backup plan`: the resource list from a mock run, input selection, exit codes, text vs terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
import yaml
from click.testing import CliRunner

from policies.summary import summarize
from policies.validation import load_stack_file
from redshift_backup import render
from redshift_backup.cli import main, stack_name_of
from redshift_backup.plan import (
    KNOWN_AFTER_APPLY,
    SECRET_SIG,
    UNKNOWN,
    PlannedResource,
    ProgramFailed,
    ReviewInput,
    resource_plan,
    review_inputs,
    value_lines,
    value_text,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T03:00:00Z"


class Parent(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("redshift-backup:index:Example", name, None, None)
        vault = aws.backup.Vault(f"{name}-vault", name=f"{name}-vault", tags={"a": "b"},
                                 opts=pulumi.ResourceOptions(parent=self, protect=True))
        aws.backup.VaultLockConfiguration(f"{name}-lock", backup_vault_name=vault.name, min_retention_days=7,
                                          max_retention_days=35, opts=pulumi.ResourceOptions(parent=self))
        aws.backup.Plan(f"{name}-plan", name=f"{name}-plan", rules=[aws.backup.PlanRuleArgs(
            rule_name="daily", target_vault_name=vault.name, schedule="cron(0 5 ? * * *)",
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=35),
            copy_actions=[aws.backup.PlanRuleCopyActionArgs(destination_vault_arn="arn:aws:backup:us-west-2:1:x")])],
            opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def program() -> None:
    Parent("analytics")
    aws.sns.Topic("events", name="events", policy="{}")


def pairs(inputs: tuple[ReviewInput, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((i.key, i.text) for i in inputs)


def test_resource_plan_records_type_name_parent_protect_and_review_inputs() -> None:
    resources = resource_plan({"aws:region": "us-east-1"}, program=program)
    by_name = {r.name: r for r in resources}
    # Tree order: each parent before its children, siblings by name.
    assert list(by_name) == ["analytics", "analytics-lock", "analytics-plan", "analytics-vault", "events"]
    assert (by_name["analytics"].type, by_name["analytics"].custom, by_name["analytics"].inputs) == (
        "redshift-backup:index:Example", False, ())
    vault = by_name["analytics-vault"]
    assert (vault.parent, vault.protect, pairs(vault.inputs)) == ("analytics", True, (("name", "analytics-vault"),))
    assert [(r.depth, r.region) for r in resources] == [(0, "us-east-1"), (1, "us-east-1"), (1, "us-east-1"),
                                                         (1, "us-east-1"), (0, "us-east-1")]
    # The mocks echo inputs as outputs, so an input taken from another resource's output is known here.
    assert pairs(by_name["analytics-lock"].inputs) == (
        ("backupVaultName", "analytics-vault"), ("minRetentionDays", "7"), ("maxRetentionDays", "35"))
    assert pairs(by_name["analytics-plan"].inputs) == (
        ("name", "analytics-plan"), ("rules", "daily cron(0 5 ? * * *) kept 35d +1 copy"))
    assert (by_name["events"].parent, pairs(by_name["events"].inputs)) == (None, (("name", "events"),))


class Regional(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("redshift-backup:index:Regional", name, None, opts)
        key = aws.kms.Key(f"{name}-key", description="copy key", opts=pulumi.ResourceOptions(parent=self))
        aws.backup.Vault(f"{name}-vault", name=name, kms_key_arn=key.arn, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def regional_program() -> None:
    west = aws.Provider("aws-us-west-2", region="us-west-2")
    Regional("copy", pulumi.ResourceOptions(provider=west))
    aws.kms.Key("home-key", description="home key")
    aws.kms.Key("own-region-key", description="placed by its own input", region="eu-central-1")


def test_each_resource_names_the_region_of_its_provider() -> None:
    resources = resource_plan({"aws:region": "us-east-1"}, program=regional_program)
    regions = {r.name: r.region for r in resources}
    assert regions == {"aws-us-west-2": "us-west-2", "copy": "us-west-2", "copy-key": "us-west-2",
                       "copy-vault": "us-west-2", "home-key": "us-east-1", "own-region-key": "eu-central-1"}
    # The mock ARN of a resource placed through the provider is in the provider's region.
    (vault,) = [r for r in resources if r.name == "copy-vault"]
    assert dict(pairs(vault.inputs))["kmsKeyArn"] == "arn:aws:kms:us-west-2:123456789012:copy-key"


def test_a_failing_program_is_reported_with_its_error_type() -> None:
    def broken() -> None:
        raise KeyError("no such policy")

    with pytest.raises(ProgramFailed, match="KeyError: 'no such policy'"):
        resource_plan({"aws:region": "us-east-1"}, program=broken)


def test_dynamic_resources_show_their_inputs_but_never_the_pickled_provider() -> None:
    inputs = {"__provider": "gASV...", "cluster_identifier": "analytics", "automated_snapshot_retention_days": 7.0,
              "region": "us-east-1"}
    assert pairs(review_inputs("pulumi-python:dynamic/redshift-backup:SnapshotRetention", inputs)) == (
        ("automated_snapshot_retention_days", "7"), ("cluster_identifier", "analytics"))
    assert review_inputs("aws:some/unknown:Type", inputs) == ()


@pytest.mark.parametrize(("value", "text"), [
    (UNKNOWN, KNOWN_AFTER_APPLY), ({SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "value": "pw"}, "[secret]"),
    (True, "true"), (35.0, "35"), (["a", "b"], "a, b"), ({"k": [1.0, UNKNOWN]}, '{"k": [1, "(known after apply)"]}'),
    ("x" * 150, "x" * 150),
])
def test_value_text_is_never_shortened(value: object, text: str) -> None:
    assert value_text(value) == text


@pytest.mark.parametrize(("value", "lines"), [
    (["a", "b"], ("a", "b")), ({"b": 1.0, "a": {"x": "y"}}, ("a: {\"x\": \"y\"}", "b: 1")),
    ('{"Version": "2012-10-17"}', ("{", '  "Version": "2012-10-17"', "}")), ("{not json", ("{not json",)),
    ({SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "value": "pw"}, ("[secret]",)), ("x", ("x",)),
])
def test_value_lines_put_each_item_on_its_own_line(value: object, lines: tuple[str, ...]) -> None:
    assert value_lines(value) == lines


def test_no_format_shortens_a_selection_of_many_clusters(tmp_path: Path) -> None:
    clusters = [f"arn:aws:redshift:us-east-1:111122223333:cluster:warehouse-{n:02d}-{'x' * 30}" for n in range(6)]
    stack = tmp_path / "Pulumi.many.yaml"
    stack.write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1", "redshift-backup:policies": [
        {"name": "many", "selection": {"clusters": clusters}, "backup": {"rules": [{"name": "daily",
                                                                                   "preset": "daily"}]}}]}}),
        encoding="utf-8")
    outputs = {}
    for fmt in ("text", "markdown", "json"):
        result = CliRunner().invoke(main, ["plan", str(stack), "--format", fmt, "--now", NOW])
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout
    (selection,) = [r for r in json.loads(outputs["json"])["resources"] if r["type"] == "aws:backup/selection:Selection"]
    assert selection["inputs"]["resources"] == ", ".join(clusters)
    for fmt, start, line_end in (("text", "Resources the program declares", "$"), ("markdown", "<details>", r"`(<br>| \|)")):
        resources = outputs[fmt][outputs[fmt].index(start):]
        assert "..." not in resources, fmt
        # One cluster per line: each ARN starts its line (after the key or the indentation) and ends it.
        for arn in clusters:
            assert re.search(rf"(^ *resources: | +|<br>`){re.escape(arn)}{line_end}", resources, re.MULTILINE), fmt


def test_an_invalid_stack_file_exits_one_with_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  redshift-backup:policies:\n    - name: X\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", str(broken), "--now", NOW])
    assert result.exit_code == 1
    assert "aws:region: is required" in result.stderr
    assert "policies[0].name" in result.stderr and "policies[0].selection" in result.stderr


@pytest.mark.parametrize("args", [[], ["Pulumi.dev.yaml", "--format", "yaml"], ["Pulumi.dev.yaml", "--now", "x"],
                                  ["Pulumi.no-such-stack.yaml"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    assert CliRunner().invoke(main, ["plan", *args]).exit_code == 2


def test_piped_text_is_plain_and_a_terminal_gets_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    summary = summarize(load_stack_file(ROOT / "Pulumi.dev.yaml"), render_now())
    resources = (PlannedResource("aws:sns/topic:Topic", "t", None, False, True, (ReviewInput("name", "t", ("t",)),),
                                 "us-east-1"),)
    piped = render.plan_text(summary, resources, None, tty=False)
    assert "\x1b[" not in piped and "+---" in piped and "| tag backup =" in piped
    monkeypatch.setenv("COLUMNS", "160")  # a terminal wide enough for the matrix as a table
    terminal = render.plan_text(summary, resources, None, tty=True)
    assert "\x1b[" in terminal and "╭" in terminal
    monkeypatch.setenv("COLUMNS", "60")  # too narrow: a list per target, nothing broken
    narrow = render.plan_text(summary, resources, None, tty=True)
    assert "╭" not in narrow and "does not fit in 60 columns" in narrow


def test_plan_json_shape() -> None:
    summary = summarize(load_stack_file(ROOT / "Pulumi.prod.yaml"), render_now())
    document = json.loads(render.to_json(render.plan_document(summary, None, "boom")))
    assert (document["format"], document["version"]) == ("redshift-backup/plan", 1)
    assert (document["resources"], document["resources_error"]) == (None, "boom")
    row = document["protection"][0]
    assert (row["target"]["label"], row["rpo_minutes"], row["rpo_text"], row["layers"]) == (
        "analytics-prod", 720, "12 hours", ["AWS Backup", "native snapshots"])
    assert row["next_times"][0] == {"time": "2026-11-22T05:00:00Z", "labels": ["prod-analytics/daily (AWS Backup)"]}


def render_now():  # noqa: ANN201 (a tiny helper)
    from redshift_backup.cli import parse_now

    return parse_now(None, None, NOW)


def test_selection_conditions_read_as_a_sentence() -> None:
    inputs = {"name": "sel", "conditions": [{"stringEquals": [{"key": "aws:ResourceTag/tier", "value": "1"}],
                                             "stringNotEquals": [{"key": "aws:ResourceTag/backup", "value": "none"}]}]}
    assert pairs(review_inputs("aws:backup/selection:Selection", inputs)) == (
        ("name", "sel"), ("conditions", "aws:ResourceTag/tier = 1 and aws:ResourceTag/backup != none"))


def test_the_region_is_not_repeated_among_the_inputs() -> None:
    inputs = {"snapshotCopyGrantName": "g", "region": "us-west-2", "description": "noise"}
    assert pairs(review_inputs("aws:redshift/snapshotCopyGrant:SnapshotCopyGrant", inputs)) == (
        ("snapshotCopyGrantName", "g"),)


def test_text_names_and_types_are_never_wrapped_and_show_their_region() -> None:
    """Every resource is one line: its whole name (indented under its parent), region and type."""
    args = ["plan", str(ROOT / "Pulumi.prod.yaml"), "--now", NOW]
    document = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    lines = CliRunner().invoke(main, args).stdout.splitlines()
    for resource in document["resources"]:
        name = resource["name"] + (" (protected)" if resource["protect"] else "")
        pattern = rf"^ *{re.escape(name)} +{resource['region']} +{re.escape(render.short_type(resource['type']))}$"
        assert any(re.match(pattern, line) for line in lines), resource["name"]
    west = [r for r in document["resources"] if r["region"] == "us-west-2"]
    assert {r["name"] for r in west} >= {"aws-us-west-2", "prod-analytics-vault-us-west-2",
                                         "prod-analytics-vault-us-west-2-key", "prod-analytics-vault-us-west-2-lock",
                                         "prod-analytics-snapshots-copy-grant"}


def test_a_stack_file_not_named_after_its_stack_is_named_by_its_stem_or_by_stack(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", str(base), "--format", "json", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stack"]["name"] == "base"
    result = CliRunner().invoke(main, ["plan", str(base), "--stack", "staging", "--now", NOW])
    assert result.stdout.startswith(f"Backup plan for stack staging ({base})")
    spaced = tmp_path / "my stack.yaml"
    spaced.write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", str(spaced), "--now", NOW])
    assert result.exit_code == 2
    assert "give --stack NAME" in result.stderr
    assert CliRunner().invoke(main, ["plan", str(base), "--stack", "a b"]).exit_code == 2


@pytest.mark.parametrize(("file", "name"), [("Pulumi.prod.yaml", "prod"), ("Pulumi.prod.yml", "prod"),
                                            ("Pulumi.eu.prod.yaml", "eu.prod"), ("base.yaml", "base")])
def test_stack_name_of(file: str, name: str) -> None:
    assert stack_name_of(Path(file)) == name


def test_plan_json_without_a_scheduled_backup_has_null_rpo() -> None:
    from policies.validation import validate_config

    stack = validate_config({"policies": [{"name": "native-only", "selection": {"clusters": ["analytics"]},
                                           "snapshots": {"automated_snapshot_retention_days": 5}}]}, "us-east-1")
    document = render.plan_document(summarize(stack, render_now()), (), None)
    (row,) = document["protection"]
    assert (row["rpo_minutes"], row["rpo_text"], row["next_times"], row["longest_retention_days"]) == (
        None, "unknown", [], 5)
    assert document["policies"][0]["rules"] == [] and document["policies"][0]["vault"] is None
