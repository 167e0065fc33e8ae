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

Each part lives in a module named for what it does: `cron_fields` (the error and the grammar both dialects
share), `backup_cron` (parsing AWS Backup crons), `backup_runs` (their run times in a time zone), `snapshot_cron`
(parsing Redshift definitions), `snapshot_runs` (their snapshot times), `snapshot_spacing` (the 1-hour rule),
`rpo` (recovery point objective) and `schedule_words` (plain words). Every name this module offered before the
split is importable from here still (`__all__`); each is the one object of its new home, caches included.
"""

from __future__ import annotations

from policies.backup_cron import BackupCron, DayRule, parse_backup_schedule, validate_backup_schedule
from policies.backup_runs import (
    backup_times_between,
    iana_timezones,
    is_timezone,
    last_backup_time_if_ended,
    next_backup_times,
    validate_timezone,
)
from policies.cron_fields import (
    BACKUP_EXAMPLE,
    BACKUP_FIELDS,
    DAY_NAMES,
    MONTH_NAMES,
    SNAPSHOT_EXAMPLE,
    SNAPSHOT_FIELDS,
    ScheduleError,
)
from policies.rpo import combined_rpo, last_run, worst_case_rpo
from policies.schedule_words import FOREVER, days_text, describe_backup_schedule, describe_snapshot_definition
from policies.snapshot_cron import SnapshotCron, SnapshotDefinition, SnapshotRate, parse_snapshot_definition
from policies.snapshot_runs import next_snapshot_times, snapshot_times_between
from policies.snapshot_spacing import SnapshotConflict, snapshot_conflicts, snapshot_definition_problems

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
    "BACKUP_EXAMPLE",
    "BACKUP_FIELDS",
    "DAY_NAMES",
    "MONTH_NAMES",
    "SNAPSHOT_EXAMPLE",
    "SNAPSHOT_FIELDS",
    "SnapshotDefinition",
]
