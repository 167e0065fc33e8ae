"""What both schedule dialects share: `ScheduleError`, the grammar of one cron field (`, - * /` and names), the
`cron(...)` wrapper, and minute arithmetic on aware UTC datetimes.

Day-of-week numbers run 1 = Sunday ... 7 = Saturday in both dialects (EventBridge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from policies.errors import RedshiftBackupError


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


YEARS = (1970, 2199)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def is_number(text: str) -> bool:
    # str.isdigit() is true for characters such as '²' that int() rejects
    return re.fullmatch(r"[0-9]+", text) is not None


@dataclass(frozen=True)
class CronField:
    """One cron field: its name in messages, its range and the names it accepts."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    steps: bool = True
    max_items: int | None = None

    def value(self, text: str) -> int:
        if is_number(text):
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
            if not is_number(step_text) or not 1 <= int(step_text) <= span:
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


MINUTES = CronField("Minutes", 0, 59)


def unwrap_cron(expression: str, dialect: str) -> list[str]:
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


def require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def floor_minute(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    return value.replace(second=0, microsecond=0)


def ceil_minute(value: datetime) -> datetime:
    floor = floor_minute(value)
    return floor if floor == value else floor + MINUTE
