"""The stack's AWS settings, for what does not get them by itself: explicit providers for other regions (copy
vaults, snapshot copy grants) and the boto3 calls of dynamic providers and tag discovery."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from functools import cache
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import AssumeRole, Credentials, assume_role_of
from policies.aws_settings import aws_setting_problems
from policies.errors import ConfigError, Problem

AWS = "aws"


def config_keys(namespace: str) -> list[str]:
    """Every key of `namespace` in the running stack's config (without the prefix), sorted.

    The SDK has no public way to list config keys; the runtime's map is what the engine handed the program.
    """
    known = dict(pulumi.runtime.config.CONFIG.get())
    known.update(pulumi.runtime.config.get_config_env())
    prefix = namespace + ":"
    return sorted(k[len(prefix):] for k in known if isinstance(k, str) and k.startswith(prefix))


@cache
def provider_arguments() -> dict[str, tuple[str, bool]]:
    """Config key (`assumeRoles`) -> (`aws.Provider` argument, whether the value is a plain string), from pulumi-aws."""
    params = inspect.signature(aws.ProviderArgs.__init__).parameters
    out: dict[str, tuple[str, bool]] = {}
    for attr, member in vars(aws.ProviderArgs).items():
        key = getattr(getattr(member, "fget", None), "_pulumi_name", None)
        if isinstance(member, property) and key and attr in params:
            out[key] = (attr, str in typing.get_args(params[attr].annotation))
    return out


def stack_provider_args() -> dict[str, Any]:
    """`aws.Provider` arguments for every `aws:*` key of the stack's config but `aws:region`.

    Explicit providers do not read the stack's `aws:*` config, so without this a copy vault would be created
    without the stack's assumed role (in another account), default tags, allowed accounts, endpoints... Objects
    and lists arrive as JSON strings and are parsed; secret values (keys, tokens) stay secrets. A key pulumi-aws
    does not know is an error, as the default provider would report it: it cannot be carried over silently.
    """
    known = provider_arguments()
    config = pulumi.Config(AWS)
    args: dict[str, Any] = {}
    problems: list[Problem] = []
    for key in config_keys(AWS):
        if key == "region":
            continue
        if key not in known:
            # The rule `redshift-backup check` applies (policies/aws_settings.py), with pulumi-aws's own keys.
            problems += aws_setting_problems({key: None}, frozenset(known))
            continue
        arg, plain_string = known[key]
        secret = pulumi.runtime.config.is_config_secret(f"{AWS}:{key}")
        if plain_string:
            args[arg] = config.get_secret(key) if secret else config.get(key)
        else:
            args[arg] = config.get_secret_object(key) if secret else config.get_object(key)
    ConfigError.collect(problems, f"stack {pulumi.get_stack()}")
    return args


def stack_aws_setting_problems() -> list[Problem]:
    """The `aws:*` settings the program would refuse, checked before anything else (and by `check` the same way),
    whether or not the stack needs a provider for another region."""
    settings: dict[str, Any] = {key: None for key in config_keys(AWS)}
    for key in ("assumeRoles", "defaultTags"):
        if key in settings and not pulumi.runtime.config.is_config_secret(f"{AWS}:{key}"):
            settings[key] = pulumi.Config(AWS).get_object(key)
    return aws_setting_problems(settings, frozenset(provider_arguments()))


def region_provider(name: str, region: str, opts: pulumi.ResourceOptions | None = None) -> aws.Provider:
    """An explicit provider for another region, with every other `aws:*` setting of the stack.

    Share one per region: each provider is a plugin process.
    """
    return aws.Provider(name, **{**stack_provider_args(), "region": region}, opts=opts)


def stack_credentials() -> Credentials:
    """Who boto3 should act as, from the stack's `aws:profile` and `aws:assumeRoles` (non-secret fields only).

    Static keys (`aws:accessKey`, `aws:secretKey`, `aws:token`) are not carried over: they would be stored in the
    dynamic resources' state. Use a profile, environment variables or an instance role for those.
    """
    config = pulumi.Config(AWS)
    credentials: Credentials = {}
    profile = config.get("profile")
    if profile:
        credentials["profile"] = profile
    roles: list[AssumeRole] = []
    entries = config.get_object("assumeRoles") or []
    problems = aws_setting_problems({"assumeRoles": entries})
    if pulumi.runtime.config.is_config_secret(f"{AWS}:assumeRoles"):
        # A secret value (an externalId, say) is never echoed: the error names the entry, not what it holds.
        problems = [dataclasses.replace(p, value=None, has_value=False) for p in problems]
    ConfigError.collect(problems, f"stack {pulumi.get_stack()}")
    for entry in entries:
        role = assume_role_of(entry)
        assert role is not None  # aws_setting_problems refused an entry without a roleArn
        roles.append(role)
    if roles:
        credentials["assume_roles"] = roles
    return credentials


def credentials_are_secret() -> bool:
    """True when the stack marks `aws:profile` or `aws:assumeRoles` secret: then resource inputs keep them secret."""
    return any(pulumi.runtime.config.is_config_secret(f"{AWS}:{key}") for key in ("profile", "assumeRoles"))


def credentials_input(credentials: Credentials | None = None) -> pulumi.Input[Credentials] | None:
    """`credentials` (default: the stack's) as a dynamic resource input: None when empty, a secret when the stack
    marks them secret."""
    creds = stack_credentials() if credentials is None else credentials
    if not creds:
        return None
    return pulumi.Output.secret(creds) if credentials_are_secret() else creds
