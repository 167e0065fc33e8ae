"""boto3 clients for the dynamic providers: created per call (never kept on a pickled provider), with retries.

A client acts as the stack's default provider would, as far as boto3 can without secrets in state: the stack's
`aws:profile`, then each role of `aws:assumeRoles` in turn (role chaining), passed in as `Credentials`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from policies.errors import ProviderError

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config

# boto3 is imported by the first client, not with this module: the Pulumi program imports it (for the types
# below) on every `pulumi preview`, and only dynamic providers and tag discovery make clients. boto3's import is
# about as long as pulumi_aws's own.


@cache
def retry_config() -> Config:
    """Adaptive mode retries throttling (with client-side rate limiting) and transient errors; 10 attempts ride
    out a burst of `Throttling` from the Redshift control plane. Timeouts keep a hung connection from hanging
    `pulumi up`."""
    from botocore.config import Config

    return Config(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=10, read_timeout=60)

# The session name of assumed roles when the stack's aws:assumeRoles entry gives none (shows in CloudTrail).
SESSION_NAME = "redshift-backup"


class AssumeRole(TypedDict, total=False):
    """One role of the stack's `aws:assumeRoles` chain (non-secret fields only)."""

    role_arn: str
    external_id: str
    session_name: str


class Credentials(TypedDict, total=False):
    """Who a client acts as: a shared-config profile, then a chain of roles. Empty: boto3's default chain."""

    profile: str
    assume_roles: list[AssumeRole]


def assume_role_of(entry: Any) -> AssumeRole | None:
    """One `aws:assumeRoles` entry as Pulumi stores it (`roleArn`, `externalId`, `sessionName`); None when it has no
    roleArn."""
    if not isinstance(entry, dict) or not isinstance(entry.get("roleArn"), str):
        return None
    role: AssumeRole = {"role_arn": entry["roleArn"]}
    if entry.get("externalId"):
        role["external_id"] = str(entry["externalId"])
    if entry.get("sessionName"):
        role["session_name"] = str(entry["sessionName"])
    return role


def session(credentials: Mapping[str, Any] | None = None, region: str | None = None) -> boto3.session.Session:
    """A boto3 session for `credentials`: the profile (if any), then `sts:AssumeRole` for each role in order."""
    import boto3

    creds = credentials or {}
    profile = creds.get("profile") or None
    try:
        current = boto3.session.Session(profile_name=profile)
    except BotoCoreError as exc:
        raise ProviderError(f"cannot use AWS profile {profile!r} (the stack's aws:profile): {exc}") from exc
    for role in creds.get("assume_roles") or ():
        arn = role.get("role_arn")
        params = {"RoleArn": arn, "RoleSessionName": role.get("session_name") or SESSION_NAME}
        if role.get("external_id"):
            params["ExternalId"] = role["external_id"]
        try:
            answer = current.client("sts", region_name=region, config=retry_config()).assume_role(**params)
        except (ClientError, BotoCoreError) as exc:
            raise ProviderError(f"cannot assume role {arn} (the stack's aws:assumeRoles): {exc}") from exc
        keys = answer["Credentials"]
        current = boto3.session.Session(aws_access_key_id=keys["AccessKeyId"],
                                        aws_secret_access_key=keys["SecretAccessKey"],
                                        aws_session_token=keys["SessionToken"])
    return current


def client(service: str, region: str | None = None, credentials: Mapping[str, Any] | None = None) -> Any:
    """A boto3 client for `service`; `AWS_ENDPOINT_URL` (moto in tests) is honoured by boto3 itself."""
    return session(credentials, region).client(service, region_name=region, config=retry_config())
