"""Schedule rules, pinned run times (DST included), RPO and plain-words descriptions, one case per rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from policies.errors import RedshiftBackupError
from policies.schedules import (
    ScheduleError,
    backup_times_between,
    combined_rpo,
    describe_backup_schedule,
    describe_snapshot_definition,
    last_run,
    next_backup_times,
    next_snapshot_times,
    parse_snapshot_definition,
    snapshot_conflicts,
    snapshot_definition_problems,
    snapshot_times_between,
    validate_backup_schedule,
    validate_timezone,
    worst_case_rpo,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- AWS Backup: valid ------------------------------------------------------------------------------------

AWS_BACKUP_EXAMPLES = [
    "cron(0 5 ? * * *)",
    "cron(0 5 1 * ? *)",
    "cron(0 5 ? * SAT *)",
    "cron(0 5 L * ? *)",
    "cron(0 5 ? * 6#3 *)",
    "cron(0 5 15W * ? *)",
    # from the AWS Backup API reference
    "cron(15 * ? * * *)",
    "cron(0 12 * * ? *)",
    "cron(0 5 LW * ? *)",
    "cron(0 5 ? * 6L *)",
    "cron(0 5 ? * L *)",
    "cron(0 0/12 ? * * *)",
    "cron(0 8-18/2 ? * MON-FRI *)",
    "cron(0 5 1 JAN,jul ? 2026-2199)",
    "cron(30 1 1-7 */3 ? *)",
    "cron(0 5 29 FEB ? *)",
]


@pytest.mark.parametrize("expression", AWS_BACKUP_EXAMPLES)
def test_valid_backup_schedules_pass(expression: str) -> None:
    validate_backup_schedule(expression)
    assert next_backup_times(expression, "UTC", utc(2026, 1, 1), 1)


def test_schedule_error_is_a_value_error_in_the_project_hierarchy() -> None:
    # pydantic turns ValueError from field validators into validation errors
    with pytest.raises(ScheduleError) as caught:
        validate_backup_schedule("cron(0 5 * * * *)")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, RedshiftBackupError)


# --- AWS Backup: one test per rule ------------------------------------------------------------------------

BACKUP_REJECTIONS = [
    # wrapper
    ("0 6 ? * * *", r"expected cron\(Minutes Hours Day-of-month Month Day-of-week Year\); e\.g\. cron\(0 5 "),
    (" cron(0 6 ? * * *)", r"remove the spaces around the expression"),
    ("rate(12 hours)", r"AWS Backup takes cron\(\.\.\.\) expressions only, not rate\(\.\.\.\); e\.g\. every 12 "
                       r"hours is cron\(0 0/12 \? \* \* \*\)"),
    # field count
    ("cron(0 5 ? * *)", r"expected 6 fields .*, got 5 \(AWS adds a Year field to the usual 5\)"),
    ("cron(0 5 *)", r"expected 6 fields .*, got 3 \(3 fields is the Redshift snapshot-schedule form\)"),
    ("cron(0 5 ? * * * *)", r"expected 6 fields .*, got 7; e\.g\. cron\(0 5 \? \* \* \*\)"),
    # ranges per field
    ("cron(60 5 ? * * *)", r"^Minutes: 60 is outside 0-59$"),
    ("cron(0 24 ? * * *)", r"^Hours: 24 is outside 0-23$"),
    ("cron(0 5 32 * ? *)", r"^Day-of-month: 32 is outside 1-31$"),
    ("cron(0 5 0 * ? *)", r"^Day-of-month: 0 is outside 1-31$"),
    ("cron(0 5 1 13 ? *)", r"^Month: 13 is outside 1-12$"),
    ("cron(0 5 1 JANUARY ? *)", r"Month: 'JANUARY' is not a value; expected 1-12 or JAN-DEC"),
    ("cron(0 5 ? * 8 *)", r"^Day-of-week: 8 is outside 1-7$"),
    ("cron(0 5 ? * 0 *)", r"^Day-of-week: 0 is outside 1-7$"),
    ("cron(0 5 ? * MONDAY *)", r"Day-of-week: 'MONDAY' is not a value; expected 1-7 or SUN-SAT"),
    ("cron(0 5 ? * * 1969)", r"^Year: 1969 is outside 1970-2199$"),
    ("cron(0 5 ? * * 2200)", r"^Year: 2200 is outside 1970-2199$"),
    ("cron(x 5 ? * * *)", r"Minutes: 'X' is not a value; expected 0-59"),
    # , - * /
    ("cron(0 1,,2 ? * * *)", r"Hours: empty value in the list"),
    ("cron(0 1, ? * * *)", r"Hours: empty value in the list"),
    ("cron(0 22-2 ? * * *)", r"Hours: the range 22-2 runs backwards; write it as two ranges \(22-23,0-2\)"),
    ("cron(0 5 ? * FRI-MON *)", r"Day-of-week: the range FRI-MON runs backwards; .*\(FRI-SAT,SUN-MON\)"),
    ("cron(0 */0 ? * * *)", r"Hours: the step after '/' must be a whole number 1-24"),
    ("cron(0 0/25 ? * * *)", r"Hours: the step after '/' must be a whole number 1-24"),
    ("cron(0 *,5 ? * * *)", r"Hours: '\*' already means every value; do not combine it in a list"),
    # Day-of-month / Day-of-week
    ("cron(0 5 * * * *)", r"Day-of-month and Day-of-week are both set; exactly one must be '\?', e\.g\. "
                          r"cron\(0 5 \? \* \* \*\)"),
    ("cron(0 5 1 * MON *)", r"Day-of-month and Day-of-week are both set"),
    ("cron(0 5 ? * ? *)", r"Day-of-month and Day-of-week are both '\?'; exactly one must be '\?'"),
    ("cron(0 5 ?,1 * ? *)", r"Day-of-month: '\?' stands alone"),
    ("cron(0 5 ? * ?,MON *)", r"Day-of-week: '\?' stands alone"),
    ("cron(0 5 ? 1,? * *)", r"Month: '\?' is not a value"),
    ("cron(0 5 L,15 * ? *)", r"Day-of-month: L and W stand alone \(L, LW or one day with W such as 15W\)"),
    ("cron(0 5 L-3 * ? *)", r"Day-of-month: L and W stand alone"),
    ("cron(0 5 1-15W * ? *)", r"Day-of-month: L and W stand alone"),
    ("cron(0 5 32W * ? *)", r"^Day-of-month: 32 is outside 1-31$"),
    ("cron(0 5 ? * 1#3,2#1 *)", r"Day-of-week: only one '#' expression is allowed \(no list\), e\.g\. 6#3"),
    ("cron(0 5 ? * 6#6 *)", r"Day-of-week: '#' takes a day and an instance 1-5, e\.g\. 6#3"),
    ("cron(0 5 ? * 6#0 *)", r"Day-of-week: '#' takes a day and an instance 1-5"),
    ("cron(0 5 ? * 8#1 *)", r"^Day-of-week: 8 is outside 1-7$"),
    ("cron(0 5 ? * 5L,6 *)", r"Day-of-week: L stands alone or after one day \(6L: the last Friday\); no list"),
    ("cron(0 5 ? * MON/2 *)", r"Day-of-week: '/' is not supported by AWS; list the days, e\.g\. MON,WED,FRI"),
    ("cron(0 5 ? 1/2,L * *)", r"Month: 'L' is not a value"),
    # at most once an hour
    ("cron(0,30 5 ? * * *)", r"Minutes gives more than one run an hour; AWS Backup runs at most once an hour "
                             r"\(runs less than 60 minutes apart are rejected\): use a single minute, "
                             r"e\.g\. cron\(15 \* \? \* \* \*\)"),
    ("cron(*/15 * ? * * *)", r"Minutes gives more than one run an hour"),
    ("cron(0-1 5 ? * * *)", r"Minutes gives more than one run an hour"),
    # it has to run at all
    ("cron(0 5 30 FEB ? *)", r"the schedule never runs"),
    ("cron(0 5 31 4,6,9,11 ? *)", r"the schedule never runs"),
    ("cron(0 5 31W APR ? *)", r"the schedule never runs"),
    ("cron(0 5 29 2 ? 2100)", r"the schedule never runs"),
]


@pytest.mark.parametrize(("expression", "message"), BACKUP_REJECTIONS)
def test_backup_schedule_rules(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        validate_backup_schedule(expression)


def test_backup_messages_never_repeat_the_whole_value() -> None:
    # the caller adds the path and the received value; the message must not duplicate it
    for expression, _ in BACKUP_REJECTIONS:
        with pytest.raises(ScheduleError) as caught:
            validate_backup_schedule(expression)
        assert expression.strip() not in str(caught.value)


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ScheduleError, match=r"unknown time zone; expected an IANA name such as UTC or Europe/Berlin"):
        validate_timezone("Mars/Olympus")
    with pytest.raises(ScheduleError, match="unknown time zone"):
        next_backup_times("cron(0 5 ? * * *)", "../etc", utc(2026, 1, 1), 1)


def test_naive_datetimes_are_a_caller_error() -> None:
    with pytest.raises(ValueError, match="after must be a timezone-aware datetime"):
        next_backup_times("cron(0 5 ? * * *)", "UTC", datetime(2026, 1, 1), 1)
    with pytest.raises(ValueError, match="start must be a timezone-aware datetime"):
        snapshot_times_between(["rate(12 hours)"], datetime(2026, 1, 1), utc(2026, 1, 2))


# --- AWS Backup: run times --------------------------------------------------------------------------------


def test_next_backup_times_are_strictly_after_and_in_utc() -> None:
    times = next_backup_times("cron(0 5 ? * * *)", "UTC", utc(2026, 1, 1, 5), 2)
    assert times == [utc(2026, 1, 2, 5), utc(2026, 1, 3, 5)]
    assert all(t.tzinfo is UTC for t in times)
    # a second past the run is still after it
    assert next_backup_times("cron(0 5 ? * * *)", "UTC", utc(2026, 1, 1, 4, 59, 59), 1) == [utc(2026, 1, 1, 5)]


def test_special_days_of_month_and_week() -> None:
    after = utc(2026, 1, 1)
    assert next_backup_times("cron(0 5 L * ? *)", "UTC", after, 3) == [
        utc(2026, 1, 31, 5), utc(2026, 2, 28, 5), utc(2026, 3, 31, 5)]
    # 2026-01-31 is a Saturday, 2026-05-31 a Sunday
    assert next_backup_times("cron(0 5 LW * ? *)", "UTC", after, 1) == [utc(2026, 1, 30, 5)]
    assert next_backup_times("cron(0 5 LW * ? *)", "UTC", utc(2026, 5, 1), 1) == [utc(2026, 5, 29, 5)]
    # 15W: 2026-02-15 is a Sunday -> Monday 16th; 2026-08-15 is a Saturday -> Friday 14th
    assert next_backup_times("cron(0 5 15W * ? *)", "UTC", utc(2026, 2, 1), 1) == [utc(2026, 2, 16, 5)]
    assert next_backup_times("cron(0 5 15W * ? *)", "UTC", utc(2026, 8, 1), 1) == [utc(2026, 8, 14, 5)]
    # 1W on Saturday 2026-08-01 stays in the month: Monday the 3rd
    assert next_backup_times("cron(0 5 1W * ? *)", "UTC", utc(2026, 7, 31), 1) == [utc(2026, 8, 3, 5)]
    # 31W on Sunday 2026-05-31 stays in the month: Friday the 29th
    assert next_backup_times("cron(0 5 31W 5 ? *)", "UTC", utc(2026, 5, 1), 1) == [utc(2026, 5, 29, 5)]
    # third Friday, last Friday, L alone in Day-of-week is Saturday
    assert next_backup_times("cron(0 5 ? * 6#3 *)", "UTC", after, 2) == [utc(2026, 1, 16, 5), utc(2026, 2, 20, 5)]
    assert next_backup_times("cron(0 5 ? * FRIL *)", "UTC", after, 1) == [utc(2026, 1, 30, 5)]
    assert next_backup_times("cron(0 5 ? * L *)", "UTC", after, 1) == [utc(2026, 1, 3, 5)]
    # a fifth Monday exists only in some months
    assert next_backup_times("cron(0 5 ? * 2#5 *)", "UTC", after, 2) == [utc(2026, 3, 30, 5), utc(2026, 6, 29, 5)]


def test_dst_in_europe_berlin() -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist and does not run
    times = next_backup_times("cron(30 2 ? * * *)", "Europe/Berlin", utc(2026, 3, 27, 12), 3)
    assert times == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 30, 0, 30), utc(2026, 3, 31, 0, 30)]
    # 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice: the first one runs
    times = next_backup_times("cron(30 2 ? * * *)", "Europe/Berlin", utc(2026, 10, 24), 3)
    assert times == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    # an hourly rule on the fall-back night: the repeated hour runs once
    night = backup_times_between("cron(30 * ? * * *)", "Europe/Berlin", utc(2026, 10, 24, 22), utc(2026, 10, 25, 3))
    assert night == [utc(2026, 10, 24, 22, 30), utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 30),
                     utc(2026, 10, 25, 2, 30)]


def test_dst_in_america_new_york() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST
    assert next_backup_times("cron(0 5 ? * * *)", "America/New_York", utc(2026, 3, 7), 2) == [
        utc(2026, 3, 7, 10), utc(2026, 3, 8, 9)]
    assert next_backup_times("cron(30 1 ? * * *)", "America/New_York", utc(2026, 10, 31, 12), 2) == [
        utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_year_field_ends_the_schedule() -> None:
    assert next_backup_times("cron(0 5 1 1 ? 2026-2027)", "UTC", utc(2026, 6, 1), 5) == [utc(2027, 1, 1, 5)]
    assert next_backup_times("cron(0 5 1 1 ? 2026)", "UTC", utc(2026, 6, 1), 5) == []
    assert next_backup_times("cron(0 5 1 1 ? *)", "UTC", utc(2026, 6, 1), 0) == []


def test_backup_times_between_is_half_open() -> None:
    times = backup_times_between("cron(0 5 ? * * *)", "UTC", utc(2026, 1, 1, 5), utc(2026, 1, 3, 5))
    assert times == [utc(2026, 1, 1, 5), utc(2026, 1, 2, 5)]


# --- Redshift snapshot schedules: valid -------------------------------------------------------------------

AWS_SNAPSHOT_EXAMPLES = [
    "cron(0 21 MON-FRI)",
    "cron(0 14-20/1 TUE)",
    "cron(30 12/4 *)",
    "cron(15 15/2 *)",
    "rate(12 hours)",
    "rate(1 hour)",
    "rate(24 hours)",
    "cron(30 12 *)",
    "cron(0 */2 1/2)",
    "cron(0 0,12 sun,sat)",
]


@pytest.mark.parametrize("definition", AWS_SNAPSHOT_EXAMPLES)
def test_valid_snapshot_definitions_pass(definition: str) -> None:
    assert snapshot_definition_problems([definition]) == []


def test_facts_step_examples_run_to_the_end_of_the_day() -> None:
    assert next_snapshot_times(["cron(30 12/4 *)"], utc(2026, 1, 1), 4) == [
        utc(2026, 1, 1, 12, 30), utc(2026, 1, 1, 16, 30), utc(2026, 1, 1, 20, 30), utc(2026, 1, 2, 12, 30)]
    day = snapshot_times_between(["cron(15 15/2 *)"], utc(2026, 1, 1), utc(2026, 1, 2))
    assert day == [utc(2026, 1, 1, h, 15) for h in (15, 17, 19, 21, 23)]
    # 2026-01-06 is a Tuesday
    tuesday = snapshot_times_between(["cron(0 14-20/1 TUE)"], utc(2026, 1, 5), utc(2026, 1, 12))
    assert tuesday == [utc(2026, 1, 6, h) for h in range(14, 21)]


def test_rate_is_anchored_at_midnight_utc() -> None:
    assert next_snapshot_times(["rate(12 hours)"], utc(2026, 1, 1, 3), 3) == [
        utc(2026, 1, 1, 12), utc(2026, 1, 2), utc(2026, 1, 2, 12)]
    # 5 does not divide 24: the count runs on from 1970-01-01 00:00 UTC across days
    first = next_snapshot_times(["rate(5 hours)"], utc(2026, 1, 1), 1)[0]
    assert (first - utc(1970, 1, 1)) % timedelta(hours=5) == timedelta(0)
    assert first - utc(2026, 1, 1) <= timedelta(hours=5)


def test_snapshot_times_merge_definitions_and_drop_duplicates() -> None:
    times = next_snapshot_times(["cron(0 12 *)", "rate(12 hours)"], utc(2026, 1, 1, 1), 3)
    assert times == [utc(2026, 1, 1, 12), utc(2026, 1, 2), utc(2026, 1, 2, 12)]
    assert next_snapshot_times([], utc(2026, 1, 1), 3) == []


# --- Redshift snapshot schedules: one test per rule -------------------------------------------------------

SNAPSHOT_REJECTIONS = [
    ("0 5 *", r"expected cron\(Minutes Hours Day-of-week\) or rate\(N hours\); e\.g\. cron\(0 5 \*\)"),
    ("cron(0 5 *) ", r"remove the spaces around the definition"),
    ("cron(0 5 ? * * *)", r"expected 3 fields cron\(Minutes Hours Day-of-week\), got 6 \(6 fields is the AWS "
                          r"Backup form\)"),
    ("cron(0 5)", r"expected 3 fields .*, got 2; e\.g\. cron\(0 5 \*\)"),
    ("cron(0,30 5 *)", r"Minutes takes one value: two snapshots in the same hour are less than 1 hour apart"),
    ("cron(* 5 *)", r"Minutes takes a plain value 0-59 \(no wildcards\)"),
    ("cron(0/30 5 *)", r"Minutes takes a plain value 0-59 \(no wildcards\)"),
    ("cron(0-5 5 *)", r"Minutes takes a plain value 0-59 \(no wildcards\)"),
    ("cron(60 5 *)", r"^Minutes: 60 is outside 0-59$"),
    ("cron(0 24 *)", r"^Hours: 24 is outside 0-23$"),
    ("cron(0 5 8)", r"^Day-of-week: 8 is outside 1-7$"),
    ("cron(0 5 FRIDAY)", r"Day-of-week: 'FRIDAY' is not a value; expected 1-7 or SUN-SAT"),
    ("cron(0 " + ",".join(["1"] * 25) + " *)", r"Hours: at most 24 values in a list, got 25"),
    ("cron(0 5 " + ",".join(["MON"] * 25) + ")", r"Day-of-week: at most 24 values in a list, got 25"),
    ("cron(0 5 ?)", r"Day-of-week: '\?' is not supported in Redshift snapshot schedules"),
    ("cron(0 5 6L)", r"Day-of-week: 'L' is not supported in Redshift snapshot schedules"),
    ("cron(0 5 6#3)", r"Day-of-week: '#' is not supported in Redshift snapshot schedules"),
    ("cron(0 20-4 *)", r"Hours: the range 20-4 runs backwards"),
    ("cron(0 5/0 *)", r"Hours: the step after '/' must be a whole number 1-24"),
    ("rate(0 hours)", r"rate\(\) must be between 1 and 24 hours, e\.g\. rate\(12 hours\)"),
    ("rate(25 hours)", r"rate\(\) must be between 1 and 24 hours"),
    ("rate(30 minutes)", r"rate\(\) takes hours only \(1 to 24\), e\.g\. rate\(12 hours\); a day is rate\(24 hours\)"),
    ("rate(1 day)", r"rate\(\) takes hours only"),
    ("rate(1 hours)", r"write rate\(1 hour\) for one hour and rate\(N hours\) for more"),
    ("rate(12 hour)", r"write rate\(1 hour\) for one hour and rate\(N hours\) for more"),
    ("rate(twelve hours)", r"expected rate\(N hours\) with N from 1 to 24, e\.g\. rate\(12 hours\)"),
]


@pytest.mark.parametrize(("definition", "message"), SNAPSHOT_REJECTIONS)
def test_snapshot_definition_rules(definition: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_snapshot_definition(definition)
    # in a list, the problem carries the definition's index and the same message
    problems = snapshot_definition_problems(["cron(0 12 *)", definition])
    assert len(problems) == 1
    index, text = problems[0]
    assert index == 1
    assert re.search(message, text), text


def test_no_definitions_is_a_problem_of_the_whole_schedule() -> None:
    assert snapshot_definition_problems([]) == [
        (None, "at least one definition is required, e.g. rate(12 hours) or cron(0 5 *)")]


def test_snapshots_closer_than_an_hour_across_definitions() -> None:
    assert snapshot_definition_problems(["cron(0 5 MON)", "cron(30 5 MON)"]) == [
        (None, "snapshots at 05:00 and 05:30 UTC on Monday come from definitions 0 and 1; "
               "snapshots must be at least 1 hour apart")]


def test_exactly_an_hour_apart_is_allowed() -> None:
    assert snapshot_definition_problems(["cron(0 5 *)", "cron(0 6 *)", "cron(0 4 *)"]) == []
    assert snapshot_definition_problems(["cron(30 23 SAT)", "cron(30 0 SUN)"]) == []


def test_spacing_is_checked_across_midnight_and_the_week_wrap() -> None:
    assert snapshot_definition_problems(["cron(30 23 *)", "cron(10 0 *)"]) == [
        (None, "snapshots at 23:30 UTC on Sunday and 00:10 UTC on Monday come from definitions 0 and 1; "
               "snapshots must be at least 1 hour apart")]
    # Saturday 23:30 is followed by Sunday 00:15 of the next week
    assert snapshot_definition_problems(["cron(15 0 SUN)", "cron(30 23 SAT)"]) == [
        (None, "snapshots at 23:30 UTC on Saturday and 00:15 UTC on Sunday come from definitions 1 and 0; "
               "snapshots must be at least 1 hour apart")]


def test_only_days_in_common_clash() -> None:
    assert snapshot_definition_problems(["cron(0 5 MON-FRI)", "cron(30 5 SAT,SUN)"]) == []


def test_rate_next_to_a_cron_is_rejected_whatever_the_start() -> None:
    # rate(24 hours) and cron(30 12 *) do not clash at a 00:00 UTC start, but a start at 12:00 would
    assert snapshot_conflicts(["rate(24 hours)", "cron(30 12 *)"]) == []
    assert snapshot_definition_problems(["rate(24 hours)", "cron(30 12 *)"]) == [
        (0, "rate() cannot be combined with cron() definitions: Redshift counts rate() from a start that cannot "
            "be known in advance (unverified: most likely the schedule's creation), and for some start its "
            "snapshots come less than 1 hour from those of definition 1; use rate() on its own, or write it as "
            "cron(0 0 *) next to the others")]


@pytest.mark.parametrize(("definitions", "instead"), [
    (["rate(12 hours)", "cron(30 5 MON)", "cron(0 9 SUN)"],
     "of definitions 1 and 2; use rate() on its own, or write it as cron(0 0/12 *) next to the others"),
    (["cron(30 5 MON)", "rate(1 hour)"], "of definition 0; use rate() on its own, or write it as cron(0 * *) next "
                                         "to the others"),
    (["cron(30 5 MON)", "rate(5 hours)"], "of definition 0; use rate() on its own, or list its hours in a cron() "
                                          "(every 5 hours does not divide a day)"),
])
def test_rate_next_to_a_cron_suggests_a_cron(definitions: list[str], instead: str) -> None:
    ((index, message),) = snapshot_definition_problems(definitions)
    assert definitions[index].startswith("rate(")
    assert message.endswith("come less than 1 hour from those " + instead)


def test_rates_that_do_not_divide_a_week_are_checked_over_their_whole_cycle() -> None:
    # 23 hours drifts through every hour of the week; it meets Monday 05:00 only after many weeks
    conflicts = snapshot_conflicts(["rate(23 hours)", "cron(0 5 MON)"])
    assert [(c.first_index, c.second_index) for c in conflicts] == [(0, 1)]
    assert conflicts[0].first_time == conflicts[0].second_time
    assert conflicts[0].first_time.weekday() == 0 and conflicts[0].first_time.hour == 5
    assert snapshot_conflicts(["rate(24 hours)", "cron(30 12 *)"]) == []


def test_two_rates_always_clash() -> None:
    assert snapshot_definition_problems(["rate(12 hours)", "rate(8 hours)"]) == [
        (None, "definitions 0 and 1 are both rate(): both count from the schedule's creation time, so they "
               "take snapshots at the same moments; keep one rate() or use cron() definitions")]


def test_many_rates_that_do_not_divide_a_week_are_checked_quickly() -> None:
    # pair by pair, so the cycle never becomes the product of all the rates' periods
    problems = snapshot_definition_problems(["rate(23 hours)", "rate(19 hours)", "rate(17 hours)", "cron(0 5 *)"])
    # three pairs of rates, and each rate next to the cron
    assert sorted(index for index, _ in problems if index is not None) == [0, 1, 2]
    assert len([index for index, _ in problems if index is None]) == 3


def test_identical_definitions_are_reported_once() -> None:
    assert snapshot_definition_problems(["rate(12 hours)", "rate(12 hours)"]) == [
        (None, "definitions 0 and 1 are the same; remove one")]


def test_invalid_definitions_are_left_out_of_the_spacing_check() -> None:
    assert snapshot_definition_problems(["cron(0 5 *)", "cron(30 5 8)"]) == [
        (1, "Day-of-week: 8 is outside 1-7")]


def test_every_problem_is_reported() -> None:
    problems = snapshot_definition_problems(["cron(0 5 *)", "rate(25 hours)", "cron(20 5 *)", "cron(x 1 *)"])
    assert [index for index, _ in problems] == [1, 3, None]


# --- recovery point objective -----------------------------------------------------------------------------


def test_worst_case_rpo_picks_the_longest_overlapping_gap() -> None:
    start = utc(2026, 1, 5)
    times = [utc(2026, 1, 1), utc(2026, 1, 6), utc(2026, 1, 7), utc(2026, 1, 13), utc(2026, 3, 1)]
    # 1 Jan -> 6 Jan straddles the start (5 days); 13 Jan -> 1 Mar starts after the window ends
    assert worst_case_rpo(times, start) == timedelta(days=6)
    assert worst_case_rpo(times, start, window=timedelta(days=9)) == timedelta(days=47)
    assert worst_case_rpo([utc(2026, 1, 1)], start) is None
    assert worst_case_rpo([], start) is None
    assert worst_case_rpo([utc(2026, 1, 1), utc(2026, 1, 1)], start) is None


def test_rpo_of_common_schedules() -> None:
    start = utc(2026, 3, 10)
    assert combined_rpo([("cron(0 5 ? * * *)", "UTC")], [], start) == timedelta(hours=24)
    assert combined_rpo([], ["rate(8 hours)"], start) == timedelta(hours=8)
    assert combined_rpo([("cron(0 5 ? * SAT *)", "UTC")], [], start) == timedelta(days=7)
    # day 1 of the month: the gap from 1 March to 1 April covers the week
    assert combined_rpo([("cron(0 5 1 * ? *)", "UTC")], [], start) == timedelta(days=31)
    assert combined_rpo([("cron(0 5 29 2 ? *)", "UTC")], [], start) == utc(2028, 2, 29) - utc(2024, 2, 29)
    assert combined_rpo([], [], start) is None
    assert combined_rpo([("cron(0 5 1 1 ? 2020)", "UTC")], [], start) is None


def test_rpo_of_layers_combined() -> None:
    start = utc(2026, 3, 10)
    # backups at 05:00, snapshots at 00:00 and 12:00: the longest gap is 12:00 -> 00:00
    assert combined_rpo([("cron(0 5 ? * * *)", "UTC")], ["rate(12 hours)"], start) == timedelta(hours=12)
    # weekdays only: Friday 21:00 -> Monday 21:00
    assert combined_rpo([], ["cron(0 21 MON-FRI)"], start) == timedelta(days=3)


def test_rpo_over_a_longer_window_sees_the_skipped_month() -> None:
    no_december = [("cron(0 5 ? 1-11 * *)", "UTC")]
    assert combined_rpo(no_december, [], utc(2026, 11, 22)) == timedelta(days=1)
    assert combined_rpo(no_december, [], utc(2026, 11, 22), window=timedelta(days=365)) == timedelta(days=32)


def test_last_run_when_every_schedule_ends() -> None:
    after = utc(2030, 1, 1)
    assert last_run([("cron(0 5 ? * * 2026-2027)", "UTC")], [], after) == datetime(2027, 12, 31, 5, tzinfo=UTC)
    assert last_run([("cron(0 5 ? * * 2026-2027)", "UTC"), ("cron(0 5 ? * * *)", "UTC")], [], after) is None
    assert last_run([("cron(0 5 ? * * 2026-2027)", "UTC")], ["rate(12 hours)"], after) is None
    assert last_run([("cron(0 5 ? * * 2035)", "UTC")], [], after) is None  # not started yet


def test_rpo_sees_the_dst_night() -> None:
    # 05:00 Berlin every day: 23 hours into the spring-forward day, 25 hours into the fall-back day
    assert combined_rpo([("cron(0 5 ? * * *)", "Europe/Berlin")], [], utc(2026, 3, 25)) == timedelta(hours=24)
    assert combined_rpo([("cron(0 5 ? * * *)", "Europe/Berlin")], [], utc(2026, 10, 22)) == timedelta(hours=25)
    # 02:30 Berlin every day: the spring-forward day has none (01:30 UTC on the 28th -> 00:30 UTC on the 30th)
    assert combined_rpo([("cron(30 2 ? * * *)", "Europe/Berlin")], [], utc(2026, 3, 25)) == timedelta(hours=47)


# --- plain words ------------------------------------------------------------------------------------------

BACKUP_WORDS = [
    ("cron(0 5 ? * * *)", "UTC", "every day at 05:00 UTC"),
    ("cron(0 5 * * ? *)", "UTC", "every day at 05:00 UTC"),
    ("cron(0 5 ? * SAT *)", "Europe/Berlin", "every Saturday at 05:00 Europe/Berlin"),
    ("cron(0 5 1 * ? *)", "UTC", "on day 1 of every month at 05:00 UTC"),
    ("cron(30 3 L * ? *)", "UTC", "on the last day of every month at 03:30 UTC"),
    ("cron(15 * ? * * *)", "UTC", "every hour at minute 15 UTC"),
    ("cron(0 5 ? * 6#3 *)", "UTC", "on the third Friday of every month at 05:00 UTC"),
    ("cron(0 5 ? * 6L *)", "UTC", "on the last Friday of every month at 05:00 UTC"),
    ("cron(0 5 ? * L *)", "UTC", "every Saturday at 05:00 UTC"),
    ("cron(0 5 15W * ? *)", "UTC", "on the weekday nearest day 15 of every month at 05:00 UTC"),
    ("cron(0 5 LW * ? *)", "UTC", "on the last weekday of every month at 05:00 UTC"),
    ("cron(0 5 ? * MON-FRI *)", "America/New_York", "Monday to Friday at 05:00 America/New_York"),
    ("cron(0 5,17 ? * MON,WED,FRI *)", "UTC", "every Monday, Wednesday and Friday at 05:00 and 17:00 UTC"),
    ("cron(0 */6 ? * * *)", "UTC", "every day at 00:00, 06:00, 12:00 and 18:00 UTC"),
    ("cron(0 8-18/2 ? * MON-FRI *)", "UTC", "Monday to Friday, every 2 hours from 08:00 to 18:00 UTC"),
    ("cron(0 5 1,15 * ? *)", "UTC", "on days 1 and 15 of every month at 05:00 UTC"),
    ("cron(0 5 1-7 * ? *)", "UTC", "on days 1 to 7 of every month at 05:00 UTC"),
    ("cron(0 5 1 1,4,7,10 ? *)", "UTC", "on day 1 of January, April, July and October at 05:00 UTC"),
    ("cron(0 5 * 12 ? *)", "UTC", "every day in December at 05:00 UTC"),
    ("cron(0 5 ? * SUN 2026-2030)", "UTC", "every Sunday at 05:00 UTC, in 2026 to 2030 only"),
    ("cron(0 5 1 1 ? 2026,2028)", "UTC", "on day 1 of January at 05:00 UTC, in 2026 and 2028 only"),
]


@pytest.mark.parametrize(("expression", "timezone", "words"), BACKUP_WORDS)
def test_describe_backup_schedule(expression: str, timezone: str, words: str) -> None:
    assert describe_backup_schedule(expression, timezone) == words


SNAPSHOT_WORDS = [
    ("rate(12 hours)", "every 12 hours"),
    ("rate(1 hour)", "every hour"),
    ("cron(0 5,17 *)", "every day at 05:00 and 17:00 UTC"),
    ("cron(0 21 MON-FRI)", "Monday to Friday at 21:00 UTC"),
    ("cron(0 14-20/1 TUE)", "every Tuesday, every hour from 14:00 to 20:00 UTC"),
    ("cron(30 12/4 *)", "every day at 12:30, 16:30 and 20:30 UTC"),
    ("cron(15 15/2 *)", "every 2 hours from 15:15 to 23:15 UTC"),
    ("cron(0 * *)", "every hour at minute 0 UTC"),
    ("cron(45 3 SAT,SUN)", "every Sunday and Saturday at 03:45 UTC"),
]


@pytest.mark.parametrize(("definition", "words"), SNAPSHOT_WORDS)
def test_describe_snapshot_definition(definition: str, words: str) -> None:
    assert describe_snapshot_definition(definition) == words


def test_describe_rejects_invalid_input() -> None:
    with pytest.raises(ScheduleError, match="exactly one must be"):
        describe_backup_schedule("cron(0 5 * * * *)", "UTC")
    with pytest.raises(ScheduleError, match="unknown time zone"):
        describe_backup_schedule("cron(0 5 ? * * *)", "Nowhere/Special")
    with pytest.raises(ScheduleError, match="between 1 and 24 hours"):
        describe_snapshot_definition("rate(48 hours)")
