"""AWS Backup's Redshift opt-in for one account and region: a dynamic resource that changes its own keys, no more.

`aws.backup.RegionSettings` cannot be used for this: in the Terraform provider its opt-in map is required and
not computed, and its read stores the whole `DescribeRegionSettings` map (every resource type), so a resource
that sends only `Redshift` shows the other types as removed on every preview and rewrites them on every up; its
delete does nothing. This resource manages only the keys it is given (`Redshift`, and `Redshift Serverless` when
namespaces are selected): it records what they were (`previous_resource_types`), puts that back on delete, and
reports drift of those keys on refresh. What it found is also written to the SSM parameter
`/redshift-backup/backup-region-opt-in/found` before the first change (removed once delete has put it back), so
that a create or delete re-run after an interruption still knows it. `UpdateRegionSettings` is sent the whole
map as described, with only our keys changed, so the other resource types keep their values whether AWS merges
or replaces the map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi
from botocore.exceptions import BotoCoreError, ClientError
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

from components import aws
from components.aws import Credentials
from components.provider_records import delete_record, read_record, record_name, write_record
from components.restore_common import is_unknown
from policies.errors import ProviderError

T = TypeVar("T")
TYPES = "resource_types"
# Region settings cannot be tagged: what they were before this resource's first change is kept in this SSM
# parameter (one per account and region, like the settings), as {"found": {type: true|false|null}}.
RECORD = record_name("backup-region-opt-in", "found")
PREVIOUS = "previous_resource_types"
CREDENTIALS = "credentials"


def _required_region(props: Mapping[str, Any], id_: str, operation: str) -> str:
    region = props.get("region")
    if not isinstance(region, str) or not region:
        raise ProviderError(
            f"BackupRegionOptIn {id_!r}: cannot {operation}: its state has no `region` (received {region!r}). This "
            "resource cannot be imported (`pulumi import`): it must record the values it found when it was "
            "created, so declare it and let `pulumi up` create it")
    return region


def _describe(region: str, credentials: Mapping[str, Any] | None) -> dict[str, bool]:
    """The account's whole opt-in map in `region` (every resource type AWS Backup knows there)."""
    try:
        answer = aws.client("backup", region, credentials).describe_region_settings()
    except (ClientError, BotoCoreError) as exc:
        raise ProviderError(f"cannot read the AWS Backup region settings of {region}: {exc}") from exc
    return dict(answer.get("ResourceTypeOptInPreference") or {})


def _apply(region: str, credentials: Mapping[str, Any] | None, live: Mapping[str, bool],
           wanted: Mapping[str, bool]) -> None:
    """Set the `wanted` keys; send nothing when they already hold. Every other key is sent back as it was."""
    changes = {k: v for k, v in wanted.items() if live.get(k) != v}
    if not changes:
        return
    try:
        aws.client("backup", region, credentials).update_region_settings(
            ResourceTypeOptInPreference={**live, **changes})
    except (ClientError, BotoCoreError) as exc:
        raise ProviderError(f"cannot set {', '.join(f'{k}={v}' for k, v in sorted(changes.items()))} in the AWS "
                            f"Backup region settings of {region}: {exc}") from exc


def _ssm_call(region: str, credentials: Mapping[str, Any] | None, call: Callable[[Any], T]) -> T:
    try:
        return call(aws.client("ssm", region, credentials))
    except BotoCoreError as exc:
        raise ProviderError(f"cannot reach SSM in {region} for the record {RECORD}: {exc}") from exc


def _read_found(region: str, credentials: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the record says the opt-in map had before this resource's first change (None: no record)."""
    record = _ssm_call(region, credentials, lambda ssm: read_record(ssm, RECORD))
    found = (record or {}).get("found")
    return dict(found) if isinstance(found, dict) else None


def _write_found(region: str, credentials: Mapping[str, Any] | None, found: Mapping[str, Any]) -> None:
    if _read_found(region, credentials) == dict(found):
        return
    _ssm_call(region, credentials, lambda ssm: write_record(ssm, RECORD, {"found": dict(found)}))


class BackupRegionOptInProvider(ResourceProvider):
    """Pickled into state by reference (this module is installed with the project); holds no client or session."""

    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        region = news.get("region")
        if not is_unknown(region) and (not isinstance(region, str) or not region):
            failures.append(CheckFailure("region", f"expected an AWS region name, received {region!r}"))
        types = news.get(TYPES)
        if not is_unknown(types) and not (isinstance(types, dict) and types and all(
                isinstance(k, str) and isinstance(v, bool) for k, v in types.items())):
            failures.append(CheckFailure(TYPES, "expected a non-empty map of resource type to true/false, "
                                         f"received {types!r}"))
        return CheckResult({k: v for k, v in news.items() if k != PREVIOUS}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # One resource per account and region: another region, or another identity (which may be another
        # account), is another resource. Replacing puts the recorded values back where they were taken from (the
        # delete acts as the old identity), then records and sets them under the new one.
        replaces = [k for k in ("region", CREDENTIALS) if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        changed = [k for k in (TYPES,) if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        region = _required_region(props, "", "create")
        credentials = props.get(CREDENTIALS)
        wanted: dict[str, bool] = dict(props[TYPES])
        live = _describe(region, credentials)
        # An interrupted create recorded what it found before its change: that, not what it set, is what was there.
        record = _read_found(region, credentials) or {}
        # None: the key was not in the map, so there is nothing to put back.
        found = {k: record[k] if k in record else live.get(k) for k in wanted}
        _write_found(region, credentials, found)
        _apply(region, credentials, live, wanted)
        return CreateResult(region, {**props, PREVIOUS: found})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        region = _required_region(props, id_, "read the region settings")
        live = _describe(region, props.get(CREDENTIALS))
        # Only our keys are compared: a value changed by hand shows as a diff, and the next up sets it again.
        return ReadResult(id_, {**props, TYPES: {k: live.get(k) for k in props.get(TYPES) or {}}})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        region = _required_region(news, id_, "update")
        credentials = news.get(CREDENTIALS)
        live = _describe(region, credentials)
        old_types: dict[str, Any] = olds.get(TYPES) or {}
        record = _read_found(region, credentials)
        old_previous: dict[str, Any] = record if record is not None else {
            k: v for k, v in (olds.get(PREVIOUS) or {}).items() if k in old_types}
        wanted: dict[str, bool] = dict(news[TYPES])
        # A key managed before keeps its first record; a new one records what it finds now.
        previous = {k: old_previous[k] if k in old_previous else live.get(k) for k in wanted}
        # A key no longer managed gets its recorded value back.
        restore = {k: old_previous[k] for k in old_types if k not in wanted and old_previous.get(k) is not None}
        # Recorded before the change, forgotten after it: a re-run still finds what it has to put back.
        _write_found(region, credentials, {**old_previous, **previous})
        _apply(region, credentials, live, {**restore, **wanted})
        _write_found(region, credentials, previous)
        return UpdateResult({**news, PREVIOUS: previous})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        region = _required_region(props, id_, "put the values it found back")
        credentials = props.get(CREDENTIALS)
        record = _read_found(region, credentials)
        previous: dict[str, Any] = record if record is not None else (props.get(PREVIOUS) or {})
        for key in sorted(k for k, v in previous.items() if v is None):
            pulumi.log.warn(f"AWS Backup region settings of {region}: {key!r} was not in the opt-in map when this "
                            "resource was created, so there is no value to put back; it stays opted in")
        restore = {k: v for k, v in previous.items() if v is not None}
        if restore:
            _apply(region, credentials, _describe(region, credentials), restore)
        # Only once the values are back: a re-run of an interrupted delete still finds them.
        _ssm_call(region, credentials, lambda ssm: delete_record(ssm, RECORD))


class BackupRegionOptIn(Resource, module="redshift-backup", name="BackupRegionOptIn"):
    """Opts resource types in to AWS Backup in one account and region; delete puts the values it found back.

    `resource_types` maps AWS Backup resource type names (`Redshift`, `Redshift Serverless`) to true/false;
    `credentials` (a profile and/or roles to assume, not secrets) say who boto3 acts as (default: its own chain).
    """

    region: pulumi.Output[str]
    resource_types: pulumi.Output[dict[str, bool]]
    previous_resource_types: pulumi.Output[dict[str, Any]]
    # A plain dict: with the TypedDict here the SDK would try to build one from the outputs and fail.
    credentials: pulumi.Output[dict[str, Any] | None]

    def __init__(self, name: str, *, region: pulumi.Input[str], resource_types: Mapping[str, bool],
                 credentials: pulumi.Input[Credentials] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"region": region, TYPES: dict(resource_types), CREDENTIALS: credentials, PREVIOUS: None}
        super().__init__(BackupRegionOptInProvider(), name, props, opts)
