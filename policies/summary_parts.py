"""What one policy contributes to a summary or to a row of the protection matrix, layer by layer: the rows it
covers, its next times, the schedules that count for the RPO, its retentions, copies and caveats.

A `Part` is a policy covering a row with its AWS Backup and native layers on or off: a native layer reaches only
named clusters (and tag-selected ones it discovers), so a row may see one layer of a policy and not the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from policies.backup_runs import next_backup_times
from policies.models import Policy
from policies.rpo import combined_rpo
from policies.schedule_words import FOREVER
from policies.selection import cluster_identifier_of
from policies.snapshot_layer import SnapshotLayer
from policies.snapshot_runs import next_snapshot_times
from policies.summary_words import manual_snapshot_caveat, selector_text

NEXT_COUNT = 5
LAYER_BACKUP = "AWS Backup"
LAYER_NATIVE = "native snapshots"


@dataclass(frozen=True)
class Upcoming:
    """One upcoming backup or snapshot time and what takes it."""

    time: datetime
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """What a matrix row protects: a named cluster, a wildcard, a tag selector or a namespace."""

    kind: str  # "cluster" | "cluster_pattern" | "tag_selector" | "namespace"
    key: str
    label: str


def policy_targets(policy: Policy) -> tuple[tuple[Target, ...], tuple[Target, ...]]:
    """The rows a policy covers (all layers), and those its native layer reaches."""
    selection = policy.selection
    named = tuple(Target("cluster", f"cluster:{c}", c) for c in selection.cluster_identifiers())
    patterns = tuple(Target("cluster_pattern", f"clusters:{ref}", f"clusters matching {ref}")
                     for ref in selection.clusters
                     if "*" in ref and (cluster_identifier_of(ref) or "") not in selection.excluded_identifiers())
    tagged: tuple[Target, ...] = ()
    if selection.conditions:
        label = selector_text(selection.conditions)
        if selection.not_resources:
            label += ", except " + ", ".join(sorted({cluster_identifier_of(r) or r for r in selection.not_resources}))
        tagged = (Target("tag_selector", f"tag:{label}", label),)
    excluded = set(selection.not_resources)
    namespaces = tuple(Target("namespace", f"namespace:{arn}", f"namespace {arn}")
                       for arn in selection.serverless_namespaces if arn not in excluded)
    everything = named + patterns + tagged + namespaces
    native: tuple[Target, ...] = ()
    if policy.snapshots:
        native = named + (tagged if selection.discover_tagged_clusters else ())
    if not policy.backup:
        everything = native
    return everything, native


def merge_upcoming(items: Iterable[tuple[datetime, str]], count: int = NEXT_COUNT) -> tuple[Upcoming, ...]:
    """The first `count` distinct times, each with every label that fires then."""
    by_time: dict[datetime, list[str]] = {}
    for time, label in sorted(items):
        labels = by_time.setdefault(time, [])
        if label not in labels:
            labels.append(label)
    return tuple(Upcoming(time, tuple(labels)) for time, labels in sorted(by_time.items())[:count])


def upcoming_times(policy: Policy, with_backup: bool, with_native: bool, now: datetime) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    if with_backup and policy.backup:
        for rule in policy.backup.rules:
            label = f"{policy.name}/{rule.name} (AWS Backup)"
            out += [(t, label) for t in next_backup_times(rule.schedule, rule.schedule_timezone, now,
                                                                     NEXT_COUNT)]
    if with_native and policy.snapshots and _takes_snapshots(policy.snapshots):
        assumed = ", rate() from 00:00 UTC assumed" if has_rate(policy.snapshots) else ""
        label = f"{policy.name} (native snapshot{assumed})"
        out += [(t, label) for t in next_snapshot_times(policy.snapshots.schedule, now, NEXT_COUNT)]
    return out


def has_rate(layer: SnapshotLayer) -> bool:
    return any(d.startswith("rate(") for d in layer.schedule)


def _takes_snapshots(layer: SnapshotLayer) -> bool:
    return bool(layer.schedule) and layer.automated_snapshot_retention_days != 0


Part = tuple[Policy, bool, bool]  # a policy covering a matrix row, with its AWS Backup and native layers on/off


def rpo_schedules(parts: Sequence[Part]) -> tuple[list[tuple[str, str]], list[str]]:
    """The AWS Backup rules `(expression, timezone)` and snapshot definitions that count for an RPO."""
    rules: list[tuple[str, str]] = []
    definitions: list[str] = []
    for policy, with_backup, with_native in parts:
        if with_backup and policy.backup:
            rules += [(r.schedule, r.schedule_timezone) for r in policy.backup.rules]
        if with_native and policy.snapshots and _takes_snapshots(policy.snapshots):
            definitions += [d for d in policy.snapshots.schedule if d not in definitions]
    return sorted(set(rules)), definitions


def parts_rpo(parts: Sequence[Part], now: datetime) -> timedelta | None:
    rules, definitions = rpo_schedules(parts)
    if not rules and not definitions:
        return None
    return combined_rpo(rules, definitions, now)


def layer_retentions(policy: Policy, with_backup: bool, with_native: bool) -> list[int]:
    out: list[int] = []
    if with_backup and policy.backup:
        for rule in policy.backup.rules:
            out.append(rule.delete_after_days)
            out += [rule.copy_delete_after_days(c) for c in rule.copy_actions]
    layer = policy.snapshots
    if with_native and layer:
        if layer.automated_snapshot_retention_days:
            out.append(layer.automated_snapshot_retention_days)
            if layer.cross_region_copy:
                out.append(layer.cross_region_copy.retention_days)
    return out


def longest(days: Iterable[int]) -> int | None:
    """The longest of retentions in days, where -1 (for ever) beats every number."""
    values = list(days)
    if not values:
        return None
    return FOREVER if FOREVER in values else max(values)


def copy_destinations(policy: Policy, with_backup: bool, with_native: bool, region: str,
            stack_account: str | None) -> tuple[set[str], set[str]]:
    regions: set[str] = set()
    accounts: set[str] = set()
    if with_backup and policy.backup:
        for rule in policy.backup.rules:
            for copy in rule.copy_actions:
                account = copy.other_account(stack_account)
                if account:
                    accounts.add(account)
                if (copy.region or region) != region:
                    regions.add(copy.region or region)
    if with_native and policy.snapshots and policy.snapshots.cross_region_copy:
        regions.add(policy.snapshots.cross_region_copy.destination_region)
    return regions, accounts


def layer_caveats(policy: Policy, with_backup: bool, with_native: bool) -> list[str]:
    out: list[str] = []
    if with_backup and with_native and policy.backup is not None and policy.snapshots is not None:
        out.append(manual_snapshot_caveat())
    return out
