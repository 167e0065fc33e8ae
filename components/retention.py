"""Snapshot retention on a cluster this stack does not own: a dynamic resource that changes two settings, no more.

It sets `AutomatedSnapshotRetentionPeriod` and/or `ManualSnapshotRetentionPeriod` with `ModifyCluster`, records
the values it found (`previous_*`), puts them back on delete and reports drift on refresh. A setting left as
None is never sent, so nothing else about the cluster is touched. The values found are also written to the
cluster's `redshift-backup:retention-found` tag before the first change (and removed once delete has put them
back), so that a create or delete re-run after an interruption still knows them.

A cluster that is busy (modifying, resizing, paused: `InvalidClusterState`) or an API that throttles is retried
until the resource's own deadline (`timeout_minutes`, default 30): the dynamic-provider host ignores Pulumi's
`customTimeouts`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from components import aws
from components.aws import Credentials
from components.provider_records import pairs, redshift_arn, remove_tags, set_tags, tag_key, tags_of
from components.restore_common import PollingProvider, aws_reason, error_code, is_unknown
from policies.errors import ProviderError
from policies.native_plan import retention_change_risks, retention_input_problems

AUTOMATED = "automated_snapshot_retention_days"
MANUAL = "manual_snapshot_retention_days"
SETTINGS = {AUTOMATED: "AutomatedSnapshotRetentionPeriod", MANUAL: "ManualSnapshotRetentionPeriod"}
AUTOMATED_API = SETTINGS[AUTOMATED]
# The cluster tag holding what it had before this resource's first change (see `found_record`).
RECORD_TAG = tag_key("retention-found")
SHORT_NAMES = {AUTOMATED: "automated", MANUAL: "manual"}
IDENTITY = ("cluster_identifier", "region")
TIMEOUT = "timeout_minutes"
# Who boto3 acts as (the stack's aws:profile and aws:assumeRoles, see components/providers.py); none: the default
# chain. A change is an update (nothing changes in AWS), so that later operations use the new identity.
CREDENTIALS = "credentials"
# How long one operation (create, update, refresh, delete) may wait for a busy cluster or a throttled API.
DEFAULT_TIMEOUT_MINUTES = 30
# Answers that mean "not now": the cluster is applying another change (or is paused), or AWS throttles. botocore
# already retries throttling a few times within one call; these are retried again, with backoff, until the deadline.
RETRYABLE_CODES = frozenset({
    "InvalidClusterState", "InvalidClusterStateFault",
    "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
})

T = TypeVar("T")


def previous_key(key: str) -> str:
    return f"previous_{key}"


def _days(value: Any) -> Any:
    """The gRPC wire carries numbers as doubles: 7.0 comes back as 7."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _normalize(props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    for key in (*SETTINGS, *(previous_key(k) for k in SETTINGS), TIMEOUT):
        out[key] = _days(out.get(key))
    return out


class _NotNow(Exception):
    """A retryable answer (busy cluster, throttling); `reason` is AWS's code and message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _ClusterGone(Exception):
    """The cluster was deleted between DescribeClusters and ModifyCluster."""


def _required(props: dict[str, Any], key: str, id_: str, operation: str) -> str:
    """A string prop the operation cannot do without; a clear error names it (e.g. after `pulumi import`)."""
    value = props.get(key)
    if not isinstance(value, str) or not value:
        raise ProviderError(
            f"SnapshotRetention {id_!r}: cannot {operation}: its state has no `{key}` (received {value!r}). "
            "This resource cannot be imported (`pulumi import`): it must record the retention it found when it "
            "was created, so declare it and let `pulumi up` create it")
    return value


class SnapshotRetentionProvider(PollingProvider):
    """Pickled into state by reference (this module is installed with the project); holds no client or session.

    The `poller` (interval, backoff, clock and sleep) is injectable for tests, as in the restore providers.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in _normalize(news).items() if not k.startswith("previous_")}
        # A value still unknown in a preview is checked once it is known.
        failures = [CheckFailure(prop, reason) for prop, reason in retention_input_problems(inputs)
                    if not is_unknown(inputs.get(prop))]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = _normalize(olds), _normalize(news)
        replaces = [k for k in IDENTITY if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        # Timeout and credentials change nothing in AWS, but the state must hold them for a later delete.
        changed = [k for k in (*SETTINGS, TIMEOUT, CREDENTIALS)
                   if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        if not replaces and AUTOMATED in changed and not is_unknown(news.get(AUTOMATED)):
            # Diff runs during preview: this is where `pulumi preview` learns what the update would delete.
            before = olds.get(AUTOMATED) if olds.get(AUTOMATED) is not None else olds.get(previous_key(AUTOMATED))
            after = news.get(AUTOMATED) if news.get(AUTOMATED) is not None else olds.get(previous_key(AUTOMATED))
            for risk in retention_change_risks(before, after, olds.get("cluster_identifier")):
                pulumi.log.warn(f"risk: {risk}")
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = _normalize(props)
        cluster = _required(props, "cluster_identifier", "", "create")
        region = _required(props, "region", cluster, "create")

        def attempt() -> dict[str, Any]:
            live = _describe(cluster, region, props, must_exist=True)
            assert live is not None
            # An interrupted create of this resource recorded what it found before its first change: that
            # record, not the values it may have set already, is what the cluster had.
            record = found_record(live, cluster) or {}
            outs = dict(props)
            found: dict[str, int | None] = {}
            changes: dict[str, int] = {}
            for key, api in SETTINGS.items():
                wanted = props.get(key)
                if wanted is not None:
                    found[key] = record[key] if key in record else live.get(api)
                    if live.get(api) != wanted:
                        changes[api] = wanted
                outs[previous_key(key)] = found.get(key)
            _write_record(cluster, region, props, live, found)
            self._modify(cluster, region, props, live, changes, gone_is_done=False)
            return outs

        outs = self._retrying(props, f"setting snapshot retention on cluster {cluster!r}", attempt)
        return CreateResult(cluster, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = _normalize(props)
        cluster = props.get("cluster_identifier") or id_
        region = _required(props, "region", id_, "read the cluster")
        live = self._retrying(props, f"reading cluster {cluster!r}",
                              lambda: _describe(cluster, region, props, must_exist=False))
        if live is None:
            return ReadResult(None, {})
        outs = dict(props)
        for key, api in SETTINGS.items():
            # Only managed settings are compared; a value AWS does not report is left as recorded.
            if props.get(key) is not None and api in live:
                outs[key] = live[api]
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = _normalize(olds), _normalize(news)
        cluster = _required(news, "cluster_identifier", id_, "update")
        region = _required(news, "region", id_, "update")

        def attempt() -> dict[str, Any]:
            live = _describe(cluster, region, news, must_exist=True)
            assert live is not None
            record = found_record(live, cluster)
            if record is None:
                record = {k: olds.get(previous_key(k)) for k in SETTINGS if olds.get(k) is not None}
            outs = {k: v for k, v in news.items() if not k.startswith("previous_")}
            found: dict[str, int | None] = {}
            changes: dict[str, int] = {}
            for key, api in SETTINGS.items():
                wanted = news.get(key)
                if wanted is not None:
                    # A setting managed before keeps its first record; a new one records what it finds now.
                    found[key] = record[key] if key in record else live.get(api)
                    target = wanted
                else:
                    # No longer managed: put back what was found, then forget it.
                    target = record.get(key) if olds.get(key) is not None else None
                outs[previous_key(key)] = found.get(key)
                if target is not None and live.get(api) != target:
                    changes[api] = target
            # Recorded before the change, forgotten after it: a re-run still finds a value it has to put back.
            _write_record(cluster, region, news, live, {**record, **found})
            self._modify(cluster, region, news, live, changes, gone_is_done=False)
            _write_record(cluster, region, news, _describe(cluster, region, news, must_exist=True) or live, found)
            return outs

        return UpdateResult(self._retrying(news, f"changing snapshot retention on cluster {cluster!r}", attempt))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        props = _normalize(props)
        cluster = props.get("cluster_identifier") or id_
        region = _required(props, "region", id_, "put the retention it found back")

        def attempt() -> bool:
            live = _describe(cluster, region, props, must_exist=False)
            if live is None:
                return True  # the cluster is gone, and its settings with it
            record = found_record(live, cluster)
            if record is None:
                record = {k: props.get(previous_key(k)) for k in SETTINGS}
            changes: dict[str, int] = {}
            for key, api in SETTINGS.items():
                previous = record.get(key)
                if props.get(key) is None:
                    continue
                if previous is None:
                    pulumi.log.warn(f"cluster {cluster!r}: {api} was not reported when this resource was created, "
                                    "so there is no value to put back; it stays as it is")
                elif live.get(api) != previous:
                    changes[api] = previous
            self._modify(cluster, region, props, live, changes, gone_is_done=True)
            # Only once the values are back: a re-run of an interrupted delete still finds them.
            _write_record(cluster, region, props, live, {})
            return True

        self._retrying(props, f"putting back the snapshot retention of cluster {cluster!r}", attempt)

    def _retrying(self, props: dict[str, Any], what: str, attempt: Callable[[], T]) -> T:
        """Run `attempt` (describe, then modify) again while the cluster is busy or AWS throttles, until the deadline.

        Each attempt describes the cluster afresh, so what a retry sends reflects the cluster as it is then.
        """
        last = {"reason": "none"}

        def check() -> tuple[T] | None:
            try:
                return (attempt(),)
            except _NotNow as exc:
                last["reason"] = exc.reason
                pulumi.log.info(f"{what}: {exc.reason}; trying again")
                return None

        minutes = props.get(TIMEOUT) or DEFAULT_TIMEOUT_MINUTES
        return self.poller.until(check, minutes * 60, what, lambda: last["reason"])[0]

    @staticmethod
    def _modify(cluster: str, region: str, props: dict[str, Any], live: dict[str, Any], changes: dict[str, int],
                *, gone_is_done: bool) -> None:
        """One ModifyCluster with only the retention parameters that change (nothing else is ever sent)."""
        if not changes:
            return
        try:
            aws.client("redshift", region, props.get(CREDENTIALS)).modify_cluster(ClusterIdentifier=cluster,
                                                                                   **changes)
        except ClientError as exc:
            code = error_code(exc)
            if code in RETRYABLE_CODES:
                raise _NotNow(aws_reason(exc)) from exc
            if code == "ClusterNotFound":
                if gone_is_done:
                    return  # deleted since DescribeClusters: nothing left to put back
                raise ProviderError(f"cluster {cluster!r} does not exist in {region} (deleted while its snapshot "
                                    "retention was being set)") from exc
            raise ProviderError(f"cannot set {', '.join(sorted(changes))} on cluster {cluster!r} in {region}: "
                                f"{aws_reason(exc)}") from exc
        if AUTOMATED_API in changes:
            for risk in retention_change_risks(live.get(AUTOMATED_API), changes[AUTOMATED_API], cluster):
                pulumi.log.warn(f"risk: {risk}")


def found_record(live: dict[str, Any], cluster: str) -> dict[str, int | None] | None:
    """What the cluster's record tag says it had before this resource's first change, or None without one.

    Value: `cluster=<id> automated=<days|none> manual=<days|none>` (the managed settings only; `none`: AWS did not
    report it). A tag naming another cluster came with a snapshot this cluster was restored from: not ours.
    """
    fields = pairs(tags_of(live).get(RECORD_TAG, ""))
    if fields.get("cluster") != cluster:
        return None
    record: dict[str, int | None] = {}
    for key, short in SHORT_NAMES.items():
        if short in fields:
            record[key] = None if fields[short] == "none" else int(fields[short])
    return record


def _record_value(cluster: str, record: dict[str, int | None]) -> str:
    words = [f"cluster={cluster}"] + [f"{short}={'none' if record[key] is None else record[key]}"
                                       for key, short in SHORT_NAMES.items() if key in record]
    return " ".join(words)


def _write_record(cluster: str, region: str, props: dict[str, Any], live: dict[str, Any],
                  record: dict[str, int | None]) -> None:
    """Make the record tag say `record` (no tag for an empty one); nothing is sent when it does already."""
    current = tags_of(live).get(RECORD_TAG)
    value = _record_value(cluster, record) if record else None
    if current == value:
        return
    redshift = aws.client("redshift", region, props.get(CREDENTIALS))
    arn = redshift_arn(props.get(CREDENTIALS), region, "cluster", cluster)
    try:
        if value is None:
            remove_tags(redshift, arn, [RECORD_TAG])
        else:
            set_tags(redshift, arn, {RECORD_TAG: value})
    except ProviderError as exc:
        if isinstance(exc.__cause__, ClientError) and error_code(exc.__cause__) in RETRYABLE_CODES:
            raise _NotNow(aws_reason(exc.__cause__)) from exc
        raise


def _describe(cluster: str, region: str, props: dict[str, Any], *, must_exist: bool) -> dict[str, Any] | None:
    """The cluster's description, or None when it does not exist (an error when `must_exist`)."""
    try:
        redshift = aws.client("redshift", region, props.get(CREDENTIALS))
        clusters = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"]
    except ClientError as exc:
        code = error_code(exc)
        if code == "ClusterNotFound":
            if must_exist:
                raise ProviderError(f"cluster {cluster!r} does not exist in {region}; snapshot retention can only "
                                    "be set on an existing cluster") from exc
            return None
        if code in RETRYABLE_CODES:
            raise _NotNow(aws_reason(exc)) from exc
        raise ProviderError(f"cannot describe cluster {cluster!r} in {region}: {aws_reason(exc)}") from exc
    return dict(clusters[0])


class SnapshotRetention(Resource, module="redshift-backup", name="SnapshotRetention"):
    """Automated/manual snapshot retention on an existing cluster; delete puts the values it found back.

    `timeout_minutes` (default 30) bounds each operation's waiting for a busy cluster or a throttled API;
    `credentials` (a profile and/or roles to assume, not secrets) say who boto3 acts as (default: its own chain).
    """

    cluster_identifier: pulumi.Output[str]
    region: pulumi.Output[str]
    automated_snapshot_retention_days: pulumi.Output[int | None]
    manual_snapshot_retention_days: pulumi.Output[int | None]
    previous_automated_snapshot_retention_days: pulumi.Output[int | None]
    previous_manual_snapshot_retention_days: pulumi.Output[int | None]
    timeout_minutes: pulumi.Output[int | None]
    # A plain dict: with the TypedDict here the SDK would try to build one from the outputs and fail.
    credentials: pulumi.Output[dict[str, Any] | None]

    def __init__(self, name: str, *, cluster_identifier: pulumi.Input[str], region: pulumi.Input[str],
                 automated_snapshot_retention_days: int | None = None,
                 manual_snapshot_retention_days: int | None = None,
                 timeout_minutes: int | None = None,
                 credentials: pulumi.Input[Credentials] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "cluster_identifier": cluster_identifier,
            "region": region,
            AUTOMATED: automated_snapshot_retention_days,
            MANUAL: manual_snapshot_retention_days,
            # None: DEFAULT_TIMEOUT_MINUTES (left out of state, so existing resources show no diff).
            TIMEOUT: timeout_minutes,
            CREDENTIALS: credentials,
            previous_key(AUTOMATED): None,
            previous_key(MANUAL): None,
        }
        super().__init__(SnapshotRetentionProvider(), name, props, opts)
