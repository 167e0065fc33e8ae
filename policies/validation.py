"""The one entry point of validation: stack config in, a validated `Stack` or one `ConfigError` with every problem."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from policies.audit_controls import audit_problems
from policies.aws_settings import aws_setting_problems
from policies.base import partial_instance, problems_from_validation_error, skip_if_invalid
from policies.errors import ConfigError, Problem, format_value, join_path
from policies.locations import Locations, as_written, located
from policies.model_fields import arn_account
from policies.models import Policy, StackConfig, stack_account
from policies.native_plan import protected_clusters
from policies.regions import placement_problems, region_problem
from policies.restores import RestoreSpec, restore_list_problems

NAMESPACE = "redshift-backup"

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
    ConfigError.collect(as_written(problems, raw), source)
    assert region is not None
    return Stack(config=config, region=region, source=source, name=name, organization=organization)


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


def cross_policy_problems(policies: Iterable[tuple[int, Policy]]) -> list[Problem]:
    """Rules that span policies: unique names and vaults, one owner per native setting of a cluster."""
    policies = list(policies)
    problems: list[Problem] = []
    names: dict[str, int] = {}
    vaults: dict[str, int] = {}
    native = NativeOwners()
    opt_in: int | None = None
    # Each rule in its own block: on a partly valid policy, a rule that reads an invalid field is skipped alone.
    for i, policy in policies:
        with skip_if_invalid():
            if policy.backup and policy.backup.opt_in_region_settings:
                if opt_in is not None:
                    problems.append(Problem(join_path("policies", i, "backup", "opt_in_region_settings"),
                                            f"policies[{opt_in}] already opts this region in; RegionSettings is one "
                                            "per account and region, so turn it on in one policy only", True,
                                            rule="cross-policy"))
                opt_in = i if opt_in is None else opt_in
        with skip_if_invalid():
            if policy.name in names:
                problems.append(Problem(join_path("policies", i, "name"),
                                        f"is already used by policies[{names[policy.name]}]; policy names name "
                                        "their resources and must be unique", policy.name, rule="cross-policy"))
            names.setdefault(policy.name, i)
        with skip_if_invalid():
            if policy.backup and policy.backup.vault.existing is None:
                vault = policy.vault_name or ""
                if vault in vaults:
                    problems.append(Problem(join_path("policies", i, "backup", "vault", "name"),
                                            f"policies[{vaults[vault]}] already creates a vault named {vault!r}; to "
                                            "share it, create it in one policy and use `existing` in the other",
                                            vault, rule="cross-policy"))
                vaults.setdefault(vault, i)
        with skip_if_invalid():
            problems.extend(native.claim(i, policy, policy.selection.cluster_identifiers()))
    problems.extend(_topic_account_problems(policies))
    return problems


def _topic_account_problems(policies: Iterable[tuple[int, Policy]]) -> list[Problem]:
    """AWS Backup notifies a topic of the vault's own account only; the stack's account is known when its ARNs
    name it (`stack_account`)."""
    listed = list(policies)
    account = None
    with skip_if_invalid():
        account = stack_account(p for _, p in listed)
    if account is None:
        return []
    out = []
    for i, policy in listed:
        with skip_if_invalid():
            topic = policy.notifications.sns_topic_arn if policy.notifications else None
            if topic and arn_account(topic) != account:
                out.append(Problem(join_path("policies", i, "notifications", "sns_topic_arn"),
                                   f"is in account {arn_account(topic)}; AWS Backup notifies a topic of the vault's "
                                   f"own account only ({account}, the stack's, from its ARNs)", topic,
                                   rule="notification-topic"))
    return out


class NativeOwners:
    """Which policy sets which native setting of which cluster: a cluster has one snapshot schedule, one retention
    and one copy destination, so the first policy (in stack order) to set one owns it and any other is a problem.
    """

    def __init__(self) -> None:
        # (cluster, setting) -> (policy index, whether it found the cluster by tag discovery, the value it sets)
        self._owner: dict[tuple[str, str], tuple[int, bool, Any]] = {}

    def claim(self, index: int, policy: Policy, clusters: Iterable[str],
              discovered: Collection[str] = ()) -> list[Problem]:
        """Claim `policy`'s native settings on `clusters`; `discovered` (found by tag discovery) shapes the message."""
        problems: list[Problem] = []
        if not policy.snapshots:
            return problems
        for setting in _native_settings(policy):
            value = _native_value(policy, setting)
            for cluster in clusters:
                here = cluster in discovered
                owner, there, first_value = self._owner.setdefault((cluster, setting), (index, here, value))
                if owner == index:
                    continue
                path = join_path("policies", index, "snapshots", setting)
                first = f"{join_path('policies', owner, 'snapshots', setting)} ({format_value(first_value)})"
                rule = ("a cluster has one snapshot schedule, one retention and one copy destination, so only one "
                        "policy may set each")
                if not (here or there):
                    problems.append(Problem(path, f"cluster {cluster!r} already gets its {setting} from {first}; "
                                            f"{rule}", value, rule="cross-policy"))
                    continue
                who = ("this policy's and that policy's tag discovery" if here and there
                       else "this policy's tag discovery" if here else f"the tag discovery of policies[{owner}]")
                problems.append(Problem(path, f"cluster {cluster!r} (found by {who}) already gets its {setting} "
                                        f"from {first}; {rule}: leave it out of one of them with "
                                        "selection.not_resources, or change its tags", cluster, rule="cross-policy"))
        problems.extend(self._snapshots_off_elsewhere(index, policy, clusters))
        return problems

    def _snapshots_off_elsewhere(self, index: int, policy: Policy, clusters: Iterable[str]) -> list[Problem]:
        """Automated retention 0 from one policy and a schedule or copy from another: with automated snapshots
        off there is nothing to take or copy (within one policy, the model itself refuses it)."""
        problems: list[Problem] = []
        needs = [s for s in ("schedule", "cross_region_copy") if s in _native_settings(policy)]
        turns_off = policy.snapshots is not None and policy.snapshots.automated_snapshot_retention_days == 0
        for cluster in clusters:
            off = self._owner.get((cluster, "automated_snapshot_retention_days"))
            if off is not None and off[0] != index and off[2] == 0:
                for setting in needs:
                    problems.append(Problem(
                        join_path("policies", index, "snapshots", setting),
                        f"cluster {cluster!r} has automated snapshots turned off by "
                        f"{join_path('policies', off[0], 'snapshots', 'automated_snapshot_retention_days')} (0), "
                        f"so this {setting} would take or copy nothing; set a retention of 1-35 days there",
                        _native_value(policy, setting), rule="cross-policy"))
            if turns_off:
                for setting in ("schedule", "cross_region_copy"):
                    other = self._owner.get((cluster, setting))
                    if other is not None and other[0] != index:
                        problems.append(Problem(
                            join_path("policies", index, "snapshots", "automated_snapshot_retention_days"),
                            f"turns automated snapshots of cluster {cluster!r} off, but "
                            f"{join_path('policies', other[0], 'snapshots', setting)} gives it a {setting}, which "
                            "would then take or copy nothing; expected 1-35", 0, rule="cross-policy"))
        return problems


def discovered_native_problems(policies: Sequence[Policy], discovered: Mapping[int, Sequence[str]],
                               source: str | None = None) -> None:
    """The one-owner rule again, once tag discovery has found its clusters (policies[i] found `discovered[i]`).

    Validation sees named clusters only; a cluster discovered by one policy and named or discovered by another
    would get two retention settings, two schedule associations and two copies that undo each other. Raises a
    ConfigError listing every such cluster, before anything is registered.
    """
    owners = NativeOwners()
    problems: list[Problem] = []
    for i, policy in enumerate(policies):
        found = discovered.get(i, ())
        problems.extend(owners.claim(i, policy, protected_clusters(policy, found), found))
    ConfigError.collect(problems, source)


def _native_settings(policy: Policy) -> list[str]:
    layer = policy.snapshots
    assert layer is not None
    out = []
    if layer.schedule:
        out.append("schedule")
    if layer.automated_snapshot_retention_days is not None:
        out.append("automated_snapshot_retention_days")
    if layer.manual_snapshot_retention_days is not None:
        out.append("manual_snapshot_retention_days")
    if layer.cross_region_copy:
        out.append("cross_region_copy")
    return out


def _native_value(policy: Policy, setting: str) -> Any:
    value = getattr(policy.snapshots, setting)
    return value.model_dump(exclude_unset=True) if hasattr(value, "model_dump") else value


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out


# --- stack files ----------------------------------------------------------------------------------------------


def split_stack_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], str | None, list[Problem]]:
    """Split a stack's `config:` map into our namespace (prefix removed), the region and key problems."""
    ours: dict[str, Any] = {}
    problems: list[Problem] = []
    region = config.get("aws:region")
    aws = {k[4:]: v for k, v in config.items() if isinstance(k, str) and k.startswith("aws:")}
    problems.extend(aws_setting_problems(aws))
    for key, value in config.items():
        if not isinstance(key, str):
            problems.append(Problem("config", "keys must be strings", key, rule="type"))
        elif key.startswith(NAMESPACE + ":"):
            ours[key[len(NAMESPACE) + 1:]] = value
        elif ":" not in key:
            # Pulumi reads an unprefixed key as `<project>:<key>`, and our project is redshift-backup.
            ours[key] = value
        elif _misspelt_namespace(key.split(":", 1)[0]):
            problems.append(Problem(key, f"unknown namespace {key.split(':', 1)[0]!r}; did you mean "
                                    f"{NAMESPACE}:{key.split(':', 1)[1]}? (keys of other namespaces are ignored, so "
                                    "this config would not be read)", has_value=False, rule="namespace"))
    if region is not None and not isinstance(region, str):
        problems.append(Problem("aws:region", "expected a region name string", region, rule="type"))
        region = None
    return ours, region, problems


def _misspelt_namespace(namespace: str) -> bool:
    """`redshift-backups`, `redshift_backup`, `Redshift-Backup`: close to ours, but not ours."""
    if namespace == NAMESPACE:
        return False
    squashed = namespace.lower().replace("_", "").replace("-", "")
    return squashed == NAMESPACE.replace("-", "") or difflib.SequenceMatcher(
        None, namespace.lower(), NAMESPACE).ratio() >= 0.8


class _DuplicateKeys:
    """Every key given twice in one YAML mapping, with the line of each (PyYAML itself keeps the last)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def walk(self, node: yaml.Node, where: tuple[str | int, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    continue
                ident = (key.tag, str(key.value))
                line = key.start_mark.line + 1
                if ident in seen:
                    lines = f"on line {line}" if seen[ident] == line else f"at lines {seen[ident]} and {line}"
                    self.problems.append(Problem(_document_path((*where, str(key.value))),
                                                 f"is given twice, {lines}; YAML would silently keep only the "
                                                 "last one: remove one", has_value=False, rule="duplicate-key",
                                                 line=line, column=key.start_mark.column + 1))
                seen.setdefault(ident, line)
                self.walk(value, (*where, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*where, i))


def _document_path(where: tuple[str | int, ...]) -> str:
    """A place in a stack file as the other problems name it: `policies[0].name`, `aws:region`, `config`."""
    if len(where) >= 2 and where[0] == "config" and isinstance(where[1], str):
        key = where[1]
        head = key[len(NAMESPACE) + 1:] if key.startswith(NAMESPACE + ":") else key
        return join_path(head, *where[2:])
    return join_path(*where)


def _read_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, except that duplicate keys are errors (all of them, with their lines)."""
    return _read_yaml_nodes(text, source)[0]


def _read_yaml_nodes(text: str, source: str) -> tuple[Any, Locations | None]:
    """The document and where each of its values is (None for an empty document)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        locations = Locations(node, _document_path)
        duplicates = _DuplicateKeys()
        duplicates.walk(node, ())
        ConfigError.collect(located(duplicates.problems, locations), source)
        return loader.construct_document(node), locations
    finally:
        loader.dispose()


def stack_name_of_file(path: Path) -> str | None:
    """The stack a `Pulumi.<stack>.yaml` (or `.yml`) file configures; None for a file named otherwise."""
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", path.name)
    return match.group(1) if match else None


def load_stack_file(path: str | Path) -> Stack:
    """Read and validate `Pulumi.<stack>.yaml`; raises ConfigError (also for unreadable or malformed YAML)."""
    path = Path(path)
    source = str(path)
    locations: Locations | None = None
    try:
        data = path.read_bytes()
        document, locations = _read_yaml_nodes(data.decode("utf-8"), source)
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
