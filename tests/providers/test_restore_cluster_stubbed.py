"""Cluster restore paths moto lacks, with botocore Stubber: node configuration options, recovery points, resize."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from components.restore_cluster import ClusterRestoreProvider
from components.restore_recovery_point import restore_job_token
from policies.errors import ProviderError
from policies.restores import OWNERSHIP_TAG
from tests.providers.restore_support import (  # noqa: F401
    ClientHooks,
    FakeClock,
    FakeSsm,
    client_hooks_fixture,
    fast_poller,
    stderr_log_fixture,
    stubbed_client,
)

ACCOUNT = "123456789012"
ARN = f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:drill"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/restore"
OWNER = "p/s/drill"
# Real recovery point ARNs: the part that tells two nights apart comes last, well past 100 characters.
POINT_OLD = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:analytics-prod/awsbackup:job-0b6f3c1e-9a4d-4c59-b7e1-5d0e6f7a8b01"
POINT_NEW = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:analytics-prod/awsbackup:job-0b6f3c1e-9a4d-4c59-b7e1-5d0e6f7a8b02"
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
ANSWERED_NOW = {"HTTPHeaders": {"date": "Sun, 22 Nov 2026 03:00:00 GMT"}}


class Stubs:
    """One stubbed client per service, handed to the provider through `components.aws.client`."""

    def __init__(self, hooks: ClientHooks) -> None:
        self.stubbers: dict[str, Stubber] = {}
        for service in ("redshift", "backup", "sts"):
            self.stubbers[service] = Stubber(stubbed_client(hooks, service))
            self.stubbers[service].activate()
        self.ssm = FakeSsm()
        hooks.replace["ssm"] = self.ssm

    def __getattr__(self, service: str) -> Stubber:
        return self.stubbers[service]

    def not_found(self, identifier: str) -> None:
        self.redshift.add_client_error("describe_clusters", "ClusterNotFound", f"Cluster {identifier} not found.",
                                       404, expected_params={"ClusterIdentifier": identifier})

    def account(self) -> None:
        self.sts.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": ROLE, "UserId": "u"}, {})

    def cluster(self, status: str, restore: str | None = "completed", **extra: Any) -> None:
        cluster = {"ClusterIdentifier": "drill", "ClusterStatus": status, "NodeType": "ra3.4xlarge",
                   "NumberOfNodes": 2, **extra}
        if restore:
            cluster["RestoreStatus"] = {"Status": restore}
        self.redshift.add_response("describe_clusters", {"Clusters": [cluster]}, {"ClusterIdentifier": "drill"})

    def tagged(self, **tags: str) -> None:
        self.redshift.add_response("create_tags", {}, {"ResourceName": ARN, "Tags": [
            {"Key": k, "Value": v} for k, v in {OWNERSHIP_TAG: OWNER, **tags}.items()]})

    def done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()
        assert self.ssm.parameters == {}  # no record of a restore under way is left behind


@pytest.fixture
def stubs(client_hooks: ClientHooks) -> Iterator[Stubs]:
    yield Stubs(client_hooks)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> ClusterRestoreProvider:
    return ClusterRestoreProvider(fast_poller(clock))


def props(**extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": "drill", "ownership_tag_value": OWNER,
            "source": {"snapshot_identifier": "nightly"}, **extra}


def snapshot_then_options(stubs: Stubs, options: list[tuple[str, int]]) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.redshift.add_response("describe_cluster_snapshots", {"Snapshots": [{
        "SnapshotIdentifier": "nightly", "ClusterIdentifier": "analytics-prod", "NodeType": "ra3.xlplus",
        "NumberOfNodes": 2, "Status": "available"}]}, {"SnapshotIdentifier": "nightly"})
    stubs.not_found("analytics-prod")
    stubs.redshift.add_response(
        "describe_node_configuration_options",
        {"NodeConfigurationOptionList": [{"NodeType": t, "NumberOfNodes": n} for t, n in options]},
        {"ActionType": "restore-cluster", "SnapshotIdentifier": "nightly"})


def test_node_type_and_count_are_checked_against_the_restore_options(provider: ClusterRestoreProvider,
                                                                     stubs: Stubs) -> None:
    snapshot_then_options(stubs, [("ra3.xlplus", 2), ("ra3.xlplus", 4), ("ra3.4xlarge", 2)])
    with pytest.raises(ProviderError) as info:
        provider.create(props(node_type="ra3.4xlarge", number_of_nodes=3))
    assert str(info.value) == ("node type ra3.4xlarge x 3 cannot restore this snapshot; valid options: "
                               "ra3.4xlarge x 2, ra3.xlplus x 2, ra3.xlplus x 4")
    stubs.done()  # and no restore was attempted


def test_a_valid_node_configuration_restores_and_waits(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    snapshot_then_options(stubs, [("ra3.xlplus", 2), ("ra3.4xlarge", 2)])
    stubs.redshift.add_response("restore_from_cluster_snapshot", {"Cluster": {"ClusterIdentifier": "drill"}}, {
        "ClusterIdentifier": "drill", "SnapshotIdentifier": "nightly", "NodeType": "ra3.4xlarge",
        "NumberOfNodes": 2, "Port": 5439, "PubliclyAccessible": False})
    stubs.tagged()
    stubs.cluster("creating", "restoring")
    stubs.cluster("available", "completed", Endpoint={"Address": "drill.x", "Port": 5439})
    outs = provider.create(props(node_type="ra3.4xlarge", number_of_nodes=2, port=5439)).outs or {}
    assert outs["actual_node_type"] == "ra3.4xlarge" and outs["value_sources"]["node_type"] == "input"
    stubs.done()


def test_an_ra3_port_outside_its_ranges_is_refused_once_the_node_type_is_known(
        provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.redshift.add_response("describe_cluster_snapshots", {"Snapshots": [{
        "SnapshotIdentifier": "nightly", "ClusterIdentifier": "analytics-prod", "NodeType": "ra3.xlplus",
        "NumberOfNodes": 2, "Status": "available"}]}, {"SnapshotIdentifier": "nightly"})
    stubs.not_found("analytics-prod")
    with pytest.raises(ProviderError, match=r"port 6000: RA3 clusters listen on 5431-5455 or 8191-8215 "
                                            r"\(node type ra3.xlplus\)"):
        provider.create(props(port=6000))
    stubs.done()


def snapshot_restore_started(stubs: Stubs) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.redshift.add_response("describe_cluster_snapshots", {"Snapshots": [{
        "SnapshotIdentifier": "nightly", "ClusterIdentifier": "analytics-prod", "Status": "available"}]},
        {"SnapshotIdentifier": "nightly"})
    stubs.not_found("analytics-prod")
    stubs.redshift.add_response("restore_from_cluster_snapshot", {"Cluster": {"ClusterIdentifier": "drill"}},
                                {"ClusterIdentifier": "drill", "SnapshotIdentifier": "nightly",
                                 "PubliclyAccessible": False})
    stubs.tagged()
    stubs.cluster("incompatible-restore", "failed")
    stubs.redshift.add_response("delete_cluster", {"Cluster": {"ClusterIdentifier": "drill"}},
                                {"ClusterIdentifier": "drill", "SkipFinalClusterSnapshot": True})


def test_a_failed_create_reports_once_its_half_made_cluster_is_gone(provider: ClusterRestoreProvider,
                                                                     stubs: Stubs) -> None:
    # Reported only once gone: an immediate re-run must not find (and adopt) a cluster that is being deleted.
    snapshot_restore_started(stubs)
    stubs.cluster("deleting", None)
    stubs.cluster("deleting", None)
    stubs.not_found("drill")
    with pytest.raises(ProviderError, match="; the half-made cluster drill was deleted$"):
        provider.create(props())
    stubs.done()


def test_a_half_made_cluster_that_does_not_go_is_reported(provider: ClusterRestoreProvider, stubs: Stubs,
                                                          clock: FakeClock) -> None:
    snapshot_restore_started(stubs)
    for _ in range(33):  # 10, 20, 40, then every 60 s: 33 looks in 30 minutes
        stubs.cluster("deleting", None)
    start = clock.now
    with pytest.raises(ProviderError) as info:
        provider.create(props())
    assert str(info.value).endswith("the half-made cluster drill is being deleted but was not gone after 30 "
                                    "minutes (the next `pulumi up` waits for it)")
    assert clock.now - start == 30 * 60  # a bound of its own: the create's timeout may be used up
    stubs.done()


# ---- recovery points -----------------------------------------------------------------------------------------

RECOVERY_SOURCE = {"latest_recovery_point_of": "analytics-prod", "backup_vault_name": "prod-vault",
                   "backup_iam_role_arn": ROLE}
# What GetRecoveryPointRestoreMetadata might return (its Redshift keys are unverified): the backup's own shape,
# and the production cluster's environment.
BACKUP_METADATA = {"ClusterIdentifier": "analytics-prod", "NodeType": "ra3.xlplus", "NumberOfNodes": "2",
                   "Port": "5439", "ManageMasterPassword": "true", "AvailabilityZone": "us-east-1c",
                   "KmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/prod", "MultiAZ": "true",
                   "ElasticIp": "203.0.113.7", "ClusterSubnetGroupName": "prod-subnets",
                   "HsmConfigurationIdentifier": "prod-hsm"}
# The job's Metadata: the allowed keys of the backup's, then every value the restore chose, as strings.
JOB_METADATA = {"ClusterIdentifier": "drill", "NodeType": "ra3.xlplus", "NumberOfNodes": "2", "Port": "5439",
                "ManageMasterPassword": "true", "ClusterParameterGroupName": "tuned",
                "ClusterSubnetGroupName": "prod-subnets",
                "VpcSecurityGroupIds": '["sg-1"]', "IamRoles": f'["{ROLE}"]', "PubliclyAccessible": "false"}


def job(status: str, job_id: str = "job-1", created: datetime = NOW, **extra: Any) -> dict[str, Any]:
    return {"RestoreJobId": job_id, "Status": status, "CreationDate": created, **extra}


def start_job(stubs: Stubs, described: dict[str, Any], generation: int = 0, point: str = POINT_NEW,
              metadata: Any = ANY) -> None:
    stubs.backup.add_response("start_restore_job", {"RestoreJobId": described["RestoreJobId"],
                                                    "ResponseMetadata": ANSWERED_NOW}, {
        "RecoveryPointArn": point, "IamRoleArn": ROLE, "ResourceType": "Redshift", "Metadata": metadata,
        "IdempotencyToken": restore_job_token(OWNER, point, "drill", generation)})
    stubs.backup.add_response("describe_restore_job", described, {"RestoreJobId": described["RestoreJobId"]})


def poll_job(stubs: Stubs, described: dict[str, Any], cluster: str | None = "absent") -> None:
    """One look while the job runs: the cluster (until it is tagged; None: not looked up), then the job."""
    if cluster == "absent":
        stubs.not_found("drill")
    elif cluster == "appears":
        stubs.cluster("creating", "restoring")
        stubs.tagged()
    stubs.backup.add_response("describe_restore_job", described, {"RestoreJobId": described["RestoreJobId"]})


def job_completes(stubs: Stubs) -> None:
    """The job's last look (its cluster not seen while it ran), then the cluster tagged and available."""
    poll_job(stubs, job("COMPLETED", CreatedResourceArn=ARN))
    stubs.tagged()
    stubs.cluster("available")


def latest_point_lookup(stubs: Stubs, *, node_options: list[tuple[str, int]] | None = None) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.backup.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": [
        {"RecoveryPointArn": POINT_OLD, "Status": "COMPLETED", "CreationDate": datetime(2026, 11, 20, tzinfo=UTC)},
        {"RecoveryPointArn": POINT_NEW, "Status": "COMPLETED", "CreationDate": datetime(2026, 11, 21, tzinfo=UTC)},
        {"RecoveryPointArn": POINT_NEW + "x", "Status": "PARTIAL",
         "CreationDate": datetime(2026, 11, 22, tzinfo=UTC)},
    ]}, {"BackupVaultName": "prod-vault",
         "ByResourceArn": f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:analytics-prod"})
    stubs.redshift.add_response("describe_clusters", {"Clusters": [{
        "ClusterIdentifier": "analytics-prod", "ClusterParameterGroups": [{"ParameterGroupName": "tuned"}],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}], "IamRoles": [{"IamRoleArn": ROLE}],
        "ClusterSubnetGroupName": "prod-subnets",
    }]}, {"ClusterIdentifier": "analytics-prod"})
    stubs.backup.add_response("get_recovery_point_restore_metadata", {"RestoreMetadata": BACKUP_METADATA},
                              {"BackupVaultName": "prod-vault", "RecoveryPointArn": POINT_NEW})
    if node_options is not None:
        stubs.redshift.add_response(
            "describe_node_configuration_options",
            {"NodeConfigurationOptionList": [{"NodeType": t, "NumberOfNodes": n} for t, n in node_options]},
            {"ActionType": "restore-cluster", "SnapshotArn": POINT_NEW})


def test_latest_recovery_point_restores_through_aws_backup(provider: ClusterRestoreProvider, stubs: Stubs,
                                                           capsys: pytest.CaptureFixture[str],
                                                           stderr_log: None) -> None:
    latest_point_lookup(stubs)
    # The whole ARN counts in the token (a 64-character hash, not a prefix that two nights' ARNs share), and the
    # job's Metadata is the allowed part of the backup's plus what this restore chose.
    token = restore_job_token(OWNER, POINT_NEW, "drill", 0)
    assert len(token) == 64
    start_job(stubs, job("PENDING"), metadata=JOB_METADATA)
    poll_job(stubs, job("RUNNING", PercentDone="10.00%"))
    # The cluster is tagged the moment it is seen, not when the job ends.
    poll_job(stubs, job("RUNNING", PercentDone="40.00%"), cluster="appears")
    poll_job(stubs, job("COMPLETED", CreatedResourceArn=ARN), cluster=None)
    stubs.cluster("available")
    outs = provider.create(props(source=RECOVERY_SOURCE)).outs or {}
    assert outs["resolved_recovery_point_arn"] == POINT_NEW
    assert outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["cluster_parameter_group_name"] == "source cluster analytics-prod"
    stubs.done()
    err = capsys.readouterr().err
    assert ("recovery point metadata not forwarded: ElasticIp, HsmConfigurationIdentifier, MultiAZ (a restore to "
            "a new location does not support Multi-AZ, HSM or an Elastic IP)") in err
    assert ("recovery point metadata not forwarded: AvailabilityZone, KmsKeyId (they name the backed-up cluster's "
            "own environment; set the matching input to choose a value)") in err
    assert "203.0.113.7" not in err and "us-east-1c" not in err  # names only: Metadata is sensitive


def test_a_recovery_point_restore_and_its_update_act_as_the_credentials(provider: ClusterRestoreProvider,
                                                                        stubs: Stubs,
                                                                        client_hooks: ClientHooks) -> None:
    # Every client of a create (sts, backup for the lookup and the job, redshift) and of an update.
    creds = {"profile": "ops", "assume_roles": [{"role_arn": ROLE}]}
    latest_point_lookup(stubs)
    start_job(stubs, job("PENDING"))
    job_completes(stubs)
    outs = provider.create(props(source=RECOVERY_SOURCE, credentials=creds)).outs or {}
    assert outs["credentials"] == creds
    stubs.cluster("available")  # what the cluster has: a setting it has already is not sent again
    stubs.redshift.add_response("modify_cluster", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "PubliclyAccessible": True})
    stubs.cluster("available")
    provider.update("drill", outs, props(source=RECOVERY_SOURCE, publicly_accessible=True, credentials=creds))
    stubs.done()
    assert {service for service, _ in client_hooks.made} == {"sts", "backup", "redshift", "ssm"}
    assert all(given == creds for _, given in client_hooks.made)


def test_restore_job_tokens_tell_nights_and_restores_apart() -> None:
    owner = "redshift-backup/drill/analytics-drill"
    # The old token, f"{owner}:{arn}"[:100], cut both nights' ARNs off before the part that differs.
    assert f"{owner}:{POINT_OLD}"[:100] == f"{owner}:{POINT_NEW}"[:100]
    tokens = {restore_job_token(owner, point, target, generation)
              for point in (POINT_OLD, POINT_NEW) for target in ("drill", "drill-2") for generation in (0, 1)}
    assert len(tokens) == 8
    # A retried create sends the same token again.
    assert restore_job_token(owner, POINT_NEW, "drill", 0) == restore_job_token(owner, POINT_NEW, "drill", 0)


def test_restoring_the_same_point_again_after_destroy_starts_a_new_job(provider: ClusterRestoreProvider,
                                                                       stubs: Stubs) -> None:
    latest_point_lookup(stubs)
    # AWS answers the first token with yesterday's finished job (no action taken): the next generation starts one.
    start_job(stubs, job("COMPLETED", job_id="job-0", created=datetime(2026, 11, 21, 3, 0, tzinfo=UTC)))
    start_job(stubs, job("PENDING", job_id="job-1"), generation=1)
    job_completes(stubs)
    assert provider.create(props(source=RECOVERY_SOURCE)).id == "drill"
    stubs.done()


def test_a_retried_create_rejoins_the_job_its_interrupted_run_started(provider: ClusterRestoreProvider,
                                                                      stubs: Stubs) -> None:
    latest_point_lookup(stubs)
    # Started 20 minutes ago by the interrupted `up`, still running: followed, no second job.
    start_job(stubs, job("RUNNING", created=datetime(2026, 11, 22, 2, 40, tzinfo=UTC)))
    job_completes(stubs)
    assert provider.create(props(source=RECOVERY_SOURCE)).id == "drill"
    stubs.done()


def test_a_failed_restore_job_cleans_up_and_names_the_reason(provider: ClusterRestoreProvider,
                                                             stubs: Stubs) -> None:
    latest_point_lookup(stubs)
    start_job(stubs, job("PENDING"))
    poll_job(stubs, job("FAILED", StatusMessage="Insufficient capacity in us-east-1a"), cluster="appears")
    stubs.redshift.add_response("delete_cluster", {"Cluster": {"ClusterIdentifier": "drill"}},
                                {"ClusterIdentifier": "drill", "SkipFinalClusterSnapshot": True})
    stubs.not_found("drill")  # gone before the error is reported
    with pytest.raises(ProviderError) as info:
        provider.create(props(source=RECOVERY_SOURCE))
    assert str(info.value) == ("AWS Backup restore job job-1 FAILED: Insufficient capacity in us-east-1a; "
                               "the half-made cluster drill was deleted")
    stubs.done()


def test_a_failed_restore_job_that_made_no_cluster(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    latest_point_lookup(stubs)
    start_job(stubs, job("PENDING"))
    poll_job(stubs, job("ABORTED", StatusMessage="Role cannot be assumed"))
    with pytest.raises(ProviderError) as info:
        provider.create(props(source=RECOVERY_SOURCE))
    assert str(info.value) == ("AWS Backup restore job job-1 ABORTED: Role cannot be assumed; "
                               "no cluster drill was seen, nothing to clean up")
    stubs.done()  # no DeleteCluster


def test_a_timed_out_job_says_it_keeps_running_and_a_cluster_may_appear(provider: ClusterRestoreProvider,
                                                                        stubs: Stubs, clock: FakeClock) -> None:
    latest_point_lookup(stubs)
    start_job(stubs, job("PENDING"))
    for _ in range(4):  # at 0, 10, 30 and 60 seconds
        poll_job(stubs, job("RUNNING", PercentDone="5.00%"))
    with pytest.raises(ProviderError) as info:
        provider.create(props(source=RECOVERY_SOURCE, timeout_minutes=1))
    message = str(info.value)
    assert message.startswith("AWS Backup restore job job-1 did not finish within 1 minutes (last status: "
                              "RUNNING 5.00%). AWS Backup has no API to stop a restore job: job job-1 keeps "
                              "running and cluster drill may still appear")
    assert message.endswith("The next `pulumi up` rejoins the job and adopts the cluster (SSM parameter "
                            "/redshift-backup/cluster-restore/drill records that this resource started it); to "
                            "give up instead, delete that parameter and the cluster once it appears")
    # That record stays for the next `pulumi up`; no DeleteCluster: there was nothing to delete.
    assert list(stubs.ssm.parameters) == ["/redshift-backup/cluster-restore/drill"]
    stubs.ssm.parameters.clear()
    stubs.done()


def test_the_job_and_the_cluster_share_one_timeout(provider: ClusterRestoreProvider, stubs: Stubs,
                                                   clock: FakeClock) -> None:
    # The job ends at 30 s of a 60 s budget; the cluster then has the 30 s left, not a new minute.
    latest_point_lookup(stubs)
    start_job(stubs, job("PENDING"))
    poll_job(stubs, job("RUNNING"))
    poll_job(stubs, job("RUNNING"), cluster="appears")
    poll_job(stubs, job("COMPLETED", CreatedResourceArn=ARN), cluster=None)
    for _ in range(3):  # at 30, 40 and 60 s: then time is up
        stubs.cluster("creating", "restoring")
    stubs.redshift.add_response("delete_cluster", {"Cluster": {"ClusterIdentifier": "drill"}},
                                {"ClusterIdentifier": "drill", "SkipFinalClusterSnapshot": True})
    stubs.not_found("drill")
    start = clock.now
    with pytest.raises(ProviderError, match=r"^restore of cluster drill did not finish within 1 minutes"):
        provider.create(props(source=RECOVERY_SOURCE, timeout_minutes=1))
    assert clock.now - start == 60
    stubs.done()


def test_a_recovery_points_node_configuration_is_checked_by_its_arn(provider: ClusterRestoreProvider,
                                                                    stubs: Stubs) -> None:
    latest_point_lookup(stubs, node_options=[("ra3.xlplus", 2), ("ra3.xlplus", 4)])
    with pytest.raises(ProviderError, match="node type ra3.4xlarge x 2 cannot restore this snapshot; valid "
                                            "options: ra3.xlplus x 2, ra3.xlplus x 4"):
        provider.create(props(source=RECOVERY_SOURCE, node_type="ra3.4xlarge"))
    stubs.done()  # and no restore job was started


def test_a_recovery_points_port_is_checked_against_its_node_type(provider: ClusterRestoreProvider,
                                                                 stubs: Stubs) -> None:
    latest_point_lookup(stubs)
    with pytest.raises(ProviderError, match=r"port 6000: RA3 clusters listen on 5431-5455 or 8191-8215 "
                                            r"\(node type ra3.xlplus\)"):
        provider.create(props(source=RECOVERY_SOURCE, port=6000))
    stubs.done()


def point_arn_lookup(stubs: Stubs, resource_arn: str) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.backup.add_response("describe_recovery_point", {"RecoveryPointArn": POINT_NEW, "ResourceArn": resource_arn},
                              {"BackupVaultName": "prod-vault", "RecoveryPointArn": POINT_NEW})


POINT_SOURCE = {"recovery_point_arn": POINT_NEW, "backup_vault_name": "prod-vault", "backup_iam_role_arn": ROLE}


def test_a_recovery_point_arn_takes_settings_from_its_cluster_in_this_account(provider: ClusterRestoreProvider,
                                                                              stubs: Stubs) -> None:
    point_arn_lookup(stubs, f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:analytics-prod")
    stubs.redshift.add_response("describe_clusters", {"Clusters": [{
        "ClusterIdentifier": "analytics-prod", "ClusterParameterGroups": [{"ParameterGroupName": "tuned"}]}]},
        {"ClusterIdentifier": "analytics-prod"})
    stubs.backup.add_response("get_recovery_point_restore_metadata", {"RestoreMetadata": {}}, ANY_POINT)
    start_job(stubs, job("PENDING"))
    job_completes(stubs)
    outs = provider.create(props(source=POINT_SOURCE)).outs or {}
    assert outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["cluster_parameter_group_name"] == "source cluster analytics-prod"
    stubs.done()


ANY_POINT = {"BackupVaultName": ANY, "RecoveryPointArn": ANY}


def test_a_recovery_point_copied_from_another_account_inherits_nothing(provider: ClusterRestoreProvider,
                                                                       stubs: Stubs) -> None:
    # A cluster of the same name in this account is not read (the Stubber fails on any unexpected call): it is
    # not where the backup came from.
    point_arn_lookup(stubs, "arn:aws:redshift:us-east-1:111111111111:cluster:analytics-prod")
    stubs.backup.add_response("get_recovery_point_restore_metadata", {"RestoreMetadata": {}}, ANY_POINT)
    start_job(stubs, job("PENDING"))
    job_completes(stubs)
    outs = provider.create(props(source=POINT_SOURCE)).outs or {}
    assert outs["source_cluster_identifier"] is None
    assert outs["value_sources"]["cluster_parameter_group_name"] == "AWS default"
    stubs.done()


def test_no_completed_recovery_point(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.backup.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []}, ANY_PARAMS)
    with pytest.raises(ProviderError, match="no completed recovery point of arn:aws:redshift:us-east-1:"
                                            "123456789012:cluster:analytics-prod in vault prod-vault"):
        provider.create(props(source=RECOVERY_SOURCE))


ANY_PARAMS = {"BackupVaultName": ANY, "ByResourceArn": ANY}


def test_the_partition_comes_from_the_caller(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    # In China regions ARNs start arn:aws-cn; the caller's own ARN says which partition this is.
    stubs.not_found("drill")
    stubs.sts.add_response("get_caller_identity", {"Account": ACCOUNT, "UserId": "u",
                                                   "Arn": f"arn:aws-cn:iam::{ACCOUNT}:role/restore"}, {})
    stubs.backup.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []}, {
        "BackupVaultName": "prod-vault", "ByResourceArn": f"arn:aws-cn:redshift:us-east-1:{ACCOUNT}:cluster:"
                                                          "analytics-prod"})
    with pytest.raises(ProviderError, match="no completed recovery point of arn:aws-cn:redshift:"):
        provider.create(props(source=RECOVERY_SOURCE))
    stubs.done()


# ---- update --------------------------------------------------------------------------------------------------

OLD_ROLE, NEW_ROLE = f"arn:aws:iam::{ACCOUNT}:role/old", f"arn:aws:iam::{ACCOUNT}:role/new"


def test_update_swaps_iam_roles_in_place(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    # moto has no ModifyClusterIamRoles.
    stubs.redshift.add_response("describe_clusters", {"Clusters": [
        {"ClusterIdentifier": "drill", "IamRoles": [{"IamRoleArn": OLD_ROLE}]}]}, {"ClusterIdentifier": "drill"})
    stubs.redshift.add_response("modify_cluster_iam_roles", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "AddIamRoles": [NEW_ROLE], "RemoveIamRoles": [OLD_ROLE],
        "DefaultIamRoleArn": NEW_ROLE})
    stubs.cluster("modifying")
    stubs.cluster("available", IamRoles=[{"IamRoleArn": NEW_ROLE, "ApplyStatus": "adding"}])
    stubs.cluster("available", IamRoles=[{"IamRoleArn": NEW_ROLE, "ApplyStatus": "in-sync"}])
    olds = props(iam_roles=[OLD_ROLE], resolved_snapshot_identifier="nightly")
    news = props(iam_roles=[NEW_ROLE], default_iam_role_arn=NEW_ROLE)
    assert provider.diff("drill", olds, news).replaces == []
    outs = provider.update("drill", olds, news).outs or {}
    assert outs["iam_roles"] == [NEW_ROLE] and outs["resolved_snapshot_identifier"] == "nightly"
    stubs.done()


def test_update_changes_roles_then_size_then_settings_waiting_for_each(provider: ClusterRestoreProvider,
                                                                       stubs: Stubs) -> None:
    # Redshift refuses a second change on a cluster still modifying or resizing, so each one is waited for
    # (AWS's CloudFormation handler stabilizes after every call too). One Stubber queue: any other order fails.
    stubs.redshift.add_response("describe_clusters", {"Clusters": [
        {"ClusterIdentifier": "drill", "IamRoles": [{"IamRoleArn": OLD_ROLE}]}]}, {"ClusterIdentifier": "drill"})
    stubs.redshift.add_response("modify_cluster_iam_roles", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "AddIamRoles": [NEW_ROLE], "RemoveIamRoles": [OLD_ROLE]})
    stubs.cluster("modifying")
    stubs.cluster("available")
    stubs.redshift.add_response("describe_clusters", {"Clusters": [
        {"ClusterIdentifier": "drill", "NodeType": "ra3.xlplus", "NumberOfNodes": 2}]}, {"ClusterIdentifier": "drill"})
    stubs.redshift.add_response("resize_cluster", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "NodeType": "ra3.xlplus", "NumberOfNodes": 4, "ClusterType": "multi-node",
        "Classic": False})
    stubs.cluster("resizing")
    stubs.cluster("available", PendingModifiedValues={"NumberOfNodes": 4})
    stubs.cluster("available", NumberOfNodes=4)
    stubs.redshift.add_response("modify_cluster", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "PubliclyAccessible": True})
    stubs.cluster("modifying")
    stubs.cluster("available", NumberOfNodes=4)
    stubs.redshift.add_response("create_tags", {}, {"ResourceName": ARN, "Tags": [{"Key": "team", "Value": "x"}]})
    olds = props(iam_roles=[OLD_ROLE], number_of_nodes=2, cluster_arn=ARN)
    news = props(iam_roles=[NEW_ROLE], number_of_nodes=4, publicly_accessible=True, tags={"team": "x"})
    assert provider.diff("drill", olds, news).replaces == []  # a resize keeps the data and the endpoint
    outs = provider.update("drill", olds, news).outs or {}
    assert outs["actual_number_of_nodes"] == 4
    stubs.done()


@pytest.mark.parametrize(("operation", "news", "message"), [
    ("modify_cluster_iam_roles", {"iam_roles": [NEW_ROLE]},
     "could not change the IAM roles of cluster drill: InvalidClusterState: busy"),
    ("resize_cluster", {"number_of_nodes": 3},
     "could not resize cluster drill to ra3.4xlarge x 3: InvalidClusterState: busy (an elastic resize was asked "
     "for; for a classic resize, run it yourself, then set the new size here)"),
    ("create_tags", {"tags": {"old": "1", "team": "x"}}, f"could not tag {ARN}: InvalidClusterState: busy"),
    ("delete_tags", {"tags": {}}, f"could not remove tags old from {ARN}: InvalidClusterState: busy"),
])
def test_update_errors_name_aws_reason(provider: ClusterRestoreProvider, stubs: Stubs, operation: str,
                                       news: dict[str, Any], message: str) -> None:
    if operation in ("modify_cluster_iam_roles", "resize_cluster"):
        stubs.cluster("available")
    stubs.redshift.add_client_error(operation, "InvalidClusterState", "busy", 400)
    inputs = props(iam_roles=[OLD_ROLE], number_of_nodes=2, tags={"old": "1"})
    with pytest.raises(ProviderError) as info:
        provider.update("drill", {**inputs, "cluster_arn": ARN}, {**inputs, **news})
    assert str(info.value) == message
    stubs.done()
