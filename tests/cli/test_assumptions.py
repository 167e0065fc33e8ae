"""What plan and diff assume offline (redshift_backup/assumptions.py): the account, ARN shapes, placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policies.validation import load_stack_file
from redshift_backup.assumptions import ACCOUNT, account_of, assumptions_lines, placeholders_in
from redshift_backup.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T03:00:00Z"
ACCOUNT_PART = r"(\d{12}|<account>)"
# The shapes AWS gives these ARNs; an unknown part may only be a visible placeholder.
KMS_ARN = re.compile(rf"^arn:aws:kms:[a-z0-9-]+:{ACCOUNT_PART}:(key/([0-9a-f-]{{8,}}|<key-id>)|alias/\S+)$")
ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[^\s,\"]*")


def plan_json(stack: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["plan", str(stack), "--format", "json", "--now", NOW])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize("stack", ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "tests/cli/stacks/Pulumi.restores.yaml"])
def test_every_arn_has_a_real_account_or_the_placeholder(stack: str) -> None:
    text = json.dumps(plan_json(ROOT / stack)["resources"])
    arns = ARN.findall(text)
    assert arns or "restores" in stack
    for arn in arns:
        account = arn.split(":")[4]
        assert account == "" or account == "aws" or re.fullmatch(ACCOUNT_PART, account), arn
        assert account != "123456789012", arn  # never the test mocks' made-up account
        if arn.startswith("arn:aws:kms:"):
            assert KMS_ARN.match(arn), arn


def test_the_account_the_config_names_is_used_and_said() -> None:
    document = plan_json(ROOT / "Pulumi.prod.yaml")
    text = json.dumps(document["resources"])
    assert "arn:aws:kms:us-east-1:111122223333:key/<key-id>" in text
    assert "arn:aws:redshift:us-east-1:111122223333:cluster:analytics-prod" in text
    assert document["assumptions"] == [
        "Account 111122223333 is the one the config's ARNs name (its own clusters, namespaces, vaults or roles).",
        "Placeholders for values known only in AWS: `<key-id>`: the id AWS gives a KMS key it creates; `<NAME id>`: "
        "an id AWS assigns when it creates resource NAME."]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_note_is_said_once_at_the_top(fmt: str) -> None:
    result = CliRunner().invoke(main, ["plan", str(ROOT / "Pulumi.dev.yaml"), "--format", fmt, "--now", NOW])
    out = result.stdout
    assert out.count("Placeholders for values known only in AWS") == 1
    assert out.index("Placeholders for values known only in AWS") < out.index("Policy")
    assert "arn:aws:redshift:us-east-1:<account>:cluster:*" in out


def test_account_of_prefers_the_new_side_and_falls_back_to_the_placeholder() -> None:
    prod, dev = load_stack_file(ROOT / "Pulumi.prod.yaml"), load_stack_file(ROOT / "Pulumi.dev.yaml")
    assert (account_of(dev, prod).id, account_of(dev, prod).from_config) == ("111122223333", True)
    assert (account_of(dev).id, account_of(dev).from_config) == (ACCOUNT, False)
    assert account_of(None).id == ACCOUNT


def test_placeholders_are_explained_only_when_shown() -> None:
    assert placeholders_in(["nothing to see"]) == []
    assert placeholders_in(["arn:aws:backup:us-east-1:<account>:backup-plan:<prod-plan id>"]) == [
        "`<account>`: the stack's AWS account id (no ARN in the config names it; `pulumi up` asks AWS)",
        "`<NAME id>`: an id AWS assigns when it creates resource NAME"]
    assert assumptions_lines(account_of(None), []) == []
