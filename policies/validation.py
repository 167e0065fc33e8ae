"""The one entry point of validation: stack config in, a validated `Stack` or one `ConfigError` with every problem.

Reading the stack file is in `policies/stack_file.py`, the rules across policies in `policies/cross_policy.py`;
their public names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from policies.audit_controls import audit_problems
from policies.base import partial_instance, problems_from_validation_error, skip_if_invalid
from policies.cross_policy import NativeOwners, cross_policy_problems, discovered_native_problems
from policies.errors import ConfigError, Problem, join_path
from policies.locations import Locations, as_written, located
from policies.models import Policy, StackConfig, stack_account
from policies.regions import placement_problems, region_problem
from policies.restores import RestoreSpec, restore_list_problems
from policies.stack_file import NAMESPACE, read_yaml_nodes, split_stack_config, stack_name_of_file

__all__ = [
    "NAMESPACE", "NativeOwners", "Stack", "cross_policy_problems", "discovered_native_problems", "load_stack_file",
    "split_stack_config", "stack_name_of_file", "validate_config", "validate_policy",
]

if TYPE_CHECKING:
    from policies.organization import OrganizationConfig


@dataclass(frozen=True)
class Stack:
    """A validated stack: its config, its region and where it came from."""

    config: StackConfig
    region: str
    source: str | None = None
    name: str | None = None
    # `redshift-backup:organization` (policies/organization.py), validated on its own; None when not given.
    organization: OrganizationConfig | None = None

    @property
    def policies(self) -> list[Policy]:
        return list(self.config.policies)

    @property
    def restores(self) -> list[RestoreSpec]:
        return list(self.config.restores)


def validate_config(raw: Mapping[str, Any], region: str | None, *, source: str | None = None,
                    name: str | None = None, now: datetime | None = None) -> Stack:
    """Validate the `redshift-backup:` namespace of a stack's config (keys without the namespace prefix).

    `now` (aware; default: the current time) is what "a schedule that never runs again" is judged against:
    tests pass a fixed time, the CLI and the Pulumi program use the clock.
    """
    problems: list[Problem] = []
    if not region:
        problems.append(Problem("aws:region", "is required: the stack's AWS region (e.g. us-east-1)",
                                has_value=False, rule="region"))
    elif region_problem(region, _stack_services(raw)):
        problems.append(Problem("aws:region", region_problem(region, _stack_services(raw)) or "", region,
                                rule="region"))
    problems.extend(Problem(join_path(*where), message, value, rule=rule)
                    for where, message, value, rule in placement_problems(raw, region))
    context: dict[str, Any] = {"region": region, "now": now}
    secrets = list(_secret_paths(raw, ()))
    from policies.organization import ORGANIZATION_KEY, check_organization

    org_raw = raw.get(ORGANIZATION_KEY)
    raw = {k: v for k, v in raw.items() if k != ORGANIZATION_KEY}
    organization = None
    if org_raw is not None:
        org_secrets = [s for s in secrets if s[0] == ORGANIZATION_KEY]
        secrets = [s for s in secrets if s[0] != ORGANIZATION_KEY]
        organization, org_problems = check_organization(org_raw, region)
        problems.extend(_with_secrets(org_problems, org_secrets))
    try:
        config = StackConfig.model_validate(dict(raw), context=context)
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc))
        problems.extend(cross_policy_problems(_checkable_policies(exc, raw, context)))
        raise ConfigError(as_written(_with_secrets(_dedupe(problems), secrets), raw), source) from None
    problems.extend(cross_policy_problems(enumerate(config.policies)))
    problems.extend(audit_problems(enumerate(config.policies), region, stack_account(config.policies)))
    problems.extend(restore_list_problems(config.restores))
    problems.extend(_opt_in_owner_problems(config, organization, region))
    ConfigError.collect(as_written(problems, raw), source)
    assert region is not None
    return Stack(config=config, region=region, source=source, name=name, organization=organization)


def _opt_in_owner_problems(config: StackConfig, organization: OrganizationConfig | None,
                           region: str | None) -> list[Problem]:
    """The Redshift opt-in of the stack's account and region has one owner: a policy's `opt_in_region_settings`
    and the organization's `opt_in_management_account` (for the same region) would each put back what it found on
    delete, undoing the other's."""
    if organization is None or not organization.opt_in_management_account or region is None:
        return []
    regions = {r for p in organization.policies for r in organization.regions_of(p)}
    return [Problem(join_path("policies", i, "backup", "opt_in_region_settings"),
                    f"organization.opt_in_management_account already opts {region} in for this account; "
                    "RegionSettings is one per account and region, so turn it on in one place only", True,
                    rule="cross-policy")
            for i, policy in enumerate(config.policies)
            if policy.backup and policy.backup.opt_in_region_settings and region in regions]


def _stack_services(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The services the stack region must offer: Redshift always; AWS Backup when a policy has a backup layer."""
    policies = raw.get("policies")
    backup = isinstance(policies, list) and any(isinstance(p, dict) and "backup" in p for p in policies)
    return ("redshift", "backup") if backup else ("redshift",)


def _secret_paths(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Where a stack file holds a Pulumi secret (`{secure: ...}`)."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            yield where
            return
        for key, item in value.items():
            yield from _secret_paths(item, (*where, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _secret_paths(item, (*where, i))


def _with_secrets(problems: list[Problem], secrets: list[tuple[str | int, ...]]) -> list[Problem]:
    """One clear problem per secret value, in place of whatever the models said at or under it."""
    if not secrets:
        return problems
    paths = [join_path(*where) for where in secrets]
    kept = [p for p in problems if not any(p.path == s or p.path.startswith((s + ".", s + "[")) for s in paths)]
    return kept + [Problem(path, "is a Pulumi secret ({secure: ...}); redshift-backup config holds nothing secret "
                           "(ARNs, emails and tags end up in plain resource inputs) and an encrypted value cannot "
                           "be checked: set it as plain text (pulumi config set --path without --secret)",
                           has_value=False, rule="secret-value") for path in paths]


def _checkable_policies(exc: ValidationError, raw: Mapping[str, Any],
                        context: dict[str, Any]) -> list[tuple[int, Policy]]:
    """Every policy, with the fields that are valid (one-pass validation's partial instances), so cross-policy
    rules still run when a policy is broken; a rule that reads an invalid field skips that policy."""
    partial = partial_instance(exc)
    if partial is not None:
        with skip_if_invalid():
            return [(i, p) for i, p in enumerate(partial.policies) if isinstance(p, Policy)]
    return _valid_policies(raw, context)


def _valid_policies(raw: Mapping[str, Any], context: dict[str, Any]) -> list[tuple[int, Policy]]:
    """The policies that validate on their own, so cross-policy rules still run when another policy is broken."""
    items = raw.get("policies")
    out: list[tuple[int, Policy]] = []
    if isinstance(items, list):
        for i, item in enumerate(items):
            try:
                out.append((i, Policy.model_validate(item, context=context)))
            except ValidationError:
                continue  # its own problems were reported by the full validation
    return out

def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out

def load_stack_file(path: str | Path) -> Stack:
    """Read and validate `Pulumi.<stack>.yaml`; raises ConfigError (also for unreadable or malformed YAML)."""
    path = Path(path)
    source = str(path)
    locations: Locations | None = None
    try:
        data = path.read_bytes()
        document, locations = read_yaml_nodes(data.decode("utf-8"), source)
    except OSError as exc:
        raise ConfigError([Problem("", f"cannot read the file: {exc.strerror}", has_value=False)], source) from exc
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError([Problem("", f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); Pulumi "
                                   "reads stack files as UTF-8: save it in that encoding", has_value=False)],
                          source) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([Problem("", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                                   has_value=False, rule="yaml-syntax",
                                   line=mark.line + 1 if mark else None,
                                   column=mark.column + 1 if mark else None)], source) from exc
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError([Problem("", "expected a stack file: a mapping with a `config:` key", document)], source)
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError([Problem("config", "expected a mapping of config keys", config)], source)
    ours, region, problems = split_stack_config(config)
    try:
        stack = validate_config(ours, region, source=source, name=stack_name_of_file(path))
    except ConfigError as exc:
        raise ConfigError(located(problems + list(exc.problems), locations), source) from None
    ConfigError.collect(located(problems, locations), source)
    return stack


def validate_policy(raw: Any, region: str, *, source: str | None = None) -> Policy:
    """Validate one policy given directly to a component (e.g. from a user's own Pulumi program).

    A `Policy` instance is validated again, because some rules depend on the region (a copy to the policy's
    own region, ARNs of another region): one validated for us-west-2 may be wrong in us-east-1. It comes back
    unchanged when it passes, at once when it was already validated for `region` (the components of one policy
    are each handed the same instance).
    """
    data = raw
    if isinstance(raw, Policy) and raw.validated_for(region):
        return raw
    if isinstance(raw, Policy):
        # Only what was given, so that defaults stay defaults; without the plan preset, whose rules are in
        # `rules` already and would otherwise be added a second time.
        data = raw.model_dump(exclude_unset=True, exclude={"backup": {"preset"}})
    try:
        policy = Policy.model_validate(data, context={"region": region})
    except ValidationError as exc:
        raise ConfigError(as_written(problems_from_validation_error(exc, ("policy",)), {}, policy=data),
                          source) from None
    return raw if isinstance(raw, Policy) else policy
