"""RedshiftClusterRestore's provider against a moto server: restore, resolve, inherit, tag, diff, read, delete."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from components.restore_cluster import ClusterRestoreProvider
from components.restore_common import Poller
from policies.errors import ConfigError, ProviderError
from policies.restores import OWNERSHIP_TAG
from tests.providers.conftest import REGION, seed_cluster, seed_snapshot
from tests.providers.restore_support import ClientHooks, FakeClock, client_hooks_fixture, fast_poller  # noqa: F401

OWNER = "redshift-backup/test/drill"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> ClusterRestoreProvider:
    return ClusterRestoreProvider(fast_poller(clock))


def props(**extra: Any) -> dict[str, Any]:
    """What `RedshiftClusterRestore` sends: the stack-config keys plus the ownership tag value."""
    base: dict[str, Any] = {"cluster_identifier": "drill", "ownership_tag_value": OWNER,
                            "source": {"snapshot_identifier": "nightly"}}
    return {**base, **extra}


def tags_of(redshift: Any, identifier: str) -> dict[str, str]:
    cluster = redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]
    return {t["Key"]: t["Value"] for t in cluster["Tags"]}


@pytest.fixture
def prod(redshift: Any) -> dict[str, Any]:
    """A source cluster with a manual snapshot `nightly`."""
    cluster = seed_cluster(redshift, "analytics-prod")
    seed_snapshot(redshift, "analytics-prod", "nightly")
    return cluster


def test_restore_from_a_snapshot_tags_and_reports(provider: ClusterRestoreProvider, redshift: Any, prod: Any,
                                                  client_hooks: ClientHooks) -> None:
    created = provider.create(props(tags={"team": "data"}, publicly_accessible=False,
                                    manual_snapshot_retention_days=14, maintenance_track_name="trailing",
                                    kms_key_id="alias/drill", default_iam_role_arn=None))
    assert created.id == "drill"
    cluster = redshift.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    assert cluster["ClusterStatus"] == "available"
    assert tags_of(redshift, "drill") == {OWNERSHIP_TAG: OWNER, "team": "data"}
    outs = created.outs or {}
    assert outs["cluster_arn"] == "arn:aws:redshift:us-east-1:123456789012:cluster:drill"
    assert outs["endpoint_port"] == 5439 and outs["endpoint_address"].startswith("drill.")
    assert outs["resolved_snapshot_identifier"] == "nightly"
    assert outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["node_type"] == "snapshot"
    # moto ignores these parameters: assert what was sent.
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert request["SnapshotIdentifier"] == "nightly" and request["ClusterIdentifier"] == "drill"
    assert request["ManualSnapshotRetentionPeriod"] == 14
    assert request["MaintenanceTrackName"] == "trailing" and request["KmsKeyId"] == "alias/drill"
    assert "Tags" not in request  # the API takes none; CreateTags did it
    assert client_hooks.sent("CreateTags")[0]["ResourceName"] == outs["cluster_arn"]


def test_latest_snapshot_is_resolved_once_and_recorded(provider: ClusterRestoreProvider, redshift: Any,
                                                       prod: Any, clock: FakeClock) -> None:
    seed_snapshot(redshift, "analytics-prod", "later")
    inputs = props(source={"latest_snapshot_of": "analytics-prod"})
    outs = provider.create(inputs).outs or {}
    assert outs["resolved_snapshot_identifier"] == "later"
    assert outs["source"] == {"latest_snapshot_of": "analytics-prod"}
    # A newer snapshot later on does not make the next preview want a new restore.
    seed_snapshot(redshift, "analytics-prod", "even-later")
    assert provider.diff("drill", outs, inputs).changes is False


def test_latest_snapshot_of_a_cluster_without_snapshots(provider: ClusterRestoreProvider, redshift: Any) -> None:
    with pytest.raises(ProviderError, match="no available snapshot of cluster ghost"):
        provider.create(props(source={"latest_snapshot_of": "ghost"}))
    assert redshift.describe_clusters()["Clusters"] == []


def test_settings_are_taken_from_the_source_cluster(provider: ClusterRestoreProvider, redshift: Any,
                                                    client_hooks: ClientHooks) -> None:
    role = "arn:aws:iam::123456789012:role/copy"
    redshift.create_cluster_parameter_group(ParameterGroupName="tuned", ParameterGroupFamily="redshift-1.0",
                                            Description="tuned")
    seed_cluster(redshift, "analytics-prod", ClusterParameterGroupName="tuned", IamRoles=[role],
                 VpcSecurityGroupIds=["sg-0123"])
    seed_snapshot(redshift, "analytics-prod", "nightly")
    outs = provider.create(props(vpc_security_group_ids=["sg-own"])).outs or {}
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert request["ClusterParameterGroupName"] == "tuned"
    assert request["IamRoles"] == [role]
    assert request["VpcSecurityGroupIds"] == ["sg-own"]  # the user's value wins
    assert outs["value_sources"] == {
        "cluster_parameter_group_name": "source cluster analytics-prod",
        "iam_roles": "source cluster analytics-prod",
        "vpc_security_group_ids": "input",
        "cluster_subnet_group_name": "AWS default",
        "default_iam_role_arn": "AWS default",
        "node_type": "snapshot",
        "number_of_nodes": "snapshot",
    }
    cluster = redshift.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    assert cluster["ClusterParameterGroups"][0]["ParameterGroupName"] == "tuned"


def test_source_cluster_gone_means_aws_defaults(provider: ClusterRestoreProvider, redshift: Any, prod: Any,
                                                client_hooks: ClientHooks) -> None:
    redshift.delete_cluster(ClusterIdentifier="analytics-prod", SkipFinalClusterSnapshot=True)
    outs = provider.create(props()).outs or {}
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert "ClusterParameterGroupName" not in request and "IamRoles" not in request
    assert outs["value_sources"]["cluster_parameter_group_name"] == "AWS default"


def test_delete_takes_a_named_final_snapshot_by_default(provider: ClusterRestoreProvider, redshift: Any,
                                                        prod: Any, client_hooks: ClientHooks) -> None:
    outs = provider.create(props(final_snapshot_retention_days=3)).outs or {}
    provider.delete("drill", outs)
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["analytics-prod"]
    finals = [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]
              if s["SnapshotIdentifier"].startswith("drill-final-")]
    assert len(finals) == 1
    [request] = client_hooks.sent("DeleteCluster")
    # moto ignores the retention: assert the request.
    assert request["FinalClusterSnapshotRetentionPeriod"] == 3 and request["SkipFinalClusterSnapshot"] is False


def test_delete_without_a_final_snapshot(provider: ClusterRestoreProvider, redshift: Any, prod: Any) -> None:
    outs = provider.create(props(skip_final_snapshot=True)).outs or {}
    provider.delete("drill", outs)
    snapshots = [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]]
    assert not [s for s in snapshots if s.startswith("drill")]
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["analytics-prod"]


def test_delete_of_a_cluster_already_gone_is_done(provider: ClusterRestoreProvider, redshift: Any,
                                                  prod: Any) -> None:
    outs = provider.create(props(skip_final_snapshot=True)).outs or {}
    redshift.delete_cluster(ClusterIdentifier="drill", SkipFinalClusterSnapshot=True)
    provider.delete("drill", outs)
    assert len(redshift.describe_clusters()["Clusters"]) == 1


def test_delete_refuses_a_cluster_without_our_tag(provider: ClusterRestoreProvider, redshift: Any,
                                                  prod: Any) -> None:
    outs = provider.create(props()).outs or {}
    redshift.delete_tags(ResourceName=outs["cluster_arn"], TagKeys=[OWNERSHIP_TAG])
    with pytest.raises(ProviderError, match="refusing to delete a cluster this resource did not create"):
        provider.delete("drill", outs)
    assert len(redshift.describe_clusters()["Clusters"]) == 2


def test_read_reports_a_vanished_cluster_and_drift(provider: ClusterRestoreProvider, redshift: Any,
                                                   prod: Any) -> None:
    outs = provider.create(props(publicly_accessible=False, tags={"team": "data"})).outs or {}
    redshift.modify_cluster(ClusterIdentifier="drill", PubliclyAccessible=True)
    read = provider.read("drill", outs)
    assert read.id == "drill"
    assert (read.outs or {})["publicly_accessible"] is True
    # The drifted value now differs from the input, so the next diff plans an in-place update.
    diff = provider.diff("drill", read.outs or {}, props(publicly_accessible=False, tags={"team": "data"}))
    assert diff.changes is True and diff.replaces == []
    redshift.delete_cluster(ClusterIdentifier="drill", SkipFinalClusterSnapshot=True)
    gone = provider.read("drill", outs)
    assert gone.id is None and gone.outs == {}


def test_read_compares_only_the_tags_it_declares(provider: ClusterRestoreProvider, redshift: Any,
                                                 prod: Any) -> None:
    # Found under the real engine (e2e): a tag someone else put on the cluster was reported as drift, recorded in
    # state, and the next update would have deleted it.
    outs = provider.create(props(tags={"team": "data"})).outs or {}
    arn = outs["cluster_arn"]
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "cost-center", "Value": "42"}])
    assert (provider.read("drill", outs).outs or {})["tags"] == {"team": "data"}
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "team", "Value": "finance"}])
    assert (provider.read("drill", outs).outs or {})["tags"] == {"team": "finance"}


def test_identifier_taken_by_a_cluster_that_is_not_ours(provider: ClusterRestoreProvider, redshift: Any,
                                                        prod: Any, client_hooks: ClientHooks) -> None:
    seed_cluster(redshift, "drill")
    with pytest.raises(ProviderError, match="cluster drill already exists and is not ours"):
        provider.create(props())
    assert client_hooks.sent("RestoreFromClusterSnapshot") == []
    assert len(redshift.describe_clusters()["Clusters"]) == 2  # and it is left alone


def test_identifier_taken_by_our_interrupted_create_is_adopted(provider: ClusterRestoreProvider, redshift: Any,
                                                               prod: Any, client_hooks: ClientHooks) -> None:
    seed_cluster(redshift, "drill", Tags=[{"Key": OWNERSHIP_TAG, "Value": OWNER}])
    created = provider.create(props(tags={"team": "data"}))
    assert created.id == "drill"
    assert client_hooks.sent("RestoreFromClusterSnapshot") == []
    assert tags_of(redshift, "drill") == {OWNERSHIP_TAG: OWNER, "team": "data"}
    outs = created.outs or {}
    # The source the inputs name exactly is recorded, and where the settings came from, as a create would.
    assert outs["resolved_snapshot_identifier"] == "nightly" and outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["adopted"] == "an interrupted create of this resource"
    assert outs["value_sources"]["cluster_parameter_group_name"] == "source cluster analytics-prod"


def test_an_adopted_latest_snapshot_restore_does_not_claim_which_snapshot(
        provider: ClusterRestoreProvider, redshift: Any, prod: Any, client_hooks: ClientHooks) -> None:
    seed_cluster(redshift, "drill", Tags=[{"Key": OWNERSHIP_TAG, "Value": OWNER}])
    seed_snapshot(redshift, "analytics-prod", "newer-than-the-one-restored")
    outs = provider.create(props(source={"latest_snapshot_of": "analytics-prod"})).outs or {}
    assert outs["resolved_snapshot_identifier"] is None  # the interrupted create's choice is recorded nowhere
    assert outs["source_cluster_identifier"] == "analytics-prod"
    assert outs["value_sources"]["adopted"] == ("an interrupted create of this resource; the snapshot it resolved "
                                                "is not recorded")
    assert client_hooks.sent("DescribeClusterSnapshots") == []


def test_a_cluster_of_ours_being_deleted_is_waited_for_not_adopted(
        provider: ClusterRestoreProvider, redshift: Any, prod: Any, client_hooks: ClientHooks) -> None:
    # An earlier failed create's cleanup still running: the next create waits for it, then restores afresh.
    seed_cluster(redshift, "drill", Tags=[{"Key": OWNERSHIP_TAG, "Value": OWNER}])
    looks = {"n": 0}

    def deleting_then_gone(parsed: dict[str, Any], **_: Any) -> None:
        for cluster in parsed.get("Clusters", []):
            if cluster["ClusterIdentifier"] == "drill" and not client_hooks.sent("RestoreFromClusterSnapshot"):
                looks["n"] += 1
                cluster["ClusterStatus"] = "deleting"
                if looks["n"] == 2:  # gone at the second look
                    redshift.delete_cluster(ClusterIdentifier="drill", SkipFinalClusterSnapshot=True)

    client_hooks.on("after-call.redshift.DescribeClusters", deleting_then_gone)
    outs = provider.create(props()).outs or {}
    assert len(client_hooks.sent("RestoreFromClusterSnapshot")) == 1
    assert "adopted" not in outs["value_sources"]


def test_check_fails_early_without_aws(provider: ClusterRestoreProvider) -> None:
    result = provider.check({}, props(port=80, multi_az=True, number_of_nodes=2.0))
    assert sorted(f.property for f in result.failures) == ["multi_az", "port"]
    assert any("does not support Multi-AZ" in f.reason for f in result.failures)
    assert provider.check({}, props(number_of_nodes=2.0)).failures == []  # the engine sends ints as floats


def test_check_leaves_unknown_values_to_create(provider: ClusterRestoreProvider) -> None:
    from pulumi.runtime import rpc

    result = provider.check({}, props(source=rpc.UNKNOWN, port=rpc.UNKNOWN))
    assert result.failures == []


def test_diff_says_what_replaces_and_what_updates(provider: ClusterRestoreProvider) -> None:
    olds = props(tags={"a": "1"}, cluster_subnet_group_name="sn")
    assert provider.diff("drill", olds, olds).changes is False
    in_place = provider.diff("drill", olds, {**olds, "tags": {"a": "2"}, "publicly_accessible": True,
                                            "iam_roles": ["arn:aws:iam::123456789012:role/x"]})
    assert in_place.changes is True and in_place.replaces == []
    replace = provider.diff("drill", olds, {**olds, "source": {"snapshot_identifier": "other"},
                                            "cluster_subnet_group_name": "sn2", "kms_key_id": "k"})
    assert sorted(replace.replaces) == ["cluster_subnet_group_name", "kms_key_id", "source"]
    assert replace.delete_before_replace is True  # same identifier: the old cluster must go first
    renamed = provider.diff("drill", olds, {**olds, "cluster_identifier": "drill2"})
    assert renamed.replaces == ["cluster_identifier"] and renamed.delete_before_replace is False


def test_update_changes_only_what_changed(provider: ClusterRestoreProvider, redshift: Any, prod: Any,
                                          client_hooks: ClientHooks) -> None:
    olds = provider.create(props(tags={"team": "data", "old": "x"}, publicly_accessible=False)).outs or {}
    client_hooks.requests.clear()
    news = props(tags={"team": "analytics"}, publicly_accessible=True, skip_final_snapshot=True)
    outs = provider.update("drill", olds, news).outs or {}
    assert tags_of(redshift, "drill") == {OWNERSHIP_TAG: OWNER, "team": "analytics"}
    assert redshift.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]["PubliclyAccessible"] is True
    assert client_hooks.sent("ModifyCluster") == [{"ClusterIdentifier": "drill", "PubliclyAccessible": True}]
    assert client_hooks.sent("DeleteTags") == [{"ResourceName": olds["cluster_arn"], "TagKeys": ["old"]}]
    assert outs["skip_final_snapshot"] is True and outs["resolved_snapshot_identifier"] == "nightly"


def test_bad_props_in_create_raise_a_config_error(provider: ClusterRestoreProvider, redshift: Any) -> None:
    with pytest.raises(ConfigError, match="port"):
        provider.create(props(port=1))


def test_the_provider_pickles_without_clients() -> None:
    import pickle

    provider = ClusterRestoreProvider(Poller(interval_seconds=1))
    copy = pickle.loads(pickle.dumps(provider))
    assert copy.poller.interval_seconds == 1
    assert not [v for v in vars(copy).values() if hasattr(v, "meta")]


def test_region_is_honoured(provider: ClusterRestoreProvider, aws_env: str) -> None:
    west = boto3.client("redshift", region_name="eu-west-1")
    seed_cluster(west, "analytics-prod")
    seed_snapshot(west, "analytics-prod", "nightly")
    outs = provider.create(props(region="eu-west-1")).outs or {}
    assert outs["cluster_arn"].startswith("arn:aws:redshift:eu-west-1:")
    assert [c["ClusterIdentifier"] for c in west.describe_clusters()["Clusters"]] == ["analytics-prod", "drill"]
    assert boto3.client("redshift", region_name=REGION).describe_clusters()["Clusters"] == []


def test_latest_snapshot_shared_by_another_account(provider: ClusterRestoreProvider, redshift: Any, prod: Any,
                                                   client_hooks: ClientHooks) -> None:
    # moto has one account; what matters is that the owner goes into every snapshot call and nothing is
    # inherited from a cluster that lives in another account.
    outs = provider.create(props(source={"latest_snapshot_of": "analytics-prod",
                                         "owner_account": "123456789012"})).outs or {}
    [query] = client_hooks.sent("DescribeClusterSnapshots")
    assert query == {"ClusterIdentifier": "analytics-prod", "OwnerAccount": "123456789012"}
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert request["OwnerAccount"] == "123456789012" and request["SnapshotIdentifier"] == "nightly"
    assert outs["source_cluster_identifier"] is None
    assert outs["value_sources"]["cluster_parameter_group_name"] == "AWS default"


def test_check_fills_documented_defaults_so_explicit_defaults_do_not_diff(provider: ClusterRestoreProvider) -> None:
    left_out = provider.check({}, props()).inputs
    explicit = provider.check({}, props(publicly_accessible=False, timeout_minutes=75.0)).inputs
    assert left_out["publicly_accessible"] is False and left_out["timeout_minutes"] == 75
    assert left_out["final_snapshot_retention_days"] == 7 and left_out["ownership_tag_value"] == OWNER
    assert provider.diff("drill", left_out, explicit).changes is False


def test_skip_final_snapshot_survives_check_then_create(provider: ClusterRestoreProvider, redshift: Any,
                                                        prod: Any) -> None:
    # The engine hands `create` what `check` returned, documented defaults filled in; the default final-snapshot
    # retention must not then read as a contradiction of skip_final_snapshot.
    checked = provider.check({}, props(skip_final_snapshot=True))
    assert checked.failures in (None, [])
    outs = provider.create(checked.inputs).outs or {}
    assert outs["skip_final_snapshot"] is True
    provider.delete("drill", outs)
    assert redshift.describe_clusters()["Clusters"][0]["ClusterIdentifier"] == "analytics-prod"
    assert [s for s in redshift.describe_cluster_snapshots()["Snapshots"] if s["ClusterIdentifier"] == "drill"] == []


def subnet_group(redshift: Any, name: str) -> str:
    """A cluster subnet group in a new VPC on moto; returns that VPC's default-less security group."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    redshift.create_cluster_subnet_group(ClusterSubnetGroupName=name, Description=name, SubnetIds=[subnet])
    return str(ec2.create_security_group(GroupName=f"{name}-sg", Description=name, VpcId=vpc)["GroupId"])


@pytest.fixture
def prod_in_a_vpc(redshift: Any) -> str:
    """The source cluster in subnet group `prod-subnets`, with its own security group (returned)."""
    group = subnet_group(redshift, "prod-subnets")
    seed_cluster(redshift, "analytics-prod", ClusterSubnetGroupName="prod-subnets", VpcSecurityGroupIds=[group])
    seed_snapshot(redshift, "analytics-prod", "nightly")
    return group


def test_writing_out_an_inherited_value_is_no_change(provider: ClusterRestoreProvider, redshift: Any,
                                                     prod_in_a_vpc: str) -> None:
    inputs = props()
    outs = provider.create(inputs).outs or {}
    assert outs["value_sources"]["cluster_subnet_group_name"] == "source cluster analytics-prod"
    assert outs["effective_settings"]["cluster_subnet_group_name"] == "prod-subnets"
    # The same values, now explicit: the subnet group, the security group and the snapshot's port.
    explicit = props(cluster_subnet_group_name="prod-subnets", vpc_security_group_ids=[prod_in_a_vpc], port=5439.0)
    diff = provider.diff("drill", outs, explicit)
    assert diff.changes is False and diff.replaces == []
    # Another value still replaces (the subnet group cannot change after a restore).
    other = provider.diff("drill", outs, props(cluster_subnet_group_name="other-subnets"))
    assert other.replaces == ["cluster_subnet_group_name"] and other.delete_before_replace is True


def test_security_groups_are_not_taken_into_another_subnet_group(provider: ClusterRestoreProvider, redshift: Any,
                                                                 prod_in_a_vpc: str,
                                                                 client_hooks: ClientHooks) -> None:
    subnet_group(redshift, "drill-subnets")  # most likely another VPC: the source's groups would not fit
    outs = provider.create(props(cluster_subnet_group_name="drill-subnets")).outs or {}
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert "VpcSecurityGroupIds" not in request
    assert outs["value_sources"]["vpc_security_group_ids"] == "AWS default"
    assert outs["value_sources"]["cluster_parameter_group_name"] == "source cluster analytics-prod"


def test_security_groups_are_taken_with_the_same_subnet_group_written_out(
        provider: ClusterRestoreProvider, redshift: Any, prod_in_a_vpc: str, client_hooks: ClientHooks) -> None:
    provider.create(props(cluster_subnet_group_name="prod-subnets"))
    [request] = client_hooks.sent("RestoreFromClusterSnapshot")
    assert request["VpcSecurityGroupIds"] == [prod_in_a_vpc]


def test_read_reports_drift_of_every_in_place_key(provider: ClusterRestoreProvider, redshift: Any, prod: Any,
                                                  client_hooks: ClientHooks) -> None:
    role, other = "arn:aws:iam::123456789012:role/drill", "arn:aws:iam::123456789012:role/other"
    inputs = props(enhanced_vpc_routing=False, maintenance_track_name="current",
                   availability_zone_relocation=False, iam_roles=[role, other], default_iam_role_arn=role)
    # Node type and count are set in state as a create would record them (moto has no node configuration
    # options, which a create with them set asks for).
    inputs_with_size = {**inputs, "node_type": "ra3.xlplus", "number_of_nodes": 1}
    outs = {**(provider.create(inputs).outs or {}), "node_type": "ra3.xlplus", "number_of_nodes": 1}
    # Out of band: moto applies node type, count and enhanced VPC routing ...
    redshift.modify_cluster(ClusterIdentifier="drill", NodeType="ra3.4xlarge", NumberOfNodes=4,
                            ClusterType="multi-node", EnhancedVpcRouting=True)

    # ... and ignores the track, AZ relocation and default role: report them as AWS would after a change.
    def as_changed_by_hand(parsed: dict[str, Any], **_: Any) -> None:
        for cluster in parsed.get("Clusters", []):
            cluster.update(MaintenanceTrackName="trailing", AvailabilityZoneRelocationStatus="enabled",
                           DefaultIamRoleArn=other)

    client_hooks.on("after-call.redshift.DescribeClusters", as_changed_by_hand)
    read = provider.read("drill", outs).outs or {}
    assert (read["node_type"], read["number_of_nodes"], read["enhanced_vpc_routing"]) == ("ra3.4xlarge", 4, True)
    assert read["maintenance_track_name"] == "trailing" and read["availability_zone_relocation"] is True
    assert read["default_iam_role_arn"] == other
    diff = provider.diff("drill", read, inputs_with_size)
    assert diff.changes is True and diff.replaces == []  # the next `up` puts them back in place
