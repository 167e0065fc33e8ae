"""Recovery point objective: the longest gap between consecutive backups of AWS Backup rules and Redshift
snapshot definitions together, and the last run of schedules that all end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from policies.backup_runs import backup_times_between, next_backup_times, previous_backup_time
from policies.cron_fields import MINUTE, require_aware
from policies.snapshot_runs import next_snapshot_times, previous_snapshot_time, snapshot_times_between


def worst_case_rpo(
    times: Sequence[datetime], start: datetime, window: timedelta = timedelta(days=7)
) -> timedelta | None:
    """The longest gap between consecutive backup times among gaps overlapping [start, start + window].

    `times` are all run times of all layers, merged (any order, duplicates allowed), for a horizon wider than
    the window so that gaps across its edges are seen. None when there are fewer than 2 distinct times or
    no gap overlaps the window.
    """
    ordered = sorted(set(times))
    end = start + window
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if a < end and b > start]
    return max(gaps, default=None)


def combined_rpo(
    backup_rules: Sequence[tuple[str, str]], snapshot_definitions: Sequence[str], start: datetime,
    window: timedelta = timedelta(days=7),
) -> timedelta | None:
    """Worst-case RPO over `window` (default: the week) from `start` across AWS Backup rules and Redshift
    snapshot definitions.

    `backup_rules` is `[(expression, timezone), ...]`. Each layer adds its runs within the window plus its last
    run before and first run after, so gaps across the window's edges count (a monthly rule alone gives about
    a month). None when fewer than two runs are known.
    """
    require_aware("start", start)
    return _combined_rpo_cached(tuple(backup_rules), tuple(snapshot_definitions), start.astimezone(UTC), window)


@lru_cache(maxsize=8192)
def _combined_rpo_cached(
    backup_rules: tuple[tuple[str, str], ...], snapshot_definitions: tuple[str, ...], start: datetime,
    window: timedelta,
) -> timedelta | None:
    end = start + window
    times: list[datetime] = []
    for expression, timezone in backup_rules:
        times += backup_times_between(expression, timezone, start, end + MINUTE)
        times += next_backup_times(expression, timezone, end, 1)
        previous = previous_backup_time(expression, timezone, start)
        if previous is not None:
            times.append(previous)
    if snapshot_definitions:
        times += snapshot_times_between(snapshot_definitions, start, end + MINUTE)
        times += next_snapshot_times(snapshot_definitions, end, 1)
        previous = previous_snapshot_time(snapshot_definitions, start)
        if previous is not None:
            times.append(previous)
    return worst_case_rpo(times, start, window)


def last_run(
    backup_rules: Sequence[tuple[str, str]], snapshot_definitions: Sequence[str], after: datetime
) -> datetime | None:
    """The very last run of all schedules together, when none runs after `after` (every rule's Year field has
    ended by then); None while any still runs later, or when none ever ran."""
    require_aware("after", after)
    if snapshot_definitions:
        return None  # snapshot schedules have no Year field: they run for ever
    if any(next_backup_times(expression, timezone, after, 1) for expression, timezone in backup_rules):
        return None
    runs = [previous_backup_time(expression, timezone, after) for expression, timezone in backup_rules]
    return max((r for r in runs if r is not None), default=None)
