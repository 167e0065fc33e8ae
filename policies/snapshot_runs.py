"""Redshift snapshot times: every definition's times as minutes since the epoch, merged (next, between, last).

Where Redshift starts counting `rate(N hours)` is not documented (*unverified*; most likely the schedule's
creation time, which cannot be known before it exists). Times listed for a `rate()` assume a start at
1970-01-01 00:00 UTC (so `rate(12 hours)` runs at 00:00 and 12:00 UTC); the gaps between snapshots, and so the
recovery point objective, are the same for every start.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from policies.cron_fields import EPOCH, MINUTE, ceil_minute, require_aware
from policies.snapshot_cron import SnapshotDefinition, SnapshotRate, parse_snapshot_definition

WEEK_MINUTES = 7 * 1440


def snapshot_minutes(definition: SnapshotDefinition, start: int, end: int) -> Iterator[int]:
    """Snapshot times as minutes since the epoch, start <= t < end, ascending."""
    if isinstance(definition, SnapshotRate):
        step = definition.hours * 60
        yield from range(-(-start // step) * step, end, step)
        return
    day_start = start - start % 1440
    for day in range(day_start, end, 1440):
        # 1970-01-01 (minute 0) was a Thursday: AWS weekday 5.
        weekday = (day // 1440 + 4) % 7 + 1
        if weekday not in definition.days_of_week:
            continue
        for hour in definition.hours:
            minute = day + hour * 60 + definition.minute
            if start <= minute < end:
                yield minute


def _snapshot_minutes_open(definition: SnapshotDefinition, start: int) -> Iterator[int]:
    """Like `snapshot_minutes` without an end: a week at a time."""
    while True:
        yield from snapshot_minutes(definition, start, start + WEEK_MINUTES)
        start += WEEK_MINUTES


def _epoch_minute(value: datetime) -> int:
    return (value.astimezone(UTC) - EPOCH) // MINUTE


def _merged_snapshot_minutes(definitions: Sequence[str], first: int) -> Iterator[int]:
    parsed = [parse_snapshot_definition(d) for d in definitions]
    previous = None
    for minute in heapq.merge(*(_snapshot_minutes_open(p, first) for p in parsed)):
        if minute != previous:  # two definitions at the same minute take one snapshot
            yield minute
        previous = minute


def next_snapshot_times(definitions: Sequence[str], after: datetime, count: int) -> list[datetime]:
    """The next `count` snapshot times strictly after `after` (aware UTC), all definitions merged.

    `rate(N hours)` is anchored at 1970-01-01 00:00 UTC (see the module docs); raises `ScheduleError` if a
    definition is invalid. The spacing rule is not checked here (`snapshot_definition_problems` does).
    """
    require_aware("after", after)
    if count <= 0 or not definitions:
        return []
    return list(_next_snapshot_cached(tuple(definitions), _epoch_minute(after) + 1, count))


@lru_cache(maxsize=8192)
def _next_snapshot_cached(definitions: tuple[str, ...], first: int, count: int) -> tuple[datetime, ...]:
    out: list[datetime] = []
    for minute in _merged_snapshot_minutes(definitions, first):
        out.append(EPOCH + minute * MINUTE)
        if len(out) == count:
            break
    return tuple(out)


def snapshot_times_between(definitions: Sequence[str], start: datetime, end: datetime) -> list[datetime]:
    """Every snapshot time t with start <= t < end (aware UTC); `rate()` anchored at 00:00 UTC as above."""
    require_aware("start", start)
    require_aware("end", end)
    if not definitions:
        return []
    first = _epoch_minute(ceil_minute(start))
    stop = end.astimezone(UTC)
    out: list[datetime] = []
    for minute in _merged_snapshot_minutes(definitions, first):
        time = EPOCH + minute * MINUTE
        if time >= stop:
            break
        out.append(time)
    return out


def previous_snapshot_time(definitions: Sequence[str], at: datetime) -> datetime | None:
    """The last snapshot at or before `at`: every definition runs at least once a week."""
    if not definitions:
        return None
    runs = snapshot_times_between(definitions, at - timedelta(days=7, hours=1), at + MINUTE)
    runs = [r for r in runs if r <= at]
    return runs[-1] if runs else None
