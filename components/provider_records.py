"""What a dynamic provider writes into AWS before a change, so that a re-run after an interruption finds it.

The engine re-runs an operation whose answer it never received (create again with no state, delete again with the
old state). Whatever such a re-run must know (which accounts this resource granted, the values found before the
first change, that a restore of this resource is under way) is written into AWS *before* the change it protects:
as a tag on the AWS resource the change is made to, or, where there is nothing to tag (AWS Backup region settings;
a cluster that does not exist yet), as an SSM parameter under `/redshift-backup/`. docs/restores.md lists every key.

Tags follow AWS's limits for Redshift: key <= 128 and value <= 256 characters of letters, digits, spaces and
`_ . : / = + - @`; at most 50 tags per resource. `tag_value` makes any text fit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from components.restore_common import aws_reason, error_code
from policies.errors import ProviderError

TAG_PREFIX = "redshift-backup:"
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
NOT_TAG_CHARS = re.compile(r"[^\w .:/=+\-@]")
RECORD_ROOT = "/redshift-backup"
NOT_PARAMETER_CHARS = re.compile(r"[^a-zA-Z0-9_.\-/]")


def digest(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def tag_value(text: str) -> str:
    """`text` as a tag value: characters a tag cannot hold become `_`; past 256 characters, the end is replaced by
    `+` and a digest of the whole, so two long texts that differ anywhere stay different."""
    clean = NOT_TAG_CHARS.sub("_", text)
    if len(clean) <= MAX_TAG_VALUE:
        return clean
    return clean[: MAX_TAG_VALUE - 17] + "+" + digest(text)


def tag_key(*parts: str) -> str:
    key = TAG_PREFIX + ":".join(NOT_TAG_CHARS.sub("_", p) for p in parts)
    if len(key) > MAX_TAG_KEY:
        raise ProviderError(f"tag key {key[:40]}... is longer than AWS's {MAX_TAG_KEY} characters")
    return key


def tags_of(resource: Mapping[str, Any]) -> dict[str, str]:
    """The `Tags` of a Redshift description (cluster or snapshot) as a dict."""
    return {t["Key"]: t.get("Value", "") for t in resource.get("Tags", [])}


def pairs(value: str) -> dict[str, str]:
    """`a=1 b=none` -> {"a": "1", "b": "none"} (the format of the value-carrying tags)."""
    out: dict[str, str] = {}
    for word in value.split():
        key, sep, item = word.partition("=")
        if sep:
            out[key] = item
    return out


def set_tags(redshift: Any, arn: str, tags: Mapping[str, str]) -> None:
    if not tags:
        return
    try:
        redshift.create_tags(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    except ClientError as exc:
        raise ProviderError(f"could not tag {arn}: {aws_reason(exc)}") from exc


def remove_tags(redshift: Any, arn: str, keys: list[str]) -> None:
    """Remove `keys`; a resource already gone has none left to remove."""
    if not keys:
        return
    try:
        redshift.delete_tags(ResourceName=arn, TagKeys=keys)
    except ClientError as exc:
        if error_code(exc) in ("ResourceNotFoundFault", "ResourceNotFound", "ClusterNotFound",
                               "ClusterSnapshotNotFound", "InvalidTag"):
            return
        raise ProviderError(f"could not remove tags {', '.join(keys)} from {arn}: {aws_reason(exc)}") from exc


def redshift_arn(credentials: Mapping[str, Any] | None, region: str, kind: str, name: str) -> str:
    """The ARN of a Redshift resource of this account (`cluster`, `snapshot`), from GetCallerIdentity."""
    from components import aws

    identity = aws.client("sts", region, credentials).get_caller_identity()
    partition = identity["Arn"].split(":")[1]
    return f"arn:{partition}:redshift:{region}:{identity['Account']}:{kind}:{name}"


def record_name(kind: str, key: str) -> str:
    """An SSM parameter name under /redshift-backup/ (its characters: letters, digits, `_ . - /`)."""
    return f"{RECORD_ROOT}/{kind}/{NOT_PARAMETER_CHARS.sub('_', key)}"


def read_record(ssm: Any, name: str) -> dict[str, Any] | None:
    """The JSON record at `name`, or None when there is none."""
    try:
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as exc:
        if error_code(exc) == "ParameterNotFound":
            return None
        raise ProviderError(f"could not read the SSM parameter {name}: {aws_reason(exc)}") from exc
    try:
        record = json.loads(value)
    except ValueError as exc:
        raise ProviderError(f"the SSM parameter {name} is not this project's record (not JSON): delete it") from exc
    return record if isinstance(record, dict) else None


def write_record(ssm: Any, name: str, record: Mapping[str, Any]) -> None:
    try:
        ssm.put_parameter(Name=name, Value=json.dumps(record, sort_keys=True), Type="String", Overwrite=True,
                          Description="redshift-backup: what a provider must remember across an interruption")
    except ClientError as exc:
        raise ProviderError(f"could not write the SSM parameter {name}: {aws_reason(exc)}") from exc


def delete_record(ssm: Any, name: str) -> None:
    try:
        ssm.delete_parameter(Name=name)
    except ClientError as exc:
        if error_code(exc) == "ParameterNotFound":
            return
        raise ProviderError(f"could not delete the SSM parameter {name}: {aws_reason(exc)}") from exc
