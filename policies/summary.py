"""What a stack protects, in plain data: each policy's rules in words, the protection matrix, next backups, RPO.

`summarize` is pure: the same stack and the same `now` always give the same summary, so `plan` output can be
pinned in tests. Rendering lives in `redshift_backup/render.py`.

Conventions (stated again in docs/review.md):

* Named clusters and tag selectors are separate rows of the matrix: which clusters carry a tag is only known in
  the account, so a tag-selected cluster is shown as its selector (`tag backup = daily`).
* A native layer without a `schedule` keeps Redshift's default (a snapshot every 8 hours or 5 GB of change per
  node); those times depend on the data, so they are not in the next backup times nor in the RPO.
* The RPO is the longest gap between two consecutive backups, both layers together, over the week from `now`
  (`schedules.combined_rpo`); a monthly rule alone gives about a month.
* The longest retention counts AWS Backup rules and their copies and automated snapshots and their copies; a
  manual snapshot retention is shown but not counted, because no schedule takes manual snapshots (AWS Backup
  takes manual snapshots but manages their retention itself).

The parts live by what they do: `summary_words` (retentions, durations, copies, selectors in words),
`summary_parts` (what one policy contributes to a row, layer by layer), `policy_summary` (one policy in words) and
`protection_matrix` (one row per protected target). This module puts them together into a `StackSummary` and
still offers every name it offered before they were split out (`__all__`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from policies.models import stack_account
from policies.policy_summary import (
    CopySummary,
    NativeSummary,
    NotificationSummary,
    PolicySummary,
    RuleSummary,
    VaultSummary,
    summarize_native,
    summarize_policy,
    summarize_rule,
    vault_summary,
)
from policies.protection_matrix import Coverage, ProtectionRow, matrix_parts, protection_matrix
from policies.restore_cluster import ClusterRestoreSpec
from policies.restore_table import TableRestoreSpec
from policies.restores import describe_restore
from policies.schedule_words import FOREVER, days_text
from policies.snapshot_share import SnapshotShareSpec
from policies.summary_parts import (
    LAYER_BACKUP,
    LAYER_NATIVE,
    NEXT_COUNT,
    Part,
    Target,
    Upcoming,
    longest,
    policy_targets,
    rpo_schedules,
)
from policies.summary_words import (
    AUTOMATED_OFF,
    DEFAULT_NATIVE_SCHEDULE,
    RATE_START,
    copy_text,
    duration_text,
    kept_text,
    manual_snapshot_caveat,
    selector_text,
)
from policies.validation import Stack

__all__ = [
    "AUTOMATED_OFF", "DEFAULT_NATIVE_SCHEDULE", "FOREVER", "LAYER_BACKUP", "LAYER_NATIVE", "NEXT_COUNT", "RATE_START",
    "CopySummary", "Coverage", "NativeSummary", "NotificationSummary", "Part", "PolicySummary", "ProtectionRow",
    "RestoreSpecs", "RestoreSummary", "RuleSummary", "StackSummary", "Target", "Upcoming", "VaultSummary",
    "copy_text", "days_text", "duration_text", "kept_text", "longest", "manual_snapshot_caveat", "matrix_parts",
    "policy_targets", "protection_matrix", "restore_source", "rpo_schedules", "selector_text", "summarize",
    "summarize_native", "summarize_policy", "summarize_rule", "vault_summary",
]


@dataclass(frozen=True)
class RestoreSummary:
    """One declared restore in words, and the source it restores from (what `diff` compares)."""

    name: str
    kind: str
    source: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class StackSummary:
    """Everything `plan` says about a stack, except the resource list (which needs the Pulumi mock run)."""

    name: str | None
    region: str
    source: str | None
    now: datetime
    policies: tuple[PolicySummary, ...]
    matrix: tuple[ProtectionRow, ...]
    restores: tuple[RestoreSummary, ...] = field(default=())


RestoreSpecs = ClusterRestoreSpec | TableRestoreSpec | SnapshotShareSpec


def restore_source(spec: RestoreSpecs) -> str:
    """What a restore restores from, as one comparable string."""
    if isinstance(spec, ClusterRestoreSpec):
        return spec.source.describe()
    if isinstance(spec, TableRestoreSpec):
        return (f"snapshot {spec.snapshot_identifier}" if spec.snapshot_identifier
                else f"the latest snapshot of {spec.cluster_identifier}") + (
                    f", table {spec.source_database_name}.{spec.source_schema_name}.{spec.source_table_name}")
    return f"snapshot {spec.snapshot_identifier or spec.snapshot_arn}"


def summarize(stack: Stack, now: datetime) -> StackSummary:
    """The whole stack's summary at `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (e.g. datetime.now(UTC))")
    policies = stack.policies
    restores = tuple(RestoreSummary(name=spec.name, kind=spec.kind, source=restore_source(spec),
                                    lines=tuple(describe_restore(spec)))
                     for spec in getattr(stack.config, "restores", ()))
    return StackSummary(
        name=stack.name, region=stack.region, source=stack.source, now=now,
        policies=tuple(summarize_policy(p, stack.region, now, stack_account(policies)) for p in policies),
        matrix=protection_matrix(policies, stack.region, now), restores=restores)
