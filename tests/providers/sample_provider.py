"""A tiny dynamic provider (one S3 object) for testing the dynamic-provider host harness."""

from __future__ import annotations

import os
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from components import aws
from policies.errors import ProviderError


class S3ObjectProvider(ResourceProvider):
    """Writes `body` to `s3://bucket/key`; bucket and key are identity (a change replaces the object)."""

    def __init__(self, region: str = "us-east-1") -> None:
        super().__init__()
        self.region = region
        self.configured_with: dict[str, Any] | None = None

    def configure(self, req: ConfigureRequest) -> None:
        # Kept so a test can see the Configure call's config reached the provider inside the host.
        self.configured_with = {"greeting": req.config.get("greeting")}

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        missing = [name for name in ("bucket", "key") if not news.get(name)]
        failures = [CheckFailure(name, "must be a non-empty string") for name in missing]
        return CheckResult({**news, "body": news.get("body", "")}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [name for name in ("bucket", "key") if olds.get(name) != news.get(name)]
        changed = replaces or olds.get("body") != news.get("body")
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces))

    def create(self, props: dict[str, Any]) -> CreateResult:
        pulumi.log.info(f"writing s3://{props['bucket']}/{props['key']}")
        return CreateResult(f"{props['bucket']}/{props['key']}", self._put(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        bucket, key = id_.split("/", 1)
        try:
            obj = aws.client("s3", self.region).get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "NoSuchBucket"):
                return ReadResult(None, {})
            raise
        body = obj["Body"].read().decode()
        return ReadResult(id_, {**props, "body": body, "etag": obj["ETag"], "pid": os.getpid()})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._put(news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        bucket, key = id_.split("/", 1)
        # S3 DeleteObject on a missing key succeeds, which is the "not found is done" rule for free.
        aws.client("s3", self.region).delete_object(Bucket=bucket, Key=key)

    def _put(self, props: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = aws.client("s3", self.region).put_object(
                Bucket=props["bucket"], Key=props["key"], Body=props["body"].encode()
            )
        except ClientError as exc:
            raise ProviderError(
                f"cannot write s3://{props['bucket']}/{props['key']}: {exc.response['Error']['Code']}"
            ) from exc
        return {
            "bucket": props["bucket"],
            "key": props["key"],
            "body": props["body"],
            "etag": reply["ETag"],
            "pid": os.getpid(),
            "configured_with": self.configured_with,
        }
