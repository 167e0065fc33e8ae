"""`redshift-backup audit`: a read-only scan of one account and region against what a stack file promises.

It reads, with the stack's AWS identity (`aws:profile`, `aws:assumeRoles`, as the dynamic providers do through
`components/aws.py`): every Redshift cluster (tags, automated retention, cross-region copy, snapshot schedule, newest
snapshot), every Redshift Serverless namespace, every AWS Backup plan with its selections and vaults, and the newest
recovery point of every protected resource. Then `policies/live_audit.py` says what the stack promises for each and
where the account falls short.

Scale: list calls are paginated; the per-cluster snapshot lookups run in a bounded thread pool (`--concurrency`) on
shared clients whose botocore retries (adaptive mode, components/aws.py) ride out throttling. Progress goes to
standard error (a rich progress bar on a terminal). Nothing is written to the account.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from components.aws import Credentials, assume_role_of, session
from policies.aws_settings import aws_setting_problems
from policies.backup_plan import cluster_arn
from policies.diff_findings import FAIL_ON
from policies.errors import ConfigError, RedshiftBackupError
from policies.live_audit import Facts, ResourceAudit, audit_resources, fails, named_clusters, selection_covers
from policies.validation import Stack, load_stack_file

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_SCAN_FAILED = 3
DEFAULT_CONCURRENCY = 8


class AuditError(RedshiftBackupError):
    """The scan could not read what it needs; the message says which call failed and AWS's reason."""


@dataclass(frozen=True)
class Scan:
    """What one scan found: the resources' facts, the account, and warnings (parts it could not read)."""

    account: str
    region: str
    facts: tuple[Facts, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditReport:
    """The audit of one stack against one scan."""

    stack: str
    region: str
    account: str
    now: datetime
    resources: tuple[ResourceAudit, ...]
    warnings: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())


def stack_credentials_of(config: Mapping[str, Any], profile: str | None = None) -> Credentials:
    """Who to act as, from a stack file's `aws:profile` and `aws:assumeRoles` (as `components/providers.py` reads
    them in a program); `profile` (the --profile option) replaces `aws:profile`."""
    credentials: Credentials = {}
    chosen = profile or config.get("aws:profile")
    if chosen:
        credentials["profile"] = str(chosen)
    entries = config.get("aws:assumeRoles") or []
    # The same rule as `check` and the program (policies/aws_settings.py).
    ConfigError.collect(aws_setting_problems({"assumeRoles": entries}))
    roles = [role for role in map(assume_role_of, entries) if role is not None]
    if roles:
        credentials["assume_roles"] = roles
    return credentials


# --- scanning -----------------------------------------------------------------------------------------------------


Progress = Callable[[str, int], Callable[[], None]]


def _no_progress(_label: str, _total: int) -> Callable[[], None]:
    return lambda: None


def _call(what: str, function: Callable[[], Any]) -> Any:
    try:
        return function()
    except (ClientError, BotoCoreError) as exc:
        raise AuditError(f"cannot {what}: {exc}") from exc


def _pages(client: Any, operation: str, key: str, what: str, **params: Any) -> list[Any]:
    def read() -> list[Any]:
        return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]

    return _call(what, read)  # type: ignore[no-any-return]


def _tags(items: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or () if "Key" in t}


class Scanner:
    """Reads one account and region; clients are made once and shared by the worker threads (boto3 clients are
    thread-safe, sessions are not)."""

    def __init__(self, region: str, credentials: Credentials | None = None, *, concurrency: int = DEFAULT_CONCURRENCY,
                 serverless: bool = True, progress: Progress = _no_progress) -> None:
        from components.aws import retry_config

        boto = _call("open an AWS session", lambda: session(credentials, region))
        self.region = region
        self.concurrency = max(1, concurrency)
        self.serverless = serverless
        self.progress = progress
        self.redshift = boto.client("redshift", region_name=region, config=retry_config())
        self.backup = boto.client("backup", region_name=region, config=retry_config())
        self.sts = boto.client("sts", region_name=region, config=retry_config())
        self.serverless_client = boto.client("redshift-serverless", region_name=region, config=retry_config())

    def _parallel(self, label: str, items: list[Any], work: Callable[[Any], Any]) -> list[Any]:
        tick = self.progress(label, len(items))

        def one(item: Any) -> Any:
            try:
                return work(item)
            finally:
                tick()

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, items))

    def scan(self) -> Scan:
        account = str(_call("identify the account (sts:GetCallerIdentity)",
                            lambda: self.sts.get_caller_identity())["Account"])
        warnings: list[str] = []
        clusters = self._clusters(account)
        namespaces = self._namespaces(warnings) if self.serverless else []
        facts = self._with_backup(clusters + namespaces)
        return Scan(account=account, region=self.region, facts=tuple(facts), warnings=tuple(warnings))

    def _clusters(self, account: str) -> list[Facts]:
        found = _pages(self.redshift, "describe_clusters", "Clusters", "list Redshift clusters (DescribeClusters)")
        schedules: dict[str, tuple[str, ...]] = {}
        for schedule in _pages(self.redshift, "describe_snapshot_schedules", "SnapshotSchedules",
                               "list snapshot schedules (DescribeSnapshotSchedules)"):
            for associated in schedule.get("AssociatedClusters") or []:
                schedules[associated["ClusterIdentifier"]] = tuple(schedule.get("ScheduleDefinitions") or ())
        newest = self._parallel("newest snapshot per cluster", [c["ClusterIdentifier"] for c in found],
                                self._newest_snapshot)
        out = []
        for cluster, snapshot in zip(found, newest, strict=True):
            ident = cluster["ClusterIdentifier"]
            copy = cluster.get("ClusterSnapshotCopyStatus") or {}
            out.append(Facts(
                kind="cluster", identifier=ident,
                arn=cluster_arn(self.region, account, ident),
                tags=_tags(cluster.get("Tags")),
                automated_retention_days=cluster.get("AutomatedSnapshotRetentionPeriod"),
                snapshot_schedule=schedules.get(ident, ()), native_copy_region=copy.get("DestinationRegion"),
                native_copy_retention_days=copy.get("RetentionPeriod"), newest_snapshot=snapshot))
        return out

    def _newest_snapshot(self, identifier: str) -> datetime | None:
        # Newest first: one page of at most 20 (the minimum page size) is enough.
        answer = _call(f"list snapshots of cluster {identifier} (DescribeClusterSnapshots)",
                       lambda: self.redshift.describe_cluster_snapshots(
                           ClusterIdentifier=identifier, MaxRecords=20,
                           SortingEntities=[{"Attribute": "CREATE_TIME", "SortOrder": "DESC"}]))
        times = [s["SnapshotCreateTime"] for s in answer.get("Snapshots", [])
                 if s.get("SnapshotCreateTime") and s.get("Status", "available") == "available"]
        return max(times, default=None)

    def _namespaces(self, warnings: list[str]) -> list[Facts]:
        try:
            found = self.serverless_client.get_paginator("list_namespaces").paginate().build_full_result()
        except (ClientError, BotoCoreError) as exc:
            warnings.append(f"Redshift Serverless namespaces were not scanned (ListNamespaces failed: {exc}); "
                            "run with --no-serverless where the service is not used")
            return []
        out = []
        for namespace in found.get("namespaces", []):
            arn = namespace["namespaceArn"]
            tags = _call(f"read the tags of namespace {arn}",
                         partial(self.serverless_client.list_tags_for_resource, resourceArn=arn))
            out.append(Facts(kind="namespace", identifier=namespace.get("namespaceName") or arn, arn=arn,
                             tags={t["key"]: t["value"] for t in tags.get("tags", [])}))
        return out

    def _with_backup(self, facts: list[Facts]) -> list[Facts]:
        plans = _pages(self.backup, "list_backup_plans", "BackupPlansList", "list AWS Backup plans (ListBackupPlans)")
        details = self._parallel("backup plans and selections", plans, self._plan)
        vault_names = sorted({r["TargetBackupVaultName"] for plan, _ in details for r in plan["Rules"]})
        locked = {name for name, lock in zip(vault_names, self._parallel("vault locks", vault_names, self._locked),
                                             strict=True) if lock}
        protected = {p["ResourceArn"]: p.get("LastBackupTime") for p in _pages(
            self.backup, "list_protected_resources", "Results", "list protected resources (ListProtectedResources)")}
        out = []
        for item in facts:
            selections: list[str] = []
            vaults: set[str] = set()
            copies: set[str] = set()
            retention: list[int] = []
            for plan, plan_selections in details:
                covering = [s for s in plan_selections if selection_covers(s["BackupSelection"], item.arn, item.tags)]
                if not covering:
                    continue
                selections += [f"{plan['BackupPlanName']}/{s['BackupSelection']['SelectionName']}" for s in covering]
                for rule in plan["Rules"]:
                    vaults.add(rule["TargetBackupVaultName"])
                    days = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
                    if days:
                        retention.append(days)
                    for action in rule.get("CopyActions") or []:
                        region = action["DestinationBackupVaultArn"].split(":")[3]
                        if region != self.region:
                            copies.add(region)
            out.append(replace(
                item, backup_selections=tuple(sorted(selections)), backup_vaults=tuple(sorted(vaults)),
                locked_vaults=tuple(sorted(vaults & locked)), backup_copy_regions=tuple(sorted(copies)),
                shortest_backup_retention_days=min(retention) if retention else None,
                newest_recovery_point=protected.get(item.arn)))
        return out

    def _plan(self, summary: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        plan_id = summary["BackupPlanId"]
        plan = _call(f"read backup plan {plan_id} (GetBackupPlan)",
                     lambda: self.backup.get_backup_plan(BackupPlanId=plan_id))["BackupPlan"]
        listed = _pages(self.backup, "list_backup_selections", "BackupSelectionsList",
                        f"list the selections of backup plan {plan_id}", BackupPlanId=plan_id)
        selections = [_call(f"read backup selection {s['SelectionId']}",
                            partial(self.backup.get_backup_selection, BackupPlanId=plan_id,
                                    SelectionId=s["SelectionId"]))
                      for s in listed]
        return plan, selections

    def _locked(self, vault_name: str) -> bool:
        try:
            return bool(self.backup.describe_backup_vault(BackupVaultName=vault_name).get("Locked"))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("ResourceNotFoundException", "AccessDeniedException"):
                return False
            raise AuditError(f"cannot read backup vault {vault_name}: {exc}") from exc


def run_audit(stack: Stack, scan: Scan, now: datetime) -> AuditReport:
    """The report of `stack` against `scan`: every resource's promise and gaps, and named clusters not found."""
    resources = audit_resources(stack.policies, scan.facts, stack.region, now)
    found = {f.identifier for f in scan.facts if f.kind == "cluster"}
    missing = tuple(c for c in named_clusters(stack.policies) if c not in found)
    return AuditReport(stack=stack.name or stack.source or "stack", region=scan.region, account=scan.account,
                       now=now, resources=resources, warnings=scan.warnings, missing=missing)


# --- the command --------------------------------------------------------------------------------------------------


def _progress_factory() -> tuple[Progress, Callable[[], None]]:
    """A rich progress bar on standard error when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return _no_progress, lambda: None
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    bar = RichProgress(console=Console(stderr=True), transient=True)
    bar.start()

    def task(label: str, total: int) -> Callable[[], None]:
        ident = bar.add_task(label, total=total)
        return lambda: bar.advance(ident)

    return task, bar.stop


@click.command("audit")
@click.argument("stack_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="The region to scan (default: the stack's aws:region).")
@click.option("--profile", help="AWS profile to use instead of the stack's aws:profile (aws:assumeRoles still apply).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text: for a terminal; markdown: a report or PR comment; json: stable, for other tools.")
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="high", show_default=True,
              help="Exit 1 when a gap is at this level or above.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=DEFAULT_CONCURRENCY, show_default=True,
              help="Parallel per-cluster AWS calls.")
@click.option("--serverless/--no-serverless", default=True, show_default=True,
              help="Also scan Redshift Serverless namespaces.")
@click.option("--now", "now_text", metavar="ISO8601", help="The time ages are measured at (default: now).")
def audit_command(stack_file: Path, region: str | None, profile: str | None, fmt: str, fail_on: str,
                  concurrency: int, serverless: bool, now_text: str | None) -> None:
    """Scan a live account and region (read-only) and show where it falls short of what STACK_FILE promises.

    For every Redshift cluster and Serverless namespace: the AWS Backup plans and selections that cover it, its
    native snapshot schedule, retention and copy, the age of its newest recovery point and snapshot against the
    promised RPO, its vault lock; then the gaps. Exit 0; 1 when a gap reaches --fail-on or the stack file is
    invalid; 2 on a usage error; 3 when the scan fails (credentials, permissions, throttling beyond retries).
    """
    from redshift_backup import audit_render
    from redshift_backup.cli import parse_now
    from redshift_backup.plan import stack_file_config

    now = parse_now(None, None, now_text)
    try:
        stack = load_stack_file(stack_file)
        credentials = stack_credentials_of(stack_file_config(stack_file), profile)
    except ConfigError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_FINDINGS)
    progress, done = _progress_factory()
    try:
        scan = Scanner(region or stack.region, credentials, concurrency=concurrency, serverless=serverless,
                       progress=progress).scan()
    except RedshiftBackupError as exc:
        done()
        click.echo(f"Error: the scan of {region or stack.region} failed: {exc}", err=True)
        sys.exit(EXIT_SCAN_FAILED)
    done()
    report = run_audit(replace(stack, name=stack.name or stack_file.stem), scan, now)
    click.echo(audit_render.render(report, fmt, fail_on), nl=False)
    if fails(report.resources, fail_on):
        sys.exit(EXIT_FINDINGS)
