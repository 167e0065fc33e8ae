"""The one entry point of validation: stack config in, a validated `Stack` or one `ConfigError` with every problem."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policies.base import problems_from_validation_error
from policies.errors import ConfigError, Problem, join_path
from policies.models import REGION, Policy, StackConfig
from policies.native_plan import protected_clusters
from policies.restores import RestoreSpec, restore_list_problems

NAMESPACE = "redshift-backup"


@dataclass(frozen=True)
class Stack:
    """A validated stack: its config, its region and where it came from."""

    config: StackConfig
    region: str
    source: str | None = None
    name: str | None = None

    @property
    def policies(self) -> list[Policy]:
        return list(self.config.policies)

    @property
    def restores(self) -> list[RestoreSpec]:
        return list(self.config.restores)


def validate_config(raw: Mapping[str, Any], region: str | None, *, source: str | None = None,
                    name: str | None = None) -> Stack:
    """Validate the `redshift-backup:` namespace of a stack's config (keys without the namespace prefix)."""
    problems: list[Problem] = []
    if not region:
        problems.append(Problem("aws:region", "is required: the stack's AWS region (e.g. us-east-1)",
                                has_value=False))
    elif not REGION.match(region):
        problems.append(Problem("aws:region", "expected an AWS region name such as us-east-1", region))
    context = {"region": region}
    try:
        config = StackConfig.model_validate(dict(raw), context=context)
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc))
        problems.extend(cross_policy_problems(_valid_policies(raw, context)))
        raise ConfigError(_dedupe(problems), source) from None
    problems.extend(cross_policy_problems(enumerate(config.policies)))
    problems.extend(restore_list_problems(config.restores))
    ConfigError.collect(problems, source)
    assert region is not None
    return Stack(config=config, region=region, source=source, name=name)


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
    problems: list[Problem] = []
    names: dict[str, int] = {}
    vaults: dict[str, int] = {}
    native = NativeOwners()
    opt_in: int | None = None
    for i, policy in policies:
        if policy.backup and policy.backup.opt_in_region_settings:
            if opt_in is not None:
                problems.append(Problem(join_path("policies", i, "backup", "opt_in_region_settings"),
                                        f"policies[{opt_in}] already opts this region in; RegionSettings is one per "
                                        "account and region, so turn it on in one policy only", True))
            opt_in = i if opt_in is None else opt_in
        if policy.name in names:
            problems.append(Problem(join_path("policies", i, "name"),
                                    f"is already used by policies[{names[policy.name]}]; policy names name their "
                                    "resources and must be unique", policy.name))
        names.setdefault(policy.name, i)
        if policy.backup and policy.backup.vault.existing is None:
            vault = policy.vault_name or ""
            if vault in vaults:
                problems.append(Problem(join_path("policies", i, "backup", "vault", "name"),
                                        f"policies[{vaults[vault]}] already creates a vault named {vault!r}; to "
                                        "share it, create it in one policy and use `existing` in the other", vault))
            vaults.setdefault(vault, i)
        problems.extend(native.claim(i, policy, policy.selection.cluster_identifiers()))
    return problems


class NativeOwners:
    """Which policy sets which native setting of which cluster: a cluster has one snapshot schedule, one retention
    and one copy destination, so the first policy (in stack order) to set one owns it and any other is a problem.
    """

    def __init__(self) -> None:
        # (cluster, setting) -> (policy index, whether that policy found the cluster by tag discovery)
        self._owner: dict[tuple[str, str], tuple[int, bool]] = {}

    def claim(self, index: int, policy: Policy, clusters: Iterable[str],
              discovered: Collection[str] = ()) -> list[Problem]:
        """Claim `policy`'s native settings on `clusters`; `discovered` (found by tag discovery) shapes the message."""
        problems: list[Problem] = []
        if not policy.snapshots:
            return problems
        for setting in _native_settings(policy):
            for cluster in clusters:
                here = cluster in discovered
                owner, there = self._owner.setdefault((cluster, setting), (index, here))
                if owner == index:
                    continue
                path = join_path("policies", index, "snapshots", setting)
                rule = ("a cluster has one snapshot schedule, one retention and one copy destination, so only one "
                        "policy may set each")
                if not (here or there):
                    problems.append(Problem(path, f"cluster {cluster!r} already gets its {setting} from "
                                            f"policies[{owner}]; {rule}", has_value=False))
                    continue
                who = ("this policy's and that policy's tag discovery" if here and there
                       else "this policy's tag discovery" if here else f"the tag discovery of policies[{owner}]")
                problems.append(Problem(path, f"cluster {cluster!r} (found by {who}) already gets its {setting} "
                                        f"from policies[{owner}]; {rule}: leave it out of one of them with "
                                        "selection.not_resources, or change its tags", cluster))
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
    for key, value in config.items():
        if not isinstance(key, str):
            problems.append(Problem("config", "keys must be strings", key))
        elif key.startswith(NAMESPACE + ":"):
            ours[key[len(NAMESPACE) + 1:]] = value
        elif ":" not in key:
            # Pulumi reads an unprefixed key as `<project>:<key>`, and our project is redshift-backup.
            ours[key] = value
    if region is not None and not isinstance(region, str):
        problems.append(Problem("aws:region", "expected a region name string", region))
        region = None
    return ours, region, problems


def load_stack_file(path: str | Path) -> Stack:
    """Read and validate `Pulumi.<stack>.yaml`; raises ConfigError (also for unreadable or malformed YAML)."""
    path = Path(path)
    source = str(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([Problem("", f"cannot read the file: {exc.strerror}", has_value=False)], source) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([Problem("", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                                   has_value=False)], source) from exc
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError([Problem("", "expected a stack file: a mapping with a `config:` key", document)], source)
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError([Problem("config", "expected a mapping of config keys", config)], source)
    ours, region, problems = split_stack_config(config)
    stack_name = path.name[len("Pulumi."):-len(".yaml")] if path.name.startswith("Pulumi.") else None
    try:
        stack = validate_config(ours, region, source=source, name=stack_name)
    except ConfigError as exc:
        raise ConfigError(problems + list(exc.problems), source) from None
    ConfigError.collect(problems, source)
    return stack


def validate_policy(raw: Any, region: str, *, source: str | None = None) -> Policy:
    """Validate one policy given directly to a component (e.g. from a user's own Pulumi program)."""
    if isinstance(raw, Policy):
        return raw
    try:
        policy = Policy.model_validate(raw, context={"region": region})
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc, ("policy",)), source) from None
    return policy
