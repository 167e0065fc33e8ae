"""The semantic diff of two stack configs: what changes for each policy, cluster and restore, and how risky it is.

Every finding has a level (`high`, `medium`, `info`) and a stable rule id; docs/review.md lists the rules.
RPO and retention are compared on the protection matrix (`policies.summary`), so a change counts by its effect
on a cluster: shortening a rule that another, longer rule outlives is flagged on the policy but not the cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policies import native_plan, schedules
from policies.models import BackupLayer, BackupRule, Notifications, Policy
from policies.summary import (
    FOREVER,
    ProtectionRow,
    days_text,
    duration_text,
    protection_matrix,
    restore_source,
    summarize_policy,
    vault_summary,
)
from policies.validation import Stack

LEVELS = ("high", "medium", "info")
_RANK = {"info": 1, "medium": 2, "high": 3}
FAIL_ON = ("high", "medium", "never")
_SCOPES = ("stack", "policy", "cluster", "selector", "serverless", "restore")


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
    """Findings for one subject."""

    def __init__(self, scope: str, subject: str) -> None:
        self.scope = scope
        self.subject = subject
        self.items: list[Finding] = []

    def add(self, level: str, rule: str, message: str) -> None:
        self.items.append(Finding(level, rule, self.scope, self.subject, message))


def _retention_key(days: int | None) -> float:
    """Retention as a comparable number: None (not kept) lowest, -1 (for ever) highest."""
    if days is None:
        return -1.0
    return float("inf") if days == FOREVER else float(days)


def _rpo_key(value: timedelta | None) -> float:
    """RPO as a comparable number: None (no scheduled backup) is the worst."""
    return float("inf") if value is None else value.total_seconds()


def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """The dotted paths where two dumped models differ (lists compared whole)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            out += changed_paths(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else str(key))
        return out
    return [] if old == new else [prefix or "<root>"]


# --- per policy -------------------------------------------------------------------------------------------------


def _compare_retention(c: _Collector, what: str, old: int, new: int) -> None:
    if _retention_key(new) < _retention_key(old):
        c.add("high", "retention-shortened", f"{what}: retention shortened from {days_text(old)} to "
              f"{days_text(new)}")
    elif _retention_key(new) > _retention_key(old):
        c.add("info", "retention-longer", f"{what}: retention raised from {days_text(old)} to {days_text(new)}")


def _copy_where(region: str | None, account: str | None) -> str:
    return f"account {account} ({region})" if account else f"{region}"


def _compare_rule(c: _Collector, old: BackupRule, new: BackupRule, region: str) -> None:
    what = f"rule {new.name}"
    if (old.schedule, old.schedule_timezone) != (new.schedule, new.schedule_timezone):
        c.add("medium", "schedule-moved", f"{what}: schedule moved from "
              f"{schedules.describe_backup_schedule(old.schedule, old.schedule_timezone)} to "
              f"{schedules.describe_backup_schedule(new.schedule, new.schedule_timezone)}")
    _compare_retention(c, what, old.delete_after_days, new.delete_after_days)
    old_copies = {(cp.region or region, cp.account_id): old.copy_delete_after_days(cp) for cp in old.copy_actions}
    new_copies = {(cp.region or region, cp.account_id): new.copy_delete_after_days(cp) for cp in new.copy_actions}
    for key, days in old_copies.items():
        if key not in new_copies:
            c.add("high", "copy-removed", f"{what}: copy to {_copy_where(*key)} removed; no more off-site "
                  "copies there (copies already made expire on their own lifecycle)")
        else:
            _compare_retention(c, f"{what}, copy to {_copy_where(*key)}", days, new_copies[key])
    for key, days in new_copies.items():
        if key not in old_copies:
            c.add("info", "copy-added", f"{what}: copies to {_copy_where(*key)}, kept {days_text(days)}")
    rest = changed_paths(old.model_dump(exclude={"schedule", "schedule_timezone", "delete_after_days",
                                                 "copy_actions", "preset"}),
                         new.model_dump(exclude={"schedule", "schedule_timezone", "delete_after_days",
                                                 "copy_actions", "preset"}))
    if rest:
        c.add("info", "settings-changed", f"{what}: {', '.join(rest)} changed")


def _compare_backup(c: _Collector, old_policy: Policy, new_policy: Policy, region: str) -> None:
    old, new = old_policy.backup, new_policy.backup
    if old is None or new is None:
        if old is not None:
            c.add("high", "layer-removed", "AWS Backup layer removed: no more backups by this policy (recovery "
                  "points already taken stay until they expire)")
        elif new is not None:
            c.add("info", "layer-added", f"AWS Backup layer added with {len(new.rules)} rule(s)")
        return
    old_rules = {r.name: r for r in old.rules}
    new_rules = {r.name: r for r in new.rules}
    for name, rule in old_rules.items():
        if name not in new_rules:
            c.add("high", "rule-removed", f"rule {name} removed: no more backups on "
                  f"{schedules.describe_backup_schedule(rule.schedule, rule.schedule_timezone)} kept "
                  f"{days_text(rule.delete_after_days)}")
        else:
            _compare_rule(c, rule, new_rules[name], region)
    for name, rule in new_rules.items():
        if name not in old_rules:
            c.add("info", "rule-added", f"rule {name} added: "
                  f"{schedules.describe_backup_schedule(rule.schedule, rule.schedule_timezone)}, kept "
                  f"{days_text(rule.delete_after_days)}")
    _compare_vault(c, old_policy, new_policy)
    _compare_backup_rest(c, old, new)


def _compare_backup_rest(c: _Collector, old: BackupLayer, new: BackupLayer) -> None:
    rest = changed_paths(old.model_dump(exclude={"rules", "vault", "preset"}),
                         new.model_dump(exclude={"rules", "vault", "preset"}))
    if rest:
        c.add("info", "settings-changed", f"backup: {', '.join(rest)} changed")


def _compare_vault(c: _Collector, old_policy: Policy, new_policy: Policy) -> None:
    old, new = vault_summary(old_policy), vault_summary(new_policy)
    assert old is not None and new is not None
    if (old.name, old.existing) != (new.name, new.existing):
        c.add("high", "vault-replaced", f"vault {old.name} replaced by {'existing ' if new.existing else ''}vault "
              f"{new.name}: new backups go to another vault; recovery points in {old.name} are no longer "
              "managed here" + ("" if old.existing else " and Pulumi tries to delete that vault (a protected "
                                "vault or one holding recovery points refuses)"))
        return
    if old.kms_key != new.kms_key:
        c.add("high", "vault-replaced", f"vault {new.name}: encryption key changed from {old.kms_key} to "
              f"{new.kms_key}; a vault's key cannot change, so Pulumi replaces the vault")
    if old.lock_mode and not new.lock_mode:
        c.add("high", "vault-lock-removed", f"vault {new.name}: {old.lock_mode} vault lock removed"
              + (" (once past its cooling-off period a compliance lock cannot be removed; the update fails)"
                 if old.lock_mode == "compliance" else ""))
    elif new.lock_mode and not old.lock_mode:
        c.add("info", "vault-lock-added", f"vault {new.name}: {new.lock_text} vault lock added")
    elif old.lock_mode and new.lock_mode:
        weaker = []
        if old.lock_mode == "compliance" and new.lock_mode == "governance":
            weaker.append("mode compliance -> governance (privileged users can remove it)")
        if (new.lock_min_days or 0) < (old.lock_min_days or 0):
            weaker.append(f"minimum retention {old.lock_min_days} -> {new.lock_min_days} days")
        if weaker:
            c.add("high", "vault-lock-weakened", f"vault {new.name}: vault lock weakened: " + "; ".join(weaker))
        elif old.lock_text != new.lock_text or old.lock_changeable_for_days != new.lock_changeable_for_days:
            c.add("info", "vault-lock-changed", f"vault {new.name}: vault lock {old.lock_text} -> {new.lock_text}")
    if old.deny_recovery_point_deletion and not new.deny_recovery_point_deletion:
        c.add("high", "deletion-guard-removed", f"vault {new.name}: the access policy no longer denies deleting "
              "recovery points")
    added = sorted(set(new.allowed_principals) - set(old.allowed_principals))
    if added and new.deny_recovery_point_deletion and old.deny_recovery_point_deletion:
        c.add("medium", "deletion-guard-widened", f"vault {new.name}: may now delete recovery points: "
              + ", ".join(added))
    if old.protect and not new.protect:
        c.add("medium", "vault-unprotected", f"vault {new.name}: Pulumi protect turned off; `pulumi destroy` can "
              "now delete the vault")


def _compare_native(c: _Collector, old_policy: Policy, new_policy: Policy) -> None:
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
                  "stack set it")
        elif new is not None:
            c.add("info", "layer-added", "native snapshot layer added")
        return
    if old.schedule != new.schedule:
        words = ["; ".join(schedules.describe_snapshot_definition(d) for d in s) or "Redshift's default"
                 for s in (old.schedule, new.schedule)]
        c.add("medium", "schedule-moved", f"native snapshots moved from '{words[0]}' to '{words[1]}'")
    a_old, a_new = old.automated_snapshot_retention_days, new.automated_snapshot_retention_days
    for risk in native_plan.retention_change_risks(a_old, a_new):
        c.add("high", "automated-retention-lowered", risk)
    if a_old is not None and a_new is not None and a_new > a_old:
        c.add("info", "retention-longer", f"automated snapshot retention raised from {days_text(a_old)} to "
              f"{days_text(a_new)}")
    elif a_old is not None and a_new is None:
        c.add("high", "automated-retention-lowered", f"automated snapshot retention ({days_text(a_old)}) no longer "
              "managed: each cluster gets back the value it had before this stack set it, which may be lower and "
              "delete automated snapshots at once")
    elif a_old is None and a_new is not None:
        c.add("info", "setting-managed", f"automated snapshot retention set to {days_text(a_new)}")
    m_old, m_new = old.manual_snapshot_retention_days, new.manual_snapshot_retention_days
    if m_old is not None and m_new is not None:
        _compare_retention(c, "manual snapshots", m_old, m_new)
    elif m_old is not None:
        c.add("medium", "setting-unmanaged", f"manual snapshot retention ({days_text(m_old)}) no longer managed: "
              "the clusters' default for new manual snapshots goes back to what it was")
    cp_old, cp_new = old.cross_region_copy, new.cross_region_copy
    if cp_old and not cp_new:
        c.add("high", "copy-removed", f"cross-region snapshot copy to {cp_old.destination_region} removed")
    elif cp_new and not cp_old:
        c.add("info", "copy-added", f"cross-region snapshot copy to {cp_new.destination_region} added")
    elif cp_old and cp_new:
        if cp_old.destination_region != cp_new.destination_region:
            c.add("high", "copy-removed", f"cross-region snapshot copy moved from {cp_old.destination_region} to "
                  f"{cp_new.destination_region}: Redshift disables the copy to {cp_old.destination_region} first")
        else:
            risks = native_plan.copy_retention_change_risks(cp_old.retention_days, cp_new.retention_days,
                                                            cp_new.destination_region)
            for risk in risks:
                c.add("high", "retention-shortened", risk)
            if not risks:
                _compare_retention(c, f"snapshot copies in {cp_new.destination_region}", cp_old.retention_days,
                                   cp_new.retention_days)
            mo = cp_old.manual_snapshot_retention_days
            mn = cp_new.manual_snapshot_retention_days
            _compare_retention(c, f"manual snapshot copies in {cp_new.destination_region}",
                               FOREVER if mo is None else mo, FOREVER if mn is None else mn)


def _compare_notifications(c: _Collector, old: Notifications | None, new: Notifications | None) -> None:
    if old is None or new is None:
        if old is not None:
            c.add("medium", "notifications-reduced", "notifications removed: nobody is told about backup jobs")
        elif new is not None:
            c.add("info", "notifications-added", "notifications added")
        return
    less: list[str] = []
    more: list[str] = []
    for label, o, n in (("emails", old.emails, new.emails),
                        ("AWS Backup events", old.backup_vault_events, new.backup_vault_events),
                        ("Redshift event categories", old.redshift_event_categories,
                         new.redshift_event_categories)):
        gone = [x for x in o if x not in n]
        came = [x for x in n if x not in o]
        if gone:
            less.append(f"{label} removed: {', '.join(gone)}")
        if came:
            more.append(f"{label} added: {', '.join(came)}")
    if old.sns_topic_arn != new.sns_topic_arn:
        less.append(f"topic changed from {old.sns_topic_arn or 'the created topic'} to "
                    f"{new.sns_topic_arn or 'a created topic'} (its subscribers are not known here)")
    if old.redshift_event_severity is None and new.redshift_event_severity is not None:
        less.append(f"Redshift events limited to severity {new.redshift_event_severity}")
    elif old.redshift_event_severity is not None and new.redshift_event_severity is None:
        more.append("Redshift events of every severity")
    if less:
        c.add("medium", "notifications-reduced", "notifications reduced: " + "; ".join(less))
    if more:
        c.add("info", "notifications-added", "notifications widened: " + "; ".join(more))


def _policy_findings(old: Policy, new: Policy, old_region: str, new_region: str, now: datetime) -> list[Finding]:
    c = _Collector("policy", new.name)
    _compare_backup(c, old, new, new_region)
    _compare_native(c, old, new)
    _compare_notifications(c, old.notifications, new.notifications)
    rpo_old = summarize_policy(old, old_region, now).rpo
    rpo_new = summarize_policy(new, new_region, now).rpo
    if _rpo_key(rpo_new) > _rpo_key(rpo_old):
        c.add("high", "rpo-worse", f"worst-case RPO of the policy from {duration_text(rpo_old)} to "
              f"{duration_text(rpo_new)}")
    elif _rpo_key(rpo_new) < _rpo_key(rpo_old):
        c.add("info", "rpo-better", f"worst-case RPO of the policy from {duration_text(rpo_old)} to "
              f"{duration_text(rpo_new)}")
    if not c.items:
        rest = changed_paths(old.model_dump(exclude={"selection"}), new.model_dump(exclude={"selection"}))
        if rest:
            c.add("info", "settings-changed", f"{', '.join(rest)} changed")
    return c.items


# --- per cluster --------------------------------------------------------------------------------------------------


def _coverage_text(row: ProtectionRow) -> str:
    return ", ".join(f"{c.policy} ({' + '.join(c.layers)})" for c in row.coverage)


def _row_findings(old: ProtectionRow | None, new: ProtectionRow | None) -> list[Finding]:
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
    if not lost and not gained and set(old.policies) != set(new.policies):
        c.add("medium", "coverage-moved", f"covered by {_coverage_text(new)} instead of {_coverage_text(old)}")
    if _rpo_key(new.rpo) > _rpo_key(old.rpo):
        c.add("high", "rpo-worse", f"worst-case RPO from {duration_text(old.rpo)} to {duration_text(new.rpo)}")
    elif _rpo_key(new.rpo) < _rpo_key(old.rpo):
        c.add("info", "rpo-better", f"worst-case RPO from {duration_text(old.rpo)} to {duration_text(new.rpo)}")
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
                rest = changed_paths(spec.model_dump(), other.model_dump())
                if rest:
                    c.add("info", "restore-changed", f"{', '.join(rest)} changed")
        out += c.items
    for name, spec in new_specs.items():
        if name not in old_specs:
            c = _Collector("restore", name)
            c.add("info", "restore-added", f"restore added from {restore_source(spec)}")
            out += c.items
    return out


def _by_key(rows: Iterable[ProtectionRow]) -> dict[str, ProtectionRow]:
    return {r.target.key: r for r in rows}


def diff_stacks(old: Stack, new: Stack, now: datetime, *, old_source: str | None = None,
                new_source: str | None = None) -> StackDiff:
    """Compare two validated stacks at `now` (RPOs are measured over the week from `now`)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    findings: list[Finding] = []
    if old.region != new.region:
        findings.append(Finding("high", "region-changed", "stack", new.name or "stack",
                                f"stack region changed from {old.region} to {new.region}: every resource is "
                                "created anew in the new region and the old ones are deleted"))
    old_policies = {p.name: p for p in old.policies}
    new_policies = {p.name: p for p in new.policies}
    for name, policy in old_policies.items():
        if name not in new_policies:
            findings.append(Finding("high", "policy-removed", "policy", name, "policy removed: its backup plan, "
                                    "selections and snapshot settings are deleted" +
                                    (f"; Pulumi tries to delete vault {policy.vault_name}"
                                     if policy.backup and not policy.backup.vault.existing else "")))
        else:
            findings += _policy_findings(policy, new_policies[name], old.region, new.region, now)
    for name, policy in new_policies.items():
        if name not in old_policies:
            layers = summarize_policy(policy, new.region, now).layers
            findings.append(Finding("info", "policy-added", "policy", name,
                                    f"policy added ({' + '.join(layers)})"))
    old_rows = _by_key(protection_matrix(old.policies, old.region, now))
    new_rows = _by_key(protection_matrix(new.policies, new.region, now))
    for key in list(old_rows) + [k for k in new_rows if k not in old_rows]:
        findings += _row_findings(old_rows.get(key), new_rows.get(key))
    findings += _restore_findings(old, new)
    order = sorted(range(len(findings)), key=lambda i: (-_RANK[findings[i].level],
                                                        _SCOPES.index(findings[i].scope), i))
    return StackDiff(old_source=old_source or old.source or "old", new_source=new_source or new.source or "new",
                     now=now, findings=tuple(findings[i] for i in order))
