"""How `diff` matches the two sides: schedules by their run times, rules by what they do, copies by where they
go, and where two dumped configs differ. Renaming or rewriting without changing the meaning is never a removal."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policies import backup_cron, backup_runs, rpo, snapshot_cron, snapshot_runs
from policies.backup_layer import BackupRule
from policies.diff_findings import Collector
from policies.protection_matrix import ProtectionRow
from policies.summary_parts import Part, rpo_schedules
from policies.summary_words import duration_text

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
class Rpo:
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


def rpo_of(parts: Sequence[Part], now: datetime) -> Rpo:
    return rpo_of_schedules(*rpo_schedules(parts), now)


def rpo_of_schedules(rules: Sequence[tuple[str, str]], definitions: Sequence[str], now: datetime) -> Rpo:
    """The RPO of AWS Backup rules (schedule, time zone) and Redshift snapshot definitions over the comparison
    period from `now`."""
    if not rules and not definitions:
        return Rpo(None, None)
    return Rpo(rpo.combined_rpo(rules, definitions, now, COMPARE_PERIOD),
                rpo.last_run(rules, definitions, now + COMPARE_PERIOD))


def compare_rpo(c: Collector, old: Rpo, new: Rpo, now: datetime, of: str = "") -> None:
    words = (f"worst-case RPO{of} over the {COMPARE_YEARS} years from {now:%Y-%m-%d}: from {old.text} to "
             f"{new.text}")
    if new.key > old.key:
        c.add("high", "rpo-worse", words)
    elif new.key < old.key:
        c.add("info", "rpo-better", words)


def same_backup_runs(old: BackupRule, new: BackupRule, now: datetime) -> bool:
    """Whether two rules run at the same times (`cron(0 5 ? * * *)` and `cron(0 5 * * ? *)` do)."""
    if (old.schedule, old.schedule_timezone) == (new.schedule, new.schedule_timezone):
        return True
    if backup_cron.parse_backup_schedule(old.schedule).years != backup_cron.parse_backup_schedule(new.schedule).years:
        return False  # the same runs over the period, but one of them stops at another time
    end = now + COMPARE_PERIOD
    return (backup_runs.backup_times_between(old.schedule, old.schedule_timezone, now, end)
            == backup_runs.backup_times_between(new.schedule, new.schedule_timezone, now, end))


def same_snapshot_runs(old: Sequence[str], new: Sequence[str], now: datetime) -> bool:
    """Whether two snapshot schedules take snapshots at the same times (definitions in any order)."""
    if set(old) == set(new):
        return True

    def rates(definitions: Sequence[str]) -> set[str]:
        return {d for d in definitions
                if isinstance(snapshot_cron.parse_snapshot_definition(d), snapshot_cron.SnapshotRate)}

    # Redshift counts rate() from the schedule's creation time, so a rate is only known to equal itself.
    if rates(old) != rates(new):
        return False
    crons = [[d for d in s if d not in rates(s)] for s in (old, new)]
    week = now + timedelta(days=7)  # cron definitions repeat every week
    return (snapshot_runs.snapshot_times_between(crons[0], now, week)
            == snapshot_runs.snapshot_times_between(crons[1], now, week))


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


def value_text(value: Any) -> str:
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


def change_text(change: Change) -> str:
    path, old, new = change
    return f"{path}: {value_text(old)} -> {value_text(new)}"


# --- copies and rules across the two sides ----------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
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


def copies_of(rule: BackupRule, region: str, account: str | None) -> dict[tuple[str, str | None, str | None],
                                                                            Copy]:
    out = {}
    for cp in rule.copy_actions:
        copy = Copy(cp.region or region, cp.other_account(account), cp.destination_vault_arn,
                     rule.copy_delete_after_days(cp))
        out[(copy.region, copy.account, copy.vault_arn)] = copy
    return out


# Rule settings compared by meaning elsewhere (or that only name or abbreviate the rule).
_RULE_MEANING_EXCLUDE = {"name", "preset", "schedule", "schedule_timezone", "copy_actions"}


def same_rule_meaning(old: BackupRule, new: BackupRule, region: tuple[str, str], account: tuple[str | None, str | None],
                      now: datetime) -> bool:
    """Whether two rules do the same thing whatever their names and spelling: the same run times, windows,
    lifecycle, tags and copies (each copy by where it goes and how long it is kept)."""
    return (same_backup_runs(old, new, now)
            and not changes(old.model_dump(exclude=_RULE_MEANING_EXCLUDE),
                            new.model_dump(exclude=_RULE_MEANING_EXCLUDE))
            and copies_of(old, region[0], account[0]) == copies_of(new, region[1], account[1]))


@dataclass(frozen=True)
class RuleMatch:
    """The rules of a policy on both sides, paired by what they do.

    `pairs` holds (old, new, how): `name` for the same name, `meaning` for a renamed rule that does the same thing
    (spelling of its schedule aside), `schedule` for a renamed rule that runs at the same times with other changes
    (compared as one rule: an AWS Backup plan updates its rules in place).
    """

    pairs: tuple[tuple[BackupRule, BackupRule, str], ...]
    removed: tuple[BackupRule, ...]
    added: tuple[BackupRule, ...]


def match_rules(old: Sequence[BackupRule], new: Sequence[BackupRule], region: tuple[str, str],
                account: tuple[str | None, str | None], now: datetime) -> RuleMatch:
    """Pair rules by what they do before their names (names may be swapped), then by name, then by run times;
    what is left was removed or added."""
    def by_name_and_meaning(o: BackupRule, n: BackupRule) -> bool:
        return o.name == n.name and same_rule_meaning(o, n, region, account, now)

    def by_meaning(o: BackupRule, n: BackupRule) -> bool:
        return same_rule_meaning(o, n, region, account, now)

    def by_name(o: BackupRule, n: BackupRule) -> bool:
        return o.name == n.name

    def by_schedule(o: BackupRule, n: BackupRule) -> bool:
        return same_backup_runs(o, n, now)

    tests: tuple[tuple[str, Callable[[BackupRule, BackupRule], bool]], ...] = (
        ("name", by_name_and_meaning), ("meaning", by_meaning), ("name", by_name), ("schedule", by_schedule))
    pairs: list[tuple[BackupRule, BackupRule, str]] = []
    left_old, left_new = list(old), list(new)
    for how, same in tests:
        for o in list(left_old):
            match = next((n for n in left_new if same(o, n)), None)
            if match is not None:
                pairs.append((o, match, how))
                left_old.remove(o)
                left_new.remove(match)
    return RuleMatch(tuple(pairs), tuple(left_old), tuple(left_new))


# --- selections across the two sides -----------------------------------------------------------------------------

_EXCEPT = ", except "


def selector_parts(label: str) -> tuple[str, tuple[str, ...]]:
    """A tag selector's label (`policies.summary_parts.policy_targets`) as its conditions and its exclusions."""
    conditions, _, excluded = label.partition(_EXCEPT)
    return conditions, tuple(excluded.split(", ")) if excluded else ()


def match_rows(old: Mapping[str, ProtectionRow], new: Mapping[str, ProtectionRow]
               ) -> list[tuple[str | None, str | None]]:
    """Matrix rows paired by what they protect: the same key, or a tag selector with the same conditions whose
    exclusions changed (the same selection, narrowed or widened); the rest were removed or added."""
    pairs: list[tuple[str | None, str | None]] = [(k, k) for k in old if k in new]
    left_new = [k for k in new if k not in old]
    for key in [k for k in old if k not in new]:
        row = old[key]
        match = next((k for k in left_new if row.target.kind == new[k].target.kind == "tag_selector"
                      and selector_parts(row.target.label)[0] == selector_parts(new[k].target.label)[0]), None)
        if match is not None:
            left_new.remove(match)
        pairs.append((key, match))
    return pairs + [(None, k) for k in left_new]
