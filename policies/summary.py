"""What a stack protects, in plain data: each policy's rules in words, the protection matrix, next backups, RPO.

`summarize` is pure: the same stack and the same `now` always give the same summary, so `plan` output can be
pinned in tests. Rendering lives in `redshift_backup/render.py`.

Conventions (stated again in docs/review.md):

* Named clusters and tag selectors are separate rows of the matrix: which clusters carry a tag is only known in
  the account, so a tag-selected cluster is shown as its selector (`tag backup = daily`).
* A native layer without a `schedule` keeps Redshift's default (a snapshot every 8 hours or 5 GB of change per
  node); those times depend on the data, so they are not in the next backup times nor in the RPO.
* The RPO is the longest gap between two consecutive backups, both layers together, over the week from `now`
  (`schedules.combined_rpo`); a monthly rule alone gives about a month.
* The longest retention counts AWS Backup rules and their copies and automated snapshots and their copies; a
  manual snapshot retention is shown but not counted, because no schedule takes manual snapshots (AWS Backup
  takes manual snapshots but manages their retention itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from policies import schedules
from policies.backup_layer import BackupRule, CopyAction
from policies.models import Policy, stack_account
from policies.native_plan import MANUAL_SNAPSHOT_CAVEAT
from policies.restores import ClusterRestoreSpec, SnapshotShareSpec, TableRestoreSpec, describe_restore
from policies.schedules import FOREVER, days_text
from policies.selection import Conditions, cluster_identifier_of
from policies.snapshot_layer import SnapshotLayer
from policies.validation import Stack

NEXT_COUNT = 5
LAYER_BACKUP = "AWS Backup"
LAYER_NATIVE = "native snapshots"

DEFAULT_NATIVE_SCHEDULE = ("Redshift's default schedule: a snapshot every 8 hours or every 5 GB of change per "
                           "node (not counted in next backups or RPO)")
AUTOMATED_OFF = ("automated snapshots turned off (retention 0): Redshift takes none and deletes the existing "
                 "ones")
# Where Redshift starts counting rate() is not documented (policies/schedules.py): say so wherever times show.
RATE_START = "rate() times assume a start at 00:00 UTC; Redshift's real start is unverified"


def manual_snapshot_caveat() -> str:
    """The caveat shown where AWS Backup and native snapshot settings meet on one cluster (native_plan owns it)."""
    return MANUAL_SNAPSHOT_CAVEAT


# --- data -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopySummary:
    """One copy action of a rule: where copies go and how long they stay."""

    region: str | None
    account_id: str | None
    delete_after_days: int
    text: str


@dataclass(frozen=True)
class RuleSummary:
    """One AWS Backup rule in words."""

    name: str
    schedule: str
    timezone: str
    schedule_text: str
    delete_after_days: int
    copies: tuple[CopySummary, ...]
    rpo: timedelta | None
    text: str


@dataclass(frozen=True)
class NativeSummary:
    """The native snapshot layer of one policy in words."""

    schedule: tuple[str, ...]
    schedule_text: tuple[str, ...]
    automated_retention_days: int | None
    manual_retention_days: int | None
    copy_region: str | None
    copy_retention_days: int | None
    copy_manual_retention_days: int | None
    lines: tuple[str, ...]

    @property
    def takes_snapshots(self) -> bool:
        """Whether the declared schedule produces snapshots (retention 0 turns automated snapshots off)."""
        return bool(self.schedule) and self.automated_retention_days != 0


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


@dataclass(frozen=True)
class VaultSummary:
    """Where a policy's recovery points live and how they are guarded."""

    name: str
    existing: bool
    kms_key: str
    lock_mode: str | None
    lock_min_days: int | None
    lock_max_days: int | None
    lock_changeable_for_days: int | None
    deny_recovery_point_deletion: bool
    allowed_principals: tuple[str, ...]
    protect: bool
    text: str

    @property
    def lock_text(self) -> str:
        if self.existing:
            return "not managed here (existing vault)"
        if self.lock_mode is None:
            return "none"
        return f"{self.lock_mode} ({self.lock_min_days}-{self.lock_max_days} days)"


@dataclass(frozen=True)
class NotificationSummary:
    """Who is told, and of what."""

    topic: str
    emails: tuple[str, ...]
    backup_vault_events: tuple[str, ...]
    redshift_event_categories: tuple[str, ...]
    redshift_event_severity: str | None
    text: str


@dataclass(frozen=True)
class PolicySummary:
    """One policy: what it selects, each layer in words, next times, RPO and longest retention."""

    name: str
    description: str | None
    targets: tuple[Target, ...]
    native_targets: tuple[Target, ...]
    rules: tuple[RuleSummary, ...]
    vault: VaultSummary | None
    native: NativeSummary | None
    notifications: NotificationSummary | None
    next_times: tuple[Upcoming, ...]
    rpo: timedelta | None
    longest_retention_days: int | None
    caveats: tuple[str, ...]

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(layer for layer, present in ((LAYER_BACKUP, bool(self.rules)),
                                                  (LAYER_NATIVE, self.native is not None)) if present)


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


@dataclass(frozen=True)
class RestoreSummary:
    """One declared restore in words, and the source it restores from (what `diff` compares)."""

    name: str
    kind: str
    source: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class StackSummary:
    """Everything `plan` says about a stack, except the resource list (which needs the Pulumi mock run)."""

    name: str | None
    region: str
    source: str | None
    now: datetime
    policies: tuple[PolicySummary, ...]
    matrix: tuple[ProtectionRow, ...]
    restores: tuple[RestoreSummary, ...] = field(default=())


# --- words ----------------------------------------------------------------------------------------------------


def kept_text(days: int) -> str:
    return "kept for ever" if days == FOREVER else f"kept {days_text(days)}"


def duration_text(value: timedelta | None) -> str:
    """`12 hours`, `1 day 6 hours`, `31 days`, `unknown` (None)."""
    if value is None:
        return "unknown"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
             if n]
    return " ".join(parts) if parts else "0 minutes"


def copy_text(copy: CopyAction, days: int, stack_region: str, stack_account: str | None = None) -> str:
    """`copied to us-west-2 and kept 90 days`, `copied to account 444455556666 (us-east-1) and kept 365 days`,
    `copied to vault arn:aws:backup:... and kept 35 days` (a given vault, in this account as far as is known)."""
    region = copy.region or stack_region
    account = copy.other_account(stack_account)
    if account:
        where = f"account {account} ({region})"
    elif copy.destination_vault_arn:
        where = f"vault {copy.destination_vault_arn}"
    else:
        where = region
    return f"copied to {where} and {kept_text(days)}"


def selector_text(conditions: Conditions) -> str:
    """`tag tier = 1 and tag backup != none`: the words for a tag selection (all conditions must hold)."""
    ops = {"string_equals": "=", "string_not_equals": "!=", "string_like": "like",
           "string_not_like": "not like"}
    # In a fixed order (operator, key, value): the same selection written in another order is the same selector.
    order = list(ops)
    parts = sorted(conditions.all(), key=lambda item: (order.index(item[0]), item[1].key, item[1].value))
    return " and ".join(f"tag {c.key} {ops[op]} {c.value}" for op, c in parts)


# --- summarize ------------------------------------------------------------------------------------------------


def summarize_rule(rule: BackupRule, stack_region: str, now: datetime,
                   stack_account: str | None = None) -> RuleSummary:
    """One rule in words: `every day at 05:00 UTC, kept 35 days, copied to us-west-2 and kept 90 days`."""
    when = schedules.describe_backup_schedule(rule.schedule, rule.schedule_timezone)
    copies = tuple(
        CopySummary(region=copy.region or stack_region, account_id=copy.other_account(stack_account),
                    delete_after_days=rule.copy_delete_after_days(copy),
                    text=copy_text(copy, rule.copy_delete_after_days(copy), stack_region, stack_account))
        for copy in rule.copy_actions)
    text = ", ".join([when, kept_text(rule.delete_after_days)] + [c.text for c in copies])
    rpo = schedules.combined_rpo([(rule.schedule, rule.schedule_timezone)], [], now)
    return RuleSummary(name=rule.name, schedule=rule.schedule, timezone=rule.schedule_timezone,
                       schedule_text=when, delete_after_days=rule.delete_after_days, copies=copies, rpo=rpo,
                       text=text)


def summarize_native(layer: SnapshotLayer) -> NativeSummary:
    """The native layer in words, one line per setting."""
    words = tuple(schedules.describe_snapshot_definition(d) for d in layer.schedule)
    lines: list[str] = []
    auto = layer.automated_snapshot_retention_days
    if auto == 0:  # validation refuses a schedule or a copy next to it
        lines.append(AUTOMATED_OFF)
    elif words:
        lines.append("snapshots " + "; ".join(words))
        if _has_rate(layer):
            lines.append(RATE_START)
    else:
        lines.append(DEFAULT_NATIVE_SCHEDULE)
    if auto is None:
        lines.append("automated snapshot retention: left as it is on the cluster")
    elif auto:
        lines.append(f"automated snapshots {kept_text(auto)}")
    manual = layer.manual_snapshot_retention_days
    if manual is not None:
        lines.append(f"manual snapshots {kept_text(manual)} by default")
    copy = layer.cross_region_copy
    if copy:
        text = f"snapshots copied to {copy.destination_region}, automated copies {kept_text(copy.retention_days)}"
        copied_manual = copy.manual_snapshot_retention_days
        text += f", manual copies {kept_text(copied_manual if copied_manual is not None else FOREVER)}"
        lines.append(text)
    return NativeSummary(
        schedule=tuple(layer.schedule), schedule_text=words, automated_retention_days=auto,
        manual_retention_days=manual, copy_region=copy.destination_region if copy else None,
        copy_retention_days=copy.retention_days if copy else None,
        copy_manual_retention_days=copy.manual_snapshot_retention_days if copy else None, lines=tuple(lines))


def vault_summary(policy: Policy) -> VaultSummary | None:
    if not policy.backup:
        return None
    vault = policy.backup.vault
    lock = vault.lock
    name = policy.vault_name or ""
    if vault.existing:
        text = f"existing vault {vault.existing} (used as it is; its lock and access policy are not managed here)"
    else:
        key = {"new": "a new KMS key", "aws_managed": "the AWS managed key"}.get(vault.kms_key,
                                                                                f"KMS key {vault.kms_key}")
        text = f"vault {name}, encrypted with {key}"
        if lock is None:
            text += ", no vault lock"
        elif lock.mode == "compliance":
            text += (f", compliance lock: retention {lock.min_retention_days}-{lock.max_retention_days} days, "
                     f"immutable {days_text(lock.effective_changeable_for_days or 3)} after it is applied")
        else:
            text += (f", governance lock: retention {lock.min_retention_days}-{lock.max_retention_days} days "
                     "(privileged users can remove it)")
        if vault.deny_recovery_point_deletion:
            text += ", deleting recovery points denied"
            if vault.allowed_principals:
                text += " except to " + ", ".join(vault.allowed_principals)
        else:
            text += ", recovery points deletable by anyone with IAM permission (no deny policy)"
        if not vault.protect:
            text += ", not protected from `pulumi destroy`"
    return VaultSummary(
        name=name, existing=vault.existing is not None, kms_key=vault.kms_key,
        lock_mode=lock.mode if lock else None, lock_min_days=lock.min_retention_days if lock else None,
        lock_max_days=lock.max_retention_days if lock else None,
        lock_changeable_for_days=lock.effective_changeable_for_days if lock else None,
        deny_recovery_point_deletion=vault.deny_recovery_point_deletion,
        allowed_principals=tuple(vault.allowed_principals), protect=vault.protect, text=text)


def _notification_summary(policy: Policy) -> NotificationSummary | None:
    n = policy.notifications
    if n is None:
        return None
    topic = n.sns_topic_arn or f"{policy.name}-backup-events (created)"
    parts = [f"topic {topic}"]
    if n.emails:
        parts.append("emails " + ", ".join(n.emails))
    if policy.backup and n.backup_vault_events:
        parts.append("AWS Backup events " + ", ".join(n.backup_vault_events))
    if policy.snapshots and n.redshift_event_categories:
        severity = f" ({n.redshift_event_severity} only)" if n.redshift_event_severity else ""
        parts.append("Redshift events " + ", ".join(n.redshift_event_categories) + severity)
    return NotificationSummary(
        topic=topic, emails=tuple(n.emails), backup_vault_events=tuple(n.backup_vault_events),
        redshift_event_categories=tuple(n.redshift_event_categories),
        redshift_event_severity=n.redshift_event_severity, text="; ".join(parts))


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


def _merge_upcoming(items: Iterable[tuple[datetime, str]], count: int = NEXT_COUNT) -> tuple[Upcoming, ...]:
    """The first `count` distinct times, each with every label that fires then."""
    by_time: dict[datetime, list[str]] = {}
    for time, label in sorted(items):
        labels = by_time.setdefault(time, [])
        if label not in labels:
            labels.append(label)
    return tuple(Upcoming(time, tuple(labels)) for time, labels in sorted(by_time.items())[:count])


def _upcoming(policy: Policy, with_backup: bool, with_native: bool, now: datetime) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    if with_backup and policy.backup:
        for rule in policy.backup.rules:
            label = f"{policy.name}/{rule.name} (AWS Backup)"
            out += [(t, label) for t in schedules.next_backup_times(rule.schedule, rule.schedule_timezone, now,
                                                                     NEXT_COUNT)]
    if with_native and policy.snapshots and _takes_snapshots(policy.snapshots):
        assumed = ", rate() from 00:00 UTC assumed" if _has_rate(policy.snapshots) else ""
        label = f"{policy.name} (native snapshot{assumed})"
        out += [(t, label) for t in schedules.next_snapshot_times(policy.snapshots.schedule, now, NEXT_COUNT)]
    return out


def _has_rate(layer: SnapshotLayer) -> bool:
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


def _rpo(parts: Sequence[Part], now: datetime) -> timedelta | None:
    rules, definitions = rpo_schedules(parts)
    if not rules and not definitions:
        return None
    return schedules.combined_rpo(rules, definitions, now)


def _retentions(policy: Policy, with_backup: bool, with_native: bool) -> list[int]:
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


def _copies(policy: Policy, with_backup: bool, with_native: bool, region: str,
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


def _caveats(policy: Policy, with_backup: bool, with_native: bool) -> list[str]:
    out: list[str] = []
    if with_backup and with_native and policy.backup is not None and policy.snapshots is not None:
        out.append(manual_snapshot_caveat())
    return out


def summarize_policy(policy: Policy, stack_region: str, now: datetime,
                     stack_account: str | None = None) -> PolicySummary:
    """One policy: rules, native layer, vault, notifications, next times, RPO and longest retention.

    `stack_account` (`models.stack_account` of the whole stack) tells copies to another account from copies
    into a given vault of this account."""
    targets, native_targets = policy_targets(policy)
    rules = (tuple(summarize_rule(r, stack_region, now, stack_account) for r in policy.backup.rules)
             if policy.backup else ())
    native = summarize_native(policy.snapshots) if policy.snapshots else None
    caveats = _caveats(policy, True, True)
    return PolicySummary(
        name=policy.name, description=policy.description, targets=targets, native_targets=native_targets,
        rules=rules, vault=vault_summary(policy), native=native, notifications=_notification_summary(policy),
        next_times=_merge_upcoming(_upcoming(policy, True, True, now)),
        rpo=_rpo([(policy, True, True)], now),
        longest_retention_days=longest(_retentions(policy, True, True)), caveats=tuple(caveats))


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
                          f"{schedules.describe_backup_schedule(r.schedule, r.schedule_timezone)}"
                          for r in policy.backup.rules]
                vault = vault_summary(policy)
                if vault:
                    locks.append(f"{vault.name}: {vault.lock_text}")
            if with_native and policy.snapshots:
                native = summarize_native(policy.snapshots)
                default = "automated snapshots off" if native.automated_retention_days == 0 else (
                    "Redshift's default schedule")
                words.append(f"{policy.name} native: " + ("; ".join(native.schedule_text) or default))
            upcoming += _upcoming(policy, with_backup, with_native, now)
            retentions += _retentions(policy, with_backup, with_native)
            r, a = _copies(policy, with_backup, with_native, stack_region, account)
            regions |= r
            accounts |= a
            if policy.notifications:
                for who in list(policy.notifications.emails) + [policy.notifications.sns_topic_arn or
                                                                f"topic {policy.name}-backup-events"]:
                    if who not in notified:
                        notified.append(who)
            for caveat in _caveats(policy, with_backup, with_native):
                if caveat not in caveats:
                    caveats.append(caveat)
        layers = {layer for c in coverage for layer in c.layers}
        if len(layers) == 2 and not caveats:
            caveats.append(manual_snapshot_caveat())  # the two layers come from different policies
        out.append(ProtectionRow(
            target=target, coverage=coverage, schedules=tuple(words), next_times=_merge_upcoming(upcoming),
            rpo=_rpo(parts, now), longest_retention_days=longest(retentions), copy_regions=tuple(sorted(regions)),
            copy_accounts=tuple(sorted(accounts)), vault_locks=tuple(locks), notified=tuple(notified),
            caveats=tuple(caveats)))
    return tuple(out)


RestoreSpecs = ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec


def restore_source(spec: RestoreSpecs) -> str:
    """What a restore restores from, as one comparable string."""
    if isinstance(spec, ClusterRestoreSpec):
        return spec.source.describe()
    if isinstance(spec, TableRestoreSpec):
        return (f"snapshot {spec.snapshot_identifier}" if spec.snapshot_identifier
                else f"the latest snapshot of {spec.cluster_identifier}") + (
                    f", table {spec.source_database_name}.{spec.source_schema_name}.{spec.source_table_name}")
    return f"snapshot {spec.snapshot_identifier or spec.snapshot_arn}"


def summarize(stack: Stack, now: datetime) -> StackSummary:
    """The whole stack's summary at `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (e.g. datetime.now(UTC))")
    policies = stack.policies
    restores = tuple(RestoreSummary(name=spec.name, kind=spec.kind, source=restore_source(spec),
                                    lines=tuple(describe_restore(spec)))
                     for spec in getattr(stack.config, "restores", ()))
    return StackSummary(
        name=stack.name, region=stack.region, source=stack.source, now=now,
        policies=tuple(summarize_policy(p, stack.region, now, stack_account(policies)) for p in policies),
        matrix=protection_matrix(policies, stack.region, now), restores=restores)
