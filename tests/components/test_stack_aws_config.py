"""The stack's `aws:*` config reaches what does not read it by itself: explicit providers and boto3 resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from redshift_backup import mockrun
from tests.components.test_program_validation import run_expecting_error

ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::444455556666:role/backup-deployer"
AWS_CONFIG: dict[str, Any] = {
    "aws:profile": "prod-admin",
    "aws:assumeRoles": [{"roleArn": ROLE, "externalId": "ext-42", "sessionName": "pulumi", "duration": "1h"}],
    "aws:defaultTags": {"tags": {"owner": "data-platform"}},
    "aws:allowedAccountIds": ["444455556666"],
    "aws:skipMetadataApiCheck": False,
    "aws:maxRetries": 25,
    "aws:endpoints": [{"sts": "https://sts.us-east-1.amazonaws.com"}],
}


def prod_config(**extra: Any) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    return {**config, **extra}


@pytest.fixture(scope="module")
def run() -> mockrun.ProgramRun:
    return mockrun.run_program(prod_config(**AWS_CONFIG), preview=False, stack="prod")


def test_the_copy_region_provider_carries_every_aws_setting_but_the_region(run: mockrun.ProgramRun) -> None:
    (provider,) = run.by_type("pulumi:providers:aws")
    inputs = provider.inputs
    assert inputs["region"] == "us-west-2"  # the stack's us-east-1 is not carried over
    assert inputs["profile"] == "prod-admin"
    # Provider inputs travel as JSON: exactly the objects the default provider gets from the stack config.
    assert json.loads(inputs["assumeRoles"]) == AWS_CONFIG["aws:assumeRoles"]
    assert json.loads(inputs["defaultTags"]) == {"tags": {"owner": "data-platform"}}
    assert json.loads(inputs["allowedAccountIds"]) == ["444455556666"]
    assert json.loads(inputs["endpoints"]) == AWS_CONFIG["aws:endpoints"]
    assert (inputs["skipMetadataApiCheck"], inputs["maxRetries"]) == ("false", "25")


def test_the_retention_resources_act_as_the_stack_with_boto3(run: mockrun.ProgramRun) -> None:
    for cluster in ("analytics-prod", "finance-prod"):
        retention = run.named(f"prod-analytics-snapshots-{cluster}-retention")
        # The profile and the role chain, without fields boto3 does not use (duration) and without secrets.
        assert retention.inputs["credentials"] == {
            "profile": "prod-admin",
            "assume_roles": [{"role_arn": ROLE, "external_id": "ext-42", "session_name": "pulumi"}]}


def test_without_aws_settings_nothing_extra_is_sent() -> None:
    run = mockrun.run_program(prod_config(), preview=False, stack="prod")
    (provider,) = run.by_type("pulumi:providers:aws")
    assert not {"profile", "assumeRoles", "defaultTags"} & set(provider.inputs)
    assert "credentials" not in run.named("prod-analytics-snapshots-analytics-prod-retention").inputs


def test_secret_aws_settings_stay_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    secret_keys = {"aws:secretKey", "aws:assumeRoles"}
    monkeypatch.setattr(pulumi.runtime.config, "is_config_secret", lambda key: key in secret_keys)
    run = mockrun.run_program(prod_config(**AWS_CONFIG, **{"aws:secretKey": "hunter2"}), preview=False,
                              stack="prod")
    (provider,) = run.by_type("pulumi:providers:aws")
    # A secret reaches the monitor wrapped in Pulumi's secret signature, never as the plain value.
    assert provider.inputs["secretKey"] != "hunter2" and "hunter2" in json.dumps(provider.inputs["secretKey"])
    assert pulumi.runtime.rpc._special_secret_sig in json.dumps(provider.inputs["secretKey"])
    credentials = run.named("prod-analytics-snapshots-analytics-prod-retention").inputs["credentials"]
    assert pulumi.runtime.rpc._special_secret_sig in json.dumps(credentials)


def test_an_unknown_aws_setting_fails_before_anything_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # pulumi-aws 6's singular assumeRole is gone in 7: dropping it silently would deploy into the wrong account.
    error, registered = run_expecting_error(prod_config(**{"aws:assumeRole": {"roleArn": ROLE}}), monkeypatch,
                                            stack="prod")
    assert [p.path for p in error.problems] == ["aws:assumeRole"]
    assert "is not a setting of the pulumi-aws provider" in error.problems[0].message
    assert registered == []
