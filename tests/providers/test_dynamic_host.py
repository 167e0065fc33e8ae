"""The host harness: a real `python -m pulumi.dynamic` child, driven over gRPC, against moto."""

from __future__ import annotations

import os
from typing import Any

import boto3
import grpc
import pytest

from tests.providers.dynamic_host import (
    DEFAULT_URN,
    DYNAMIC_TYPE,
    UNKNOWN,
    DynamicProviderHost,
    ProviderCallError,
    dynamic_host_fixture,  # noqa: F401
    host_env,
    secret,
)
from tests.providers.sample_provider import S3ObjectProvider

BUCKET = "harness-bucket"


@pytest.fixture
def s3(aws_env: str):  # type: ignore[no-untyped-def]
    """A boto3 S3 client on the moto server with the test bucket created."""
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def _body(s3: Any, key: str) -> str:
    return str(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode())


def test_default_urn_uses_the_python_dynamic_type_token() -> None:
    assert DYNAMIC_TYPE == "pulumi-python:dynamic:Resource"
    assert DEFAULT_URN.startswith("urn:pulumi:") and f"::{DYNAMIC_TYPE}::" in DEFAULT_URN


def test_full_lifecycle_through_the_host(dynamic_host: DynamicProviderHost, s3) -> None:  # type: ignore[no-untyped-def]
    provider = S3ObjectProvider()
    inputs, failures = dynamic_host.check(provider, {}, {"bucket": BUCKET, "key": "a.txt", "body": "one"})
    assert failures == []
    assert inputs == {"bucket": BUCKET, "key": "a.txt", "body": "one"}

    id_, outs = dynamic_host.create(provider, inputs)
    assert id_ == f"{BUCKET}/a.txt"
    assert _body(s3, "a.txt") == "one"
    assert outs["etag"] == s3.head_object(Bucket=BUCKET, Key="a.txt")["ETag"]
    # The provider ran in the child, not in this process.
    assert outs["pid"] == dynamic_host.pid != os.getpid()

    same = dynamic_host.diff(provider, id_, outs, inputs)
    assert same.changes is False and same.replaces == []
    news = {**inputs, "body": "two"}
    changed = dynamic_host.diff(provider, id_, outs, news)
    assert changed.changes is True and changed.replaces == [] and changed.delete_before_replace is False
    # The Python SDK's DiffResult has no per-property diff, so the host never fills these.
    assert changed.diffs == [] and changed.detailed_diff == {}
    moved = dynamic_host.diff(provider, id_, outs, {**inputs, "key": "b.txt"})
    assert moved.replaces == ["key"] and moved.delete_before_replace is True

    updated = dynamic_host.update(provider, id_, outs, news)
    assert updated["body"] == "two" and _body(s3, "a.txt") == "two"

    read_id, live = dynamic_host.read(provider, id_, updated)
    assert read_id == id_ and live["body"] == "two" and live["etag"] == updated["etag"]

    dynamic_host.delete(provider, id_, updated)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert dynamic_host.read(provider, id_, updated) == (None, {})


def test_check_failures_come_back_as_property_reason_pairs(dynamic_host: DynamicProviderHost) -> None:
    _, failures = dynamic_host.check(S3ObjectProvider(), {}, {"bucket": "", "key": "k"})
    assert failures == [("bucket", "must be a non-empty string")]


def test_unknown_inputs_survive_check_during_preview(dynamic_host: DynamicProviderHost) -> None:
    news = {"bucket": BUCKET, "key": "k", "body": UNKNOWN}
    inputs, failures = dynamic_host.check(S3ObjectProvider(), {}, news)
    assert failures == [] and inputs["body"] == UNKNOWN


def test_create_failure_is_a_provider_call_error_with_the_message(  # type: ignore[no-untyped-def]
    dynamic_host: DynamicProviderHost, s3
) -> None:
    with pytest.raises(ProviderCallError) as caught:
        dynamic_host.create(S3ObjectProvider(), {"bucket": "no-such-bucket", "key": "k", "body": "x"})
    assert caught.value.method == "Create"
    assert caught.value.code == grpc.StatusCode.UNKNOWN
    expected = "policies.errors.ProviderError: cannot write s3://no-such-bucket/k: NoSuchBucket"
    assert caught.value.message == expected
    # The Python host sends a bare traceback, never ErrorResourceInitFailed details.
    assert caught.value.init_failed is None
    assert "Traceback (most recent call last)" in caught.value.details


def test_check_config_is_unimplemented_in_the_python_host(dynamic_host: DynamicProviderHost) -> None:
    with pytest.raises(ProviderCallError) as caught:
        dynamic_host.check_config({})
    assert caught.value.code == grpc.StatusCode.UNIMPLEMENTED


def test_configure_reaches_the_provider_and_logs_reach_stderr(moto_endpoint: str, s3) -> None:  # type: ignore[no-untyped-def]
    with DynamicProviderHost(host_env(moto_endpoint)) as host:
        host.configure({"redshift-backup:greeting": "hello"})
        assert host.accept_secrets is False
        _, outs = host.create(S3ObjectProvider(), {"bucket": BUCKET, "key": "cfg", "body": ""})
        assert host.running
    assert not host.running
    assert outs["configured_with"] == {"greeting": "hello"}
    assert f"info: writing s3://{BUCKET}/cfg" in host.stderr_text()


def test_secret_inputs_reach_the_provider_as_plain_values(  # type: ignore[no-untyped-def]
    dynamic_host: DynamicProviderHost, s3
) -> None:
    # The host declines secrets, so the engine (and the harness) unwraps them before the provider sees them.
    assert dynamic_host.accept_secrets is False
    _, outs = dynamic_host.create(
        S3ObjectProvider(), {"bucket": BUCKET, "key": "pw", "body": secret("hunter2")}
    )
    assert outs["body"] == "hunter2" and _body(s3, "pw") == "hunter2"
    # Wait for the create's own log line, so that the absence below is checked over everything it logged.
    assert "hunter2" not in dynamic_host.wait_for_stderr(f"writing s3://{BUCKET}/pw")


def test_waiting_for_a_line_that_never_comes_fails_with_what_stderr_holds(
        dynamic_host: DynamicProviderHost) -> None:
    with pytest.raises(AssertionError, match="'never printed' did not appear on the host's stderr within 0.2 s"):
        dynamic_host.wait_for_stderr("never printed", timeout=0.2)
