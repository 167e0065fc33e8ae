"""The AWS Backup cron dialect: parse and check `cron(Minutes Hours Day-of-month Month Day-of-week Year)`
(EventBridge's 6 fields) and enumerate the local times it selects.

AWS Backup takes no `rate(...)` (its `ScheduleExpression` is documented as a cron expression only). `L` alone in
Day-of-week means Saturday, the last day of the week (Quartz, which EventBridge follows). Run times in a time
zone, with DST, are in `policies.backup_runs`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from policies.cron_fields import (
    BACKUP_EXAMPLE,
    BACKUP_FIELDS,
    DAY_NAMES,
    MINUTES,
    MONTH_NAMES,
    YEARS,
    CronField,
    ScheduleError,
    unwrap_cron,
)

_HOURS = CronField("Hours", 0, 23)
_DAYS_OF_MONTH = CronField("Day-of-month", 1, 31)
_MONTHS = CronField("Month", 1, 12, MONTH_NAMES)
# EventBridge documents `, - * ? L #` for Day-of-week: no `/`.
_DAYS_OF_WEEK = CronField("Day-of-week", 1, 7, DAY_NAMES, steps=False)
_YEAR = CronField("Year", *YEARS)


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
    fields = unwrap_cron(expression, dialect="backup")
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
    minutes = MINUTES.parse(minute_text)
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
    if next(local_runs(cron, datetime(YEARS[0], 1, 1)), None) is None:
        raise ScheduleError(
            "the schedule never runs: no month in Month (and year in Year) has a day that Day-of-month or "
            "Day-of-week selects (e.g. day 31 in a 30-day month)"
        )
    return cron


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


def local_runs(cron: BackupCron, start: datetime) -> Iterator[datetime]:
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
