"""The words a summary is made of: retentions (`kept 35 days`), durations (`1 day 6 hours`), copies, tag
selectors, and the fixed sentences for native snapshot settings."""

from __future__ import annotations

from datetime import timedelta

from policies.backup_layer import CopyAction
from policies.native_plan import MANUAL_SNAPSHOT_CAVEAT
from policies.schedule_words import FOREVER, days_text
from policies.selection import Conditions

DEFAULT_NATIVE_SCHEDULE = ("Redshift's default schedule: a snapshot every 8 hours or every 5 GB of change per "
                           "node (not counted in next backups or RPO)")
AUTOMATED_OFF = ("automated snapshots turned off (retention 0): Redshift takes none and deletes the existing "
                 "ones")
# Where Redshift starts counting rate() is not documented (policies/snapshot_runs.py): say so wherever times show.
RATE_START = "rate() times assume a start at 00:00 UTC; Redshift's real start is unverified"


def manual_snapshot_caveat() -> str:
    """The caveat shown where AWS Backup and native snapshot settings meet on one cluster (native_plan owns it)."""
    return MANUAL_SNAPSHOT_CAVEAT


def kept_text(days: int) -> str:
    return "kept for ever" if days == FOREVER else f"kept {days_text(days)}"


def duration_text(value: timedelta | None) -> str:
    """`12 hours`, `1 day 6 hours`, `31 days`, `unknown` (None)."""
    if value is None:
        return "unknown"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
             if n]
    return " ".join(parts) if parts else "0 minutes"


def copy_text(copy: CopyAction, days: int, stack_region: str, stack_account: str | None = None) -> str:
    """`copied to us-west-2 and kept 90 days`, `copied to account 444455556666 (us-east-1) and kept 365 days`,
    `copied to vault arn:aws:backup:... and kept 35 days` (a given vault, in this account as far as is known)."""
    region = copy.region or stack_region
    account = copy.other_account(stack_account)
    if account:
        where = f"account {account} ({region})"
    elif copy.destination_vault_arn:
        where = f"vault {copy.destination_vault_arn}"
    else:
        where = region
    return f"copied to {where} and {kept_text(days)}"


def selector_text(conditions: Conditions) -> str:
    """`tag tier = 1 and tag backup != none`: the words for a tag selection (all conditions must hold)."""
    ops = {"string_equals": "=", "string_not_equals": "!=", "string_like": "like",
           "string_not_like": "not like"}
    # In a fixed order (operator, key, value): the same selection written in another order is the same selector.
    order = list(ops)
    parts = sorted(conditions.all(), key=lambda item: (order.index(item[0]), item[1].key, item[1].value))
    return " and ".join(f"tag {c.key} {ops[op]} {c.value}" for op, c in parts)
