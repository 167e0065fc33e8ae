"""Schedules and retentions in plain words: `Monday to Friday at 21:00 UTC`, `on the last day of every month at
03:30 UTC`, `35 days`."""

from __future__ import annotations

import calendar
from collections.abc import Sequence

from policies.backup_cron import parse_backup_schedule
from policies.backup_runs import validate_timezone
from policies.cron_fields import YEARS
from policies.snapshot_cron import SnapshotRate, parse_snapshot_definition

_MONTH_WORDS = tuple(calendar.month_name[1:])
DAY_WORDS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


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


def join_words(words: Sequence[str]) -> str:
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
    return "at " + join_words(times)


def _weekdays_phrase(days: Sequence[int]) -> str:
    if len(days) == 7:
        return "every day"
    if _run_of(days):
        return f"{DAY_WORDS[days[0] - 1]} to {DAY_WORDS[days[-1] - 1]}"
    return "every " + join_words([DAY_WORDS[d - 1] for d in days])


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
    months = join_words([_MONTH_WORDS[m - 1] for m in cron.months])
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
                days = f"on day{'s' if len(ordered) > 1 else ''} " + join_words([str(d) for d in ordered])
        elif rule.kind == "last_day":
            days = "on the last day"
        elif rule.kind == "last_weekday":
            days = "on the last weekday"
        elif rule.kind == "nearest_weekday":
            days = f"on the weekday nearest day {first}"
        elif rule.kind == "last_of_month":
            days = f"on the last {DAY_WORDS[first - 1]}"
        else:
            days = f"on the {_ORDINALS[rule.nth - 1]} {DAY_WORDS[first - 1]}"
        days += " of every month" if all_months else f" of {months}"
    text = _sentence(days, _times_phrase(cron.hours, cron.minutes[0]), timezone)
    if len(cron.years) != YEARS[1] - YEARS[0] + 1:
        years = list(cron.years)
        if _run_of(years):
            text += f", in {years[0]} to {years[-1]} only"
        else:
            text += ", in " + join_words([str(y) for y in years]) + " only"
    return text
