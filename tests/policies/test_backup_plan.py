"""Planning of the AWS Backup path: canonical rule, selection, vault, role, topic and report shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from policies import backup_plan as bp
from policies.models import Policy
from policies.selection import Selection
from policies.validation import load_stack_file, validate_policy

REGION = "us-east-1"
ACCOUNT = "123456789012"
PROD = load_stack_file("Pulumi.prod.yaml").policies[0]
DEV = load_stack_file("Pulumi.dev.yaml").policies[0]


def policy(**overrides: Any) -> Policy:
    raw: dict[str, Any] = {
        "name": "orders",
        "selection": {"clusters": ["orders-prod"]},
        "backup": {"rules": [{"name": "daily", "delete_after_days": 14}]},
    }
    raw.update(overrides)
    return validate_policy(raw, REGION)


# --- rules ------------------------------------------------------------------------------------------------------


def test_prod_rules_are_sorted_by_name_and_every_rule_and_copy_has_a_lifecycle() -> None:
    rules = bp.plan_rules(PROD, "VAULT", {"us-west-2": "WEST-ARN"})
    assert [r["rule_name"] for r in rules] == ["daily", "monthly-7-year", "weekly"]
    assert [r["lifecycle"] for r in rules] == [{"delete_after": 35}, {"delete_after": 2555}, {"delete_after": 90}]
    assert all(r["target_vault_name"] == "VAULT" for r in rules)
    copies = [c for r in rules for c in r["copy_actions"]]
    assert copies == [
        {"destination_vault_arn": "WEST-ARN", "lifecycle": {"delete_after": 35}},
        # No delete_after_days on the copy: it keeps the rule's retention, never "for ever".
        {"destination_vault_arn": "WEST-ARN", "lifecycle": {"delete_after": 2555}},
        {"destination_vault_arn": "arn:aws:backup:us-east-1:444455556666:backup-vault:org-redshift-backups",
         "lifecycle": {"delete_after": 365}},
    ]


def test_rule_time_zone_is_left_out_for_utc_and_kept_otherwise() -> None:
    rules = {r["rule_name"]: r for r in bp.plan_rules(PROD, "V", {"us-west-2": "W"})}
    assert "schedule_expression_timezone" not in rules["daily"]
    assert rules["monthly-7-year"]["schedule_expression_timezone"] == "Europe/Berlin"
    assert rules["daily"]["start_window"] == 60 and rules["daily"]["completion_window"] == 720


def test_recovery_point_tags_merge_policy_tags_and_are_left_out_when_empty() -> None:
    rules = {r["rule_name"]: r for r in bp.plan_rules(PROD, "V", {"us-west-2": "W"})}
    # The prod policy is audited: its recovery points also carry the audit scope tag (policies/audit.py).
    assert rules["daily"]["recovery_point_tags"] == {
        "cost-center": "4711", "environment": "prod", "frequency": "daily", "owner": "data-platform",
        "redshift-backup:policy": "prod-analytics"}
    bare = bp.plan_rules(policy(), "V", {})
    assert bare == [{"rule_name": "daily", "target_vault_name": "V", "schedule": "cron(0 5 ? * * *)",
                     "start_window": 480, "completion_window": 10080, "lifecycle": {"delete_after": 14}}]


def test_rule_tags_win_over_policy_tags_and_copy_actions_sort_by_destination() -> None:
    p = policy(tags={"frequency": "any", "team": "orders"}, backup={"rules": [{
        "name": "daily", "recovery_point_tags": {"frequency": "daily"},
        "copy_actions": [{"destination_region": "us-west-2"}, {"destination_region": "eu-west-1"}]}]})
    rule = bp.plan_rules(p, "V", {"us-west-2": "W2", "eu-west-1": "E1"})[0]
    assert rule["recovery_point_tags"] == {"frequency": "daily", "team": "orders"}
    assert [c["destination_vault_arn"] for c in rule["copy_actions"]] == ["E1", "W2"]
    assert bp.destination_regions(p) == ["eu-west-1", "us-west-2"]


def test_destination_regions_leave_out_copies_to_given_vaults() -> None:
    assert bp.destination_regions(PROD) == ["us-west-2"]
    assert bp.describe_copy_regions(PROD) == ["us-east-1", "us-west-2"]
    assert bp.destination_regions(DEV) == []


# --- selections -------------------------------------------------------------------------------------------------


def test_prod_selection_splits_named_tagged_and_namespaces() -> None:
    specs = bp.selection_specs(PROD, REGION, ACCOUNT)
    assert [(s.key, s.name) for s in specs] == [
        ("clusters", "prod-analytics-clusters"), ("tagged", "prod-analytics-tagged"),
        ("namespaces", "prod-analytics-namespaces")]
    clusters, tagged, namespaces = specs
    assert clusters.resources == ["arn:aws:redshift:us-east-1:111122223333:cluster:finance-prod",
                                  "arn:aws:redshift:us-east-1:123456789012:cluster:analytics-prod"]
    excluded = ["arn:aws:redshift:us-east-1:123456789012:cluster:analytics-prod-scratch"]
    assert clusters.not_resources == excluded and clusters.conditions is None
    # Scoped to Redshift clusters of this account and region: a tag never selects another resource type.
    assert tagged.resources == ["arn:aws:redshift:us-east-1:123456789012:cluster:*"]
    assert tagged.not_resources == excluded
    assert tagged.conditions == [{
        "string_equals": [{"key": "aws:ResourceTag/tier", "value": "1"}],
        "string_not_equals": [{"key": "aws:ResourceTag/backup", "value": "none"}],
    }]
    assert namespaces.resources == [PROD.selection.serverless_namespaces[0]]
    assert namespaces.not_resources == []  # the exclusion is a cluster: not repeated on namespaces


def test_condition_operators_use_the_provider_plural_names_and_sort() -> None:
    p = policy(selection={"conditions": {
        "string_like": [{"key": "team", "value": "b*"}, {"key": "team", "value": "a*"}],
        "string_not_like": [{"key": "env", "value": "test*"}]}})
    (spec,) = bp.selection_specs(p, REGION, ACCOUNT)
    assert spec.conditions == [{
        "string_likes": [{"key": "aws:ResourceTag/team", "value": "a*"},
                         {"key": "aws:ResourceTag/team", "value": "b*"}],
        "string_not_likes": [{"key": "aws:ResourceTag/env", "value": "test*"}],
    }]
    assert bp.selection_args(spec) == {"resources": spec.resources, "conditions": spec.conditions}


def test_selection_args_leave_out_empty_not_resources_and_conditions() -> None:
    (spec,) = bp.selection_specs(policy(), REGION, ACCOUNT)
    assert bp.selection_args(spec) == {"resources": ["arn:aws:redshift:us-east-1:123456789012:cluster:orders-prod"]}


def test_account_placeholder_is_completed_later_and_leaves_the_shape_alone() -> None:
    templated = bp.selection_specs(PROD, REGION)
    assert any(bp.ACCOUNT in r for s in templated for r in s.resources)
    assert [s.with_account(ACCOUNT) for s in templated] == bp.selection_specs(PROD, REGION, ACCOUNT)


def test_more_arns_than_one_selection_takes_split_deterministically() -> None:
    # The policy language caps one list at 500; the split still guards the sum and wildcard entries.
    names = [f"c{i:04d}" for i in range(1203)] + ["tmp-*", "etl-*"]
    selection = Selection.model_construct(clusters=names, serverless_namespaces=[], conditions=None,
                                          not_resources=[])
    p = Policy.model_construct(name="big", selection=selection)
    specs = bp.selection_specs(p, REGION, ACCOUNT)
    assert [s.name for s in specs] == ["big-clusters", "big-clusters-2", "big-clusters-3", "big-clusters-4"]
    assert [len(s.resources) for s in specs] == [500, 500, 203, 2]
    assert all("*" not in r for s in specs[:3] for r in s.resources)
    arns = [bp.cluster_arn(REGION, ACCOUNT, n) for n in names]
    assert [r for s in specs for r in s.resources] == sorted(arns[:1203]) + sorted(arns[1203:])
    assert specs == bp.selection_specs(p, REGION, ACCOUNT)


def test_wildcard_entries_are_split_at_thirty() -> None:
    selection = Selection.model_construct(clusters=[f"w{i:02d}-*" for i in range(31)],
                                          serverless_namespaces=[], conditions=None, not_resources=[])
    specs = bp.selection_specs(Policy.model_construct(name="wild", selection=selection), REGION, ACCOUNT)
    assert [len(s.resources) for s in specs] == [30, 1]


# --- vaults -----------------------------------------------------------------------------------------------------


def test_prod_vault_has_new_key_compliance_lock_and_access_policy_with_exception() -> None:
    spec = bp.vault_spec(PROD, REGION)
    assert (spec.create, spec.vault_name, spec.kms, spec.key_alias, spec.protect) == (
        True, "prod-analytics-vault", "new", "alias/redshift-backup/prod-analytics-vault", True)
    assert spec.lock == {"min_retention_days": 30, "max_retention_days": 2555, "changeable_for_days": 3}
    (statement,) = spec.access_policy["Statement"]  # type: ignore[index]
    assert statement["Effect"] == "Deny" and statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]
    assert statement["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/backup-break-glass"]}}
    assert spec.arn(ACCOUNT) == "arn:aws:backup:us-east-1:123456789012:backup-vault:prod-analytics-vault"


def test_destination_vault_gets_a_new_key_in_its_region_unless_aws_managed() -> None:
    west = bp.vault_spec(PROD, "us-west-2", destination=True)
    assert (west.region, west.vault_name, west.kms, west.lock) == (
        "us-west-2", "prod-analytics-vault", "new", bp.vault_spec(PROD, REGION).lock)
    given = policy(backup={"rules": [{"name": "d"}], "vault": {
        "kms_key": "arn:aws:kms:us-east-1:123456789012:key/abcd"}})
    assert bp.vault_spec(given, REGION).kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/abcd"
    assert bp.vault_spec(given, "us-west-2", destination=True).kms == "new"
    assert bp.vault_spec(DEV, "us-west-2", destination=True).kms == "aws_managed"


def test_dev_vault_is_unprotected_without_key_lock_or_access_policy() -> None:
    spec = bp.vault_spec(DEV, REGION)
    assert (spec.vault_name, spec.kms, spec.key_alias, spec.lock, spec.protect, spec.access_policy) == (
        "dev-daily-vault", "aws_managed", None, None, False, None)


def test_deny_without_exceptions_has_no_condition() -> None:
    spec = bp.vault_spec(policy(backup={"rules": [{"name": "d"}]}), REGION)
    assert spec.access_policy is not None
    assert "Condition" not in spec.access_policy["Statement"][0]  # type: ignore[index]


@pytest.mark.parametrize(("existing", "region", "name", "arn"), [
    ("shared-vault", REGION, "shared-vault", "arn:aws:backup:us-east-1:123456789012:backup-vault:shared-vault"),
    # A vault ARN must be in the stack's region (a plan backs up into a vault of its own region).
    ("arn:aws:backup:us-east-1:999988887777:backup-vault:central", REGION, "central",
     "arn:aws:backup:us-east-1:999988887777:backup-vault:central"),
])
def test_existing_vault_is_used_as_it_is(existing: str, region: str, name: str, arn: str) -> None:
    p = policy(backup={"rules": [{"name": "d"}], "vault": {"existing": existing}})
    spec = bp.vault_spec(p, REGION)
    assert (spec.create, spec.region, spec.vault_name, spec.arn(ACCOUNT), spec.protect) == (
        False, region, name, arn, False)


# --- IAM, notifications, reports --------------------------------------------------------------------------------


def test_role_trusts_aws_backup_with_managed_policies_and_pass_role_for_restores() -> None:
    spec = bp.role_spec(PROD, REGION)
    assert spec is not None and spec.name == "prod-analytics-backup-us-east-1"
    assert spec.assume_role_policy["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert spec.managed_policy_arns == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"]
    (statement,) = spec.pass_role_policy["Statement"]  # type: ignore[index]
    assert statement["Action"] == "iam:PassRole"
    assert statement["Resource"] == ["arn:aws:iam::111122223333:role/redshift-s3-access"]
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "redshift.amazonaws.com"}}
    assert bp.role_spec(DEV, REGION).pass_role_policy is None  # type: ignore[union-attr]
    given = policy(backup={"rules": [{"name": "d"}], "iam_role_arn": "arn:aws:iam::123456789012:role/backup"})
    assert bp.role_spec(given, REGION) is None


def test_partition_follows_the_region() -> None:
    assert bp.partition_of("us-gov-west-1") == "aws-us-gov" and bp.partition_of("cn-north-1") == "aws-cn"
    spec = bp.role_spec(policy(), "us-gov-west-1")
    assert spec is not None and spec.managed_policy_arns[0].startswith("arn:aws-us-gov:iam::aws:policy/")
    assert bp.cluster_arn("cn-north-1", ACCOUNT, "x") == "arn:aws-cn:redshift:cn-north-1:123456789012:cluster:x"


def test_topic_policy_lets_aws_backup_publish_and_keeps_the_owner_statement() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:prod-analytics-backup-events"
    statements = {s["Sid"]: s for s in bp.topic_policy(arn, ACCOUNT)["Statement"]}
    assert statements["AwsBackupPublish"] == {"Sid": "AwsBackupPublish", "Effect": "Allow", "Principal": {
        "Service": "backup.amazonaws.com"}, "Action": "SNS:Publish", "Resource": arn}
    assert statements["OwnerAccount"]["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    assert statements["RedshiftEventsPublish"]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert bp.vault_events(PROD) == ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RECOVERY_POINT_MODIFIED",
                                     "RESTORE_JOB_COMPLETED"]
    assert bp.vault_events(DEV) == []


def test_report_plans_one_per_template_with_names_aws_accepts() -> None:
    specs = bp.report_specs(PROD)
    assert [(s.name, s.template) for s in specs] == [
        ("prod_analytics_backup_jobs", "BACKUP_JOB_REPORT"), ("prod_analytics_copy_jobs", "COPY_JOB_REPORT"),
        ("prod_analytics_restore_jobs", "RESTORE_JOB_REPORT")]
    assert all(re.fullmatch(r"[a-zA-Z][_a-zA-Z0-9]{0,255}", s.name) for s in specs)
    assert bp.report_delivery(PROD.backup.reports, "BUCKET") == {"s3_bucket_name": "BUCKET", "formats": ["CSV", "JSON"]}
    prefixed = policy(backup={"rules": [{"name": "d"}], "reports": {
        "templates": ["COPY_JOB_REPORT"], "s3_key_prefix": "redshift", "formats": ["JSON", "CSV"]}})
    assert bp.report_delivery(prefixed.backup.reports, "B") == {"s3_bucket_name": "B", "formats": ["CSV", "JSON"],
                                                 "s3_key_prefix": "redshift"}
    assert bp.report_specs(DEV) == []


def test_report_bucket_policy_denies_plain_http_and_region_opt_in_covers_namespaces() -> None:
    (statement,) = bp.report_bucket_policy("arn:aws:s3:::b")["Statement"]
    assert statement["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert bp.region_opt_in(PROD) == {"Redshift": True, "Redshift Serverless": True}
    assert bp.region_opt_in(DEV) == {"Redshift": True}


def test_planning_a_policy_without_backup_layer_fails_clearly() -> None:
    native_only = validate_policy({"name": "native", "selection": {"clusters": ["a"]},
                                   "snapshots": {"automated_snapshot_retention_days": 7}}, REGION)
    with pytest.raises(ValueError, match="has no `backup` layer"):
        bp.vault_spec(native_only, REGION)


@pytest.mark.parametrize(("region", "partition"), [
    ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("us-iso-east-1", "aws-iso"),
    ("eu-isoe-west-1", "aws-iso-e")])
def test_arns_are_in_the_partition_botocore_gives_the_region(region: str, partition: str) -> None:
    from policies.backup_plan import cluster_arn, partition_of

    assert partition_of(region) == partition
    assert cluster_arn(region, "123456789012", "a").startswith(f"arn:{partition}:redshift:{region}:")
