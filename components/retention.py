"""Snapshot retention on a cluster this stack does not own: a dynamic resource that changes two settings, no more.

It sets `AutomatedSnapshotRetentionPeriod` and/or `ManualSnapshotRetentionPeriod` with `ModifyCluster`, records
the values it found (`previous_*`), puts them back on delete and reports drift on refresh. A setting left as
None is never sent, so nothing else about the cluster is touched.
"""

from __future__ import annotations

from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from components import aws
from policies.errors import ProviderError
from policies.native_plan import retention_change_risks, retention_input_problems

AUTOMATED = "automated_snapshot_retention_days"
MANUAL = "manual_snapshot_retention_days"
SETTINGS = {AUTOMATED: "AutomatedSnapshotRetentionPeriod", MANUAL: "ManualSnapshotRetentionPeriod"}
AUTOMATED_API = SETTINGS[AUTOMATED]
IDENTITY = ("cluster_identifier", "region")


def previous_key(key: str) -> str:
    return f"previous_{key}"


def _days(value: Any) -> Any:
    """The gRPC wire carries numbers as doubles: 7.0 comes back as 7."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _normalize(props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    for key in (*SETTINGS, *(previous_key(k) for k in SETTINGS)):
        out[key] = _days(out.get(key))
    return out


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


class SnapshotRetentionProvider(ResourceProvider):
    """Pickled into state by reference (this module is installed with the project); holds no client or session."""

    # Nothing secret is captured, so the provider need not be a secret in state.
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in _normalize(news).items() if not k.startswith("previous_")}
        # A value still unknown in a preview is checked once it is known.
        failures = [CheckFailure(prop, reason) for prop, reason in retention_input_problems(inputs)
                    if not _is_unknown(inputs.get(prop))]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = _normalize(olds), _normalize(news)
        replaces = [k for k in IDENTITY if _is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        changed = [k for k in SETTINGS if _is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        if not replaces and AUTOMATED in changed and not _is_unknown(news.get(AUTOMATED)):
            # Diff runs during preview: this is where `pulumi preview` learns what the update would delete.
            before = olds.get(AUTOMATED) if olds.get(AUTOMATED) is not None else olds.get(previous_key(AUTOMATED))
            after = news.get(AUTOMATED) if news.get(AUTOMATED) is not None else olds.get(previous_key(AUTOMATED))
            for risk in retention_change_risks(before, after, olds.get("cluster_identifier")):
                pulumi.log.warn(f"risk: {risk}")
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = _normalize(props)
        live = _describe(props["cluster_identifier"], props["region"], must_exist=True)
        assert live is not None
        outs = dict(props)
        changes: dict[str, int] = {}
        for key, api in SETTINGS.items():
            wanted = props.get(key)
            outs[previous_key(key)] = live.get(api) if wanted is not None else None
            if wanted is not None and live.get(api) != wanted:
                changes[api] = wanted
        self._modify(props, live, changes)
        return CreateResult(props["cluster_identifier"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = _normalize(props)
        live = _describe(props.get("cluster_identifier") or id_, props["region"], must_exist=False)
        if live is None:
            return ReadResult(None, {})
        outs = dict(props)
        for key, api in SETTINGS.items():
            # Only managed settings are compared; a value AWS does not report is left as recorded.
            if props.get(key) is not None and api in live:
                outs[key] = live[api]
        return ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = _normalize(olds), _normalize(news)
        live = _describe(news["cluster_identifier"], news["region"], must_exist=True)
        assert live is not None
        outs = {k: v for k, v in news.items() if not k.startswith("previous_")}
        changes: dict[str, int] = {}
        for key, api in SETTINGS.items():
            wanted, previous = news.get(key), olds.get(previous_key(key))
            if wanted is not None:
                # A setting managed for the first time records what it found; otherwise keep the first record.
                outs[previous_key(key)] = previous if olds.get(key) is not None else live.get(api)
                target = wanted
            else:
                # No longer managed: put back what was found, then forget it.
                outs[previous_key(key)] = None
                target = previous if olds.get(key) is not None else None
            if target is not None and live.get(api) != target:
                changes[api] = target
        self._modify(news, live, changes)
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        props = _normalize(props)
        cluster = props.get("cluster_identifier") or id_
        live = _describe(cluster, props["region"], must_exist=False)
        if live is None:
            return  # the cluster is gone, and its settings with it
        changes: dict[str, int] = {}
        for key, api in SETTINGS.items():
            previous = props.get(previous_key(key))
            if props.get(key) is None:
                continue
            if previous is None:
                pulumi.log.warn(f"cluster {cluster!r}: {api} was not reported when this resource was created, so "
                                "there is no value to put back; it stays as it is")
            elif live.get(api) != previous:
                changes[api] = previous
        self._modify(props, live, changes)

    @staticmethod
    def _modify(props: dict[str, Any], live: dict[str, Any], changes: dict[str, int]) -> None:
        """One ModifyCluster with only the retention parameters that change (nothing else is ever sent)."""
        if not changes:
            return
        cluster, region = props["cluster_identifier"], props["region"]
        if AUTOMATED_API in changes:
            for risk in retention_change_risks(live.get(AUTOMATED_API), changes[AUTOMATED_API], cluster):
                pulumi.log.warn(f"risk: {risk}")
        try:
            aws.client("redshift", region).modify_cluster(ClusterIdentifier=cluster, **changes)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ProviderError(f"cannot set {', '.join(sorted(changes))} on cluster {cluster!r} in {region}: "
                                f"{error.get('Code')}: {error.get('Message')}") from exc



def _describe(cluster: str, region: str, *, must_exist: bool) -> dict[str, Any] | None:
    """The cluster's description, or None when it does not exist (an error when `must_exist`)."""
    try:
        clusters = aws.client("redshift", region).describe_clusters(ClusterIdentifier=cluster)["Clusters"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "ClusterNotFound":
            if must_exist:
                raise ProviderError(f"cluster {cluster!r} does not exist in {region}; snapshot retention can only "
                                    "be set on an existing cluster") from exc
            return None
        raise ProviderError(f"cannot describe cluster {cluster!r} in {region}: {error.get('Code')}: "
                            f"{error.get('Message')}") from exc
    return dict(clusters[0])


class SnapshotRetention(Resource, module="redshift-backup", name="SnapshotRetention"):
    """Automated/manual snapshot retention on an existing cluster; delete puts the values it found back."""

    cluster_identifier: pulumi.Output[str]
    region: pulumi.Output[str]
    automated_snapshot_retention_days: pulumi.Output[int | None]
    manual_snapshot_retention_days: pulumi.Output[int | None]
    previous_automated_snapshot_retention_days: pulumi.Output[int | None]
    previous_manual_snapshot_retention_days: pulumi.Output[int | None]

    def __init__(self, name: str, *, cluster_identifier: pulumi.Input[str], region: pulumi.Input[str],
                 automated_snapshot_retention_days: int | None = None,
                 manual_snapshot_retention_days: int | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "cluster_identifier": cluster_identifier,
            "region": region,
            AUTOMATED: automated_snapshot_retention_days,
            MANUAL: manual_snapshot_retention_days,
            previous_key(AUTOMATED): None,
            previous_key(MANUAL): None,
        }
        super().__init__(SnapshotRetentionProvider(), name, props, opts)
