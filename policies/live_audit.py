"""The pure half of `redshift-backup audit`: what the stack's config promises for one cluster or namespace, and the
gaps between that promise and the facts a scan of the account collected (redshift_backup/audit.py).

Nothing here talks to AWS: the same facts and the same `now` always give the same gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from policies.diff_findings import reaches
from policies.models import Policy
from policies.native_plan import like, tags_match
from policies.rpo import combined_rpo
from policies.schedule_words import days_text
from policies.summary_parts import Part, rpo_schedules
from policies.summary_words import duration_text

Level = Literal["high", "medium", "info"]
# How far back the promised RPO is measured: the week before the scan (what should already have happened).
RPO_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Promise:
    """What the stack's policies promise for one resource; `policies` empty: no policy covers it."""

    policies: tuple[str, ...] = ()
    backup: bool = False
    native: bool = False
    native_schedule: tuple[str, ...] = ()
    rpo: timedelta | None = None
    # How late an AWS Backup job may start (the longest start window of the covering rules): a backup that old
    # is not yet late.
    tolerance: timedelta = timedelta(0)
    automated_retention_days: int | None = None
    native_copy_region: str | None = None
    backup_copy_regions: tuple[str, ...] = ()
    shortest_backup_retention_days: int | None = None
    vault_lock: bool = False


@dataclass(frozen=True)
class Facts:
    """What a scan found for one cluster (`kind` "cluster") or Serverless namespace (`kind` "namespace")."""

    kind: Literal["cluster", "namespace"]
    identifier: str
    arn: str
    tags: Mapping[str, str] = field(default_factory=dict)
    # Native layer (clusters only): None when not read.
    automated_retention_days: int | None = None
    snapshot_schedule: tuple[str, ...] = ()
    native_copy_region: str | None = None
    native_copy_retention_days: int | None = None
    newest_snapshot: datetime | None = None
    # AWS Backup: the selections that cover it ("<plan>/<selection>"), what their plans do, its recovery points.
    backup_selections: tuple[str, ...] = ()
    backup_vaults: tuple[str, ...] = ()
    locked_vaults: tuple[str, ...] = ()
    backup_copy_regions: tuple[str, ...] = ()
    shortest_backup_retention_days: int | None = None
    newest_recovery_point: datetime | None = None

    @property
    def newest_backup(self) -> datetime | None:
        times = [t for t in (self.newest_snapshot, self.newest_recovery_point) if t is not None]
        return max(times, default=None)


@dataclass(frozen=True)
class Gap:
    """One difference between the promise and the facts, with a risk level and what to do."""

    kind: str
    level: Level
    message: str


@dataclass(frozen=True)
class ResourceAudit:
    """One scanned resource: its facts, what the stack promises for it, the gaps."""

    facts: Facts
    promise: Promise
    gaps: tuple[Gap, ...]


# --- what the config promises --------------------------------------------------------------------------------


def _matches_ref(ref: str, identifier: str, arn: str) -> bool:
    """A selection entry (identifier, ARN, or either with a trailing `*`) names this resource."""
    target = arn if ref.startswith("arn:") else identifier
    if ref.endswith("*"):
        return target.startswith(ref[:-1])
    return target == ref


def _layers(policy: Policy, facts: Facts) -> tuple[bool, bool]:
    """Whether the policy's AWS Backup and native layers reach the resource (False, False: not covered)."""
    selection = policy.selection
    if any(_matches_ref(ref, facts.identifier, facts.arn) for ref in selection.not_resources):
        return False, False
    if facts.kind == "namespace":
        named = any(_matches_ref(ref, facts.identifier, facts.arn) for ref in selection.serverless_namespaces)
        return named and policy.backup is not None, False
    named = any(_matches_ref(ref, facts.identifier, facts.arn) for ref in selection.clusters)
    tagged = selection.conditions is not None and tags_match(facts.tags, selection.conditions)
    exact = facts.identifier in selection.cluster_identifiers()
    backup = policy.backup is not None and (named or tagged)
    native = policy.snapshots is not None and (exact or (tagged and selection.discover_tagged_clusters))
    return backup, native


def promise_for(policies: Sequence[Policy], facts: Facts, region: str, now: datetime) -> Promise:
    """What `policies` (a stack of `region`) promise for the scanned resource, with the RPO measured over the week
    before `now`."""
    parts: list[Part] = []
    for policy in policies:
        backup, native = _layers(policy, facts)
        if backup or native:
            parts.append((policy, backup, native))
    if not parts:
        return Promise()
    rules, definitions = rpo_schedules(parts)
    rpo = combined_rpo(rules, definitions, now - RPO_WINDOW, RPO_WINDOW) if rules or definitions else None
    backup_rules = [r for p, b, _ in parts if b and p.backup for r in p.backup.rules]
    native_layers = [p.snapshots for p, _, n in parts if n and p.snapshots]
    retention = [n.automated_snapshot_retention_days for n in native_layers
                 if n.automated_snapshot_retention_days is not None]
    copies = [n.cross_region_copy.destination_region for n in native_layers if n.cross_region_copy]
    backup_copies = sorted({c.region for r in backup_rules for c in r.copy_actions
                            if c.region and c.region != region})
    return Promise(
        policies=tuple(p.name for p, _, _ in parts),
        backup=any(b for _, b, _ in parts),
        native=any(n for _, _, n in parts),
        native_schedule=tuple(d for n in native_layers for d in n.schedule),
        rpo=rpo,
        tolerance=timedelta(minutes=max((r.start_window_minutes for r in backup_rules), default=0)),
        automated_retention_days=max(retention) if retention else None,
        native_copy_region=copies[0] if copies else None,
        backup_copy_regions=tuple(backup_copies),
        shortest_backup_retention_days=min((r.delete_after_days for r in backup_rules), default=None),
        vault_lock=any(p.backup.vault.lock is not None for p, b, _ in parts if b and p.backup),
    )


# --- gaps ----------------------------------------------------------------------------------------------------


def gaps_of(facts: Facts, promise: Promise, now: datetime) -> list[Gap]:
    """Every gap of one resource: uncovered, stale beyond the RPO, retention below the promise, copy missing, no
    vault lock, another snapshot schedule."""
    name = f"{facts.kind} {facts.identifier}"
    if not promise.policies:
        return [Gap("uncovered", "high", f"{name} is covered by no policy of this stack (not named, and its tags "
                    "match no selection): name it in a policy's selection, or tag it")]
    gaps: list[Gap] = []
    if promise.backup and not facts.backup_selections:
        gaps.append(Gap("uncovered", "high", f"{name}: the stack promises AWS Backup ({', '.join(promise.policies)}) "
                        "but no backup selection in the account covers it: run `pulumi up`, or check the selection"))
    newest = facts.newest_backup
    if promise.rpo is not None:
        allowed = promise.rpo + promise.tolerance
        if newest is None:
            gaps.append(Gap("stale", "high", f"{name} has no recovery point and no snapshot at all; the stack "
                            f"promises one at least every {duration_text(promise.rpo)}"))
        elif now - newest > allowed:
            gaps.append(Gap("stale", "high", f"{name}: the newest recovery point or snapshot is "
                            f"{duration_text(now - newest)} old; the stack promises an RPO of "
                            f"{duration_text(promise.rpo)}" + (
                                f" (plus a start window of {duration_text(promise.tolerance)})"
                                if promise.tolerance else "")))
    promised = promise.automated_retention_days
    if promised is not None and facts.kind == "cluster" and (facts.automated_retention_days or 0) < promised:
        level: Level = "high" if not facts.automated_retention_days else "medium"
        gaps.append(Gap("retention", level, f"{name} keeps automated snapshots "
                        f"{days_text(facts.automated_retention_days or 0)}; the stack promises "
                        f"{days_text(promised)}"))
    shortest = promise.shortest_backup_retention_days
    if (shortest is not None and facts.shortest_backup_retention_days is not None
            and facts.shortest_backup_retention_days < shortest):
        gaps.append(Gap("retention", "medium", f"{name}: a backup rule covering it keeps recovery points "
                        f"{days_text(facts.shortest_backup_retention_days)}; the stack promises at least "
                        f"{days_text(shortest)}"))
    copy_region = promise.native_copy_region
    if copy_region and facts.kind == "cluster" and facts.native_copy_region != copy_region:
        found = f"copies to {facts.native_copy_region}" if facts.native_copy_region else "has no cross-region copy"
        gaps.append(Gap("copy_missing", "high", f"{name} {found}; the stack promises snapshot copies to "
                        f"{promise.native_copy_region}"))
    missing = sorted(set(promise.backup_copy_regions) - set(facts.backup_copy_regions))
    if missing and facts.backup_selections:
        gaps.append(Gap("copy_missing", "high", f"{name}: no backup rule covering it copies to {', '.join(missing)}, "
                        "as the stack promises"))
    if promise.vault_lock and facts.backup_vaults and not facts.locked_vaults:
        gaps.append(Gap("vault_lock", "medium", f"{name}: its vaults ({', '.join(facts.backup_vaults)}) have no vault "
                        "lock; the stack promises a locked vault"))
    if promise.native_schedule and facts.kind == "cluster" and sorted(facts.snapshot_schedule) != sorted(
            promise.native_schedule):
        found = ", ".join(facts.snapshot_schedule) or "no snapshot schedule (Redshift's default)"
        gaps.append(Gap("schedule", "medium", f"{name} has {found}; the stack promises "
                        f"{', '.join(promise.native_schedule)}"))
    return gaps


def audit_resources(policies: Sequence[Policy], facts: Sequence[Facts], region: str,
                    now: datetime) -> tuple[ResourceAudit, ...]:
    """Promise and gaps of every scanned resource, clusters first, each kind sorted by identifier."""
    ordered = sorted(facts, key=lambda f: (f.kind != "cluster", f.identifier))
    out = []
    for item in ordered:
        promise = promise_for(policies, item, region, now)
        out.append(ResourceAudit(item, promise, tuple(gaps_of(item, promise, now))))
    return tuple(out)


def fails(audits: Sequence[ResourceAudit], fail_on: str) -> bool:
    """Whether a gap is at `fail_on` ("high", "medium") or above; never for "never" (the rule `diff --fail-on`
    follows)."""
    return reaches((g.level for a in audits for g in a.gaps), fail_on)


def named_clusters(policies: Sequence[Policy]) -> list[str]:
    """Clusters the stack names explicitly (for a scan that must find them: a missing one is reported)."""
    out: list[str] = []
    for policy in policies:
        for ident in policy.selection.cluster_identifiers():
            if ident not in out:
                out.append(ident)
    return out


# --- AWS Backup selections, as the account holds them ------------------------------------------------------------

_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")


def _tag(tags: Mapping[str, str], key: str) -> str | None:
    prefix = "aws:ResourceTag/"
    return tags.get(key[len(prefix):] if key.startswith(prefix) else key)


def selection_covers(selection: Mapping[str, Any], arn: str, tags: Mapping[str, str]) -> bool:
    """Whether an AWS Backup selection (the `BackupSelection` of GetBackupSelection) selects the resource.

    AWS Backup: a resource in `Resources` (wildcards allowed) or matching one of `ListOfTags` (ORed, STRINGEQUALS),
    and every entry of `Conditions` (ANDed), and not in `NotResources`.
    """
    if any(like(pattern, arn) for pattern in selection.get("NotResources") or ()):
        return False
    listed = any(like(pattern, arn) for pattern in selection.get("Resources") or ())
    tagged = any(_tag(tags, t.get("ConditionKey", "")) == t.get("ConditionValue")
                 for t in selection.get("ListOfTags") or () if t.get("ConditionType", "STRINGEQUALS") == "STRINGEQUALS")
    if not (listed or tagged):
        return False
    conditions = selection.get("Conditions") or {}
    for op in _OPERATORS:
        for cond in conditions.get(op) or ():
            value = _tag(tags, cond.get("ConditionKey", ""))
            wanted = cond.get("ConditionValue", "")
            if op == "StringEquals" and value != wanted:
                return False
            if op == "StringNotEquals" and value == wanted:
                return False
            if op == "StringLike" and (value is None or not like(wanted, value)):
                return False
            if op == "StringNotLike" and value is not None and like(wanted, value):
                return False
    return True
