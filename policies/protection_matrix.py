"""The protection matrix: one row per cluster, cluster pattern, tag selector and namespace, merging every policy
(and every layer of it) that covers the row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from policies.models import Policy, stack_account
from policies.policy_summary import summarize_native, vault_summary
from policies.schedule_words import describe_backup_schedule
from policies.summary_parts import (
    LAYER_BACKUP,
    LAYER_NATIVE,
    Part,
    Target,
    Upcoming,
    copy_destinations,
    layer_caveats,
    layer_retentions,
    longest,
    merge_upcoming,
    parts_rpo,
    policy_targets,
    upcoming_times,
)
from policies.summary_words import manual_snapshot_caveat


@dataclass(frozen=True)
class Coverage:
    """One policy's layers over one matrix row."""

    policy: str
    layers: tuple[str, ...]


@dataclass(frozen=True)
class ProtectionRow:
    """One row of the protection matrix: everything that protects one cluster (or selector, or namespace)."""

    target: Target
    coverage: tuple[Coverage, ...]
    schedules: tuple[str, ...]
    next_times: tuple[Upcoming, ...]
    rpo: timedelta | None
    longest_retention_days: int | None
    copy_regions: tuple[str, ...]
    copy_accounts: tuple[str, ...]
    vault_locks: tuple[str, ...]
    notified: tuple[str, ...]
    caveats: tuple[str, ...]

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(c.policy for c in self.coverage)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(sorted({layer for c in self.coverage for layer in c.layers}))


def matrix_parts(policies: Sequence[Policy]) -> dict[str, tuple[Target, list[Part]]]:
    """Each matrix row's target (by key) and the policies covering it, with the layers that reach it."""
    rows: dict[str, tuple[Target, list[Part]]] = {}
    for policy in policies:
        targets, native_targets = policy_targets(policy)
        for target in targets:
            with_native = target in native_targets
            rows.setdefault(target.key, (target, []))[1].append((policy, policy.backup is not None, with_native))
    return rows


def protection_matrix(policies: Sequence[Policy], stack_region: str, now: datetime) -> tuple[ProtectionRow, ...]:
    """One row per cluster, cluster pattern, tag selector and namespace, merging every policy that covers it."""
    rows = matrix_parts(policies)
    account = stack_account(policies)
    out = []
    for target, parts in rows.values():
        coverage = tuple(Coverage(p.name, tuple(layer for layer, on in ((LAYER_BACKUP, b), (LAYER_NATIVE, n))
                                                    if on)) for p, b, n in parts)
        words: list[str] = []
        upcoming: list[tuple[datetime, str]] = []
        retentions: list[int] = []
        regions: set[str] = set()
        accounts: set[str] = set()
        locks: list[str] = []
        notified: list[str] = []
        caveats: list[str] = []
        for policy, with_backup, with_native in parts:
            if with_backup and policy.backup:
                words += [f"{policy.name}/{r.name}: "
                          f"{describe_backup_schedule(r.schedule, r.schedule_timezone)}"
                          for r in policy.backup.rules]
                vault = vault_summary(policy)
                if vault:
                    locks.append(f"{vault.name}: {vault.lock_text}")
            if with_native and policy.snapshots:
                native = summarize_native(policy.snapshots)
                default = "automated snapshots off" if native.automated_retention_days == 0 else (
                    "Redshift's default schedule")
                words.append(f"{policy.name} native: " + ("; ".join(native.schedule_text) or default))
            upcoming += upcoming_times(policy, with_backup, with_native, now)
            retentions += layer_retentions(policy, with_backup, with_native)
            r, a = copy_destinations(policy, with_backup, with_native, stack_region, account)
            regions |= r
            accounts |= a
            if policy.notifications:
                for who in list(policy.notifications.emails) + [policy.notifications.sns_topic_arn or
                                                                f"topic {policy.name}-backup-events"]:
                    if who not in notified:
                        notified.append(who)
            for caveat in layer_caveats(policy, with_backup, with_native):
                if caveat not in caveats:
                    caveats.append(caveat)
        layers = {layer for c in coverage for layer in c.layers}
        if len(layers) == 2 and not caveats:
            caveats.append(manual_snapshot_caveat())  # the two layers come from different policies
        out.append(ProtectionRow(
            target=target, coverage=coverage, schedules=tuple(words), next_times=merge_upcoming(upcoming),
            rpo=parts_rpo(parts, now), longest_retention_days=longest(retentions), copy_regions=tuple(sorted(regions)),
            copy_accounts=tuple(sorted(accounts)), vault_locks=tuple(locks), notified=tuple(notified),
            caveats=tuple(caveats)))
    return tuple(out)
