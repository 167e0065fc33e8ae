"""Pure planning for Redshift's own snapshots: which clusters get which settings, names, and the risks of a change.

The `RedshiftSnapshotPolicy` component only loops over a `NativePlan`; the `plan`/`diff` commands call
`native_change_risks` and `retention_change_risks` to show what a change would delete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.errors import ConfigError, Problem
from policies.model_fields import CLUSTER_ID
from policies.models import Policy
from policies.schedule_words import days_text
from policies.selection import Conditions
from policies.snapshot_layer import SnapshotLayer

# Shown wherever AWS Backup and native snapshots protect the same cluster (the plan summary, the docs).
MANUAL_SNAPSHOT_CAVEAT = (
    "AWS Backup protects a Redshift cluster with manual snapshots whose lifetime is the backup rule's "
    "delete_after_days. The cluster's manual_snapshot_retention_days (ManualSnapshotRetentionPeriod) is only the "
    "default for new manual snapshots and never changes existing ones: use it for manual snapshots taken outside "
    "AWS Backup, and do not change the retention of AWS Backup's snapshots or delete them from the Redshift side; "
    "manage them through the vault. AWS Backup cannot manage automated snapshots: those follow "
    "automated_snapshot_retention_days."
)

AUTOMATED_RETENTION_MAX_DAYS = 35
MANUAL_RETENTION_MAX_DAYS = 3653
# The retention resource's own deadline for a busy cluster: at most a day.
RETENTION_TIMEOUT_MAX_MINUTES = 1440
# Redshift event subscriptions. Source type "cluster" carries the clusters' own events, restores included
# (REDSHIFT-EVENT-2008 started, 3003 succeeded, 3501 failed), and can be limited to the protected clusters.
EVENT_SOURCE_TYPE = "cluster"
# Source type "cluster-snapshot" carries the snapshots' events (2009 started, 3004 completed, 3503 failed, 2011
# deleted, final snapshots 2012/3005/3502). Its source ids are snapshot identifiers, not known in advance, so that
# subscription has none: it covers every snapshot in the account and region. Redshift files those events under
# these two categories only (DescribeEventCategories); the others would be refused for this source type.
SNAPSHOT_EVENT_SOURCE_TYPE = "cluster-snapshot"
SNAPSHOT_EVENT_CATEGORIES = ("management", "monitoring")


@dataclass(frozen=True)
class CopyPlan:
    """Cross-region copy for every protected cluster, and the copy grant it needs (created or existing)."""

    destination_region: str
    retention_days: int
    manual_snapshot_retention_days: int | None
    # The grant each SnapshotCopy names; None for unencrypted clusters.
    grant_name: str | None
    # Set when this stack creates the grant in the destination region with this key.
    create_grant_with_kms_key_id: str | None


@dataclass(frozen=True)
class EventSubscriptionPlan:
    """One Redshift event subscription: `key` names the Pulumi resource, `name` the AWS subscription."""

    key: str
    name: str
    source_type: str
    # Empty: every source of that type in the account and region.
    source_ids: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class EventPlan:
    """The Redshift event subscriptions of the protected clusters and of their snapshots, to one topic."""

    subscriptions: tuple[EventSubscriptionPlan, ...]
    severity: str | None
    # The policy's own topic; the component uses the shared topic it is given in preference.
    sns_topic_arn: str | None


@dataclass(frozen=True)
class NativePlan:
    """Everything the native layer of one policy creates, as plain data."""

    policy_name: str
    region: str
    clusters: tuple[str, ...]
    schedule_identifier: str | None
    schedule_definitions: tuple[str, ...]
    automated_snapshot_retention_days: int | None
    manual_snapshot_retention_days: int | None
    copy: CopyPlan | None
    events: EventPlan | None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def manages_retention(self) -> bool:
        return self.automated_snapshot_retention_days is not None or self.manual_snapshot_retention_days is not None


def schedule_identifier(policy_name: str) -> str:
    """The snapshot schedule's AWS identifier (policy names are at most 32 characters, so this fits)."""
    return f"{policy_name}-snapshot-schedule"


def copy_grant_name(policy_name: str) -> str:
    """The created copy grant's name: lowercase, unique per account and destination region."""
    return f"{policy_name}-copy-grant"


def event_subscription_name(policy_name: str) -> str:
    return f"{policy_name}-redshift-events"


def snapshot_event_subscription_name(policy_name: str) -> str:
    return f"{policy_name}-redshift-snapshot-events"


def event_subscriptions(policy_name: str, clusters: Iterable[str],
                        categories: Iterable[str]) -> tuple[EventSubscriptionPlan, ...]:
    """The clusters' subscription, and their snapshots' one with the categories that apply to snapshots."""
    categories = tuple(categories)
    out = [EventSubscriptionPlan("events", event_subscription_name(policy_name), EVENT_SOURCE_TYPE,
                                 tuple(clusters), categories)]
    snapshot_categories = tuple(c for c in categories if c in SNAPSHOT_EVENT_CATEGORIES)
    if snapshot_categories:
        out.append(EventSubscriptionPlan("snapshot-events", snapshot_event_subscription_name(policy_name),
                                         SNAPSHOT_EVENT_SOURCE_TYPE, (), snapshot_categories))
    return tuple(out)


def plan_native_layer(policy: Policy, region: str, discovered: Iterable[str] = ()) -> NativePlan:
    """The native layer of a validated policy; `discovered` are tag-selected clusters looked up elsewhere.

    A named cluster ARN of another region never gets here: validation rejects it (a stack protects its own region).
    """
    layer = policy.snapshots
    if layer is None:
        raise ConfigError([Problem("policy.snapshots", "is not set; this policy has no native snapshot layer",
                                   has_value=False)])
    clusters = protected_clusters(policy, discovered)
    copy = None
    if layer.cross_region_copy:
        crc = layer.cross_region_copy
        grant = copy_grant_name(policy.name) if crc.kms_key_id else crc.snapshot_copy_grant_name
        copy = CopyPlan(crc.destination_region, crc.retention_days, crc.manual_snapshot_retention_days, grant,
                        crc.kms_key_id)
    events = None
    notes = policy.notifications
    if notes and notes.redshift_event_categories and clusters:
        events = EventPlan(event_subscriptions(policy.name, clusters, notes.redshift_event_categories),
                           notes.redshift_event_severity, notes.sns_topic_arn)
    return NativePlan(
        policy_name=policy.name,
        region=region,
        clusters=tuple(clusters),
        schedule_identifier=schedule_identifier(policy.name) if layer.schedule else None,
        schedule_definitions=tuple(layer.schedule),
        automated_snapshot_retention_days=layer.automated_snapshot_retention_days,
        manual_snapshot_retention_days=layer.manual_snapshot_retention_days,
        copy=copy,
        events=events,
        tags=dict(policy.tags),
    )


def protected_clusters(policy: Policy, discovered: Iterable[str] = ()) -> list[str]:
    """Named clusters first (in the order given), then discovered ones (sorted); excluded and repeated ones left out."""
    selection = policy.selection
    excluded = selection.excluded_identifiers()
    out: list[str] = []
    for ident in [*selection.cluster_identifiers(), *sorted(discovered)]:
        if ident not in excluded and ident not in out:
            out.append(ident)
    return out


# --- tag discovery (the boto3 half lives in components/discovery.py) ---------------------------------------


def tags_match(tags: Mapping[str, str], conditions: Conditions) -> bool:
    """AWS Backup's `Conditions` semantics on one resource's tags: every condition must hold (AND).

    A missing tag fails StringEquals/StringLike and passes StringNotEquals/StringNotLike. StringLike takes `*`
    (any run of characters) and `?` (one character), as IAM condition operators do.
    """
    for cond in conditions.string_equals:
        if tags.get(cond.key) != cond.value:
            return False
    for cond in conditions.string_not_equals:
        if tags.get(cond.key) == cond.value:
            return False
    for cond in conditions.string_like:
        value = tags.get(cond.key)
        if value is None or not like(cond.value, value):
            return False
    for cond in conditions.string_not_like:
        value = tags.get(cond.key)
        if value is not None and like(cond.value, value):
            return False
    return True


def like(pattern: str, value: str) -> bool:
    """StringLike, as this project reads it everywhere (discovery, coverage, the live audit): `*` matches any run
    of characters and `?` one character, as in IAM's StringLike. AWS Backup's API reference names only `*`; a
    pattern with `?` is the one place the two readings could differ."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def matching_clusters(clusters: Iterable[tuple[str, Mapping[str, str]]], conditions: Conditions) -> list[str]:
    """The identifiers of (identifier, tags) pairs whose tags satisfy `conditions`, sorted."""
    return sorted(ident for ident, tags in clusters if tags_match(tags, conditions))


# --- risks of a change --------------------------------------------------------------------------------------


def retention_change_risks(old_days: int | None, new_days: int | None, cluster: str | None = None) -> list[str]:
    """What lowering automated snapshot retention deletes at once (empty when nothing is lost or it is unknown)."""
    if old_days is None or new_days is None or new_days >= old_days:
        return []
    who = f"cluster {cluster!r}: " if cluster else ""
    if new_days == 0:
        return [f"{who}automated snapshot retention goes from {old_days} days to 0: automated snapshots are "
                "turned off and every existing automated snapshot is deleted at once"]
    return [f"{who}automated snapshot retention goes from {days_text(old_days)} to {days_text(new_days)}: automated "
            f"snapshots older than {days_text(new_days)} are deleted at once"]


def copy_retention_change_risks(old_days: int | None, new_days: int | None, destination_region: str,
                                cluster: str | None = None) -> list[str]:
    """What lowering the retention of copied automated snapshots deletes in the destination region."""
    if old_days is None or new_days is None or new_days >= old_days:
        return []
    who = f"cluster {cluster!r}: " if cluster else ""
    return [f"{who}retention of automated snapshots copied to {destination_region} goes from {days_text(old_days)} "
            f"to {days_text(new_days)}: copies older than {days_text(new_days)} are deleted there at once"]


def native_change_risks(old: Policy | None, new: Policy | None) -> list[str]:
    """The risks of changing one policy's native layer from `old` to `new` (same policy name), named clusters only.

    Tag-discovered clusters are not known without AWS and are left out.
    """
    old_layer = old.snapshots if old else None
    new_layer = new.snapshots if new else None
    if old_layer is None or old is None:
        return []
    old_clusters = protected_clusters(old)
    new_clusters = set(protected_clusters(new)) if new and new_layer else set()
    risks: list[str] = []
    for cluster in old_clusters:
        if cluster not in new_clusters:
            if old_layer.automated_snapshot_retention_days is not None:
                risks.append(f"cluster {cluster!r} leaves the native layer: its automated snapshot retention goes "
                             "back to the value found before this stack set it, which may be lower and delete "
                             "automated snapshots at once")
            continue
        assert new_layer is not None
        risks += retention_change_risks(old_layer.automated_snapshot_retention_days,
                                        new_layer.automated_snapshot_retention_days, cluster)
        risks += _copy_risks(old_layer, new_layer, cluster)
    return risks


def _copy_risks(old: SnapshotLayer, new: SnapshotLayer, cluster: str) -> list[str]:
    before, after = old.cross_region_copy, new.cross_region_copy
    if before is None:
        return []
    if after is None:
        return [f"cluster {cluster!r}: cross-region copy to {before.destination_region} is turned off"]
    if after.destination_region != before.destination_region:
        return [f"cluster {cluster!r}: the copy destination moves from {before.destination_region} to "
                f"{after.destination_region}; copying is disabled, then enabled again (a replacement)"]
    return copy_retention_change_risks(before.retention_days, after.retention_days, after.destination_region,
                                       cluster)


# --- the retention resource's inputs ------------------------------------------------------------------------


def retention_input_problems(props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(property, reason) for the retention resource's inputs; the dynamic provider's `check` reports them."""
    problems: list[tuple[str, str]] = []
    cluster = props.get("cluster_identifier")
    if not isinstance(cluster, str) or not CLUSTER_ID.match(cluster):
        problems.append(("cluster_identifier", f"expected a Redshift cluster identifier, received {cluster!r}"))
    region = props.get("region")
    if not isinstance(region, str) or not region:
        problems.append(("region", f"expected an AWS region name, received {region!r}"))
    automated = props.get("automated_snapshot_retention_days")
    if automated is not None and not (_is_int(automated) and 0 <= automated <= AUTOMATED_RETENTION_MAX_DAYS):
        problems.append(("automated_snapshot_retention_days",
                         f"expected 0-{AUTOMATED_RETENTION_MAX_DAYS} days, received {automated!r}"))
    manual = props.get("manual_snapshot_retention_days")
    if manual is not None and not (_is_int(manual) and (manual == -1 or 1 <= manual <= MANUAL_RETENTION_MAX_DAYS)):
        problems.append(("manual_snapshot_retention_days",
                         f"expected -1 (for ever) or 1-{MANUAL_RETENTION_MAX_DAYS} days, received {manual!r}"))
    timeout = props.get("timeout_minutes")
    if timeout is not None and not (_is_int(timeout) and 1 <= timeout <= RETENTION_TIMEOUT_MAX_MINUTES):
        problems.append(("timeout_minutes",
                         f"expected 1-{RETENTION_TIMEOUT_MAX_MINUTES} minutes (or none for the default), "
                         f"received {timeout!r}"))
    if automated is None and manual is None:
        problems.append(("automated_snapshot_retention_days",
                         "neither automated_snapshot_retention_days nor manual_snapshot_retention_days is set; "
                         "there is nothing to manage"))
    return problems


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

