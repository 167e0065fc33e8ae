"""The Redshift opt-in resource with botocore's Stubber (moto 5.2.5 has no AWS Backup region settings).

The Stubber validates each request against the service model, and `expected_params` fails on any other map than
the one asserted: the other resource types must be sent back exactly as described.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pulumi
import pytest
from botocore.stub import Stubber

from components import aws
from components.region_opt_in import BackupRegionOptInProvider
from policies.errors import ProviderError
from tests.providers.restore_support import FakeSsm

REGION = "us-east-1"
# What DescribeRegionSettings returns: every resource type AWS Backup knows in the region.
OTHERS = {"Aurora": True, "DynamoDB": False, "EBS": True, "EC2": True, "RDS": True, "S3": False}
CREDENTIALS = {"assume_roles": [{"role_arn": "arn:aws:iam::444455556666:role/backup-admin"}]}


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("backup", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    seen: list[Any] = []

    ssm = FakeSsm()

    def fake_client(service: str, region: str | None = None, credentials: Any = None) -> Any:
        assert (service, region) in (("backup", REGION), ("ssm", REGION))
        if service == "ssm":
            return ssm
        seen.append(credentials)
        return client

    monkeypatch.setattr(aws, "client", fake_client)
    stubber.credentials_seen = seen  # type: ignore[attr-defined]
    stubber.ssm = ssm  # type: ignore[attr-defined]
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *args, **kwargs: seen.append(msg))
    return seen


def _describe(stub: Stubber, **ours: bool) -> None:
    stub.add_response("describe_region_settings", {"ResourceTypeOptInPreference": {**OTHERS, **ours},
                                                   "ResourceTypeManagementPreference": {"DynamoDB": True}})


def _expect_update(stub: Stubber, **ours: bool) -> None:
    stub.add_response("update_region_settings", {}, {"ResourceTypeOptInPreference": {**OTHERS, **ours}})


def _props(**types: bool) -> dict[str, Any]:
    return {"region": REGION, "resource_types": types or {"Redshift": True}, "credentials": CREDENTIALS}


def test_create_opts_redshift_in_and_sends_every_other_type_back_unchanged(stub: Stubber) -> None:
    _describe(stub, Redshift=False)
    _expect_update(stub, Redshift=True)
    result = BackupRegionOptInProvider().create(_props())
    assert result.id == REGION
    assert result.outs["previous_resource_types"] == {"Redshift": False}
    assert stub.credentials_seen == [CREDENTIALS, CREDENTIALS]  # type: ignore[attr-defined]


def test_nothing_is_sent_when_redshift_is_already_opted_in(stub: Stubber) -> None:
    _describe(stub, Redshift=True)
    outs = BackupRegionOptInProvider().create(_props()).outs  # no update queued: none may happen
    assert outs["previous_resource_types"] == {"Redshift": True}


def test_refresh_reports_drift_of_our_keys_only_and_the_diff_settles_otherwise(stub: Stubber) -> None:
    outs = {**_props(), "previous_resource_types": {"Redshift": False}}
    provider = BackupRegionOptInProvider()
    _describe(stub, Redshift=True)
    assert provider.read(REGION, outs).outs == outs  # the other types never appear: nothing to settle
    assert provider.diff(REGION, outs, _props()).changes is False
    _describe(stub, Redshift=False)  # someone opted Redshift out by hand
    drifted = provider.read(REGION, outs).outs
    assert drifted["resource_types"] == {"Redshift": False}
    assert provider.diff(REGION, drifted, _props()).changes is True


def test_update_records_a_new_key_and_puts_a_dropped_one_back(stub: Stubber) -> None:
    olds = {**_props(**{"Redshift": True, "Redshift Serverless": True}),
            "previous_resource_types": {"Redshift": False, "Redshift Serverless": False}}
    # Serverless namespaces left the policy: Serverless goes back to false, Redshift keeps its first record.
    _describe(stub, **{"Redshift": True, "Redshift Serverless": True})
    _expect_update(stub, **{"Redshift": True, "Redshift Serverless": False})
    outs = BackupRegionOptInProvider().update(REGION, olds, _props()).outs
    assert outs["previous_resource_types"] == {"Redshift": False}
    # ...and when it comes back, the value found then is recorded.
    _describe(stub, **{"Redshift": True, "Redshift Serverless": False})
    _expect_update(stub, **{"Redshift": True, "Redshift Serverless": True})
    again = BackupRegionOptInProvider().update(REGION, outs, _props(**{"Redshift": True,
                                                                         "Redshift Serverless": True})).outs
    assert again["previous_resource_types"] == {"Redshift": False, "Redshift Serverless": False}


def test_delete_puts_back_what_it_found(stub: Stubber) -> None:
    _describe(stub, Redshift=True)
    _expect_update(stub, Redshift=False)
    BackupRegionOptInProvider().delete(REGION, {**_props(), "previous_resource_types": {"Redshift": False}})


def test_delete_leaves_a_key_that_was_absent_and_says_so(stub: Stubber, warnings: list[str]) -> None:
    BackupRegionOptInProvider().delete(REGION, {**_props(), "previous_resource_types": {"Redshift": None}})
    assert warnings == ["AWS Backup region settings of us-east-1: 'Redshift' was not in the opt-in map when this "
                        "resource was created, so there is no value to put back; it stays opted in"]


def test_an_aws_error_names_the_change_and_the_region(stub: Stubber) -> None:
    _describe(stub, Redshift=False)
    stub.add_client_error("update_region_settings", service_error_code="InvalidParameterValueException",
                          service_message="Unsupported resource type")
    with pytest.raises(ProviderError, match="cannot set Redshift=True in the AWS Backup region settings of "
                                            "us-east-1: .*InvalidParameterValueException"):
        BackupRegionOptInProvider().create(_props())


def test_a_region_or_identity_change_replaces_a_types_change_updates() -> None:
    # The settings are per account and region: a new identity may be another account, whose values must be
    # recorded there, while the old account gets its own values back (the delete acts as the old identity).
    provider = BackupRegionOptInProvider()
    olds = {**_props(), "previous_resource_types": {"Redshift": False}}
    assert provider.diff(REGION, olds, {**_props(), "region": "eu-west-1"}).replaces == ["region"]
    moved = provider.diff(REGION, olds, {**_props(), "credentials": None})
    assert (moved.changes, moved.replaces, moved.delete_before_replace) == (True, ["credentials"], True)
    more = provider.diff(REGION, olds, _props(**{"Redshift": True, "Redshift Serverless": True}))
    assert (more.changes, more.replaces) == (True, [])
    assert provider.diff(REGION, olds, _props()).changes is False


@pytest.mark.parametrize("operation", ["read", "delete"])
def test_state_without_a_region_fails_naming_the_field(operation: str) -> None:
    with pytest.raises(ProviderError, match=r"^BackupRegionOptIn 'us-east-1': cannot .*: its state has no "
                                            r"`region` \(received None\)\. This resource cannot be imported"):
        getattr(BackupRegionOptInProvider(), operation)(REGION, {})


def test_check_names_bad_inputs() -> None:
    failures = BackupRegionOptInProvider().check({}, {"region": "", "resource_types": {"Redshift": "yes"}}).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("region", "expected an AWS region name, received ''"),
        ("resource_types", "expected a non-empty map of resource type to true/false, received {'Redshift': 'yes'}"),
    ]
