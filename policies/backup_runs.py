"""AWS Backup run times: time zones, and the runs of a backup cron as aware UTC datetimes (next, between, last).

Local times a DST change skips are not run; local times a DST change repeats run once, at the first occurrence.
This is how EventBridge Scheduler documents its behaviour; for AWS Backup it is *unverified*.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from policies.backup_cron import BackupCron, local_runs, parse_backup_schedule
from policies.cron_fields import MINUTE, YEARS, ScheduleError, ceil_minute, floor_minute, require_aware

# Files of the tz database that `ZoneInfo` opens but that are no zone names: `localtime` is the machine's own
# zone, `posixrules` a template, `Factory` a placeholder ("-00").
_NOT_ZONE_NAMES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def iana_timezones() -> frozenset[str]:
    """Every IANA time zone name the installed tz database knows."""
    return frozenset(available_timezones()) - _NOT_ZONE_NAMES


def is_timezone(name: str) -> bool:
    """Whether `name` is an IANA time zone name; the default, UTC, without listing the tz database (a walk of
    its directory, the longest step of validating a stack that does not name another zone)."""
    return name == "UTC" or name in iana_timezones()


@lru_cache(maxsize=512)
def validate_timezone(timezone: str) -> ZoneInfo:
    """Return the `ZoneInfo` for an IANA name, or raise `ScheduleError`."""
    message = "unknown time zone; expected an IANA name such as UTC or Europe/Berlin"
    if not is_timezone(timezone):
        raise ScheduleError(message)
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(message) from exc


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime | None:
    """Local naive time -> aware UTC; None when DST skips that local time; the first one when it repeats."""
    aware = local.replace(tzinfo=zone)  # fold=0: the earlier of two repeated local times
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return utc


def _backup_runs_from(cron: BackupCron, zone: ZoneInfo, first: datetime) -> Iterator[datetime]:
    """Aware UTC run times at or after `first` (a whole UTC minute), ascending."""
    if zone.key == "UTC":
        for local in local_runs(cron, first.replace(tzinfo=None)):
            yield local.replace(tzinfo=UTC)
        return
    # Start two hours early in local time: around a repeated hour, local order and UTC order differ.
    start = first.astimezone(zone).replace(tzinfo=None, fold=0) - timedelta(hours=2)
    for local in local_runs(cron, start):
        utc = _to_utc(local, zone)
        if utc is not None and utc >= first:
            yield utc


def next_backup_times(expression: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` run times strictly after `after`, as aware UTC datetimes.

    The cron is evaluated in `timezone` (IANA), so DST applies: a local time the clock skips does not run, a
    local time it repeats runs once (the first time). Fewer than `count` come back when the Year field ends.
    """
    require_aware("after", after)
    if count <= 0:
        return []
    return list(_next_backup_cached(expression, timezone, floor_minute(after) + MINUTE, count))


@lru_cache(maxsize=8192)
def _next_backup_cached(expression: str, timezone: str, first: datetime, count: int) -> tuple[datetime, ...]:
    runs = _backup_runs_from(parse_backup_schedule(expression), validate_timezone(timezone), first)
    out: list[datetime] = []
    for run in runs:
        out.append(run)
        if len(out) == count:
            break
    return tuple(out)


def backup_times_between(expression: str, timezone: str, start: datetime, end: datetime) -> list[datetime]:
    """Every run time t with start <= t < end, as aware UTC datetimes (DST as in `next_backup_times`)."""
    require_aware("start", start)
    require_aware("end", end)
    return list(_backup_between_cached(expression, timezone, ceil_minute(start), end.astimezone(UTC)))


@lru_cache(maxsize=4096)
def _backup_between_cached(
    expression: str, timezone: str, first: datetime, end: datetime
) -> tuple[datetime, ...]:
    out: list[datetime] = []
    for run in _backup_runs_from(parse_backup_schedule(expression), validate_timezone(timezone), first):
        if run >= end:
            break
        out.append(run)
    return tuple(out)


def last_backup_time_if_ended(expression: str, timezone: str, now: datetime) -> datetime | None:
    """The last run (aware UTC) of a schedule that has no run after `now`; None while it still runs.

    Only a Year field can end a schedule; one that ended is as useless as one that never runs.
    """
    require_aware("now", now)
    if next_backup_times(expression, timezone, now, 1):
        return None
    return previous_backup_time(expression, timezone, now)


def previous_backup_time(expression: str, timezone: str, at: datetime) -> datetime | None:
    """The last run at or before `at`, found by widening a look-back window (no backward enumeration)."""
    reach = timedelta(hours=1)
    limit = at - datetime(YEARS[0], 1, 1, tzinfo=UTC)
    while True:
        window_start = at - reach
        runs = backup_times_between(expression, timezone, window_start, at + MINUTE)
        runs = [r for r in runs if r <= at]
        if runs:
            return runs[-1]
        if reach > limit:
            return None
        reach *= 4
