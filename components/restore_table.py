"""`RedshiftTableRestore`: restore one table from a snapshot into its own cluster; delete leaves the table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components import aws
from components.aws import Credentials
from components.dynamic_resource import DynamicResource
from components.provider_records import (
    digest,
    pairs,
    redshift_arn,
    remove_tags,
    set_tags,
    tag_key,
    tag_value,
    tags_of,
)
from components.restore_common import (
    CREDENTIALS,
    Deadline,
    SpecProvider,
    aws_reason,
    changed_keys,
    credentials_changed,
    credentials_of,
    credentials_prop,
    error_code,
    latest_snapshot,
    log,
    state_inputs,
    validate_now,
)
from policies.errors import ProviderError
from policies.restore_table import TableRestoreSpec

INPUT_KEYS = tuple(k for k in TableRestoreSpec.model_fields if k not in ("name", "kind"))
# A restored table is a one-shot copy: any change to what is restored means another restore.
STATE_ONLY_KEYS = ("timeout_minutes",)
OUTPUT_KEYS = ("table_restore_request_id", "resolved_snapshot_identifier", "status", "message",
               "total_data_in_mega_bytes")
FINAL_FAILURES = ("FAILED", "CANCELED")
# Redshift runs one table restore per cluster at a time; another one in progress is worth waiting for.
BUSY = "InProgressTableRestoreQuotaExceededFault"
# Our clock and AWS's may differ: a request made up to this long before our record still counts as ours.
RECORD_CLOCK_SLACK = timedelta(minutes=5)


def record_key(spec: TableRestoreSpec) -> str:
    """The cluster tag that records when this resource started its restore: database, schema and table names
    may be 127 characters each, so the key holds a digest of the target and the value names it."""
    return tag_key("table-restore", digest(_target(spec)))


def started_at(value: str) -> datetime | None:
    """The `started=` time of a record tag value (`started=<ISO 8601> table=<db.schema.table>`)."""
    try:
        return datetime.fromisoformat(pairs(value)["started"])
    except (KeyError, ValueError):
        return None


def _same_restore(request: Mapping[str, Any], spec: TableRestoreSpec) -> bool:
    wanted = {"SourceDatabaseName": spec.source_database_name, "SourceSchemaName": spec.source_schema_name,
              "SourceTableName": spec.source_table_name, "NewTableName": spec.new_table_name,
              "TargetDatabaseName": spec.target_database_name or spec.source_database_name,
              "TargetSchemaName": spec.target_schema_name or spec.source_schema_name}
    return all(request.get(k) == v for k, v in wanted.items())


def _target(spec: TableRestoreSpec) -> str:
    return (f"{spec.target_database_name or spec.source_database_name}."
            f"{spec.target_schema_name or spec.source_schema_name}.{spec.new_table_name}")



class TableRestoreProvider(SpecProvider[TableRestoreSpec]):
    """RestoreTableFromClusterSnapshot, then poll DescribeTableRestoreStatus (there is no waiter)."""

    spec_model = TableRestoreSpec

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, "name": props.get("new_table_name") or "unnamed", "kind": "table"}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_keys(olds, news, INPUT_KEYS)
        return DiffResult(changes=bool(changed) or credentials_changed(olds, news),
                          replaces=[k for k in changed if k not in STATE_ONLY_KEYS])

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.spec(props)
        redshift = aws.client("redshift", spec.region, credentials_of(props))
        # One budget for both waits (for a busy cluster, then for the restore), not timeout_minutes each.
        deadline = self.poller.deadline(spec.timeout_minutes * 60)
        cluster = self._cluster(redshift, spec)
        adopted = self._started_before(redshift, spec, cluster)
        if adopted is not None:
            log(f"table restore {adopted['TableRestoreRequestId']} into {_target(spec)} was started by an "
                "interrupted create of this resource: following it")
            request_id, snapshot = adopted["TableRestoreRequestId"], adopted["SnapshotIdentifier"]
        else:
            request_id, snapshot = self._start(redshift, spec, props, deadline)
        last = {"status": "PENDING"}

        def finished() -> dict[str, Any] | None:
            status = self._status(redshift, spec.cluster_identifier, request_id)
            last["status"] = status.get("Status", "?")
            total = status.get("TotalDataInMegaBytes")
            progress = f", {status.get('ProgressInMegaBytes', 0)} of {total} MB" if total else ""
            log(f"table restore {request_id}: {last['status']}{progress}")
            if last["status"] in FINAL_FAILURES:
                raise ProviderError(
                    f"table restore into {_target(spec)} {last['status']}: "
                    f"{status.get('Message') or 'no reason given'} (a table restore refuses an existing target "
                    "table: choose another new_table_name or drop the table)")
            return status if last["status"] == "SUCCEEDED" else None

        status = self.poller.until(finished, deadline, f"table restore {request_id}", lambda: last["status"])
        return CreateResult(request_id, {**state_inputs(props, INPUT_KEYS), **self._observed(status),
                                         "resolved_snapshot_identifier": snapshot})

    def _cluster(self, redshift: Any, spec: TableRestoreSpec) -> dict[str, Any]:
        try:
            return redshift.describe_clusters(  # type: ignore[no-any-return]
                ClusterIdentifier=spec.cluster_identifier)["Clusters"][0]
        except ClientError as exc:
            raise ProviderError(f"cannot restore a table into cluster {spec.cluster_identifier}: "
                                f"{aws_reason(exc)}") from exc

    def _started_before(self, redshift: Any, spec: TableRestoreSpec,
                        cluster: Mapping[str, Any]) -> dict[str, Any] | None:
        """The restore an interrupted create of this resource started (its record tag on the cluster says when;
        the request is the one of the same source and target made since), or None."""
        started = started_at(tags_of(cluster).get(record_key(spec), ""))
        if started is None:
            return None
        requests = redshift.describe_table_restore_status(ClusterIdentifier=spec.cluster_identifier).get(
            "TableRestoreStatusDetails", [])
        ours = [r for r in requests if _same_restore(r, spec) and isinstance(r.get("RequestTime"), datetime)
                and r["RequestTime"] >= started - RECORD_CLOCK_SLACK]
        return max(ours, key=lambda r: r["RequestTime"]) if ours else None

    def _start(self, redshift: Any, spec: TableRestoreSpec, props: Mapping[str, Any],
               deadline: Deadline) -> tuple[str, str]:
        """Record, then start the restore (waiting while another one runs); returns its request and snapshot."""
        snapshot = spec.snapshot_identifier or latest_snapshot(redshift, spec.cluster_identifier)[
            "SnapshotIdentifier"]
        self._refuse_a_table_being_restored(redshift, spec)
        params: dict[str, Any] = {
            "ClusterIdentifier": spec.cluster_identifier,
            "SnapshotIdentifier": snapshot,
            "SourceDatabaseName": spec.source_database_name,
            "SourceSchemaName": spec.source_schema_name,
            "SourceTableName": spec.source_table_name,
            "TargetDatabaseName": spec.target_database_name or spec.source_database_name,
            "TargetSchemaName": spec.target_schema_name or spec.source_schema_name,
            "NewTableName": spec.new_table_name,
            "EnableCaseSensitiveIdentifier": spec.enable_case_sensitive_identifier,
        }
        log(f"restoring table {spec.source_table_name} from snapshot {snapshot} into {_target(spec)} "
            f"on cluster {spec.cluster_identifier}")

        def start() -> dict[str, Any] | None:
            try:
                return redshift.restore_table_from_cluster_snapshot(**params)[  # type: ignore[no-any-return]
                    "TableRestoreStatus"]
            except ClientError as exc:
                if error_code(exc) == BUSY:
                    log(f"another table restore is running on {spec.cluster_identifier}; waiting for it")
                    return None
                raise ProviderError(f"table restore into {_target(spec)} refused: {aws_reason(exc)}") from exc

        # Before the request: a re-run after an interruption finds the request made since, instead of
        # starting a second restore that would fail on the table the first one made.
        set_tags(redshift, self._arn(redshift, spec, props), {
            record_key(spec): tag_value(f"started={datetime.now(UTC).isoformat(timespec='seconds')} "
                                        f"table={_target(spec)}")})
        started = self.poller.until(start, deadline, f"start of the table restore into {_target(spec)}")
        return str(started["TableRestoreRequestId"]), str(snapshot)

    def _arn(self, redshift: Any, spec: TableRestoreSpec, props: Mapping[str, Any]) -> str:
        return redshift_arn(credentials_of(props), redshift.meta.region_name, "cluster", spec.cluster_identifier)

    def _refuse_a_table_being_restored(self, redshift: Any, spec: TableRestoreSpec) -> None:
        """A restore of the same target still in flight that is not this resource's is refused."""
        for status in redshift.describe_table_restore_status(ClusterIdentifier=spec.cluster_identifier).get(
                "TableRestoreStatusDetails", []):
            same = (status.get("NewTableName") == spec.new_table_name
                    and status.get("TargetDatabaseName") == (spec.target_database_name or spec.source_database_name)
                    and status.get("TargetSchemaName") == (spec.target_schema_name or spec.source_schema_name))
            if same and status.get("Status") in ("PENDING", "IN_PROGRESS"):
                raise ProviderError(f"table {_target(spec)} is already being restored (request "
                                    f"{status['TableRestoreRequestId']}, {status['Status']}); wait for it to end")

    def _status(self, redshift: Any, cluster: str, request_id: str) -> dict[str, Any]:
        details = redshift.describe_table_restore_status(ClusterIdentifier=cluster,
                                                         TableRestoreRequestId=request_id)
        found = details.get("TableRestoreStatusDetails", [])
        if not found:
            raise ProviderError(f"table restore request {request_id} is unknown to cluster {cluster}")
        return found[0]  # type: ignore[no-any-return]

    def _observed(self, status: Mapping[str, Any]) -> dict[str, Any]:
        return {"table_restore_request_id": status["TableRestoreRequestId"], "status": status.get("Status"),
                "message": status.get("Message"), "total_data_in_mega_bytes": status.get("TotalDataInMegaBytes")}

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        try:
            status = self._status(redshift, str(props.get("cluster_identifier")), id_)
        except ClientError as exc:
            if error_code(exc) == "ClusterNotFound":
                return ReadResult(None, {})
            raise
        except ProviderError:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, **self._observed(status)})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only `timeout_minutes` updates in place, and it only matters to a create. The outputs keep no
        # credentials the new inputs dropped: those say who acts from now on.
        kept = {k: v for k, v in olds.items() if k != CREDENTIALS}
        return UpdateResult({**kept, **state_inputs(news, INPUT_KEYS)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # The data is the user's now; dropping a table needs SQL, which this provider does not run.
        database = props.get("target_database_name") or props.get("source_database_name")
        schema = props.get("target_schema_name") or props.get("source_schema_name") or "public"
        log(f"table restore {id_}: the restored table {database}.{schema}.{props.get('new_table_name')} stays "
            "in place; drop it with SQL when you no longer need it")
        spec = self.spec(state_inputs(props, INPUT_KEYS))
        redshift = aws.client("redshift", spec.region, credentials_of(props))
        remove_tags(redshift, self._arn(redshift, spec, props), [record_key(spec)])


class RedshiftTableRestore(DynamicResource, module="redshift-backup", name="RedshiftTableRestore"):
    """One table restored from a snapshot into its cluster; keyword arguments are the stack-config keys.

    `credentials`: who boto3 acts as, as for `RedshiftClusterRestore` (default: the stack's).
    """

    table_restore_request_id: pulumi.Output[str]
    resolved_snapshot_identifier: pulumi.Output[str]
    status: pulumi.Output[str]
    message: pulumi.Output[str | None]
    total_data_in_mega_bytes: pulumi.Output[int | None]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, *,
                 provider: TableRestoreProvider | None = None,
                 credentials: pulumi.Input[Credentials] | None = None, **args: Any) -> None:
        props = {k: v for k, v in {**args, CREDENTIALS: credentials_prop(credentials)}.items()
                 if v is not None and k != "kind"}
        validate_now(TableRestoreSpec, {**props, "name": resource_name, "kind": "table"}, (CREDENTIALS,))
        super().__init__(provider or TableRestoreProvider(), resource_name,
                         {**props, **{k: None for k in OUTPUT_KEYS}}, opts)

    @classmethod
    def from_spec(cls, spec: TableRestoreSpec, opts: pulumi.ResourceOptions | None = None,
                  credentials: pulumi.Input[Credentials] | None = None) -> RedshiftTableRestore:
        return cls(spec.name, opts, credentials=credentials,
                   **spec.model_dump(exclude={"name", "kind"}, exclude_none=True))
