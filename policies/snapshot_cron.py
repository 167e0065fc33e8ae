"""The Redshift snapshot-schedule dialect: parse and check one definition, `cron(Minutes Hours Day-of-week)` in
UTC or `rate(N hours)`.

`rate(1 hour)` is singular and `rate(N hours)` plural for N >= 2, as EventBridge requires; that Redshift applies
the same rule is *unverified*. Where Redshift starts counting a `rate()` is in `policies.snapshot_runs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policies.cron_fields import (
    DAY_NAMES,
    MINUTES,
    SNAPSHOT_EXAMPLE,
    SNAPSHOT_FIELDS,
    CronField,
    ScheduleError,
    is_number,
    unwrap_cron,
)

# A Redshift comma list holds at most 24 values (Redshift snapshot-schedule documentation).
_REDSHIFT_MAX_LIST = 24


_SNAPSHOT_HOURS = CronField("Hours", 0, 23, max_items=_REDSHIFT_MAX_LIST)
_SNAPSHOT_DAYS = CronField("Day-of-week", 1, 7, DAY_NAMES, max_items=_REDSHIFT_MAX_LIST)


@dataclass(frozen=True)
class SnapshotCron:
    """A parsed Redshift `cron(Minutes Hours Day-of-week)` definition (UTC)."""

    minute: int
    hours: tuple[int, ...]
    days_of_week: tuple[int, ...]


@dataclass(frozen=True)
class SnapshotRate:
    """A parsed Redshift `rate(N hours)` definition, anchored at 1970-01-01 00:00 UTC (see `policies.snapshot_runs`)."""

    hours: int


SnapshotDefinition = SnapshotCron | SnapshotRate


@lru_cache(maxsize=4096)
def parse_snapshot_definition(definition: str) -> SnapshotDefinition:
    """Parse and validate one Redshift snapshot-schedule definition (raises `ScheduleError`)."""
    if definition != definition.strip():
        raise ScheduleError(f"remove the spaces around the definition; e.g. {SNAPSHOT_EXAMPLE}")
    if definition.startswith("rate("):
        return _parse_rate(definition)
    fields = unwrap_cron(definition, dialect="snapshot")
    if len(fields) != 3:
        hint = " (6 fields is the AWS Backup form)" if len(fields) == 6 else ""
        raise ScheduleError(
            f"expected 3 fields {SNAPSHOT_FIELDS}, got {len(fields)}{hint}; e.g. {SNAPSHOT_EXAMPLE}"
        )
    minute_text, hour_text, dow_text = (f.upper() for f in fields)
    if "," in minute_text:
        raise ScheduleError(
            "Minutes takes one value: two snapshots in the same hour are less than 1 hour apart; "
            "e.g. cron(30 12 *)"
        )
    if not is_number(minute_text):
        raise ScheduleError("Minutes takes a plain value 0-59 (no wildcards); e.g. cron(30 12 *)")
    minute = MINUTES.value(minute_text)
    hours = _SNAPSHOT_HOURS.parse(hour_text)
    for mark in ("?", "L", "#"):
        if mark in dow_text:
            raise ScheduleError(
                f"Day-of-week: '{mark}' is not supported in Redshift snapshot schedules; use 1-7 or SUN-SAT "
                "with , - * /"
            )
    days = _SNAPSHOT_DAYS.parse(dow_text)
    return SnapshotCron(minute, tuple(sorted(hours)), tuple(sorted(days)))


def _parse_rate(definition: str) -> SnapshotRate:
    match = re.fullmatch(r"rate\(([0-9]+) ([a-z]+)\)", definition)
    if match is None:
        raise ScheduleError("expected rate(N hours) with N from 1 to 24, e.g. rate(12 hours)")
    number, unit = int(match.group(1)), match.group(2)
    if unit not in ("hour", "hours"):
        raise ScheduleError("rate() takes hours only (1 to 24), e.g. rate(12 hours); a day is rate(24 hours)")
    if not 1 <= number <= 24:
        raise ScheduleError("rate() must be between 1 and 24 hours, e.g. rate(12 hours)")
    if (number == 1) != (unit == "hour"):
        raise ScheduleError("write rate(1 hour) for one hour and rate(N hours) for more, e.g. rate(12 hours)")
    return SnapshotRate(number)
