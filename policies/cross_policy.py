"""Rules across the policies of one stack: unique names and vaults, one RegionSettings opt-in, one owner per native
setting of a cluster (also once tag discovery has found its clusters), notification topics of the stack's account."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from policies.base import skip_if_invalid
from policies.errors import ConfigError, Problem, format_value, join_path
from policies.model_fields import arn_account
from policies.models import Policy, stack_account
from policies.native_plan import protected_clusters


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
