"""The stack's `aws:*` config reaches what does not read it by itself: explicit providers and boto3 resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.restore import RedshiftClusterRestore, RedshiftTableRestore
from policies.errors import ConfigError
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


RESTORES = yaml.safe_load((ROOT / "tests" / "components" / "fixtures" / "Pulumi.restores.yaml").read_text(
    encoding="utf-8"))["config"]["redshift-backup:restores"]
RESTORE_NAMES = ("analytics-drill", "orders-yesterday", "share-nightly-with-test")
STACK_CREDENTIALS = {"profile": "prod-admin",
                     "assume_roles": [{"role_arn": ROLE, "external_id": "ext-42", "session_name": "pulumi"}]}


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
        assert retention.inputs["credentials"] == STACK_CREDENTIALS


def test_every_kind_of_restore_acts_as_the_stack_with_boto3() -> None:
    run = mockrun.run_program(prod_config(**AWS_CONFIG, **{"redshift-backup:restores": RESTORES}),
                              preview=False, stack="prod")
    for name in RESTORE_NAMES:
        assert run.named(name).inputs["credentials"] == STACK_CREDENTIALS
    # Without aws:profile / aws:assumeRoles nothing is sent, so restores made before show no diff.
    run = mockrun.run_program(prod_config(**{"redshift-backup:restores": RESTORES}), preview=False, stack="prod")
    assert not any("credentials" in run.named(name).inputs for name in RESTORE_NAMES)


def test_a_restore_in_a_users_program_takes_given_credentials_or_none() -> None:
    def program() -> None:
        RedshiftClusterRestore("stack", source={"snapshot_identifier": "nightly"})
        RedshiftClusterRestore("given", source={"snapshot_identifier": "nightly"},
                               credentials={"profile": "drills"})
        RedshiftTableRestore("chain", cluster_identifier="analytics-prod", source_database_name="dev",
                             source_table_name="orders", new_table_name="orders_copy", credentials={})

    run = mockrun.run_program(AWS_CONFIG, program=program, preview=False)
    assert run.named("stack").inputs["credentials"] == STACK_CREDENTIALS
    assert run.named("given").inputs["credentials"] == {"profile": "drills"}
    assert "credentials" not in run.named("chain").inputs  # `{}`: boto3's default chain


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


def test_secret_aws_settings_stay_secret_in_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi.runtime.config, "is_config_secret", lambda key: key == "aws:profile")
    run = mockrun.run_program(prod_config(**AWS_CONFIG, **{"redshift-backup:restores": RESTORES}),
                              preview=False, stack="prod")
    for name in RESTORE_NAMES:
        assert pulumi.runtime.rpc._special_secret_sig in json.dumps(run.named(name).inputs["credentials"])
    # A secret `credentials` does not put the construction-time check of the other arguments off.
    with pytest.raises(ConfigError):
        mockrun.run_program(AWS_CONFIG, program=lambda: RedshiftClusterRestore(
            "drill", source={"snapshot_identifier": "nightly"}, multi_az=True))


def test_an_unknown_aws_setting_fails_before_anything_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # pulumi-aws 6's singular assumeRole is gone in 7: dropping it silently would deploy into the wrong account.
    error, registered = run_expecting_error(prod_config(**{"aws:assumeRole": {"roleArn": ROLE}}), monkeypatch,
                                            stack="prod")
    assert [p.path for p in error.problems] == ["aws:assumeRole"]
    assert "is not a setting of the pulumi-aws provider" in error.problems[0].message
    assert registered == []


def test_an_assume_role_without_a_role_arn_fails_before_anything_is_registered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    error, registered = run_expecting_error(prod_config(**{"aws:assumeRoles": [{"sessionName": "x"}]}), monkeypatch,
                                            stack="prod")
    assert [p.render() for p in error.problems] == [
        "aws:assumeRoles[0]: expected an object with a roleArn (received {\"sessionName\": \"x\"})"]
    assert error.source == "stack prod"
    assert registered == []


def test_check_knows_the_aws_settings_the_program_knows() -> None:
    # One truth: `redshift-backup check` refuses exactly the aws:* keys the program refuses (pulumi-aws's own).
    from components.providers import provider_arguments
    from policies.aws_settings import PROVIDER_KEYS

    assert set(provider_arguments()) == PROVIDER_KEYS


def test_an_unknown_aws_setting_fails_the_program_without_copies_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Refused as `check` refuses it, also when no provider for another region is built.
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"))["config"]
    error, registered = run_expecting_error({**config, "aws:assumeRole": {"roleArn": ROLE}}, monkeypatch,
                                            stack="dev")
    assert [(p.path, p.rule) for p in error.problems] == [("aws:assumeRole", "aws-provider-setting")]
    assert registered == []


def test_a_malformed_secret_assume_roles_is_refused_without_echoing_it() -> None:
    from components.providers import stack_credentials

    secret = [{"externalId": "s3cr3t-external-id"}]
    pulumi.runtime.set_all_config({"aws:assumeRoles": json.dumps(secret)}, ["aws:assumeRoles"])
    try:
        with pytest.raises(ConfigError) as err:
            stack_credentials()
    finally:
        pulumi.runtime.set_all_config({}, [])
    assert [p.path for p in err.value.problems] == ["aws:assumeRoles[0]"]
    assert "s3cr3t" not in str(err.value) and "s3cr3t" not in err.value.render()
