"""The spacing rule of a Redshift snapshot schedule: its definitions' snapshots at least 1 hour apart, every
problem of a list of definitions, and the first pair of times that breaks the rule.

Because some start always puts a `rate()` snapshot within the hour of any other definition's (`rate()` starts
are not documented, `policies.snapshot_runs`), a `rate()` is only accepted on its own: that rule holds whatever
Redshift's real start is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from policies.cron_fields import EPOCH, MINUTE, ScheduleError
from policies.schedule_words import DAY_WORDS, join_words
from policies.snapshot_cron import SnapshotCron, SnapshotDefinition, SnapshotRate, parse_snapshot_definition
from policies.snapshot_runs import WEEK_MINUTES, snapshot_minutes

# 1970-01-04 was a Sunday: week arithmetic for snapshot crons starts there.
_FIRST_SUNDAY_MINUTE = 3 * 1440


def _aws_weekday(day: date) -> int:
    """AWS numbering: 1 = Sunday ... 7 = Saturday (Python: Monday = 0)."""
    return (day.weekday() + 1) % 7 + 1


@dataclass(frozen=True)
class SnapshotConflict:
    """Two snapshot times less than 1 hour apart, from definitions `first_index` and `second_index`."""

    first_index: int
    second_index: int
    first_time: datetime
    second_time: datetime


def snapshot_definition_problems(definitions: Sequence[str]) -> list[tuple[int | None, str]]:
    """Every problem: (index, message) for one definition, (None, message) for the schedule as a whole.

    Definitions that do not parse are left out of the spacing check. A `rate()` next to a `cron()` is a problem
    of the `rate()` definition whatever the times (module docs: for some start of the `rate()`, the two come
    within the hour); two `rate()` definitions always start together, so they always clash.
    """
    return list(_snapshot_problems_cached(tuple(definitions)))


@lru_cache(maxsize=4096)
def _snapshot_problems_cached(definitions: tuple[str, ...]) -> tuple[tuple[int | None, str], ...]:
    problems: list[tuple[int | None, str]] = []
    if not definitions:
        problems.append((None, "at least one definition is required, e.g. rate(12 hours) or cron(0 5 *)"))
    parsed: dict[int, SnapshotDefinition] = {}
    for index, definition in enumerate(definitions):
        try:
            parsed[index] = parse_snapshot_definition(definition)
        except ScheduleError as exc:
            problems.append((index, str(exc)))
    first_seen: dict[str, int] = {}
    for index in parsed:
        if definitions[index] in first_seen:
            earlier = first_seen[definitions[index]]
            problems.append((None, f"definitions {earlier} and {index} are the same; remove one"))
        else:
            first_seen[definitions[index]] = index
    crons = [i for i, d in parsed.items() if isinstance(d, SnapshotCron)]
    for index, parsed_definition in parsed.items():
        if isinstance(parsed_definition, SnapshotRate) and crons:
            problems.append((index, _rate_with_cron_message(parsed_definition, crons)))
    for conflict in _conflicts(tuple(sorted(parsed.items()))):
        kinds = {type(parsed[conflict.first_index]), type(parsed[conflict.second_index])}
        # Identical definitions were reported above, and a rate() next to a cron() just now.
        if definitions[conflict.first_index] != definitions[conflict.second_index] and len(kinds) == 1:
            problems.append((None, _conflict_message(conflict, parsed)))
    return tuple(problems)


def _rate_with_cron_message(rate: SnapshotRate, crons: Sequence[int]) -> str:
    which = f"definition{'s' if len(crons) > 1 else ''} {join_words([str(i) for i in crons])}"
    if 24 % rate.hours == 0:
        hours = {1: "*", 24: "0"}.get(rate.hours, f"0/{rate.hours}")
        instead = f"or write it as cron(0 {hours} *) next to the others"
    else:
        instead = f"or list its hours in a cron() (every {rate.hours} hours does not divide a day)"
    return ("rate() cannot be combined with cron() definitions: Redshift counts rate() from a start that cannot "
            f"be known in advance (unverified: most likely the schedule's creation), and for some start its "
            f"snapshots come less than 1 hour from those of {which}; use rate() on its own, {instead}")


def _conflict_message(conflict: SnapshotConflict, parsed: dict[int, SnapshotDefinition]) -> str:
    (first, first_index), (second, second_index) = sorted(
        [(conflict.first_time, conflict.first_index), (conflict.second_time, conflict.second_index)]
    )
    pair = f"definitions {first_index} and {second_index}"
    if all(isinstance(parsed[i], SnapshotRate) for i in (first_index, second_index)):
        return (f"{pair} are both rate(): both count from the schedule's creation time, so they take "
                "snapshots at the same moments; keep one rate() or use cron() definitions")
    if first == second:
        text = f"{pair} both take a snapshot at {_day_time(first)}"
    elif first.date() == second.date():
        text = f"snapshots at {first:%H:%M} and {_day_time(second)} come from {pair}"
    else:
        text = f"snapshots at {_day_time(first)} and {_day_time(second)} come from {pair}"
    return text + "; snapshots must be at least 1 hour apart"


def _day_time(value: datetime) -> str:
    return f"{value:%H:%M} UTC on {DAY_WORDS[_aws_weekday(value) - 1]}"


def snapshot_conflicts(definitions: Sequence[str]) -> list[SnapshotConflict]:
    """Pairs of definitions whose snapshots come less than 1 hour apart: the first such pair of times each.

    `rate()` definitions start at 1970-01-01 00:00 UTC here (`policies.snapshot_runs`). Times repeat with the least
    common multiple of a week and every rate's period; the times shown fall in that cycle as counted from Sunday
    1970-01-04 00:00 UTC. Raises `ScheduleError` if a definition is invalid.
    """
    parsed = tuple((i, parse_snapshot_definition(d)) for i, d in enumerate(definitions))
    return list(_conflicts(parsed))


@lru_cache(maxsize=4096)
def _conflicts(parsed: tuple[tuple[int, SnapshotDefinition], ...]) -> tuple[SnapshotConflict, ...]:
    # Pair by pair: each pair's cycle stays small (at most 23 weeks), where the cycle of the whole list could
    # grow with every rate that does not divide a week.
    found = []
    for (first_index, first), (second_index, second) in itertools.combinations(parsed, 2):
        times = _pair_conflict(first, second)
        if times is not None:
            found.append(SnapshotConflict(first_index, second_index, *times))
    return tuple(found)


@lru_cache(maxsize=4096)
def _pair_conflict(first: SnapshotDefinition, second: SnapshotDefinition) -> tuple[datetime, datetime] | None:
    """The earliest pair of times (first's, second's) less than an hour apart, in one cycle from Sunday."""
    period = WEEK_MINUTES
    for definition in (first, second):
        if isinstance(definition, SnapshotRate):
            period = math.lcm(period, definition.hours * 60)
    start, end = _FIRST_SUNDAY_MINUTE, _FIRST_SUNDAY_MINUTE + period
    times = sorted([(t, 0) for t in snapshot_minutes(first, start, end)]
                   + [(t, 1) for t in snapshot_minutes(second, start, end)])
    # Wrap around the end of the cycle: the first hour of the next cycle follows the last of this one.
    times += [(t + period, side) for t, side in times if t < start + 60]
    for position, (time, side) in enumerate(times):
        if time >= end:
            break
        later = position + 1
        while later < len(times) and times[later][0] - time < 60:
            if times[later][1] != side:
                pair = (EPOCH + time * MINUTE, EPOCH + times[later][0] * MINUTE)
                return pair if side == 0 else (pair[1], pair[0])
            later += 1
    return None
