"""The real `__main__.py` under mocks for the example stacks: the AWS Backup path it registers, as a reviewer reads it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from policies.errors import ConfigError
from redshift_backup.mockrun import ProgramRun, RecordingMocks, Registration, run_program

ROOT = Path(__file__).resolve().parents[2]
OURS = ("redshift-backup:index:RedshiftBackupPolicy", "redshift-backup:index:BackupNotifications")


def stack_config(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text(encoding="utf-8"))["config"]


def backup_path(run: ProgramRun) -> list[Registration]:
    """The registrations of the AWS Backup path: our components and everything below them."""
    by_urn = {r.urn: r for r in run.registrations}

    def ours(r: Registration | None) -> bool:
        while r is not None:
            if r.type in OURS:
                return True
            r = by_urn.get(r.parent) if r.parent else None
        return False

    return [r for r in run.registrations if ours(r)]


def shown(value: Any, indent: int | None = None) -> str:
    """JSON of an input; a value the preview cannot know yet shows as <unknown>."""
    return json.dumps(value, sort_keys=True, indent=indent, default=lambda o: f"<{type(o).__name__.lower()}>")


def readable(value: Any) -> Any:
    """Policy documents arrive as JSON strings: show them as the documents they are."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def render(run: ProgramRun) -> str:
    """The AWS Backup path as an indented tree, each resource with its inputs: what `pulumi up` would create."""
    mine = backup_path(run)
    children: dict[str | None, list[Registration]] = {}
    for r in mine:
        children.setdefault(r.parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            flags = ["protected"] if r.protect else []
            if r.provider:  # "urn:...::pulumi:providers:aws::<name>::<id>"
                flags.append(f"provider {r.provider.split('::')[3]}")
            lines.append("  " * depth + f"{r.type} {r.name}" + (f" [{', '.join(flags)}]" if flags else ""))
            pad = "  " * (depth + 2)
            for key, value in sorted(r.inputs.items()):
                # One line per leaf: a changed rule or ARN is one changed line in the snapshot diff.
                text = shown(readable(value), indent=2).replace("\n", "\n" + pad)
                lines.append(f"{pad}{key}: {text}")
            walk(r.urn, depth + 1)

    walk(None, 0)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_example_stacks_render_the_golden_graph(stack: str, snapshot: Any) -> None:
    # The snapshot is the preview; `pulumi up` (mock outputs known) registers the very same inputs.
    preview = render(run_program(stack_config(stack), preview=True, stack=stack))
    assert preview == snapshot
    assert render(run_program(stack_config(stack), preview=False, stack=stack)) == preview


def test_dev_stack_registers_one_tag_selection_into_an_unprotected_vault() -> None:
    run = run_program(stack_config("dev"), preview=True, stack="dev")
    graph = {(r.type, r.name, r.parent_name) for r in backup_path(run)}
    assert graph == {
        ("redshift-backup:index:RedshiftBackupPolicy", "dev-daily", None),
        ("redshift-backup:index:BackupVault", "dev-daily-vault", "dev-daily"),
        ("aws:backup/vault:Vault", "dev-daily-vault", "dev-daily-vault"),
        ("aws:iam/role:Role", "dev-daily-role", "dev-daily"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dev-daily-role-backup", "dev-daily"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dev-daily-role-restores", "dev-daily"),
        ("aws:backup/plan:Plan", "dev-daily-plan", "dev-daily"),
        ("aws:backup/selection:Selection", "dev-daily-selection-tagged", "dev-daily"),
    }
    assert not any(r.protect for r in backup_path(run))
    selection = run.named("dev-daily-selection-tagged").inputs
    assert selection["conditions"] == [{"stringEquals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}]
    assert selection["resources"] == ["arn:aws:redshift:us-east-1:123456789012:cluster:*"]
    rules = run.named("dev-daily-plan").inputs["rules"]
    assert [(r["ruleName"], r["lifecycle"]["deleteAfter"]) for r in rules] == [("daily", 35)]


def test_prod_stack_shares_one_notifications_topic_between_layers() -> None:
    run = run_program(stack_config("prod"), preview=False, stack="prod")
    (topic,) = [r for r in run.registrations if r.type == "aws:sns/topic:Topic"]
    assert run.named("prod-analytics-vault-notifications").inputs["snsTopicArn"] == topic.outputs["arn"]
    assert topic.parent_name == "prod-analytics-notifications"
    protected = {r.name for r in backup_path(run) if r.protect}
    assert {"prod-analytics-vault", "prod-analytics-vault-key", "prod-analytics-vault-us-west-2"} <= protected


def snapshot_rows(run: ProgramRun) -> list[tuple[str, str, str | None, str]]:
    return sorted((r.type, r.name, r.parent_name, shown(r.inputs)) for r in run.registrations)


def test_two_evaluations_of_the_program_register_identical_resources(stack: str) -> None:
    config = stack_config(stack)
    assert snapshot_rows(run_program(config, stack=stack)) == snapshot_rows(run_program(config, stack=stack))


def test_changing_one_policy_changes_no_resource_of_another() -> None:
    config = stack_config("prod")
    extra = {"name": "orders", "selection": {"clusters": ["orders-prod"]},
             "backup": {"rules": [{"name": "daily", "delete_after_days": 14}]}}
    config["redshift-backup:policies"] = [*config["redshift-backup:policies"], extra]
    before = run_program(config, stack="prod")
    changed = copy.deepcopy(config)
    changed["redshift-backup:policies"][1]["backup"]["rules"][0]["delete_after_days"] = 30
    after = run_program(changed, stack="prod")
    differing = {row[1] for row in set(snapshot_rows(before)) ^ set(snapshot_rows(after))}
    assert differing == {"orders-plan"}


def test_a_backup_layer_contradiction_registers_nothing() -> None:
    config = stack_config("prod")
    broken = copy.deepcopy(config["redshift-backup:policies"][0])
    broken["backup"]["rules"][0]["delete_after_days"] = 10  # below the vault lock minimum of 30 days
    config["redshift-backup:policies"] = [broken]
    mocks = CountingMocks()
    with pytest.raises(ConfigError, match=r"rules\[0\]\.delete_after_days: 10 days is below the vault lock"):
        run_program(config, stack="prod", mocks=mocks)
    assert mocks.created == []


class CountingMocks(RecordingMocks):
    """Recording mocks that also keep the name of every resource they were asked to create."""

    def __init__(self) -> None:
        super().__init__()
        self.created: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.created.append(args.name)
        return super().new_resource(args)


class CallCountingMocks(RecordingMocks):
    """Recording mocks that count the provider functions the program calls, by token."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.tokens.append(args.token)
        return super().call(args)


def test_the_stack_looks_up_its_account_once_for_every_policy() -> None:
    config = stack_config("prod")
    extra = {"name": "orders", "selection": {"clusters": ["orders-prod"]}, "notifications": {"emails": ["a@b.co"]},
             "backup": {"rules": [{"name": "daily", "delete_after_days": 14}]}}
    config["redshift-backup:policies"] = [*config["redshift-backup:policies"], extra]
    mocks = CallCountingMocks()
    run = run_program(config, stack="prod", preview=False, mocks=mocks)
    assert mocks.tokens.count("aws:index/getCallerIdentity:getCallerIdentity") == 1
    assert run.named("orders-selection-clusters").inputs["resources"] == [
        "arn:aws:redshift:us-east-1:123456789012:cluster:orders-prod"]
    assert '"AWS:SourceOwner": "123456789012"' in run.named("orders-notifications-topic-policy").inputs["policy"]
