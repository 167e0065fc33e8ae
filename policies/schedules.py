"""Schedule arithmetic: parse, check, enumerate and describe AWS Backup and Redshift snapshot schedules.

Two dialects live here:

* AWS Backup rules: the 6-field EventBridge cron `cron(Minutes Hours Day-of-month Month Day-of-week Year)`,
  evaluated in an IANA time zone. AWS Backup takes no `rate(...)` (its `ScheduleExpression` is documented as
  a cron expression only).
* Redshift snapshot schedules: definitions `cron(Minutes Hours Day-of-week)` in UTC, or `rate(N hours)`.

Conventions this module decides, because AWS does not document them (stated again where they matter):

* Day-of-week numbers run 1 = Sunday ... 7 = Saturday in both dialects (EventBridge), and `L` alone in
  Day-of-week means Saturday, the last day of the week (Quartz, which EventBridge follows).
* Local times a DST change skips are not run; local times a DST change repeats run once, at the first
  occurrence. This is how EventBridge Scheduler documents its behaviour; for AWS Backup it is *unverified*.
* Where Redshift starts counting `rate(N hours)` is not documented (*unverified*; most likely the schedule's
  creation time, which cannot be known before it exists). Times listed for a `rate()` assume a start at
  1970-01-01 00:00 UTC (so `rate(12 hours)` runs at 00:00 and 12:00 UTC); the gaps between snapshots, and so the
  recovery point objective, are the same for every start. Because some start always puts a `rate()` snapshot
  within the hour of any other definition's, a `rate()` is only accepted on its own
  (`snapshot_definition_problems`): that rule holds whatever Redshift's real start is.
* `rate(1 hour)` is singular and `rate(N hours)` plural for N >= 2, as EventBridge requires; that Redshift
  applies the same rule is *unverified*.
"""

from __future__ import annotations

import calendar
import heapq
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from policies.errors import RedshiftBackupError

__all__ = [
    "BackupCron",
    "DayRule",
    "ScheduleError",
    "SnapshotConflict",
    "SnapshotCron",
    "SnapshotRate",
    "backup_times_between",
    "combined_rpo",
    "describe_backup_schedule",
    "FOREVER",
    "days_text",
    "describe_snapshot_definition",
    "last_run",
    "iana_timezones",
    "is_timezone",
    "last_backup_time_if_ended",
    "next_backup_times",
    "next_snapshot_times",
    "parse_backup_schedule",
    "parse_snapshot_definition",
    "snapshot_conflicts",
    "snapshot_definition_problems",
    "snapshot_times_between",
    "validate_backup_schedule",
    "validate_timezone",
    "worst_case_rpo",
]


class ScheduleError(RedshiftBackupError, ValueError):
    """A schedule is invalid: the message says what is wrong and what is expected (never the path or value).

    It is a `ValueError` so that pydantic field validators turn it into a validation error.
    """


BACKUP_EXAMPLE = "cron(0 5 ? * * *)"
SNAPSHOT_EXAMPLE = "cron(0 5 *)"
BACKUP_FIELDS = "cron(Minutes Hours Day-of-month Month Day-of-week Year)"
SNAPSHOT_FIELDS = "cron(Minutes Hours Day-of-week)"

MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MONTH_WORDS = tuple(calendar.month_name[1:])
_DAY_WORDS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ORDINALS = ("first", "second", "third", "fourth", "fifth")

# A Redshift comma list holds at most 24 values (Redshift snapshot-schedule documentation).
_REDSHIFT_MAX_LIST = 24
_YEARS = (1970, 2199)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# 1970-01-04 was a Sunday: week arithmetic for snapshot crons starts there.
_FIRST_SUNDAY_MINUTE = 3 * 1440
_WEEK_MINUTES = 7 * 1440
_MINUTE = timedelta(minutes=1)


def _is_number(text: str) -> bool:
    # str.isdigit() is true for characters such as '²' that int() rejects
    return re.fullmatch(r"[0-9]+", text) is not None


# --- fields -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One cron field: its name in messages, its range and the names it accepts."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    steps: bool = True
    max_items: int | None = None

    def value(self, text: str) -> int:
        if _is_number(text):
            number = int(text)
        elif text in self.names:
            number = self.names.index(text) + self.low
        else:
            allowed = f"{self.low}-{self.high}"
            if self.names:
                allowed += f" or {self.names[0]}-{self.names[-1]}"
            raise ScheduleError(f"{self.name}: {text!r} is not a value; expected {allowed}")
        if not self.low <= number <= self.high:
            raise ScheduleError(f"{self.name}: {number} is outside {self.low}-{self.high}")
        return number

    def parse(self, text: str) -> frozenset[int]:
        """Expand `, - * /` into the set of values the field allows."""
        items = text.split(",")
        if self.max_items is not None and len(items) > self.max_items:
            raise ScheduleError(f"{self.name}: at most {self.max_items} values in a list, got {len(items)}")
        if len(items) > 1 and "*" in items:
            raise ScheduleError(f"{self.name}: '*' already means every value; do not combine it in a list")
        values: set[int] = set()
        for item in items:
            values.update(self._item(item))
        return frozenset(values)

    def _item(self, item: str) -> range:
        if not item:
            raise ScheduleError(
                f"{self.name}: empty value in the list (two commas in a row or a comma at an end)"
            )
        step = 1
        if "/" in item:
            if not self.steps:
                raise ScheduleError(f"{self.name}: '/' is not supported here; list the values instead")
            item, _, step_text = item.partition("/")
            span = self.high - self.low + 1
            if not _is_number(step_text) or not 1 <= int(step_text) <= span:
                raise ScheduleError(f"{self.name}: the step after '/' must be a whole number 1-{span}")
            step = int(step_text)
            if "-" not in item and item != "*":
                # `a/s` runs from a to the end of the range: `12/4` in Hours is 12, 16, 20.
                return range(self.value(item), self.high + 1, step)
        if item == "*":
            return range(self.low, self.high + 1, step)
        if "-" in item:
            first, _, last = item.partition("-")
            low, high = self.value(first), self.value(last)
            if low > high:
                raise ScheduleError(
                    f"{self.name}: the range {first}-{last} runs backwards; write it as two ranges "
                    f"({first}-{self.names[-1] if self.names else self.high},"
                    f"{self.names[0] if self.names else self.low}-{last})"
                )
            return range(low, high + 1, step)
        number = self.value(item)
        return range(number, number + 1)


_MINUTES = _Field("Minutes", 0, 59)
_HOURS = _Field("Hours", 0, 23)
_DAYS_OF_MONTH = _Field("Day-of-month", 1, 31)
_MONTHS = _Field("Month", 1, 12, MONTH_NAMES)
# EventBridge documents `, - * ? L #` for Day-of-week: no `/`.
_DAYS_OF_WEEK = _Field("Day-of-week", 1, 7, DAY_NAMES, steps=False)
_YEAR = _Field("Year", *_YEARS)
_SNAPSHOT_HOURS = _Field("Hours", 0, 23, max_items=_REDSHIFT_MAX_LIST)
_SNAPSHOT_DAYS = _Field("Day-of-week", 1, 7, DAY_NAMES, max_items=_REDSHIFT_MAX_LIST)


def _aws_weekday(day: date) -> int:
    """AWS numbering: 1 = Sunday ... 7 = Saturday (Python: Monday = 0)."""
    return (day.weekday() + 1) % 7 + 1


# --- AWS Backup cron --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRule:
    """Which days of a month a backup cron runs on: from Day-of-month or from Day-of-week (the other is `?`).

    kind: `days` (Day-of-month values), `last_day` (L), `last_weekday` (LW), `nearest_weekday` (nW, n in
    `values`), `weekdays` (Day-of-week values), `last_of_month` (nL: the last weekday n), `nth` (n#k).
    """

    kind: str
    values: frozenset[int]
    nth: int = 0


@dataclass(frozen=True)
class BackupCron:
    """A parsed AWS Backup cron: the allowed values of every field, evaluated in local time."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_rule: DayRule
    months: tuple[int, ...]
    years: tuple[int, ...]


def validate_backup_schedule(expression: str) -> None:
    """Raise `ScheduleError` unless `expression` is an AWS Backup cron that AWS would accept and that runs."""
    parse_backup_schedule(expression)


@lru_cache(maxsize=4096)
def parse_backup_schedule(expression: str) -> BackupCron:
    """Parse and validate an AWS Backup `cron(...)` expression (raises `ScheduleError`)."""
    fields = _unwrap_cron(expression, dialect="backup")
    if len(fields) != 6:
        hint = ""
        if len(fields) == 3:
            hint = " (3 fields is the Redshift snapshot-schedule form)"
        elif len(fields) == 5:
            hint = " (AWS adds a Year field to the usual 5)"
        raise ScheduleError(
            f"expected 6 fields {BACKUP_FIELDS}, got {len(fields)}{hint}; e.g. {BACKUP_EXAMPLE}"
        )
    minute_text, hour_text, dom_text, month_text, dow_text, year_text = (f.upper() for f in fields)
    minutes = _MINUTES.parse(minute_text)
    hours = _HOURS.parse(hour_text)
    day_rule = _day_rule(dom_text, dow_text)
    months = _MONTHS.parse(month_text)
    years = _YEAR.parse(year_text)
    if len(minutes) > 1:
        raise ScheduleError(
            "Minutes gives more than one run an hour; AWS Backup runs at most once an hour (runs less than "
            "60 minutes apart are rejected): use a single minute, e.g. cron(15 * ? * * *)"
        )
    cron = BackupCron(tuple(sorted(minutes)), tuple(sorted(hours)), day_rule, tuple(sorted(months)),
                      tuple(sorted(years)))
    if next(_local_runs(cron, datetime(_YEARS[0], 1, 1)), None) is None:
        raise ScheduleError(
            "the schedule never runs: no month in Month (and year in Year) has a day that Day-of-month or "
            "Day-of-week selects (e.g. day 31 in a 30-day month)"
        )
    return cron


def _unwrap_cron(expression: str, dialect: str) -> list[str]:
    example = BACKUP_EXAMPLE if dialect == "backup" else SNAPSHOT_EXAMPLE
    form = BACKUP_FIELDS if dialect == "backup" else SNAPSHOT_FIELDS
    if expression != expression.strip():
        raise ScheduleError(f"remove the spaces around the expression; e.g. {example}")
    if dialect == "backup" and re.fullmatch(r"rate\(.*\)", expression):
        raise ScheduleError(
            "AWS Backup takes cron(...) expressions only, not rate(...); e.g. every 12 hours is "
            "cron(0 0/12 ? * * *)"
        )
    match = re.fullmatch(r"cron\((.*)\)", expression)
    if match is None:
        also = " or rate(N hours)" if dialect == "snapshot" else ""
        raise ScheduleError(f"expected {form}{also}; e.g. {example}")
    return match.group(1).split()


def _day_rule(dom_text: str, dow_text: str) -> DayRule:
    both_set = "Day-of-month and Day-of-week are both set; exactly one must be '?'"
    if "?" in dom_text and dom_text != "?":
        raise ScheduleError("Day-of-month: '?' stands alone; it cannot be combined with other values")
    if "?" in dow_text and dow_text != "?":
        raise ScheduleError("Day-of-week: '?' stands alone; it cannot be combined with other values")
    if dom_text == "?" and dow_text == "?":
        raise ScheduleError(
            "Day-of-month and Day-of-week are both '?'; exactly one must be '?', e.g. cron(0 5 ? * * *) "
            "or cron(0 5 1 * ? *)"
        )
    if dom_text != "?" and dow_text != "?":
        raise ScheduleError(f"{both_set}, e.g. cron(0 5 ? * * *) (every day) or cron(0 5 1 * ? *) (monthly)")
    if dow_text == "?":
        return _day_of_month_rule(dom_text)
    return _day_of_week_rule(dow_text)


def _day_of_month_rule(text: str) -> DayRule:
    if text == "L":
        return DayRule("last_day", frozenset())
    if text == "LW":
        return DayRule("last_weekday", frozenset())
    nearest = re.fullmatch(r"([0-9]+)W", text)
    if nearest is not None:
        return DayRule("nearest_weekday", frozenset({_DAYS_OF_MONTH.value(nearest.group(1))}))
    if "L" in text or "W" in text:
        raise ScheduleError(
            "Day-of-month: L and W stand alone (L, LW or one day with W such as 15W); they cannot be "
            "combined with other values, ranges or offsets"
        )
    return DayRule("days", _DAYS_OF_MONTH.parse(text))


def _day_of_week_rule(text: str) -> DayRule:
    if "#" in text:
        if "," in text:
            raise ScheduleError("Day-of-week: only one '#' expression is allowed (no list), e.g. 6#3")
        nth = re.fullmatch(r"([0-9A-Z]+)#([0-9])", text)
        if nth is None or not 1 <= int(nth.group(2)) <= 5:
            raise ScheduleError(
                "Day-of-week: '#' takes a day and an instance 1-5, e.g. 6#3 or FRI#3 (the third Friday)"
            )
        return DayRule("nth", frozenset({_DAYS_OF_WEEK.value(nth.group(1))}), int(nth.group(2)))
    if text == "L":
        # `L` alone is the last day of the week: Saturday.
        return DayRule("weekdays", frozenset({7}))
    last = re.fullmatch(r"([0-9A-Z]+)L", text)
    if last is not None and "," not in text and "-" not in text:
        return DayRule("last_of_month", frozenset({_DAYS_OF_WEEK.value(last.group(1))}))
    if "L" in text:  # no day name contains an L
        raise ScheduleError("Day-of-week: L stands alone or after one day (6L: the last Friday); no list")
    if "/" in text:
        raise ScheduleError("Day-of-week: '/' is not supported by AWS; list the days, e.g. MON,WED,FRI")
    return DayRule("weekdays", _DAYS_OF_WEEK.parse(text))


@lru_cache(maxsize=65536)
def _month_days(rule: DayRule, year: int, month: int) -> tuple[int, ...]:
    """The days of one month a day rule selects, ascending."""
    first_weekday, length = calendar.monthrange(year, month)
    aws_first = (first_weekday + 1) % 7 + 1

    def weekday_of(day: int) -> int:
        return (aws_first - 1 + day - 1) % 7 + 1

    if rule.kind == "days":
        return tuple(d for d in sorted(rule.values) if d <= length)
    if rule.kind == "last_day":
        return (length,)
    if rule.kind == "last_weekday":
        last = length
        while weekday_of(last) in (1, 7):
            last -= 1
        return (last,)
    if rule.kind == "nearest_weekday":
        (target,) = rule.values
        if target > length:
            return ()
        return (_nearest_weekday(target, length, weekday_of(target)),)
    if rule.kind == "weekdays":
        return tuple(d for d in range(1, length + 1) if weekday_of(d) in rule.values)
    (weekday,) = rule.values
    matching = [d for d in range(1, length + 1) if weekday_of(d) == weekday]
    if rule.kind == "last_of_month":
        return (matching[-1],)
    return (matching[rule.nth - 1],) if rule.nth <= len(matching) else ()


def _nearest_weekday(target: int, length: int, weekday: int) -> int:
    """Quartz `nW`: the Monday-Friday nearest to day n, never leaving the month."""
    if weekday == 7:  # Saturday: Friday before, or Monday after when the 1st is a Saturday
        return target - 1 if target > 1 else target + 2
    if weekday == 1:  # Sunday: Monday after, or Friday before when the month ends on that Sunday
        return target + 1 if target < length else target - 2
    return target


def _local_runs(cron: BackupCron, start: datetime) -> Iterator[datetime]:
    """Naive local run times at or after naive `start`, ascending (enumerated from the value sets)."""
    for year in cron.years:
        if year < start.year:
            continue
        for month in cron.months:
            if (year, month) < (start.year, start.month):
                continue
            for day in _month_days(cron.day_rule, year, month):
                if (year, month, day) < (start.year, start.month, start.day):
                    continue
                same_day = (year, month, day) == (start.year, start.month, start.day)
                for hour in cron.hours:
                    if same_day and hour < start.hour:
                        continue
                    for minute in cron.minutes:
                        if same_day and hour == start.hour and minute < start.minute:
                            continue
                        yield datetime(year, month, day, hour, minute)


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


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _floor_minute(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    return value.replace(second=0, microsecond=0)


def _ceil_minute(value: datetime) -> datetime:
    floor = _floor_minute(value)
    return floor if floor == value else floor + _MINUTE


def _backup_runs_from(cron: BackupCron, zone: ZoneInfo, first: datetime) -> Iterator[datetime]:
    """Aware UTC run times at or after `first` (a whole UTC minute), ascending."""
    if zone.key == "UTC":
        for local in _local_runs(cron, first.replace(tzinfo=None)):
            yield local.replace(tzinfo=UTC)
        return
    # Start two hours early in local time: around a repeated hour, local order and UTC order differ.
    start = first.astimezone(zone).replace(tzinfo=None, fold=0) - timedelta(hours=2)
    for local in _local_runs(cron, start):
        utc = _to_utc(local, zone)
        if utc is not None and utc >= first:
            yield utc


def next_backup_times(expression: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` run times strictly after `after`, as aware UTC datetimes.

    The cron is evaluated in `timezone` (IANA), so DST applies: a local time the clock skips does not run, a
    local time it repeats runs once (the first time). Fewer than `count` come back when the Year field ends.
    """
    _require_aware("after", after)
    if count <= 0:
        return []
    return list(_next_backup_cached(expression, timezone, _floor_minute(after) + _MINUTE, count))


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
    _require_aware("start", start)
    _require_aware("end", end)
    return list(_backup_between_cached(expression, timezone, _ceil_minute(start), end.astimezone(UTC)))


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
    _require_aware("now", now)
    if next_backup_times(expression, timezone, now, 1):
        return None
    return _previous_backup_time(expression, timezone, now)


def _previous_backup_time(expression: str, timezone: str, at: datetime) -> datetime | None:
    """The last run at or before `at`, found by widening a look-back window (no backward enumeration)."""
    reach = timedelta(hours=1)
    limit = at - datetime(_YEARS[0], 1, 1, tzinfo=UTC)
    while True:
        window_start = at - reach
        runs = backup_times_between(expression, timezone, window_start, at + _MINUTE)
        runs = [r for r in runs if r <= at]
        if runs:
            return runs[-1]
        if reach > limit:
            return None
        reach *= 4


# --- Redshift snapshot schedules --------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotCron:
    """A parsed Redshift `cron(Minutes Hours Day-of-week)` definition (UTC)."""

    minute: int
    hours: tuple[int, ...]
    days_of_week: tuple[int, ...]


@dataclass(frozen=True)
class SnapshotRate:
    """A parsed Redshift `rate(N hours)` definition, anchored at 1970-01-01 00:00 UTC (see module docs)."""

    hours: int


SnapshotDefinition = SnapshotCron | SnapshotRate


@lru_cache(maxsize=4096)
def parse_snapshot_definition(definition: str) -> SnapshotDefinition:
    """Parse and validate one Redshift snapshot-schedule definition (raises `ScheduleError`)."""
    if definition != definition.strip():
        raise ScheduleError(f"remove the spaces around the definition; e.g. {SNAPSHOT_EXAMPLE}")
    if definition.startswith("rate("):
        return _parse_rate(definition)
    fields = _unwrap_cron(definition, dialect="snapshot")
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
    if not _is_number(minute_text):
        raise ScheduleError("Minutes takes a plain value 0-59 (no wildcards); e.g. cron(30 12 *)")
    minute = _MINUTES.value(minute_text)
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
    which = f"definition{'s' if len(crons) > 1 else ''} {_join([str(i) for i in crons])}"
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
    return f"{value:%H:%M} UTC on {_DAY_WORDS[_aws_weekday(value) - 1]}"


def snapshot_conflicts(definitions: Sequence[str]) -> list[SnapshotConflict]:
    """Pairs of definitions whose snapshots come less than 1 hour apart: the first such pair of times each.

    `rate()` definitions start at 1970-01-01 00:00 UTC here (module docs). Times repeat with the least common
    multiple of a week and every rate's period; the times shown fall in that cycle as counted from Sunday
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
    period = _WEEK_MINUTES
    for definition in (first, second):
        if isinstance(definition, SnapshotRate):
            period = math.lcm(period, definition.hours * 60)
    start, end = _FIRST_SUNDAY_MINUTE, _FIRST_SUNDAY_MINUTE + period
    times = sorted([(t, 0) for t in _snapshot_minutes(first, start, end)]
                   + [(t, 1) for t in _snapshot_minutes(second, start, end)])
    # Wrap around the end of the cycle: the first hour of the next cycle follows the last of this one.
    times += [(t + period, side) for t, side in times if t < start + 60]
    for position, (time, side) in enumerate(times):
        if time >= end:
            break
        later = position + 1
        while later < len(times) and times[later][0] - time < 60:
            if times[later][1] != side:
                pair = (_EPOCH + time * _MINUTE, _EPOCH + times[later][0] * _MINUTE)
                return pair if side == 0 else (pair[1], pair[0])
            later += 1
    return None


def _snapshot_minutes(definition: SnapshotDefinition, start: int, end: int) -> Iterator[int]:
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
    """Like `_snapshot_minutes` without an end: a week at a time."""
    while True:
        yield from _snapshot_minutes(definition, start, start + _WEEK_MINUTES)
        start += _WEEK_MINUTES


def _epoch_minute(value: datetime) -> int:
    return (value.astimezone(UTC) - _EPOCH) // _MINUTE


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
    _require_aware("after", after)
    if count <= 0 or not definitions:
        return []
    return list(_next_snapshot_cached(tuple(definitions), _epoch_minute(after) + 1, count))


@lru_cache(maxsize=8192)
def _next_snapshot_cached(definitions: tuple[str, ...], first: int, count: int) -> tuple[datetime, ...]:
    out: list[datetime] = []
    for minute in _merged_snapshot_minutes(definitions, first):
        out.append(_EPOCH + minute * _MINUTE)
        if len(out) == count:
            break
    return tuple(out)


def snapshot_times_between(definitions: Sequence[str], start: datetime, end: datetime) -> list[datetime]:
    """Every snapshot time t with start <= t < end (aware UTC); `rate()` anchored at 00:00 UTC as above."""
    _require_aware("start", start)
    _require_aware("end", end)
    if not definitions:
        return []
    first = _epoch_minute(_ceil_minute(start))
    stop = end.astimezone(UTC)
    out: list[datetime] = []
    for minute in _merged_snapshot_minutes(definitions, first):
        time = _EPOCH + minute * _MINUTE
        if time >= stop:
            break
        out.append(time)
    return out


def _previous_snapshot_time(definitions: Sequence[str], at: datetime) -> datetime | None:
    """The last snapshot at or before `at`: every definition runs at least once a week."""
    if not definitions:
        return None
    runs = snapshot_times_between(definitions, at - timedelta(days=7, hours=1), at + _MINUTE)
    runs = [r for r in runs if r <= at]
    return runs[-1] if runs else None


# --- recovery point objective -----------------------------------------------------------------------------


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
    _require_aware("start", start)
    return _combined_rpo_cached(tuple(backup_rules), tuple(snapshot_definitions), start.astimezone(UTC), window)


@lru_cache(maxsize=8192)
def _combined_rpo_cached(
    backup_rules: tuple[tuple[str, str], ...], snapshot_definitions: tuple[str, ...], start: datetime,
    window: timedelta,
) -> timedelta | None:
    end = start + window
    times: list[datetime] = []
    for expression, timezone in backup_rules:
        times += backup_times_between(expression, timezone, start, end + _MINUTE)
        times += next_backup_times(expression, timezone, end, 1)
        previous = _previous_backup_time(expression, timezone, start)
        if previous is not None:
            times.append(previous)
    if snapshot_definitions:
        times += snapshot_times_between(snapshot_definitions, start, end + _MINUTE)
        times += next_snapshot_times(snapshot_definitions, end, 1)
        previous = _previous_snapshot_time(snapshot_definitions, start)
        if previous is not None:
            times.append(previous)
    return worst_case_rpo(times, start, window)


def last_run(
    backup_rules: Sequence[tuple[str, str]], snapshot_definitions: Sequence[str], after: datetime
) -> datetime | None:
    """The very last run of all schedules together, when none runs after `after` (every rule's Year field has
    ended by then); None while any still runs later, or when none ever ran."""
    _require_aware("after", after)
    if snapshot_definitions:
        return None  # snapshot schedules have no Year field: they run for ever
    if any(next_backup_times(expression, timezone, after, 1) for expression, timezone in backup_rules):
        return None
    runs = [_previous_backup_time(expression, timezone, after) for expression, timezone in backup_rules]
    return max((r for r in runs if r is not None), default=None)


# --- plain words ------------------------------------------------------------------------------------------


# A retention of -1 days: kept for ever (Redshift's manual snapshot retention).
FOREVER = -1


def days_text(days: int) -> str:
    """`35 days`, `1 day`, `2555 days (7 years)`, `for ever`."""
    if days == FOREVER:
        return "for ever"
    text = f"{days} day{'s' if days != 1 else ''}"
    if days >= 365 and days % 365 == 0:
        years = days // 365
        text += f" ({years} year{'s' if years != 1 else ''})"
    return text


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _run_of(values: Sequence[int]) -> bool:
    """Consecutive values, at least three of them (worth saying as `X to Y`)."""
    return len(values) >= 3 and list(values) == list(range(values[0], values[-1] + 1))


def _times_phrase(hours: Sequence[int], minute: int) -> str:
    times = [f"{h:02d}:{minute:02d}" for h in hours]
    if len(hours) == 24:
        return f"every hour at minute {minute}"
    steps = {b - a for a, b in zip(hours, hours[1:], strict=False)}
    if len(hours) >= 5 and len(steps) == 1:
        (step,) = steps
        every = "every hour" if step == 1 else f"every {step} hours"
        return f"{every} from {times[0]} to {times[-1]}"
    return "at " + _join(times)


def _weekdays_phrase(days: Sequence[int]) -> str:
    if len(days) == 7:
        return "every day"
    if _run_of(days):
        return f"{_DAY_WORDS[days[0] - 1]} to {_DAY_WORDS[days[-1] - 1]}"
    return "every " + _join([_DAY_WORDS[d - 1] for d in days])


def _sentence(days: str, times: str, zone: str) -> str:
    if times.startswith("every"):
        return f"{times} {zone}" if days == "every day" else f"{days}, {times} {zone}"
    return f"{days} {times} {zone}"


def describe_snapshot_definition(definition: str) -> str:
    """Plain words for one Redshift definition, e.g. `Monday to Friday at 21:00 UTC` or `every 12 hours`."""
    parsed = parse_snapshot_definition(definition)
    if isinstance(parsed, SnapshotRate):
        return "every hour" if parsed.hours == 1 else f"every {parsed.hours} hours"
    return _sentence(_weekdays_phrase(parsed.days_of_week), _times_phrase(parsed.hours, parsed.minute), "UTC")


def describe_backup_schedule(expression: str, timezone: str) -> str:
    """Plain words for an AWS Backup cron, e.g. `on the last day of every month at 03:30 UTC`."""
    cron = parse_backup_schedule(expression)
    validate_timezone(timezone)
    rule = cron.day_rule
    all_months = len(cron.months) == 12
    months = _join([_MONTH_WORDS[m - 1] for m in cron.months])
    if rule.kind == "weekdays" or (rule.kind == "days" and len(rule.values) == 31):
        days = _weekdays_phrase(sorted(rule.values)) if rule.kind == "weekdays" else "every day"
        days += "" if all_months else f" in {months}"
    else:
        (first, *_) = sorted(rule.values) or [0]
        if rule.kind == "days":
            ordered = sorted(rule.values)
            if _run_of(ordered):
                days = f"on days {ordered[0]} to {ordered[-1]}"
            else:
                days = f"on day{'s' if len(ordered) > 1 else ''} " + _join([str(d) for d in ordered])
        elif rule.kind == "last_day":
            days = "on the last day"
        elif rule.kind == "last_weekday":
            days = "on the last weekday"
        elif rule.kind == "nearest_weekday":
            days = f"on the weekday nearest day {first}"
        elif rule.kind == "last_of_month":
            days = f"on the last {_DAY_WORDS[first - 1]}"
        else:
            days = f"on the {_ORDINALS[rule.nth - 1]} {_DAY_WORDS[first - 1]}"
        days += " of every month" if all_months else f" of {months}"
    text = _sentence(days, _times_phrase(cron.hours, cron.minutes[0]), timezone)
    if len(cron.years) != _YEARS[1] - _YEARS[0] + 1:
        years = list(cron.years)
        if _run_of(years):
            text += f", in {years[0]} to {years[-1]} only"
        else:
            text += ", in " + _join([str(y) for y in years]) + " only"
    return text
