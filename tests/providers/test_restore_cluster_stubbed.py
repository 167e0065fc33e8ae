"""Cluster restore paths moto lacks, with botocore Stubber: node configuration options and recovery points."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from components.restore_cluster import ClusterRestoreProvider
from policies.errors import ProviderError
from policies.restores import OWNERSHIP_TAG
from tests.providers.restore_support import ClientHooks, FakeClock, client_hooks_fixture, fast_poller, stubbed_client  # noqa: F401

ACCOUNT = "123456789012"
ARN = f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:drill"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/restore"
POINT_OLD = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:analytics-prod/awsbackup:job-old"
POINT_NEW = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:analytics-prod/awsbackup:job-new"


class Stubs:
    """One stubbed client per service, handed to the provider through `components.aws.client`."""

    def __init__(self, hooks: ClientHooks) -> None:
        self.stubbers: dict[str, Stubber] = {}
        for service in ("redshift", "backup", "sts"):
            self.stubbers[service] = Stubber(stubbed_client(hooks, service))
            self.stubbers[service].activate()

    def __getattr__(self, service: str) -> Stubber:
        return self.stubbers[service]

    def not_found(self, identifier: str) -> None:
        self.redshift.add_client_error("describe_clusters", "ClusterNotFound", f"Cluster {identifier} not found.",
                                       404, expected_params={"ClusterIdentifier": identifier})

    def account(self) -> None:
        self.sts.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": ROLE, "UserId": "u"}, {})

    def cluster(self, status: str, restore: str, **extra: Any) -> None:
        cluster = {"ClusterIdentifier": "drill", "ClusterStatus": status, "RestoreStatus": {"Status": restore},
                   "NodeType": "ra3.4xlarge", "NumberOfNodes": 2, **extra}
        self.redshift.add_response("describe_clusters", {"Clusters": [cluster]}, {"ClusterIdentifier": "drill"})

    def done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def stubs(client_hooks: ClientHooks) -> Iterator[Stubs]:
    yield Stubs(client_hooks)


@pytest.fixture
def provider() -> ClusterRestoreProvider:
    return ClusterRestoreProvider(fast_poller(FakeClock()))


def props(**extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": "drill", "ownership_tag_value": "p/s/drill",
            "source": {"snapshot_identifier": "nightly"}, **extra}


def snapshot_then_options(stubs: Stubs, options: list[tuple[str, int]]) -> None:
    stubs.not_found("drill")
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
    stubs.account()
    stubs.redshift.add_response("create_tags", {}, {"ResourceName": ARN, "Tags": [
        {"Key": OWNERSHIP_TAG, "Value": "p/s/drill"}]})
    stubs.cluster("creating", "restoring")
    stubs.cluster("available", "completed", Endpoint={"Address": "drill.x", "Port": 5439})
    outs = provider.create(props(node_type="ra3.4xlarge", number_of_nodes=2, port=5439)).outs or {}
    assert outs["actual_node_type"] == "ra3.4xlarge" and outs["value_sources"]["node_type"] == "input"
    stubs.done()


def test_an_ra3_port_outside_its_ranges_is_refused_once_the_node_type_is_known(
        provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    stubs.not_found("drill")
    stubs.redshift.add_response("describe_cluster_snapshots", {"Snapshots": [{
        "SnapshotIdentifier": "nightly", "ClusterIdentifier": "analytics-prod", "NodeType": "ra3.xlplus",
        "NumberOfNodes": 2, "Status": "available"}]}, {"SnapshotIdentifier": "nightly"})
    stubs.not_found("analytics-prod")
    with pytest.raises(ProviderError, match=r"port 6000: RA3 clusters listen on 5431-5455 or 8191-8215 "
                                            r"\(node type ra3.xlplus\)"):
        provider.create(props(port=6000))
    stubs.done()


def recovery_point_lookup(stubs: Stubs) -> None:
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
    }]}, {"ClusterIdentifier": "analytics-prod"})
    stubs.backup.add_response("get_recovery_point_restore_metadata", {"RestoreMetadata": {
        "ClusterIdentifier": "analytics-prod", "NodeType": "ra3.xlplus", "Port": "5439"}},
        {"BackupVaultName": "prod-vault", "RecoveryPointArn": POINT_NEW})
    stubs.backup.add_response("start_restore_job", {"RestoreJobId": "job-1"}, {
        "RecoveryPointArn": POINT_NEW, "IamRoleArn": ROLE, "ResourceType": "Redshift", "IdempotencyToken": ANY,
        # Every value a string: the API takes a map of strings; the user's choices override the backup's.
        "Metadata": {"ClusterIdentifier": "drill", "NodeType": "ra3.xlplus", "Port": "5439",
                     "ClusterParameterGroupName": "tuned", "VpcSecurityGroupIds": '["sg-1"]',
                     "IamRoles": f'["{ROLE}"]', "PubliclyAccessible": "false"}})
    stubs.backup.add_response("describe_restore_job", {"RestoreJobId": "job-1", "Status": "RUNNING",
                                                       "PercentDone": "40.00%"}, {"RestoreJobId": "job-1"})


RECOVERY_SOURCE = {"latest_recovery_point_of": "analytics-prod", "backup_vault_name": "prod-vault",
                   "backup_iam_role_arn": ROLE}


def test_latest_recovery_point_restores_through_aws_backup(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    recovery_point_lookup(stubs)
    stubs.backup.add_response("describe_restore_job", {"RestoreJobId": "job-1", "Status": "COMPLETED",
                                                       "CreatedResourceArn": ARN}, {"RestoreJobId": "job-1"})
    stubs.account()
    stubs.redshift.add_response("create_tags", {}, {"ResourceName": ARN, "Tags": ANY})
    stubs.cluster("available", "completed")
    outs = provider.create(props(source=RECOVERY_SOURCE)).outs or {}
    assert outs["resolved_recovery_point_arn"] == POINT_NEW
    assert outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["cluster_parameter_group_name"] == "source cluster analytics-prod"
    stubs.done()


def test_a_failed_restore_job_cleans_up_and_names_the_reason(provider: ClusterRestoreProvider,
                                                             stubs: Stubs) -> None:
    recovery_point_lookup(stubs)
    stubs.backup.add_response("describe_restore_job", {"RestoreJobId": "job-1", "Status": "FAILED",
                                                       "StatusMessage": "Insufficient capacity in us-east-1a"},
                              {"RestoreJobId": "job-1"})
    stubs.redshift.add_response("delete_cluster", {"Cluster": {"ClusterIdentifier": "drill"}},
                                {"ClusterIdentifier": "drill", "SkipFinalClusterSnapshot": True})
    with pytest.raises(ProviderError) as info:
        provider.create(props(source=RECOVERY_SOURCE))
    assert str(info.value) == ("AWS Backup restore job job-1 FAILED: Insufficient capacity in us-east-1a; "
                               "the half-made cluster drill (if any) was deleted")
    stubs.done()


def test_no_completed_recovery_point(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    stubs.not_found("drill")
    stubs.account()
    stubs.backup.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []}, ANY_PARAMS)
    with pytest.raises(ProviderError, match="no completed recovery point of arn:aws:redshift:us-east-1:"
                                            "123456789012:cluster:analytics-prod in vault prod-vault"):
        provider.create(props(source=RECOVERY_SOURCE))


ANY_PARAMS = {"BackupVaultName": ANY, "ByResourceArn": ANY}


def test_update_swaps_iam_roles_in_place(provider: ClusterRestoreProvider, stubs: Stubs) -> None:
    # moto has no ModifyClusterIamRoles.
    old_role, new_role = f"arn:aws:iam::{ACCOUNT}:role/old", f"arn:aws:iam::{ACCOUNT}:role/new"
    stubs.redshift.add_response("describe_clusters", {"Clusters": [
        {"ClusterIdentifier": "drill", "IamRoles": [{"IamRoleArn": old_role}]}]}, {"ClusterIdentifier": "drill"})
    stubs.redshift.add_response("modify_cluster_iam_roles", {"Cluster": {}}, {
        "ClusterIdentifier": "drill", "AddIamRoles": [new_role], "RemoveIamRoles": [old_role],
        "DefaultIamRoleArn": new_role})
    stubs.cluster("modifying", "completed")
    stubs.cluster("available", "completed")
    olds = props(iam_roles=[old_role], resolved_snapshot_identifier="nightly")
    news = props(iam_roles=[new_role], default_iam_role_arn=new_role)
    assert provider.diff("drill", olds, news).replaces == []
    outs = provider.update("drill", olds, news).outs or {}
    assert outs["iam_roles"] == [new_role] and outs["resolved_snapshot_identifier"] == "nightly"
    stubs.done()
