"""Restore declarations: the tagged union, one test per rule with its message, and the plan lines."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from policies.base import StrictModel, problems_from_validation_error
from policies.restores import (
    ClusterRestoreSpec,
    RestoreSpec,
    SnapshotShareSpec,
    TableRestoreSpec,
    describe_restore,
    restore_list_problems,
)


class _Root(StrictModel):
    restores: list[RestoreSpec]


def _problems(*entries: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        _Root.model_validate({"restores": list(entries)})
    return [p.render() for p in problems_from_validation_error(info.value)]


def _cluster(**extra: Any) -> dict[str, Any]:
    return {"name": "analytics-drill", "source": {"latest_snapshot_of": "analytics-prod"}, **extra}


def _table(**extra: Any) -> dict[str, Any]:
    return {"name": "orders-back", "kind": "table", "cluster_identifier": "analytics-prod",
            "source_database_name": "dev", "source_table_name": "orders", "new_table_name": "orders_restored",
            **extra}


def _share(**extra: Any) -> dict[str, Any]:
    return {"name": "share-test", "kind": "snapshot_share", "snapshot_identifier": "nightly",
            "accounts_with_restore_access": ["111122223333"], **extra}


def test_missing_kind_means_cluster_and_each_kind_picks_its_model() -> None:
    root = _Root.model_validate({"restores": [_cluster(), _table(), _share()]})
    assert [type(r) for r in root.restores] == [ClusterRestoreSpec, TableRestoreSpec, SnapshotShareSpec]
    cluster = root.restores[0]
    assert isinstance(cluster, ClusterRestoreSpec)
    assert cluster.kind == "cluster" and cluster.target_identifier == "analytics-drill"
    assert cluster.final_snapshot_retention_days == 7 and cluster.timeout_minutes == 75


def test_error_paths_have_no_union_tags() -> None:
    assert _problems(_cluster(port="x")) == [
        "restores[0].port: expected a whole number (received 'x')"]
    assert _problems(_table(source_table_name=None))[0].startswith("restores[0].source_table_name: ")


def test_unknown_kind_names_the_allowed_kinds() -> None:
    assert _problems({"name": "x", "kind": "volume"}) == [
        "restores[0].kind: expected one of 'cluster', 'table', 'snapshot_share' (default 'cluster') "
        "(received 'volume')"]


def test_an_entry_that_is_not_a_mapping() -> None:
    assert _problems(3) == ["restores[0]: expected a mapping with a name and an optional kind "
                            "(cluster, table or snapshot_share) (received 3)"]


def test_unknown_key_is_an_error() -> None:
    assert _problems(_cluster(nodes_count=2)) == [
        "restores[0].nodes_count: unknown key (check the spelling against the policy reference) (received 2)"]


def test_unknown_key_names_the_nearest_known_key() -> None:
    assert _problems(_cluster(node_typ="ra3.xlplus")) == [
        "restores[0].node_typ: unknown key; did you mean `node_type`? (received 'ra3.xlplus')"]


@pytest.mark.parametrize("source, expected", [
    ({}, "restores[0].source: give exactly one of snapshot_identifier, snapshot_arn, latest_snapshot_of, "
         "recovery_point_arn, latest_recovery_point_of; got none "
         "(example: latest_snapshot_of: analytics-prod)"),
    ({"snapshot_identifier": "a", "latest_snapshot_of": "prod"},
     "restores[0].source: give exactly one of snapshot_identifier, snapshot_arn, latest_snapshot_of, "
     "recovery_point_arn, latest_recovery_point_of; got snapshot_identifier, latest_snapshot_of "
     "(example: latest_snapshot_of: analytics-prod)"),
    ({"recovery_point_arn": "arn:aws:backup:us-east-1:123456789012:recovery-point:abc",
      "backup_vault_name": "vault", "backup_iam_role_arn": "arn:aws:iam::123456789012:role/restore",
      "owner_account": "123456789012"},
     "restores[0].source.owner_account: does not apply to recovery_point_arn (the ARN names its account) "
     "(received '123456789012')"),
    ({"recovery_point_arn": "arn:aws:backup:us-east-1:123456789012:recovery-point:abc",
      "backup_iam_role_arn": "arn:aws:iam::123456789012:role/restore"},
     "restores[0].source.backup_vault_name: is required with recovery_point_arn or latest_recovery_point_of"),
    ({"latest_snapshot_of": "prod", "backup_vault_name": "vault"},
     "restores[0].source.backup_vault_name: only applies to recovery_point_arn or latest_recovery_point_of "
     "(received 'vault')"),
    ({"snapshot_arn": "nightly"},
     "restores[0].source.snapshot_arn: must be an ARN (example: "
     "'arn:aws:redshift:us-east-1:123456789012:snapshot:prod/nightly') (received 'nightly')"),
])
def test_source_rules(source: dict[str, Any], expected: str) -> None:
    assert _problems(_cluster(source=source)) == [expected]


@pytest.mark.parametrize("identifier", ["Analytics", "1abc", "a--b", "abc-", "a" * 64, "a_b"])
def test_cluster_identifier_rules(identifier: str) -> None:
    assert _problems(_cluster(cluster_identifier=identifier)) == [
        "restores[0].cluster_identifier: must be 1-63 lowercase letters, digits and hyphens, "
        "start with a letter, with no '--' and no trailing '-' (example: 'analytics-drill') "
        f"(received {identifier!r})"]


def test_name_used_as_identifier_must_follow_the_rules() -> None:
    problems = _problems(_cluster(name="Analytics_Drill"))
    assert problems[0].startswith("restores[0].name: is used as cluster_identifier (none given) and must")
    assert _Root.model_validate({"restores": [_cluster(name="Analytics_Drill", cluster_identifier="ok")]})


@pytest.mark.parametrize("key, value, message", [
    ("multi_az", True, "a restore to a new location does not support Multi-AZ; restore single-AZ, then turn "
                       "Multi-AZ on with ModifyCluster (received true)"),
    ("elastic_ip", "1.2.3.4",
     "a restore to a new location does not support an Elastic IP (received '1.2.3.4')"),
    ("hsm_configuration_identifier", "hsm", "a restore to a new location does not support HSM encryption "
                                            "(use kms_key_id) (received 'hsm')"),
])
def test_refuses_what_a_new_location_does_not_support(key: str, value: Any, message: str) -> None:
    assert _problems(_cluster(**{key: value})) == [f"restores[0].{key}: {message}"]


@pytest.mark.parametrize("node_type, port, ok", [
    ("ra3.xlplus", 5439, True), ("ra3.xlplus", 8200, True), ("ra3.xlplus", 5500, False),
    ("dc2.large", 5500, True), ("dc2.large", 1149, False), (None, 1150, True), (None, 70000, False),
])
def test_port_ranges_follow_the_node_type(node_type: str | None, port: int, ok: bool) -> None:
    entry = _cluster(port=port, **({"node_type": node_type} if node_type else {}))
    if ok:
        assert _Root.model_validate({"restores": [entry]}).restores[0].port == port  # type: ignore[union-attr]
    else:
        expected = ("RA3 clusters listen on 5431-5455 or 8191-8215" if node_type == "ra3.xlplus"
                    else "must be 1150-65535 (RA3: 5431-5455 or 8191-8215)")
        assert _problems(entry) == [f"restores[0].port: {expected} (received {port})"]


def test_cross_field_rules_are_reported_together() -> None:
    problems = _problems(_cluster(node_type="ra3.xlplus", automated_snapshot_retention_days=0,
                                  master_password_secret_kms_key_id="alias/k",
                                  iam_roles=["arn:aws:iam::123456789012:role/a"],
                                  default_iam_role_arn="arn:aws:iam::123456789012:role/b",
                                  skip_final_snapshot=True, final_snapshot_retention_days=3))
    assert problems == [
        "restores[0].master_password_secret_kms_key_id: only applies with manage_master_password: true "
        "(received 'alias/k')",
        "restores[0].automated_snapshot_retention_days: RA3 clusters need 1..35 days (0 is not allowed) "
        "(received 0)",
        "restores[0].default_iam_role_arn: must be one of iam_roles "
        "(received 'arn:aws:iam::123456789012:role/b')",
        "restores[0].final_snapshot_retention_days: contradicts skip_final_snapshot: true "
        "(no final snapshot is taken) (received 3)",
    ]


@pytest.mark.parametrize("days, ok", [(-1, True), (1, True), (3653, True), (0, False), (3654, False)])
def test_manual_retention_range(days: int, ok: bool) -> None:
    entry = _cluster(manual_snapshot_retention_days=days)
    if ok:
        assert _Root.model_validate({"restores": [entry]})
    else:
        assert _problems(entry) == [f"restores[0].manual_snapshot_retention_days: must be -1 (keep for ever) "
                                    f"or 1..3653 days (received {days})"]


def test_tag_rules() -> None:
    assert _problems(_cluster(tags={"aws:x": "1"})) == [
        "restores[0].tags: tag key 'aws:x' must be 1-128 characters and must not start with 'aws:' "
        "(received {\"aws:x\": \"1\"})"]
    reserved = _problems(_cluster(tags={"redshift-backup:restored-by": "x"}))
    assert "reserved for the ownership tag" in reserved[0]
    assert "at most 49 tags" in _problems(_cluster(tags={f"k{i}": "v" for i in range(50)}))[0]


def test_table_restore_rules() -> None:
    assert _problems(_table(new_table_name="orders")) == [
        "restores[0].new_table_name: must differ from source_table_name when restoring into the same "
        "database and schema (the source table exists) (received 'orders')"]
    # Same table name is fine into another schema.
    assert _Root.model_validate({"restores": [_table(new_table_name="orders", target_schema_name="drill")]})


def test_snapshot_share_rules() -> None:
    assert _problems(_share(accounts_with_restore_access=["111122223333", "111122223333"])) == [
        "restores[0].accounts_with_restore_access[1]: is listed twice (first at accounts_with_restore_access[0]) (received '111122223333')"]
    assert _problems(_share(accounts_with_restore_access=[f"{i:012d}" for i in range(21)]))[0].startswith(
        "restores[0].accounts_with_restore_access: List should have at most 20 items")
    assert _problems(_share(snapshot_arn="arn:aws:redshift:us-east-1:123456789012:snapshot:p/n")) == [
        "restores[0]: give exactly one of snapshot_identifier, snapshot_arn"]


def test_list_problems_find_duplicate_names_and_targets() -> None:
    entries = [_cluster(), _cluster(name="other", cluster_identifier="analytics-drill"), _table(name="other")]
    root = _Root.model_validate({"restores": entries})
    assert [p.render() for p in restore_list_problems(root.restores)] == [
        "restores[1].cluster_identifier: restores[0] restores into the same cluster "
        "(received 'analytics-drill')",
        "restores[2].name: is also the name of restores[1] (received 'other')",
    ]


def test_describe_restore_lines() -> None:
    root = _Root.model_validate({"restores": [
        _cluster(node_type="ra3.xlplus", number_of_nodes=2, cluster_parameter_group_name="pg",
                 vpc_security_group_ids=["sg-1"], cluster_subnet_group_name="sn", iam_roles=[],
                 tags={"team": "data"}),
        _cluster(name="b", source={"snapshot_identifier": "nightly", "owner_account": "123456789012"},
                 skip_final_snapshot=True),
        _table(), _share(accounts_with_restore_access=["111122223333", "444455556666"]),
    ]})
    assert [describe_restore(r) for r in root.restores] == [
        ["restore cluster analytics-drill from the latest snapshot of analytics-prod, "
         "node type ra3.xlplus x 2, final snapshot on delete kept 7 days",
         "tags: team=data", "create waits up to 75 minutes for the restore"],
        ["restore cluster b from snapshot nightly shared by account 123456789012, node type and count as the "
         "snapshot, no final snapshot on delete",
         "AWS defaults (the source cluster is in account 123456789012, nothing is taken from it): parameter "
         "group, security groups, subnet group, IAM roles", "create waits up to 75 minutes for the restore"],
        ["restore table dev.public.orders from the latest snapshot of analytics-prod into "
         "dev.public.orders_restored on cluster analytics-prod",
         "destroy leaves the restored table in place (drop it with SQL when done)"],
        ["share snapshot nightly with accounts 111122223333, 444455556666; destroy revokes the access"],
    ]


def test_plan_lines_say_what_is_inherited() -> None:
    root = _Root.model_validate({"restores": [
        _cluster(), _cluster(name="b", cluster_subnet_group_name="drill-subnets"),
        _cluster(name="c", source={"latest_recovery_point_of": "analytics-prod", "owner_account": "111111111111",
                                   "backup_vault_name": "drill-vault",
                                   "backup_iam_role_arn": "arn:aws:iam::222222222222:role/backup"},
                 cluster_subnet_group_name="drill-subnets", vpc_security_group_ids=["sg-1"]),
    ]})
    assert [describe_restore(r)[1] for r in root.restores] == [
        "taken from the source cluster when it still exists: parameter group, security groups, subnet group, "
        "IAM roles",
        "taken from the source cluster when it still exists: parameter group, security groups (only if "
        "cluster_subnet_group_name is its subnet group), IAM roles",
        # The drill stack's case: the source cluster lives in production's account.
        "AWS defaults (the source cluster is in account 111111111111, nothing is taken from it): parameter group, "
        "IAM roles",
    ]
