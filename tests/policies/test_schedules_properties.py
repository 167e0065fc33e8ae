"""Property tests: run times, spacing and RPO against brute-force oracles that step minute by minute.

The oracles never parse an expression: each generated schedule carries the sets (or rules) it was rendered
from, and the oracle matches every minute against those, written as plainly as possible.
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.schedules import (
    ScheduleError,
    backup_times_between,
    combined_rpo,
    next_backup_times,
    next_snapshot_times,
    snapshot_conflicts,
    snapshot_definition_problems,
    validate_backup_schedule,
)

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MINUTE = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
# DST changes in 2026, so the generated `after` often lands next to one
DST_EDGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Europe/Berlin forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Europe/Berlin back
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # America/New_York forward
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # America/New_York back
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Australia/Lord_Howe back (30 minutes)
    datetime(2026, 10, 3, 15, tzinfo=UTC),  # Australia/Lord_Howe forward (30 minutes)
]
DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def aws_weekday(moment: datetime) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return moment.isoweekday() % 7 + 1


# --- generated fields: (text, the set it means) ----------------------------------------------------------


@st.composite
def numeric_field(draw: st.DrawFn, low: int, high: int, names: list[str] | None = None) -> tuple[str, set[int]]:
    """A `, - * /` field rendered as text together with the values it means."""

    def show(value: int) -> str:
        if names and draw(st.booleans()):
            return names[value - low]
        return str(value)

    kind = draw(st.sampled_from(["star", "list", "range", "start_step", "star_step", "range_step"]))
    if kind == "star":
        return "*", set(range(low, high + 1))
    if kind == "list":
        values = draw(st.lists(st.integers(low, high), min_size=1, max_size=5))
        return ",".join(show(v) for v in values), set(values)
    first = draw(st.integers(low, high))
    last = draw(st.integers(first, high))
    step = draw(st.integers(1, high - low + 1))
    if kind == "range":
        return f"{show(first)}-{show(last)}", {v for v in range(low, high + 1) if first <= v <= last}
    if kind == "start_step":
        return f"{show(first)}/{step}", {v for v in range(low, high + 1) if v >= first and (v - first) % step == 0}
    if kind == "star_step":
        return f"*/{step}", {v for v in range(low, high + 1) if (v - low) % step == 0}
    return (f"{show(first)}-{show(last)}/{step}",
            {v for v in range(low, high + 1) if first <= v <= last and (v - first) % step == 0})


DayMatch = Callable[[datetime], bool]


def last_day(moment: datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1]


def is_weekday(moment: datetime, day: int) -> bool:
    return moment.replace(day=day).isoweekday() <= 5


@st.composite
def day_fields(draw: st.DrawFn) -> tuple[str, str, DayMatch]:
    """Day-of-month and Day-of-week (one of them `?`) and a plain test for a local time's day."""
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["values", "L", "LW", "W"]))
        if kind == "values":
            text, values = draw(numeric_field(1, 31))
            return text, "?", lambda m: m.day in values
        if kind == "L":
            return "L", "?", lambda m: m.day == last_day(m)
        if kind == "LW":
            return "LW", "?", lambda m: m.day == max(d for d in range(1, last_day(m) + 1) if is_weekday(m, d))
        # month ends and the 1st are where W must not leave the month
        target = draw(st.one_of(st.integers(1, 31), st.sampled_from([1, 28, 29, 30, 31])))

        def nearest(m: datetime) -> bool:
            if target > last_day(m):
                return False
            # the Monday-Friday of this month closest to the target day
            best = min((abs(d - target), d) for d in range(1, last_day(m) + 1) if is_weekday(m, d))
            return m.day == best[1]

        return f"{target}W", "?", nearest
    kind = draw(st.sampled_from(["values", "values", "L", "nL", "nth"]))
    if kind == "values":
        text, values = draw(numeric_field(1, 7, DAY_NAMES).filter(lambda f: "/" not in f[0]))
        return "?", text, lambda m: aws_weekday(m) in values
    if kind == "L":
        return "?", "L", lambda m: aws_weekday(m) == 7
    day = draw(st.integers(1, 7))
    name = draw(st.sampled_from([str(day), DAY_NAMES[day - 1]]))
    if kind == "nL":
        return "?", f"{name}L", lambda m: aws_weekday(m) == day and m.day + 7 > last_day(m)
    nth = draw(st.integers(1, 5))
    return "?", f"{name}#{nth}", lambda m: aws_weekday(m) == day and (m.day - 1) // 7 + 1 == nth


@dataclass
class BackupCase:
    """A generated AWS Backup cron and the plain test the oracle applies to each local minute."""

    expression: str
    timezone: str
    matches: Callable[[datetime], bool]


@st.composite
def backup_cases(draw: st.DrawFn, zones: list[str] = ZONES, weekly: bool = False) -> BackupCase:
    minute = draw(st.integers(0, 59))
    minute_text = draw(st.sampled_from([str(minute), f"{minute}-{minute}", f"{minute}/60"]))
    hour_text, hours = draw(numeric_field(0, 23))
    if weekly:
        # runs at least once a week (outside DST gaps), so a short brute-force horizon sees every gap
        dow_text, dows = draw(numeric_field(1, 7, DAY_NAMES).filter(lambda f: "/" not in f[0]))
        dom_text, day_ok = "?", (lambda m: aws_weekday(m) in dows)
        month_text, months, year_text, years = "*", set(range(1, 13)), "*", set(range(1970, 2200))
    else:
        dom_text, dow_text, day_ok = draw(day_fields())
        month_text, months = draw(st.one_of(st.just(("*", set(range(1, 13)))), numeric_field(1, 12, MONTH_NAMES)))
        year_text, years = draw(st.sampled_from([("*", set(range(1970, 2200))), ("2025-2027", {2025, 2026, 2027}),
                                                 ("2026", {2026}), ("2027/2", set(range(2027, 2200, 2)))]))
    expression = f"cron({minute_text} {hour_text} {dom_text} {month_text} {dow_text} {year_text})"

    def matches(local: datetime) -> bool:
        return (local.minute == minute and local.hour in hours and local.month in months
                and local.year in years and day_ok(local))

    return BackupCase(expression, draw(st.sampled_from(zones)), matches)


afters = st.one_of(
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
    st.builds(lambda edge, hours: edge + timedelta(hours=hours), st.sampled_from(DST_EDGES),
              st.integers(-30, 6)),
)


def brute_backup_runs(case: BackupCase, start: datetime, end: datetime) -> list[datetime]:
    """Every UTC minute in [start, end) whose local time matches; a repeated local time counts once."""
    zone = ZoneInfo(case.timezone)
    runs = []
    moment = start.replace(second=0, microsecond=0)
    if moment < start:
        moment += MINUTE
    while moment < end:
        local = moment.astimezone(zone)
        if local.fold == 0 and case.matches(local):
            runs.append(moment)
        moment += MINUTE
    return runs


HORIZON = timedelta(days=32)


def agrees_within_horizon(found: list[datetime], oracle: list[datetime], horizon_end: datetime) -> None:
    """`found` are the next N runs; `oracle` every run before `horizon_end`: they must tell the same story."""
    expected = oracle[: len(found)]
    assert found[: len(expected)] == expected
    if len(expected) < len(found):
        assert found[len(expected)] >= horizon_end


@PROPERTY
@given(case=backup_cases(), after=afters)
def test_next_backup_times_match_brute_force(case: BackupCase, after: datetime) -> None:
    oracle = brute_backup_runs(case, after + timedelta(microseconds=1), after + HORIZON)
    try:
        validate_backup_schedule(case.expression)
    except ScheduleError as exc:
        # e.g. day 31 in a 30-day month: only a schedule that never runs may be rejected
        assert "never runs" in str(exc)
        assert oracle == []
        return
    found = next_backup_times(case.expression, case.timezone, after, 4)
    assert all(t > after for t in found)
    agrees_within_horizon(found, oracle, after + HORIZON)
    assert backup_times_between(case.expression, case.timezone, after + MINUTE, after + HORIZON) == [
        t for t in oracle if t >= after + MINUTE
    ]


@PROPERTY
@given(days=day_fields(), after=afters)
def test_day_rules_match_a_day_by_day_oracle(days: tuple[str, str, DayMatch], after: datetime) -> None:
    # L, W, LW, nL and n#k over more than a year: a noon run, so stepping day by day is brute force enough
    dom_text, dow_text, day_ok = days
    expression = f"cron(0 12 {dom_text} * {dow_text} *)"
    horizon_end = after + timedelta(days=400)
    oracle = []
    noon = after.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    while noon < horizon_end:
        if noon > after and day_ok(noon):
            oracle.append(noon)
        noon += timedelta(days=1)
    try:
        validate_backup_schedule(expression)
    except ScheduleError as exc:
        assert "never runs" in str(exc)
        assert oracle == []
        return
    agrees_within_horizon(next_backup_times(expression, "UTC", after, 14), oracle, horizon_end)


# --- Redshift snapshot schedules -------------------------------------------------------------------------


@dataclass
class SnapshotCase:
    """A generated Redshift definition and the plain test for a UTC minute."""

    definition: str
    matches: Callable[[datetime], bool]
    rate_hours: int = 0


@st.composite
def snapshot_cases(draw: st.DrawFn, rates: list[int] | None = None) -> SnapshotCase:
    if draw(st.integers(0, 3)) == 0:
        hours = draw(st.sampled_from(rates or [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24]))
        every = hours * 60
        unit = "hour" if hours == 1 else "hours"
        # anchored at 1970-01-01 00:00 UTC (the module's stated assumption)
        return SnapshotCase(f"rate({hours} {unit})", lambda m: ((m - EPOCH) // MINUTE) % every == 0, hours)
    minute = draw(st.integers(0, 59))
    hour_text, hour_set = draw(numeric_field(0, 23))
    day_text, day_set = draw(numeric_field(1, 7, DAY_NAMES))
    return SnapshotCase(
        f"cron({minute} {hour_text} {day_text})",
        lambda m: m.minute == minute and m.hour in hour_set and aws_weekday(m) in day_set,
    )


@PROPERTY
@given(cases=st.lists(snapshot_cases(), min_size=1, max_size=3), after=afters)
def test_next_snapshot_times_match_brute_force(cases: list[SnapshotCase], after: datetime) -> None:
    definitions = [c.definition for c in cases]
    found = next_snapshot_times(definitions, after, 6)
    horizon_end = after + timedelta(days=8)
    oracle = []
    moment = after.replace(second=0, microsecond=0) + MINUTE
    while moment < horizon_end:
        if any(c.matches(moment) for c in cases):
            oracle.append(moment)
        moment += MINUTE
    agrees_within_horizon(found, oracle, horizon_end)
    assert len(found) == 6  # every definition runs at least weekly


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.lists(snapshot_cases(rates=[1, 2, 3, 4, 5, 6, 7, 8, 12, 24]), min_size=1, max_size=3))
def test_snapshot_spacing_matches_brute_force(cases: list[SnapshotCase]) -> None:
    # the pattern repeats after a week and every rate's period: check one cycle plus the hour after it
    cycle = math.lcm(7 * 1440, *(c.rate_hours * 60 for c in cases if c.rate_hours))
    start = datetime(2001, 1, 7, tzinfo=UTC)  # any instant aligned to whole minutes works
    fires: list[set[int]] = [set() for _ in cases]
    for offset in range(cycle + 60):
        moment = start + offset * MINUTE
        for index, case in enumerate(cases):
            if case.matches(moment):
                fires[index].add(offset)
    clashing = set()
    for i, j in itertools.combinations(range(len(cases)), 2):
        if any(t + d in fires[j] for t in fires[i] if t < cycle for d in range(-59, 60)):
            clashing.add((i, j))
        if any(t + d in fires[i] for t in fires[j] if t < cycle for d in range(-59, 60)):
            clashing.add((i, j))
    definitions = [c.definition for c in cases]
    conflicts = snapshot_conflicts(definitions)
    assert {(c.first_index, c.second_index) for c in conflicts} == clashing
    for conflict in conflicts:
        assert abs(conflict.second_time - conflict.first_time) < timedelta(hours=1)
        assert cases[conflict.first_index].matches(conflict.first_time)
        assert cases[conflict.second_index].matches(conflict.second_time)
    # A rate() next to a cron() is refused whatever the times (any start of the rate() may meet the cron());
    # every other clash is a problem of the whole schedule.
    rates = {i for i, c in enumerate(cases) if c.rate_hours}
    mixed = {i for i in rates if len(rates) < len(cases)}
    found = snapshot_definition_problems(definitions)
    whole_schedule = [message for index, message in found if index is None]
    assert bool(whole_schedule) == bool({(i, j) for i, j in clashing if (i in rates) == (j in rates)})
    assert {index for index, _ in found if index is not None} == mixed


# --- recovery point objective ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    backups=st.lists(backup_cases(zones=["UTC", "Europe/Berlin", "America/New_York"], weekly=True), max_size=2),
    snapshots=st.lists(snapshot_cases(), max_size=2),
    start=afters,
)
def test_rpo_matches_brute_force(backups: list[BackupCase], snapshots: list[SnapshotCase], start: datetime) -> None:
    window = timedelta(days=7)
    # weekly schedules: every gap is at most two weeks (a DST gap can swallow one run)
    margin = timedelta(days=15)
    first = (start - margin).replace(second=0, microsecond=0)
    zones = {case.timezone: ZoneInfo(case.timezone) for case in backups}
    runs = []
    moment = first
    while moment < start + window + margin:
        local = {name: moment.astimezone(zone) for name, zone in zones.items()}
        if any(local[c.timezone].fold == 0 and c.matches(local[c.timezone]) for c in backups) or any(
            c.matches(moment) for c in snapshots
        ):
            runs.append(moment)
        moment += MINUTE
    end = start + window
    gaps = [b - a for a, b in zip(runs, runs[1:], strict=False) if a < end and b > start]
    expected = max(gaps, default=None)
    rules = [(c.expression, c.timezone) for c in backups]
    assert combined_rpo(rules, [c.definition for c in snapshots], start) == expected
