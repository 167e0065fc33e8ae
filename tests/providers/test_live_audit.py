"""`redshift-backup audit` against a moto server on 127.0.0.1, seeded with covered and uncovered, fresh and stale
clusters. moto's missing AWS Backup selections, protected resources and Redshift snapshot schedules come from
tests/support (moto's own backend and response classes, extended)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner
from moto.redshift.models import redshift_backends

from redshift_backup.audit import Scanner, run_audit
from redshift_backup.cli import main
from tests.providers.conftest import REGION, seed_cluster
from tests.support import moto_backup_audit, moto_redshift_schedules

# Installed at import, before the session's moto server answers its first request.
moto_backup_audit.install()
moto_redshift_schedules.install()

ACCOUNT = "123456789012"
# Ages are measured from the real clock: moto stamps each new cluster's automated snapshot with it.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
STACK = """
config:
  aws:region: us-east-1
  redshift-backup:policies:
    - name: gold
      selection:
        clusters: [fresh, stale, drifted, ghost]
        conditions:
          string_equals:
            - key: tier
              value: gold
      backup:
        rules:
          - name: twice-daily
            schedule: cron(0 0,12 * * ? *)
            start_window_minutes: 60
            completion_window_minutes: 240
            delete_after_days: 35
            copy_actions:
              - destination_region: us-west-2
        vault:
          name: gold-vault
          lock:
            mode: governance
            min_retention_days: 7
            max_retention_days: 400
      snapshots:
        schedule: ["cron(0 0,12 *)"]
        automated_snapshot_retention_days: 7
        cross_region_copy:
          destination_region: us-west-2
"""


def arn(cluster: str) -> str:
    return f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{cluster}"


def _snapshot(client: Any, cluster: str, name: str, created: datetime) -> None:
    client.create_cluster_snapshot(ClusterIdentifier=cluster, SnapshotIdentifier=name)
    # moto stamps snapshots (also the automated one of a new cluster) with the current time; old snapshots are how
    # a stale cluster looks.
    for snapshot in redshift_backends[ACCOUNT][REGION].snapshots.values():
        if snapshot.cluster_identifier == cluster:
            snapshot.create_time = created


@pytest.fixture
def account(redshift: Any) -> dict[str, Any]:
    """fresh (all promised), stale (3-day-old backups), drifted (retention 1, no copy, no schedule, recent backup),
    tagged (AWS Backup by tag only), stray (nobody's)."""
    backup = boto3.client("backup", region_name=REGION)
    for name in ("fresh", "stale", "drifted", "stray"):
        seed_cluster(redshift, name)
    seed_cluster(redshift, "tagged", Tags=[{"Key": "tier", "Value": "gold"}])
    redshift.create_snapshot_schedule(ScheduleIdentifier="gold-snapshot-schedule",
                                      ScheduleDefinitions=["cron(0 0,12 *)"])
    for name in ("fresh", "stale"):
        redshift.modify_cluster(ClusterIdentifier=name, AutomatedSnapshotRetentionPeriod=7)
        redshift.enable_snapshot_copy(ClusterIdentifier=name, DestinationRegion="us-west-2", RetentionPeriod=7)
        redshift.modify_cluster_snapshot_schedule(ClusterIdentifier=name, ScheduleIdentifier="gold-snapshot-schedule")
    _snapshot(redshift, "fresh", "fresh-1", NOW - timedelta(hours=2))
    _snapshot(redshift, "stale", "stale-1", NOW - timedelta(days=3))
    _snapshot(redshift, "drifted", "drifted-1", NOW - timedelta(hours=1))

    backup.create_backup_vault(BackupVaultName="gold-vault")
    backup.put_backup_vault_lock_configuration(BackupVaultName="gold-vault", MinRetentionDays=7, MaxRetentionDays=400)
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "gold", "Rules": [{
        "RuleName": "twice-daily", "TargetBackupVaultName": "gold-vault", "ScheduleExpression": "cron(0 0,12 * * ? *)",
        "StartWindowMinutes": 60, "Lifecycle": {"DeleteAfterDays": 35},
        "CopyActions": [{"DestinationBackupVaultArn": f"arn:aws:backup:us-west-2:{ACCOUNT}:backup-vault:gold-vault",
                         "Lifecycle": {"DeleteAfterDays": 35}}]}]})
    role = f"arn:aws:iam::{ACCOUNT}:role/gold-backup"
    backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
        "SelectionName": "gold-clusters", "IamRoleArn": role, "Resources": [arn("fresh"), arn("stale"), arn("drifted")]})
    backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
        "SelectionName": "gold-tagged", "IamRoleArn": role, "Resources": [arn("*")],
        "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "gold"}]}})
    for name, age in (("fresh", timedelta(hours=3)), ("stale", timedelta(days=3)), ("drifted", timedelta(hours=1)),
                      ("tagged", timedelta(hours=4))):
        moto_backup_audit.seed_recovery_point(ACCOUNT, REGION, "gold-vault", arn(name), NOW - age)
    return {"plan_id": plan["BackupPlanId"]}


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.gold.yaml"
    path.write_text(STACK, encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["audit", *args, "--no-serverless", "--now", NOW.isoformat()])


def test_audit_finds_the_uncovered_and_the_stale_cluster(account: dict[str, Any], stack_file: Path) -> None:
    result = invoke(str(stack_file), "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    gaps = {r["identifier"]: sorted(g["kind"] for g in r["gaps"]) for r in document["resources"]}
    assert gaps == {
        "fresh": [],
        "stale": ["stale"],
        "drifted": ["copy_missing", "retention", "schedule"],
        "tagged": [],
        "stray": ["uncovered"],
    }
    by_id = {r["identifier"]: r for r in document["resources"]}
    assert by_id["fresh"]["backup_selections"] == ["gold/gold-clusters"]
    assert by_id["fresh"]["locked_vaults"] == ["gold-vault"]
    assert by_id["fresh"]["snapshot_schedule"] == ["cron(0 0,12 *)"]
    assert by_id["fresh"]["promised_rpo_minutes"] == 720
    assert by_id["tagged"]["backup_selections"] == ["gold/gold-tagged"]
    assert by_id["tagged"]["policies"] == ["gold"]
    assert by_id["stray"]["policies"] == [] and by_id["stray"]["backup_selections"] == []
    (stale,) = by_id["stale"]["gaps"]
    assert stale["level"] == "high"
    assert stale["message"] == ("cluster stale: the newest recovery point or snapshot is 3 days old; the stack promises "
                                "an RPO of 12 hours (plus a start window of 1 hour)")
    assert document["missing_clusters"] == ["ghost"]
    assert document["gap_counts"] == {"high": 3, "medium": 2, "info": 0}
    assert document["account"] == ACCOUNT and document["fails"] is True


def test_text_and_markdown_and_the_fail_on_threshold(account: dict[str, Any], stack_file: Path) -> None:
    text = invoke(str(stack_file))
    assert text.exit_code == 1
    assert "[OK] cluster fresh" in text.output
    assert "[HIGH] cluster stray" in text.output
    assert "gap (high, uncovered): cluster stray is covered by no policy of this stack" in text.output
    assert "warning: the stack names cluster ghost, which does not exist in this account and region" in text.output
    assert text.output.rstrip().endswith("FAIL (--fail-on high): 3 high, 2 medium, 0 info gaps in 5 resources")
    markdown = invoke(str(stack_file), "--format", "markdown", "--fail-on", "never")
    assert markdown.exit_code == 0
    assert "| cluster `stale` | gold | gold/gold-clusters |" in markdown.output


def test_an_account_that_keeps_every_promise_passes(account: dict[str, Any], stack_file: Path, redshift: Any) -> None:
    redshift.delete_cluster(ClusterIdentifier="stray", SkipFinalClusterSnapshot=True)
    redshift.delete_cluster(ClusterIdentifier="drifted", SkipFinalClusterSnapshot=True)
    moto_backup_audit.seed_recovery_point(ACCOUNT, REGION, "gold-vault", arn("stale"), NOW - timedelta(hours=5))
    result = invoke(str(stack_file), "--fail-on", "medium")
    assert result.exit_code == 0, result.output
    assert "PASS (--fail-on medium): 0 high, 0 medium, 0 info gaps in 3 resources" in result.output


def test_the_scanner_pages_through_many_clusters_with_bounded_workers(aws_env: str, redshift: Any) -> None:
    for i in range(25):
        seed_cluster(redshift, f"many-{i:02d}")
    ticks: dict[str, int] = {}

    def progress(label: str, total: int) -> Any:
        ticks[label] = 0

        def tick() -> None:
            ticks[label] += 1

        return tick

    scanner = Scanner(REGION, concurrency=3, serverless=False, progress=progress)
    # Throttling is retried by botocore itself, with client-side rate limiting (components/aws.py).
    assert {c.meta.config.retries["mode"] for c in (scanner.redshift, scanner.backup)} == {"adaptive"}
    scan = scanner.scan()
    assert sorted(f.identifier for f in scan.facts) == [f"many-{i:02d}" for i in range(25)]
    assert ticks["newest snapshot per cluster"] == 25
    from policies.validation import validate_config

    report = run_audit(validate_config({"policies": []}, REGION), scan, NOW)
    assert {g.kind for r in report.resources for g in r.gaps} == {"uncovered"}


def test_errors_are_clear_messages_with_their_exit_codes(aws_env: str, stack_file: Path, tmp_path: Path) -> None:
    missing_profile = invoke(str(stack_file), "--profile", "no-such-profile")
    assert missing_profile.exit_code == 3
    assert missing_profile.output.startswith(
        "Error: the scan of us-east-1 failed: cannot use AWS profile 'no-such-profile'")
    assert "Traceback" not in missing_profile.output
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  aws:region: us-east-1\n  redshift-backup:policies: [{name: X}]\n", encoding="utf-8")
    invalid = invoke(str(broken))
    assert invalid.exit_code == 1 and "policies[0].name" in invalid.output
    roles = tmp_path / "Pulumi.roles.yaml"
    roles.write_text(STACK.replace("  aws:region: us-east-1\n", "  aws:region: us-east-1\n  aws:assumeRoles: [oops]\n"),
                     encoding="utf-8")
    bad_roles = invoke(str(roles))
    assert bad_roles.exit_code == 1 and "aws:assumeRoles[0]: expected an object with a roleArn" in bad_roles.output


NAMESPACE_ARN = f"arn:aws:redshift-serverless:{REGION}:{ACCOUNT}:namespace/3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


def _stubbed_serverless(scanner: Scanner) -> Stubber:
    # moto has no Redshift Serverless: its two calls are stubbed (botocore validates them against the model).
    client = boto3.client("redshift-serverless", region_name=REGION)
    stubber = Stubber(client)
    scanner.serverless_client = client
    return stubber


def test_serverless_namespaces_are_scanned_with_their_tags_and_recovery_points(account: dict[str, Any]) -> None:
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_selection(BackupPlanId=account["plan_id"], BackupSelection={
        "SelectionName": "gold-namespaces", "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/gold-backup",
        "Resources": [NAMESPACE_ARN]})
    moto_backup_audit.seed_recovery_point(ACCOUNT, REGION, "gold-vault", NAMESPACE_ARN, NOW - timedelta(hours=2),
                                          resource_type="Redshift Serverless")
    scanner = Scanner(REGION, serverless=True)
    stubber = _stubbed_serverless(scanner)
    stubber.add_response("list_namespaces", {"namespaces": [
        {"namespaceArn": NAMESPACE_ARN, "namespaceName": "warehouse", "namespaceId": "3f8e2a4c"}]})
    stubber.add_response("list_tags_for_resource", {"tags": [{"key": "tier", "value": "gold"}]},
                         {"resourceArn": NAMESPACE_ARN})
    with stubber:
        scan = scanner.scan()
    (namespace,) = [f for f in scan.facts if f.kind == "namespace"]
    assert (namespace.identifier, dict(namespace.tags)) == ("warehouse", {"tier": "gold"})
    assert namespace.backup_selections == ("gold/gold-namespaces",)
    assert namespace.newest_recovery_point == NOW - timedelta(hours=2)
    stubber.assert_no_pending_responses()


def test_a_region_without_serverless_is_a_warning_not_a_failure(account: dict[str, Any]) -> None:
    scanner = Scanner(REGION, serverless=True)
    stubber = _stubbed_serverless(scanner)
    stubber.add_client_error("list_namespaces", "AccessDeniedException", "not authorized")
    with stubber:
        scan = scanner.scan()
    assert not [f for f in scan.facts if f.kind == "namespace"]
    (warning,) = scan.warnings
    assert warning.startswith("Redshift Serverless namespaces were not scanned (ListNamespaces failed: ")
