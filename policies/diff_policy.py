"""Per-policy findings of `diff`: rules, copies, vault and lock, native snapshots, notifications, the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies import native_plan, schedule_words
from policies.backup_layer import BackupRule
from policies.diff_findings import Collector, Finding, retention_key
from policies.diff_match import (
    change_text,
    changes,
    compare_rpo,
    copies_of,
    match_rules,
    rpo_of,
    same_backup_runs,
    same_snapshot_runs,
)
from policies.models import Policy
from policies.notifications import Notifications
from policies.policy_summary import VaultSummary, vault_summary
from policies.schedule_words import FOREVER, days_text
from policies.snapshot_layer import SnapshotLayer

# --- per policy -------------------------------------------------------------------------------------------------


def _compare_retention(c: Collector, what: str, old: int, new: int, path: str) -> None:
    if retention_key(new) < retention_key(old):
        c.add("high", "retention-shortened", f"{what}: retention shortened from {days_text(old)} to "
              f"{days_text(new)}", path)
    elif retention_key(new) > retention_key(old):
        c.add("info", "retention-longer", f"{what}: retention raised from {days_text(old)} to {days_text(new)}",
              path)


def _compare_copies(c: Collector, what: str, old: BackupRule, new: BackupRule, sides: Sides) -> None:
    old_copies = copies_of(old, sides.old_region, sides.old_account)
    new_copies = copies_of(new, sides.new_region, sides.new_account)
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


def _compare_rule(c: Collector, old: BackupRule, new: BackupRule, sides: Sides) -> None:
    what = f"rule {new.name}"
    path = f"backup.rules[{new.name}]"
    old_words = schedule_words.describe_backup_schedule(old.schedule, old.schedule_timezone)
    new_words = schedule_words.describe_backup_schedule(new.schedule, new.schedule_timezone)
    if old_words == new_words:
        old_words, new_words = (f"{r.schedule} ({r.schedule_timezone})" for r in (old, new))
    if same_backup_runs(old, new, sides.now):
        if (old.schedule, old.schedule_timezone) != (new.schedule, new.schedule_timezone):
            c.add("info", "settings-changed", f"{what}: schedule rewritten from {old_words} to {new_words}; it "
                  "runs at the same times", f"{path}.schedule", f"{path}.schedule_timezone")
    else:
        c.add("medium", "schedule-moved", f"{what}: schedule moved from {old_words} to {new_words}",
              f"{path}.schedule", f"{path}.schedule_timezone")
    _compare_retention(c, what, old.delete_after_days, new.delete_after_days, f"{path}.delete_after_days")
    _compare_copies(c, what, old, new, sides)


def _rule_text(rule: BackupRule) -> str:
    return (f"{schedule_words.describe_backup_schedule(rule.schedule, rule.schedule_timezone)} kept "
            f"{days_text(rule.delete_after_days)}")


def _compare_backup(c: Collector, old_policy: Policy, new_policy: Policy, sides: Sides) -> None:
    old, new = old_policy.backup, new_policy.backup
    if old is None or new is None:
        if old is not None:
            c.add("high", "layer-removed", "AWS Backup layer removed: no more backups by this policy (recovery "
                  "points already taken stay until they expire)", "backup")
        elif new is not None:
            c.add("info", "layer-added", f"AWS Backup layer added with {len(new.rules)} rule(s)", "backup")
        return
    matched = match_rules(old.rules, new.rules, (sides.old_region, sides.new_region),
                          (sides.old_account, sides.new_account), sides.now)
    for before, after, how in matched.pairs:
        if how == "name":
            _compare_rule(c, before, after, sides)
            continue
        # The rules live in one backup plan, which AWS Backup updates in place: a rule renamed keeps taking the
        # same backups (recovery points carry no rule name that anything relies on). Matched by what it does, a
        # rename with its schedule rewritten is a rename; its other changes are compared as for one rule.
        found = len(c.items)
        _compare_rule(c, before, after, sides)
        rest = [change for change in changes(before.model_dump(exclude=_RULE_NAMING),
                                             after.model_dump(exclude=_RULE_NAMING), f"backup.rules[{after.name}]")
                if not c.covers(change[0])]
        if rest:
            c.add("info", "settings-changed", "; ".join(change_text(change) for change in rest))
        same = how == "meaning" and all(f.level == "info" and f.rule == "settings-changed" for f in c.items[found:])
        c.add("info", "rule-renamed", f"rule {before.name} renamed to {after.name}" +
              ("; same schedule, retention and copies" if same else "; it runs at the same times"),
              f"backup.rules[{before.name}]", f"backup.rules[{after.name}]")
    for rule in matched.removed:
        c.add("high", "rule-removed", f"rule {rule.name} removed: no more backups on {_rule_text(rule)}",
              f"backup.rules[{rule.name}]")
    for rule in matched.added:
        c.add("info", "rule-added", f"rule {rule.name} added: {_rule_text(rule).replace(' kept', ', kept')}",
              f"backup.rules[{rule.name}]")
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


def _compare_vault(c: Collector, old_policy: Policy, new_policy: Policy) -> None:
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


def _compare_native(c: Collector, old_policy: Policy, new_policy: Policy, now: datetime) -> None:
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
    if not same_snapshot_runs(old.schedule, new.schedule, now):
        words = ["; ".join(schedule_words.describe_snapshot_definition(d) for d in s) or "Redshift's default"
                 for s in (old.schedule, new.schedule)]
        c.add("medium", "schedule-moved", f"native snapshots moved from '{words[0]}' to '{words[1]}'",
              "snapshots.schedule")
    elif set(old.schedule) != set(new.schedule):
        c.add("info", "settings-changed", f"native snapshot schedule rewritten from {', '.join(old.schedule)} to "
              f"{', '.join(new.schedule)}; it takes snapshots at the same times", "snapshots.schedule")
    _compare_native_retention(c, old, new)
    _compare_native_copy(c, old, new)


def _compare_native_retention(c: Collector, old: SnapshotLayer, new: SnapshotLayer) -> None:
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


def _compare_native_copy(c: Collector, old: SnapshotLayer, new: SnapshotLayer) -> None:
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


def _compare_notifications(c: Collector, old: Notifications | None, new: Notifications | None) -> None:
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
class Sides:
    """What a policy comparison needs to know of both stacks."""

    old_region: str
    new_region: str
    old_account: str | None
    new_account: str | None
    now: datetime


_RULE_NAMING = {"name", "preset"}
# Keys that only abbreviate others (presets expand into the rules they stand for).
_DUMP_EXCLUDE: Any = {"backup": {"preset": True, "rules": {"__all__": {"preset"}}}}


def policy_findings(old: Policy, new: Policy, sides: Sides, rows_changed: bool) -> list[Finding]:
    c = Collector("policy", new.name)
    _compare_backup(c, old, new, sides)
    _compare_native(c, old, new, sides.now)
    _compare_notifications(c, old.notifications, new.notifications)
    compare_rpo(c, rpo_of([(old, True, True)], sides.now), rpo_of([(new, True, True)], sides.now), sides.now,
                 " of the policy")
    if rows_changed:
        c.cover("selection")  # what the selection does is in the cluster findings
    # Whatever no finding above speaks for is still listed: a review must not miss a change.
    rest = [change for change in changes(old.model_dump(exclude=_DUMP_EXCLUDE), new.model_dump(exclude=_DUMP_EXCLUDE))
            if not c.covers(change[0])]
    if rest:
        c.add("info", "settings-changed", "; ".join(change_text(change) for change in rest))
    return c.items
