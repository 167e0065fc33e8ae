"""One policy in words: each AWS Backup rule, the native snapshot layer, the vault, who is notified, and the
policy as a whole (next times, RPO, longest retention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from policies.backup_layer import BackupRule
from policies.models import Policy
from policies.rpo import combined_rpo
from policies.schedule_words import FOREVER, days_text, describe_backup_schedule, describe_snapshot_definition
from policies.snapshot_layer import SnapshotLayer
from policies.summary_parts import (
    LAYER_BACKUP,
    LAYER_NATIVE,
    Target,
    Upcoming,
    has_rate,
    layer_caveats,
    layer_retentions,
    longest,
    merge_upcoming,
    parts_rpo,
    policy_targets,
    upcoming_times,
)
from policies.summary_words import AUTOMATED_OFF, DEFAULT_NATIVE_SCHEDULE, RATE_START, copy_text, kept_text


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


def summarize_rule(rule: BackupRule, stack_region: str, now: datetime,
                   stack_account: str | None = None) -> RuleSummary:
    """One rule in words: `every day at 05:00 UTC, kept 35 days, copied to us-west-2 and kept 90 days`."""
    when = describe_backup_schedule(rule.schedule, rule.schedule_timezone)
    copies = tuple(
        CopySummary(region=copy.region or stack_region, account_id=copy.other_account(stack_account),
                    delete_after_days=rule.copy_delete_after_days(copy),
                    text=copy_text(copy, rule.copy_delete_after_days(copy), stack_region, stack_account))
        for copy in rule.copy_actions)
    text = ", ".join([when, kept_text(rule.delete_after_days)] + [c.text for c in copies])
    rpo = combined_rpo([(rule.schedule, rule.schedule_timezone)], [], now)
    return RuleSummary(name=rule.name, schedule=rule.schedule, timezone=rule.schedule_timezone,
                       schedule_text=when, delete_after_days=rule.delete_after_days, copies=copies, rpo=rpo,
                       text=text)


def summarize_native(layer: SnapshotLayer) -> NativeSummary:
    """The native layer in words, one line per setting."""
    words = tuple(describe_snapshot_definition(d) for d in layer.schedule)
    lines: list[str] = []
    auto = layer.automated_snapshot_retention_days
    if auto == 0:  # validation refuses a schedule or a copy next to it
        lines.append(AUTOMATED_OFF)
    elif words:
        lines.append("snapshots " + "; ".join(words))
        if has_rate(layer):
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


def summarize_policy(policy: Policy, stack_region: str, now: datetime,
                     stack_account: str | None = None) -> PolicySummary:
    """One policy: rules, native layer, vault, notifications, next times, RPO and longest retention.

    `stack_account` (`models.stack_account` of the whole stack) tells copies to another account from copies
    into a given vault of this account."""
    targets, native_targets = policy_targets(policy)
    rules = (tuple(summarize_rule(r, stack_region, now, stack_account) for r in policy.backup.rules)
             if policy.backup else ())
    native = summarize_native(policy.snapshots) if policy.snapshots else None
    caveats = layer_caveats(policy, True, True)
    return PolicySummary(
        name=policy.name, description=policy.description, targets=targets, native_targets=native_targets,
        rules=rules, vault=vault_summary(policy), native=native, notifications=_notification_summary(policy),
        next_times=merge_upcoming(upcoming_times(policy, True, True, now)),
        rpo=parts_rpo([(policy, True, True)], now),
        longest_retention_days=longest(layer_retentions(policy, True, True)), caveats=tuple(caveats))
