"""The semantic diff of two stack configs: what changes for each policy, cluster and restore, and how risky it is.

Every finding has a level (`high`, `medium`, `info`) and a stable rule id; docs/review.md lists the rules.
RPO and retention are compared on the protection matrix (`policies.summary`), so a change counts by its effect
on a cluster: shortening a rule that another, longer rule outlives is flagged on the policy but not the cluster.
RPOs and schedules are compared over COMPARE_YEARS years from `now` (plan's week would make the verdict depend on
the day), and every changed setting that no specific finding speaks for is still listed (`settings-changed`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policies import native_plan, schedules
from policies.models import BackupRule, Notifications, Policy, SnapshotLayer, stack_account
from policies.schedules import FOREVER, days_text
from policies.summary import (
    Part,
    ProtectionRow,
    VaultSummary,
    duration_text,
    matrix_parts,
    policy_targets,
    protection_matrix,
    restore_source,
    rpo_schedules,
    summarize_policy,
    vault_summary,
)
from policies.validation import Stack

LEVELS = ("high", "medium", "info")
_RANK = {"info": 1, "medium": 2, "high": 3}
FAIL_ON = ("high", "medium", "never")
_SCOPES = ("stack", "policy", "cluster", "selector", "serverless", "restore", "target")


@dataclass(frozen=True)
class Finding:
    """One semantic change: its risk level, its rule id, where it is and what it means."""

    level: str
    rule: str
    scope: str
    subject: str
    message: str


@dataclass(frozen=True)
class StackDiff:
    """Every finding between two stack configs, most severe first."""

    old_source: str
    new_source: str
    now: datetime
    findings: tuple[Finding, ...]

    @property
    def highest(self) -> str | None:
        """The most severe level found, or None when nothing changed."""
        return max((f.level for f in self.findings), key=_RANK.__getitem__, default=None)

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for f in self.findings if f.level == level) for level in LEVELS}

    def fails(self, fail_on: str) -> bool:
        """Whether a finding reaches `fail_on` (`high`, `medium` or `never`)."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
        if fail_on == "never":
            return False
        return any(_RANK[f.level] >= _RANK[fail_on] for f in self.findings)


class _Collector:
    """Findings for one subject, and the config paths they speak for."""

    def __init__(self, scope: str, subject: str) -> None:
        self.scope = scope
        self.subject = subject
        self.items: list[Finding] = []
        self.covered: set[str] = set()

    def add(self, level: str, rule: str, message: str, *paths: str) -> None:
        self.items.append(Finding(level, rule, self.scope, self.subject, message))
        self.cover(*paths)

    def cover(self, *paths: str) -> None:
        """Mark config paths (and everything below them) as spoken for by a finding, or as no change at all."""
        self.covered.update(paths)

    def covers(self, path: str) -> bool:
        return any(path == p or path.startswith((p + ".", p + "[")) for p in self.covered)


def _retention_key(days: int | None) -> float:
    """Retention as a comparable number: None (not kept) lowest, -1 (for ever) highest."""
    if days is None:
        return -1.0
    return float("inf") if days == FOREVER else float(days)


# --- RPO over the comparison period ---------------------------------------------------------------------------

COMPARE_YEARS = 8
# RPOs and schedules are compared over this period from `now`, not over plan's week: a schedule that skips a
# month, a leap day or a weekday of the calendar shows its worst gap in it whatever `now` is (measured over
# 2001-2060: L, W, day 29-31 and month lists need 1-2 years, an annual weekday rule such as the first Monday of
# January 5, `30W` of January and March 6; only a rule like the fifth Monday of February, which runs in one
# February of 28, needs more). It costs about 25 ms for a policy with 12-hourly snapshots and daily, weekly
# and monthly rules, once per schedule set (cached).
COMPARE_PERIOD = timedelta(days=365 * COMPARE_YEARS + COMPARE_YEARS // 4)


@dataclass(frozen=True)
class _Rpo:
    """The worst-case RPO over the comparison period, and when backups stop for good (every Year field ends)."""

    worst: timedelta | None
    ends: datetime | None

    @property
    def key(self) -> tuple[int, float]:
        """Comparable, worst last: a gap, then backups that stop (sooner is worse), then no schedule at all."""
        if self.ends is not None:
            return (1, -self.ends.timestamp())
        if self.worst is None:
            return (2, 0.0)
        return (0, self.worst.total_seconds())

    @property
    def text(self) -> str:
        if self.ends is not None:
            return f"none after {self.ends:%Y-%m-%d %H:%M} UTC (the schedules end)"
        return duration_text(self.worst)


def _rpo(parts: Sequence[Part], now: datetime) -> _Rpo:
    rules, definitions = rpo_schedules(parts)
    if not rules and not definitions:
        return _Rpo(None, None)
    return _Rpo(schedules.combined_rpo(rules, definitions, now, COMPARE_PERIOD),
                schedules.last_run(rules, definitions, now + COMPARE_PERIOD))


def _compare_rpo(c: _Collector, old: _Rpo, new: _Rpo, now: datetime, of: str = "") -> None:
    words = (f"worst-case RPO{of} over the {COMPARE_YEARS} years from {now:%Y-%m-%d}: from {old.text} to "
             f"{new.text}")
    if new.key > old.key:
        c.add("high", "rpo-worse", words)
    elif new.key < old.key:
        c.add("info", "rpo-better", words)


def _same_backup_runs(old: BackupRule, new: BackupRule, now: datetime) -> bool:
    """Whether two rules run at the same times (`cron(0 5 ? * * *)` and `cron(0 5 * * ? *)` do)."""
    if (old.schedule, old.schedule_timezone) == (new.schedule, new.schedule_timezone):
        return True
    if schedules.parse_backup_schedule(old.schedule).years != schedules.parse_backup_schedule(new.schedule).years:
        return False  # the same runs over the period, but one of them stops at another time
    end = now + COMPARE_PERIOD
    return (schedules.backup_times_between(old.schedule, old.schedule_timezone, now, end)
            == schedules.backup_times_between(new.schedule, new.schedule_timezone, now, end))


def _same_snapshot_runs(old: Sequence[str], new: Sequence[str], now: datetime) -> bool:
    """Whether two snapshot schedules take snapshots at the same times (definitions in any order)."""
    if set(old) == set(new):
        return True

    def rates(definitions: Sequence[str]) -> set[str]:
        return {d for d in definitions if isinstance(schedules.parse_snapshot_definition(d), schedules.SnapshotRate)}

    # Redshift counts rate() from the schedule's creation time, so a rate is only known to equal itself.
    if rates(old) != rates(new):
        return False
    crons = [[d for d in s if d not in rates(s)] for s in (old, new)]
    week = now + timedelta(days=7)  # cron definitions repeat every week
    return (schedules.snapshot_times_between(crons[0], now, week)
            == schedules.snapshot_times_between(crons[1], now, week))


# --- what changed where -------------------------------------------------------------------------------------------

Change = tuple[str, Any, Any]  # (path, old value, new value)


def _named(old: Any, new: Any) -> bool:
    items = [*(old if isinstance(old, list) else [None]), *(new if isinstance(new, list) else [None])]
    return bool(items) and all(isinstance(i, Mapping) and "name" in i for i in items)


def _order_free(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))


def changes(old: Any, new: Any, prefix: str = "") -> list[Change]:
    """Where two dumped models differ, with both values. Named items (rules) are matched by name, `rules[daily]`;
    other lists are compared whole but in any order: no list of the config means anything by its order."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[Change] = []
        for key in sorted(set(old) | set(new), key=str):
            out += changes(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if _named(old, new):
            olds = {item["name"]: item for item in old}
            news = {item["name"]: item for item in new}
            out = []
            for name in [*olds, *(n for n in news if n not in olds)]:
                out += changes(olds.get(name), news.get(name), f"{prefix}[{name}]")
            return out
        return [] if _order_free(old) == _order_free(new) else [(prefix or "<root>", old, new)]
    return [] if old == new else [(prefix or "<root>", old, new)]


def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """The dotted paths where two dumped models differ (lists in any order; named items by name)."""
    return [path for path, _, _ in changes(old, new, prefix)]


def _value_text(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = "[" + ", ".join(v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in value) + "]"
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _change_text(change: Change) -> str:
    path, old, new = change
    return f"{path}: {_value_text(old)} -> {_value_text(new)}"


# --- per policy -------------------------------------------------------------------------------------------------


def _compare_retention(c: _Collector, what: str, old: int, new: int, path: str) -> None:
    if _retention_key(new) < _retention_key(old):
        c.add("high", "retention-shortened", f"{what}: retention shortened from {days_text(old)} to "
              f"{days_text(new)}", path)
    elif _retention_key(new) > _retention_key(old):
        c.add("info", "retention-longer", f"{what}: retention raised from {days_text(old)} to {days_text(new)}",
              path)


@dataclass(frozen=True)
class _Copy:
    """Where one copy action sends copies: its identity is the region, another account or not, and the vault."""

    region: str
    account: str | None  # another account; None for the stack's own
    vault_arn: str | None  # None: the vault this stack creates in that region
    days: int

    @property
    def where(self) -> str:
        return f"account {self.account} ({self.region})" if self.account else self.region

    @property
    def vault(self) -> str:
        return f"vault {self.vault_arn}" if self.vault_arn else "the vault this stack creates there"


def _copies_of(rule: BackupRule, region: str, account: str | None) -> dict[tuple[str, str | None, str | None],
                                                                            _Copy]:
    out = {}
    for cp in rule.copy_actions:
        copy = _Copy(cp.region or region, cp.other_account(account), cp.destination_vault_arn,
                     rule.copy_delete_after_days(cp))
        out[(copy.region, copy.account, copy.vault_arn)] = copy
    return out


def _compare_copies(c: _Collector, what: str, old: BackupRule, new: BackupRule, sides: _Sides) -> None:
    old_copies = _copies_of(old, sides.old_region, sides.old_account)
    new_copies = _copies_of(new, sides.new_region, sides.new_account)
    path = f"backup.rules[{new.name}].copy_actions"
    c.cover(f"backup.rules[{old.name}].copy_actions", path)  # every field of a copy is compared below
    gone = [k for k in old_copies if k not in new_copies]
    came = [k for k in new_copies if k not in old_copies]
    for key in list(gone):
        # Same region and account, another vault: the copies still leave the region, they land elsewhere.
        other = next((k for k in came if k[:2] == key[:2]), None)
        if other is None:
            continue
        gone.remove(key)
        came.remove(other)
        before, after = old_copies[key], new_copies[other]
        c.add("medium", "copy-vault-changed", f"{what}: copies to {after.where} go to {after.vault} instead of "
              f"{before.vault}: new copies land in another vault, under its lock and access policy; copies "
              "already made stay in the old vault until they expire")
        _compare_retention(c, f"{what}, copy to {after.where}", before.days, after.days, path)
    for key, copy in old_copies.items():
        if key in gone:
            c.add("high", "copy-removed", f"{what}: copy to {copy.where} removed; no more off-site copies there "
                  "(copies already made expire on their own lifecycle)")
        elif key in new_copies:
            _compare_retention(c, f"{what}, copy to {copy.where}", copy.days, new_copies[key].days, path)
    for key in came:
        copy = new_copies[key]
        c.add("info", "copy-added", f"{what}: copies to {copy.where}, kept {days_text(copy.days)}")


def _compare_rule(c: _Collector, old: BackupRule, new: BackupRule, sides: _Sides) -> None:
    what = f"rule {new.name}"
    path = f"backup.rules[{new.name}]"
    old_words = schedules.describe_backup_schedule(old.schedule, old.schedule_timezone)
    new_words = schedules.describe_backup_schedule(new.schedule, new.schedule_timezone)
    if old_words == new_words:
        old_words, new_words = (f"{r.schedule} ({r.schedule_timezone})" for r in (old, new))
    if _same_backup_runs(old, new, sides.now):
        if (old.schedule, old.schedule_timezone) != (new.schedule, new.schedule_timezone):
            c.add("info", "settings-changed", f"{what}: schedule rewritten from {old_words} to {new_words}; it "
                  "runs at the same times", f"{path}.schedule", f"{path}.schedule_timezone")
    else:
        c.add("medium", "schedule-moved", f"{what}: schedule moved from {old_words} to {new_words}",
              f"{path}.schedule", f"{path}.schedule_timezone")
    _compare_retention(c, what, old.delete_after_days, new.delete_after_days, f"{path}.delete_after_days")
    _compare_copies(c, what, old, new, sides)


def _rule_text(rule: BackupRule) -> str:
    return (f"{schedules.describe_backup_schedule(rule.schedule, rule.schedule_timezone)} kept "
            f"{days_text(rule.delete_after_days)}")


def _same_but_name(old: BackupRule, new: BackupRule) -> bool:
    exclude = {"name", "preset"}
    return not changes(old.model_dump(exclude=exclude), new.model_dump(exclude=exclude))


def _compare_backup(c: _Collector, old_policy: Policy, new_policy: Policy, sides: _Sides) -> None:
    old, new = old_policy.backup, new_policy.backup
    if old is None or new is None:
        if old is not None:
            c.add("high", "layer-removed", "AWS Backup layer removed: no more backups by this policy (recovery "
                  "points already taken stay until they expire)", "backup")
        elif new is not None:
            c.add("info", "layer-added", f"AWS Backup layer added with {len(new.rules)} rule(s)", "backup")
        return
    old_rules = {r.name: r for r in old.rules}
    new_rules = {r.name: r for r in new.rules}
    added = [name for name in new_rules if name not in old_rules]
    for name, rule in old_rules.items():
        if name in new_rules:
            _compare_rule(c, rule, new_rules[name], sides)
            continue
        # The rules live in one backup plan, which AWS Backup updates in place: a rule renamed with the same
        # settings keeps taking the same backups (recovery points carry no rule name that anything relies on).
        renamed = next((other for other in added if _same_but_name(rule, new_rules[other])), None)
        if renamed is not None:
            added.remove(renamed)
            c.add("info", "rule-renamed", f"rule {name} renamed to {renamed}; same schedule, retention and copies",
                  f"backup.rules[{name}]", f"backup.rules[{renamed}]")
        else:
            c.add("high", "rule-removed", f"rule {name} removed: no more backups on {_rule_text(rule)}",
                  f"backup.rules[{name}]")
    for name in added:
        rule = new_rules[name]
        c.add("info", "rule-added", f"rule {name} added: {_rule_text(rule).replace(' kept', ', kept')}",
              f"backup.rules[{name}]")
    _compare_vault(c, old_policy, new_policy)


def _lock_changes(old: VaultSummary, new: VaultSummary) -> tuple[list[str], list[str]]:
    """The lock's changes in words, and those that weaken it."""
    changed: list[str] = []
    weaker: list[str] = []
    if old.lock_mode != new.lock_mode:
        if new.lock_mode == "governance":
            weaker.append("mode compliance -> governance (privileged users can remove it)")
        else:
            changed.append(f"mode governance -> compliance (immutable {days_text(new.lock_changeable_for_days or 3)} "
                           "after it is applied)")
    for label, o, n in (("minimum retention", old.lock_min_days, new.lock_min_days),
                        ("maximum retention", old.lock_max_days, new.lock_max_days)):
        if o != n:
            text = f"{label} {o} -> {n} days"
            (weaker if label.startswith("minimum") and (n or 0) < (o or 0) else changed).append(text)
    o, n = old.lock_changeable_for_days, new.lock_changeable_for_days
    if o is not None and n is not None and o != n:
        # The cooling-off period is when a compliance lock can still be removed: longer is longer unguarded.
        if n > o:
            weaker.append(f"cooling-off period {days_text(o)} -> {days_text(n)} (the lock can be removed for "
                          f"{days_text(n)} after it is applied)")
        else:
            changed.append(f"cooling-off period {days_text(o)} -> {days_text(n)} (immutable sooner)")
    return changed, weaker


def _compare_vault(c: _Collector, old_policy: Policy, new_policy: Policy) -> None:
    old, new = vault_summary(old_policy), vault_summary(new_policy)
    assert old is not None and new is not None
    if (old.name, old.existing) != (new.name, new.existing):
        c.add("high", "vault-replaced", f"vault {old.name} replaced by {'existing ' if new.existing else ''}vault "
              f"{new.name}: new backups go to another vault; recovery points in {old.name} are no longer "
              "managed here" + ("" if old.existing else " and Pulumi tries to delete that vault (a protected "
                                "vault or one holding recovery points refuses)"), "backup.vault")
        return
    if old.kms_key != new.kms_key:
        c.add("high", "vault-replaced", f"vault {new.name}: encryption key changed from {old.kms_key} to "
              f"{new.kms_key}; a vault's key cannot change, so Pulumi replaces the vault", "backup.vault.kms_key")
    lock = "backup.vault.lock"
    if old.lock_mode and not new.lock_mode:
        c.add("high", "vault-lock-removed", f"vault {new.name}: {old.lock_mode} vault lock removed"
              + (" (once past its cooling-off period a compliance lock cannot be removed; the update fails)"
                 if old.lock_mode == "compliance" else ""), lock)
    elif new.lock_mode and not old.lock_mode:
        c.add("info", "vault-lock-added", f"vault {new.name}: {new.lock_text} vault lock added", lock)
    elif old.lock_mode and new.lock_mode:
        changed, weaker = _lock_changes(old, new)
        fails = ("; once past its cooling-off period a compliance lock cannot be changed and the update fails"
                 if old.lock_mode == "compliance" else "")
        if weaker:
            c.add("high", "vault-lock-weakened", f"vault {new.name}: vault lock weakened: " + "; ".join(weaker)
                  + (f"; also {'; '.join(changed)}" if changed else "") + fails, lock)
        elif changed:
            c.add("info", "vault-lock-changed", f"vault {new.name}: vault lock changed: " + "; ".join(changed)
                  + fails, lock)
    if old.deny_recovery_point_deletion and not new.deny_recovery_point_deletion:
        c.add("high", "deletion-guard-removed", f"vault {new.name}: the access policy no longer denies deleting "
              "recovery points", "backup.vault.deny_recovery_point_deletion", "backup.vault.allowed_principals")
    added = sorted(set(new.allowed_principals) - set(old.allowed_principals))
    if added and new.deny_recovery_point_deletion and old.deny_recovery_point_deletion:
        c.add("medium", "deletion-guard-widened", f"vault {new.name}: may now delete recovery points: "
              + ", ".join(added), "backup.vault.allowed_principals")
    if old.protect and not new.protect:
        c.add("medium", "vault-unprotected", f"vault {new.name}: Pulumi protect turned off; `pulumi destroy` can "
              "now delete the vault", "backup.vault.protect")


def _compare_native(c: _Collector, old_policy: Policy, new_policy: Policy, now: datetime) -> None:
    old, new = old_policy.snapshots, new_policy.snapshots
    if old is not None and old.automated_snapshot_retention_days is not None:
        # A cluster leaving the layer gets back the retention it had before this stack set it.
        staying = set(native_plan.protected_clusters(new_policy)) if new else set()
        for cluster in native_plan.protected_clusters(old_policy):
            if cluster not in staying:
                c.add("high", "automated-retention-lowered", f"cluster {cluster} leaves the native layer: its "
                      "automated snapshot retention goes back to the value it had before this stack set it, "
                      "which may be lower and delete automated snapshots at once")
    if old is None or new is None:
        if old is not None:
            c.add("high", "layer-removed", "native snapshot layer removed: its schedule and cross-region copy are "
                  "removed from the clusters, and their snapshot retention goes back to what it was before this "
                  "stack set it", "snapshots")
        elif new is not None:
            c.add("info", "layer-added", "native snapshot layer added", "snapshots")
        return
    if not _same_snapshot_runs(old.schedule, new.schedule, now):
        words = ["; ".join(schedules.describe_snapshot_definition(d) for d in s) or "Redshift's default"
                 for s in (old.schedule, new.schedule)]
        c.add("medium", "schedule-moved", f"native snapshots moved from '{words[0]}' to '{words[1]}'",
              "snapshots.schedule")
    elif set(old.schedule) != set(new.schedule):
        c.add("info", "settings-changed", f"native snapshot schedule rewritten from {', '.join(old.schedule)} to "
              f"{', '.join(new.schedule)}; it takes snapshots at the same times", "snapshots.schedule")
    _compare_native_retention(c, old, new)
    _compare_native_copy(c, old, new)


def _compare_native_retention(c: _Collector, old: SnapshotLayer, new: SnapshotLayer) -> None:
    a_old, a_new = old.automated_snapshot_retention_days, new.automated_snapshot_retention_days
    auto = "snapshots.automated_snapshot_retention_days"
    for risk in native_plan.retention_change_risks(a_old, a_new):
        c.add("high", "automated-retention-lowered", risk, auto)
    if a_old is not None and a_new is not None and a_new > a_old:
        c.add("info", "retention-longer", f"automated snapshot retention raised from {days_text(a_old)} to "
              f"{days_text(a_new)}", auto)
    elif a_old is not None and a_new is None:
        c.add("high", "automated-retention-lowered", f"automated snapshot retention ({days_text(a_old)}) no longer "
              "managed: each cluster gets back the value it had before this stack set it, which may be lower and "
              "delete automated snapshots at once", auto)
    elif a_old is None and a_new is not None:
        c.add("info", "setting-managed", f"automated snapshot retention set to {days_text(a_new)}", auto)
    m_old, m_new = old.manual_snapshot_retention_days, new.manual_snapshot_retention_days
    manual = "snapshots.manual_snapshot_retention_days"
    if m_old is not None and m_new is not None:
        _compare_retention(c, "manual snapshots", m_old, m_new, manual)
    elif m_old is not None:
        c.add("medium", "setting-unmanaged", f"manual snapshot retention ({days_text(m_old)}) no longer managed: "
              "the clusters' default for new manual snapshots goes back to what it was", manual)
    elif m_new is not None:
        c.add("info", "setting-managed", f"manual snapshot retention set to {days_text(m_new)}", manual)


def _compare_native_copy(c: _Collector, old: SnapshotLayer, new: SnapshotLayer) -> None:
    cp_old, cp_new = old.cross_region_copy, new.cross_region_copy
    path = "snapshots.cross_region_copy"
    if cp_old and not cp_new:
        c.add("high", "copy-removed", f"cross-region snapshot copy to {cp_old.destination_region} removed", path)
    elif cp_new and not cp_old:
        c.add("info", "copy-added", f"cross-region snapshot copy to {cp_new.destination_region} added", path)
    elif cp_old and cp_new:
        if cp_old.destination_region != cp_new.destination_region:
            c.add("high", "copy-removed", f"cross-region snapshot copy moved from {cp_old.destination_region} to "
                  f"{cp_new.destination_region}: Redshift disables the copy to {cp_old.destination_region} first",
                  path)
            return
        risks = native_plan.copy_retention_change_risks(cp_old.retention_days, cp_new.retention_days,
                                                        cp_new.destination_region)
        for risk in risks:
            c.add("high", "retention-shortened", risk, f"{path}.retention_days")
        if not risks:
            _compare_retention(c, f"snapshot copies in {cp_new.destination_region}", cp_old.retention_days,
                               cp_new.retention_days, f"{path}.retention_days")
        mo, mn = cp_old.manual_snapshot_retention_days, cp_new.manual_snapshot_retention_days
        _compare_retention(c, f"manual snapshot copies in {cp_new.destination_region}",
                           FOREVER if mo is None else mo, FOREVER if mn is None else mn,
                           f"{path}.manual_snapshot_retention_days")


def _severity(n: Notifications) -> str:
    return n.redshift_event_severity or "INFO"  # unset: pulumi-aws sends INFO, every event


def _compare_notifications(c: _Collector, old: Notifications | None, new: Notifications | None) -> None:
    if old is None or new is None:
        if old is not None:
            c.add("medium", "notifications-reduced", "notifications removed: nobody is told about backup jobs",
                  "notifications")
        elif new is not None:
            c.add("info", "notifications-added", "notifications added", "notifications")
        return
    less: list[str] = []
    more: list[str] = []
    for key, label, o, n in (("emails", "emails", old.emails, new.emails),
                             ("backup_vault_events", "AWS Backup events", old.backup_vault_events,
                              new.backup_vault_events),
                             ("redshift_event_categories", "Redshift event categories",
                              old.redshift_event_categories, new.redshift_event_categories)):
        gone = [x for x in o if x not in n]
        came = [x for x in n if x not in o]
        if gone:
            less.append(f"{label} removed: {', '.join(gone)}")
        if came:
            more.append(f"{label} added: {', '.join(came)}")
        c.cover(f"notifications.{key}")  # a change of order alone is no change
    if old.sns_topic_arn != new.sns_topic_arn:
        less.append(f"topic changed from {old.sns_topic_arn or 'the created topic'} to "
                    f"{new.sns_topic_arn or 'a created topic'} (its subscribers are not known here)")
        c.cover("notifications.sns_topic_arn")
    if _severity(old) == "INFO" and _severity(new) == "ERROR":
        less.append("Redshift events limited to severity ERROR")
        c.cover("notifications.redshift_event_severity")
    elif _severity(old) == "ERROR" and _severity(new) == "INFO":
        more.append("Redshift events of every severity (INFO and ERROR)")
        c.cover("notifications.redshift_event_severity")
    if less:
        c.add("medium", "notifications-reduced", "notifications reduced: " + "; ".join(less))
    if more:
        c.add("info", "notifications-added", "notifications widened: " + "; ".join(more))


@dataclass(frozen=True)
class _Sides:
    """What a policy comparison needs to know of both stacks."""

    old_region: str
    new_region: str
    old_account: str | None
    new_account: str | None
    now: datetime


# Keys that only abbreviate others (presets expand into the rules they stand for).
_DUMP_EXCLUDE: Any = {"backup": {"preset": True, "rules": {"__all__": {"preset"}}}}


def _policy_findings(old: Policy, new: Policy, sides: _Sides, rows_changed: bool) -> list[Finding]:
    c = _Collector("policy", new.name)
    _compare_backup(c, old, new, sides)
    _compare_native(c, old, new, sides.now)
    _compare_notifications(c, old.notifications, new.notifications)
    _compare_rpo(c, _rpo([(old, True, True)], sides.now), _rpo([(new, True, True)], sides.now), sides.now,
                 " of the policy")
    if rows_changed:
        c.cover("selection")  # what the selection does is in the cluster findings
    # Whatever no finding above speaks for is still listed: a review must not miss a change.
    rest = [change for change in changes(old.model_dump(exclude=_DUMP_EXCLUDE), new.model_dump(exclude=_DUMP_EXCLUDE))
            if not c.covers(change[0])]
    if rest:
        c.add("info", "settings-changed", "; ".join(_change_text(change) for change in rest))
    return c.items


# --- per cluster --------------------------------------------------------------------------------------------------


def _coverage_text(row: ProtectionRow) -> str:
    return ", ".join(f"{c.policy} ({' + '.join(c.layers)})" for c in row.coverage)


def _row_findings(old: ProtectionRow | None, new: ProtectionRow | None, rpos: tuple[_Rpo, _Rpo],
                  now: datetime) -> list[Finding]:
    target = (new or old)
    assert target is not None
    c = _Collector(_row_scope(target), target.target.label)
    if new is None:
        assert old is not None
        c.add("high", "coverage-lost", f"no longer covered by any policy (was {_coverage_text(old)})")
        return c.items
    if old is None:
        c.add("info", "coverage-added", f"now covered by {_coverage_text(new)}")
        return c.items
    lost = [layer for layer in old.layers if layer not in new.layers]
    gained = [layer for layer in new.layers if layer not in old.layers]
    if lost:
        c.add("high", "layer-removed", f"no longer protected by {' and '.join(lost)}")
    if gained:
        c.add("info", "layer-added", f"now also protected by {' and '.join(gained)}")
    left = [p for p in old.policies if p not in new.policies]
    joined = [p for p in new.policies if p not in old.policies]
    if left and joined:
        c.add("medium", "coverage-moved", f"covered by {_coverage_text(new)} instead of {_coverage_text(old)}")
    elif left:
        c.add("medium", "coverage-reduced", f"no longer covered by {', '.join(left)} (its vault, lock and "
              f"notifications no longer apply here); still covered by {_coverage_text(new)}")
    elif joined:
        c.add("info", "coverage-added", f"now also covered by {', '.join(joined)}")
    _compare_rpo(c, *rpos, now)
    o, n = old.longest_retention_days, new.longest_retention_days
    if _retention_key(n) < _retention_key(o):
        c.add("high", "retention-shortened", f"longest retention from {_days(o)} to {_days(n)}")
    elif _retention_key(n) > _retention_key(o):
        c.add("info", "retention-longer", f"longest retention from {_days(o)} to {_days(n)}")
    for label, before, after in (("region", old.copy_regions, new.copy_regions),
                                 ("account", old.copy_accounts, new.copy_accounts)):
        gone = [x for x in before if x not in after]
        came = [x for x in after if x not in before]
        if gone:
            c.add("high", "copy-removed", f"no more copies to {label} {', '.join(gone)}")
        if came:
            c.add("info", "copy-added", f"now copied to {label} {', '.join(came)}")
    return c.items


def _row_scope(row: ProtectionRow) -> str:
    return {"cluster": "cluster", "cluster_pattern": "selector", "tag_selector": "selector",
            "namespace": "serverless"}.get(row.target.kind, "cluster")


def _days(days: int | None) -> str:
    return "nothing kept" if days is None else days_text(days)


# --- the whole stack ------------------------------------------------------------------------------------------------


def _restore_findings(old: Stack, new: Stack) -> list[Finding]:
    old_specs = {s.name: s for s in old.config.restores}
    new_specs = {s.name: s for s in new.config.restores}
    out: list[Finding] = []
    for name, spec in old_specs.items():
        c = _Collector("restore", name)
        if name not in new_specs:
            effect = {"cluster": "`pulumi up` deletes the restored cluster (taking a final snapshot unless "
                                 "skip_final_snapshot)",
                      "table": "the restored table stays in place",
                      "snapshot_share": "the snapshot access is revoked"}.get(spec.kind, "")
            c.add("medium", "restore-removed", f"restore removed: {effect}")
        else:
            other = new_specs[name]
            if restore_source(spec) != restore_source(other) or spec.kind != other.kind:
                c.add("medium", "restore-source-changed", f"restore source changed from {restore_source(spec)} "
                      f"to {restore_source(other)}")
            else:
                rest = changes(spec.model_dump(), other.model_dump())
                if rest:
                    c.add("info", "restore-changed", "; ".join(_change_text(change) for change in rest))
        out += c.items
    for name, spec in new_specs.items():
        if name not in old_specs:
            c = _Collector("restore", name)
            c.add("info", "restore-added", f"restore added from {restore_source(spec)}")
            out += c.items
    return out


def _by_key(rows: Iterable[ProtectionRow]) -> dict[str, ProtectionRow]:
    return {r.target.key: r for r in rows}


def _row_keys(policy: Policy) -> set[str]:
    return {target.key for target in policy_targets(policy)[0]}


def diff_stacks(old: Stack, new: Stack, now: datetime, *, old_source: str | None = None,
                new_source: str | None = None) -> StackDiff:
    """Compare two validated stacks at `now` (RPOs and schedules over the COMPARE_YEARS years from `now`)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    findings: list[Finding] = []
    if old.region != new.region:
        findings.append(Finding("high", "region-changed", "stack", new.name or "stack",
                                f"stack region changed from {old.region} to {new.region}: every resource is "
                                "created anew in the new region and the old ones are deleted"))
    old_rows = _by_key(protection_matrix(old.policies, old.region, now))
    new_rows = _by_key(protection_matrix(new.policies, new.region, now))
    old_parts, new_parts = matrix_parts(old.policies), matrix_parts(new.policies)
    row_findings: list[Finding] = []
    changed_rows: set[str] = set()
    for key in list(old_rows) + [k for k in new_rows if k not in old_rows]:
        rpos = (_rpo(old_parts[key][1] if key in old_parts else [], now),
                _rpo(new_parts[key][1] if key in new_parts else [], now))
        found = _row_findings(old_rows.get(key), new_rows.get(key), rpos, now)
        if found:
            changed_rows.add(key)
        row_findings += found
    sides = _Sides(old.region, new.region, stack_account(old.policies), stack_account(new.policies), now)
    old_policies = {p.name: p for p in old.policies}
    new_policies = {p.name: p for p in new.policies}
    for name, policy in old_policies.items():
        if name not in new_policies:
            findings.append(Finding("high", "policy-removed", "policy", name, "policy removed: its backup plan, "
                                    "selections and snapshot settings are deleted" +
                                    (f"; Pulumi tries to delete vault {policy.vault_name}"
                                     if policy.backup and not policy.backup.vault.existing else "")))
        else:
            other = new_policies[name]
            touched = bool((_row_keys(policy) | _row_keys(other)) & changed_rows)
            findings += _policy_findings(policy, other, sides, touched)
    for name, policy in new_policies.items():
        if name not in old_policies:
            layers = summarize_policy(policy, new.region, now).layers
            findings.append(Finding("info", "policy-added", "policy", name,
                                    f"policy added ({' + '.join(layers)})"))
    findings += row_findings
    findings += _restore_findings(old, new)
    from policies.org_diff import organization_findings  # its own module; it imports this one

    findings += organization_findings(old, new, now)
    order = sorted(range(len(findings)), key=lambda i: (-_RANK[findings[i].level],
                                                        _SCOPES.index(findings[i].scope), i))
    return StackDiff(old_source=old_source or old.source or "old", new_source=new_source or new.source or "new",
                     now=now, findings=tuple(findings[i] for i in order))
