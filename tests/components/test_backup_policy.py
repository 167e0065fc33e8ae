"""`RedshiftBackupPolicy` and its children under the Pulumi mock runtime: what is registered, with which inputs."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any
from unittest.mock import ANY

import dill
import pulumi
import pulumi_aws
import pytest
import yaml

from components.backup_policy import RedshiftBackupPolicy
from components.notifications import BackupNotifications
from components.region_opt_in import BackupRegionOptInProvider
from components.vault import BackupVault
from policies.errors import ConfigError
from redshift_backup.mockrun import ProgramRun, RecordingMocks, Registration, run_program

POLICY_TOKEN = "redshift-backup:index:RedshiftBackupPolicy"
VAULT_TOKEN = "redshift-backup:index:BackupVault"
CONFIG = {"aws:region": "us-east-1"}


def stack_policies(path: str) -> list[dict[str, Any]]:
    return yaml.safe_load(open(path, encoding="utf-8"))["config"]["redshift-backup:policies"]


PROD = stack_policies("Pulumi.prod.yaml")[0]
DEV = stack_policies("Pulumi.dev.yaml")[0]


def minimal(**backup: Any) -> dict[str, Any]:
    """A small policy: one named cluster, one daily rule, plus the given `backup` keys."""
    return {"name": "orders", "selection": {"clusters": ["orders-prod"]},
            "backup": {"rules": [{"name": "daily", "delete_after_days": 14}], **backup}}


def build(*policies: dict[str, Any], preview: bool = True, shared_notifications: bool = False) -> ProgramRun:
    """Run a program that builds one RedshiftBackupPolicy per policy dict (region from aws:region)."""

    def program() -> None:
        for raw in policies:
            topic = None
            if shared_notifications and raw.get("notifications"):
                topic = BackupNotifications(f"{raw['name']}-notifications", policy=raw)
            RedshiftBackupPolicy(raw["name"], policy=raw, notifications=topic)

    return run_program(CONFIG, preview=preview, program=program)


def graph(run: ProgramRun) -> set[tuple[str, str, str | None]]:
    return {(r.type, r.name, r.parent_name) for r in run.registrations}


def of_type(run: ProgramRun, suffix: str) -> list[Registration]:
    return [r for r in run.registrations if r.type.endswith(suffix)]


@pytest.fixture(scope="module", params=[True, False], ids=["preview", "up"])
def prod(request: pytest.FixtureRequest) -> ProgramRun:
    return build(PROD, preview=request.param)


def test_prod_registers_the_whole_aws_backup_path(prod: ProgramRun) -> None:
    p = "prod-analytics"
    west = f"{p}-vault-us-west-2"
    assert graph(prod) == {
        (POLICY_TOKEN, p, None),
        ("redshift-backup:index:BackupNotifications", f"{p}-notifications", p),
        ("aws:sns/topic:Topic", f"{p}-notifications-topic", f"{p}-notifications"),
        ("aws:sns/topicPolicy:TopicPolicy", f"{p}-notifications-topic-policy", f"{p}-notifications"),
        ("aws:sns/topicSubscription:TopicSubscription", f"{p}-notifications-email-dba-oncall@example.com",
         f"{p}-notifications"),
        ("aws:sns/topicSubscription:TopicSubscription", f"{p}-notifications-email-data-platform@example.com",
         f"{p}-notifications"),
        (VAULT_TOKEN, f"{p}-vault", p),
        ("aws:kms/key:Key", f"{p}-vault-key", f"{p}-vault"),
        ("aws:kms/alias:Alias", f"{p}-vault-key-alias", f"{p}-vault"),
        ("aws:backup/vault:Vault", f"{p}-vault", f"{p}-vault"),
        ("aws:backup/vaultLockConfiguration:VaultLockConfiguration", f"{p}-vault-lock", f"{p}-vault"),
        ("aws:backup/vaultPolicy:VaultPolicy", f"{p}-vault-policy", f"{p}-vault"),
        ("aws:backup/vaultNotifications:VaultNotifications", f"{p}-vault-notifications", f"{p}-vault"),
        ("pulumi:providers:aws", f"{p}-provider-us-west-2", p),
        (VAULT_TOKEN, west, p),
        ("aws:kms/key:Key", f"{west}-key", west),
        ("aws:kms/alias:Alias", f"{west}-key-alias", west),
        ("aws:backup/vault:Vault", west, west),
        ("aws:backup/vaultLockConfiguration:VaultLockConfiguration", f"{west}-lock", west),
        ("aws:backup/vaultPolicy:VaultPolicy", f"{west}-policy", west),
        ("aws:iam/role:Role", f"{p}-role", p),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-role-backup", p),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-role-restores", p),
        ("aws:iam/rolePolicy:RolePolicy", f"{p}-role-pass-role", p),
        ("aws:backup/plan:Plan", f"{p}-plan", p),
        ("aws:backup/selection:Selection", f"{p}-selection-clusters", p),
        ("aws:backup/selection:Selection", f"{p}-selection-tagged", p),
        ("aws:backup/selection:Selection", f"{p}-selection-namespaces", p),
        ("redshift-backup:index:BackupReports", f"{p}-reports", p),
        ("aws:s3/bucket:Bucket", f"{p}-reports-bucket", f"{p}-reports"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{p}-reports-bucket-ownership",
         f"{p}-reports"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{p}-reports-bucket-public-access",
         f"{p}-reports"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
         f"{p}-reports-bucket-encryption", f"{p}-reports"),
        ("aws:s3/bucketVersioning:BucketVersioning", f"{p}-reports-bucket-versioning", f"{p}-reports"),
        ("aws:s3/bucketPolicy:BucketPolicy", f"{p}-reports-bucket-policy", f"{p}-reports"),
        ("aws:backup/reportPlan:ReportPlan", f"{p}-reports-backup_jobs", f"{p}-reports"),
        ("aws:backup/reportPlan:ReportPlan", f"{p}-reports-copy_jobs", f"{p}-reports"),
        ("aws:backup/reportPlan:ReportPlan", f"{p}-reports-restore_jobs", f"{p}-reports"),
        # The prod example is audited (components/audit.py); its compliance reports share the job reports' bucket.
        ("redshift-backup:index:BackupAuditFramework", f"{p}-audit", p),
        ("aws:backup/framework:Framework", f"{p}-audit", f"{p}-audit"),
        ("aws:backup/reportPlan:ReportPlan", f"{p}-audit-control_compliance", f"{p}-audit"),
        ("aws:backup/reportPlan:ReportPlan", f"{p}-audit-resource_compliance", f"{p}-audit"),
    }


def test_prod_vaults_and_keys_are_protected_and_named_from_the_policy(prod: ProgramRun) -> None:
    protected = {r.name for r in prod.registrations if r.protect}
    assert protected == {"prod-analytics-vault-key", "prod-analytics-vault", "prod-analytics-vault-lock",
                         "prod-analytics-vault-us-west-2-key", "prod-analytics-vault-us-west-2",
                         "prod-analytics-vault-us-west-2-lock"}
    vaults = of_type(prod, "vault:Vault")
    assert {v.inputs["name"] for v in vaults} == {"prod-analytics-vault"}
    key = prod.named("prod-analytics-vault-key")
    assert key.inputs["enableKeyRotation"] is True
    assert prod.named("prod-analytics-vault-key-alias").inputs["name"] == "alias/redshift-backup/prod-analytics-vault"
    main = next(v for v in vaults if v.name == "prod-analytics-vault" and v.type.startswith("aws:"))
    assert main.inputs["kmsKeyArn"] == key.outputs["arn"]
    assert main.inputs["tags"] == {"cost-center": "4711", "environment": "prod", "owner": "data-platform"}


def test_prod_lock_access_policy_and_notifications(prod: ProgramRun) -> None:
    lock = prod.named("prod-analytics-vault-lock").inputs
    assert (lock["minRetentionDays"], lock["maxRetentionDays"], lock["changeableForDays"]) == (30, 2555, 3)
    policy = json.loads(prod.named("prod-analytics-vault-policy").inputs["policy"])
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny" and "backup:DeleteRecoveryPoint" in deny["Action"]
    assert deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        "arn:aws:iam::111122223333:role/backup-break-glass"]
    notifications = prod.named("prod-analytics-vault-notifications").inputs
    topic = prod.named("prod-analytics-notifications-topic")
    assert notifications["snsTopicArn"] == topic.outputs["arn"]
    assert notifications["backupVaultEvents"] == sorted(notifications["backupVaultEvents"])
    assert topic.inputs["name"] == "prod-analytics-backup-events"
    subscription = prod.named("prod-analytics-notifications-email-dba-oncall@example.com").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "dba-oncall@example.com")


def test_topic_policy_lets_aws_backup_publish_once_the_topic_exists(prod: ProgramRun) -> None:
    topic_arn = prod.named("prod-analytics-notifications-topic").outputs["arn"]
    policy = json.loads(prod.named("prod-analytics-notifications-topic-policy").inputs["policy"])
    backup = next(s for s in policy["Statement"] if s["Principal"] == {"Service": "backup.amazonaws.com"})
    assert backup["Action"] == "SNS:Publish" and backup["Resource"] == topic_arn


def test_copy_vault_goes_through_an_explicit_provider_for_its_region(prod: ProgramRun) -> None:
    provider = prod.named("prod-analytics-provider-us-west-2")
    assert provider.inputs["region"] == "us-west-2"
    west = [r for r in prod.registrations if r.parent_name == "prod-analytics-vault-us-west-2"]
    assert len(west) == 5 and all(r.provider and r.provider.startswith(provider.urn) for r in west)
    home = [r for r in prod.registrations if r.parent_name == "prod-analytics-vault"]
    assert home and not any(r.provider and "provider-us-west-2" in r.provider for r in home)
    west_vault = next(r for r in west if r.type == "aws:backup/vault:Vault")
    assert west_vault.inputs["name"] == "prod-analytics-vault"
    assert "prod-analytics-vault-us-west-2-notifications" not in {r.name for r in prod.registrations}


def test_plan_rules_target_the_vault_and_copy_with_a_lifecycle(prod: ProgramRun) -> None:
    plan = prod.named("prod-analytics-plan").inputs
    west_arn = next(r for r in prod.registrations if r.type == "aws:backup/vault:Vault"
                    and r.parent_name == "prod-analytics-vault-us-west-2").outputs["arn"]
    assert plan["name"] == "prod-analytics"
    assert [r["ruleName"] for r in plan["rules"]] == ["daily", "monthly-7-year", "weekly"]
    assert {r["targetVaultName"] for r in plan["rules"]} == {"prod-analytics-vault"}
    daily = plan["rules"][0]
    assert daily["copyActions"] == [{"destinationVaultArn": west_arn, "lifecycle": {"deleteAfter": 35}}]
    assert all("lifecycle" in c for r in plan["rules"] for c in r["copyActions"])
    assert "scheduleExpressionTimezone" not in daily
    assert plan["rules"][1]["scheduleExpressionTimezone"] == "Europe/Berlin"


def test_selections_have_one_canonical_shape(prod: ProgramRun) -> None:
    role_arn = prod.named("prod-analytics-role").outputs["arn"]
    plan_id = "prod-analytics-plan-id"
    clusters = prod.named("prod-analytics-selection-clusters").inputs
    tagged = prod.named("prod-analytics-selection-tagged").inputs
    namespaces = prod.named("prod-analytics-selection-namespaces").inputs
    for selection in (clusters, tagged, namespaces):
        assert (selection["iamRoleArn"], selection["planId"]) == (role_arn, plan_id)
        assert selection["resources"] == sorted(selection["resources"])
    assert clusters["resources"] == ["arn:aws:redshift:us-east-1:111122223333:cluster:finance-prod",
                                     "arn:aws:redshift:us-east-1:123456789012:cluster:analytics-prod"]
    assert "conditions" not in clusters
    assert tagged["resources"] == ["arn:aws:redshift:us-east-1:123456789012:cluster:*"]
    assert tagged["conditions"] == [{"stringEquals": [{"key": "aws:ResourceTag/tier", "value": "1"}],
                                     "stringNotEquals": [{"key": "aws:ResourceTag/backup", "value": "none"}]}]
    assert tagged["notResources"] == ["arn:aws:redshift:us-east-1:123456789012:cluster:analytics-prod-scratch"]
    # No empty blocks: a namespace selection carries neither conditions nor an empty notResources.
    assert set(namespaces) == {"name", "planId", "iamRoleArn", "resources"}


def test_selections_wait_for_the_role_policies(prod: ProgramRun) -> None:
    attachments = {r.urn for r in prod.registrations if r.name.startswith("prod-analytics-role-")}
    for selection in of_type(prod, "selection:Selection"):
        assert attachments <= set(selection.dependencies)


def test_role_trusts_aws_backup_and_passes_restore_roles(prod: ProgramRun) -> None:
    role = prod.named("prod-analytics-role").inputs
    assert role["name"] == "prod-analytics-backup-us-east-1"
    trust = json.loads(role["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    arns = {prod.named(f"prod-analytics-role-{s}").inputs["policyArn"] for s in ("backup", "restores")}
    assert arns == {"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"}
    pass_role = json.loads(prod.named("prod-analytics-role-pass-role").inputs["policy"])
    assert pass_role["Statement"][0]["Resource"] == ["arn:aws:iam::111122223333:role/redshift-s3-access"]


def test_reports_write_to_a_private_encrypted_bucket(prod: ProgramRun) -> None:
    bucket = prod.named("prod-analytics-reports-bucket")
    plans = of_type(prod, "reportPlan:ReportPlan")
    assert sorted(p.inputs["reportSetting"]["reportTemplate"] for p in plans) == [
        "BACKUP_JOB_REPORT", "CONTROL_COMPLIANCE_REPORT", "COPY_JOB_REPORT", "RESOURCE_COMPLIANCE_REPORT",
        "RESTORE_JOB_REPORT"]
    assert {p.inputs["reportDeliveryChannel"]["s3BucketName"] for p in plans} == {
        "prod-analytics-reports-bucket-1a2b3c4"} == {bucket.outputs["bucket"]}
    assert {tuple(p.inputs["reportDeliveryChannel"]["formats"]) for p in plans} == {("CSV", "JSON")}
    block = prod.named("prod-analytics-reports-bucket-public-access").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    encryption = prod.named("prod-analytics-reports-bucket-encryption").inputs
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    settings = {r.urn for r in prod.registrations if r.name.startswith("prod-analytics-reports-bucket-")}
    assert all(settings <= set(p.dependencies) for p in plans if p.parent_name == "prod-analytics-reports")


def test_component_outputs_carry_the_contracted_values() -> None:
    def program() -> None:
        policy = RedshiftBackupPolicy("orders", policy=minimal())
        for key in ("vault_name", "vault_arn", "plan_id", "plan_arn", "selection_ids", "role_arn",
                    "destination_vault_arns"):
            pulumi.export(key, getattr(policy, key))

    run = run_program(CONFIG, preview=False, program=program)
    vault = next(r for r in run.registrations if r.type == "aws:backup/vault:Vault")
    assert run.outputs == {
        "vault_name": "orders-vault", "vault_arn": vault.outputs["arn"],
        "plan_id": "orders-plan-id", "plan_arn": run.named("orders-plan").outputs["arn"],
        "selection_ids": ["orders-selection-clusters-id"], "role_arn": run.named("orders-role").outputs["arn"],
        "destination_vault_arns": {},
    }


def test_dev_is_a_tag_selection_into_an_unprotected_open_vault_with_the_aws_key() -> None:
    run = build(DEV)
    assert sorted(r.type for r in run.registrations if r.type.startswith("aws:")) == sorted([
        # no vault policy: dev lets people delete recovery points (deny_recovery_point_deletion: false)
        "aws:backup/vault:Vault", "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:backup/plan:Plan", "aws:backup/selection:Selection"])
    assert not any(r.protect for r in run.registrations)
    vault = next(r for r in run.registrations if r.type == "aws:backup/vault:Vault")
    assert "kmsKeyArn" not in vault.inputs and vault.inputs["name"] == "dev-daily-vault"
    (selection,) = of_type(run, "selection:Selection")
    assert selection.name == "dev-daily-selection-tagged"
    assert set(selection.inputs) == {"name", "planId", "iamRoleArn", "resources", "conditions"}


# --- options on and off -----------------------------------------------------------------------------------------


def test_existing_vault_creates_nothing_and_is_the_plan_target() -> None:
    run = build(minimal(vault={"existing": "arn:aws:backup:us-east-1:123456789012:backup-vault:central"}))
    (vault,) = [r for r in run.registrations if r.type == VAULT_TOKEN]
    assert [r for r in run.registrations if r.parent_name == "orders-vault"] == []
    plan = run.named("orders-plan").inputs
    assert plan["rules"][0]["targetVaultName"] == "central"


def test_given_key_role_and_no_access_policy() -> None:
    run = build(minimal(vault={"kms_key": "arn:aws:kms:us-east-1:123456789012:key/abc",
                               "deny_recovery_point_deletion": False, "protect": False},
                        iam_role_arn="arn:aws:iam::123456789012:role/my-backup-role"))
    types = {r.type for r in run.registrations}
    assert not types & {"aws:kms/key:Key", "aws:iam/role:Role", "aws:backup/vaultPolicy:VaultPolicy",
                        "aws:iam/rolePolicyAttachment:RolePolicyAttachment"}
    vault = next(r for r in run.registrations if r.type == "aws:backup/vault:Vault")
    assert vault.inputs["kmsKeyArn"] == "arn:aws:kms:us-east-1:123456789012:key/abc" and not vault.protect
    (selection,) = of_type(run, "selection:Selection")
    assert selection.inputs["iamRoleArn"] == "arn:aws:iam::123456789012:role/my-backup-role"


def test_governance_lock_has_no_cooling_off_period() -> None:
    run = build(minimal(vault={"lock": {"mode": "governance", "min_retention_days": 7,
                                        "max_retention_days": 30}}))
    lock = run.named("orders-vault-lock")
    assert lock.inputs == {"backupVaultName": "orders-vault", "minRetentionDays": 7, "maxRetentionDays": 30}
    assert lock.protect


@pytest.mark.parametrize("reports", [None, {"s3_bucket_name": "central-reports", "templates": ["COPY_JOB_REPORT"]}])
def test_reports_off_or_to_a_given_bucket(reports: dict[str, Any] | None) -> None:
    run = build(minimal(**({"reports": reports} if reports else {})))
    assert not of_type(run, "bucket:Bucket")
    plans = of_type(run, "reportPlan:ReportPlan")
    if reports is None:
        assert plans == [] and "redshift-backup:index:BackupReports" not in {r.type for r in run.registrations}
    else:
        (plan,) = plans
        assert plan.name == "orders-reports-copy_jobs" and plan.inputs["name"] == "orders_copy_jobs"
        assert plan.inputs["reportDeliveryChannel"] == {"s3BucketName": "central-reports", "formats": ["CSV"]}


@pytest.mark.parametrize("opt_in", [False, True])
def test_region_opt_in_only_when_asked_and_only_our_keys(opt_in: bool) -> None:
    run = build(minimal(opt_in_region_settings=opt_in))
    # Never aws.backup.RegionSettings: it holds every resource type's opt-in and never settles with ours alone.
    assert of_type(run, "regionSettings:RegionSettings") == []
    settings = of_type(run, "redshift-backup:BackupRegionOptIn")
    if opt_in:
        (opt,) = settings
        assert opt.name == "orders-region-settings" and opt.parent_name == "orders"
        assert opt.inputs == {"region": "us-east-1", "resource_types": {"Redshift": True}, "__provider": ANY}
        provider = dill.loads(base64.b64decode(opt.inputs["__provider"]))
        assert type(provider) is BackupRegionOptInProvider  # by reference: importable by the provider host
    else:
        assert settings == []


def test_region_opt_in_adds_serverless_when_namespaces_are_selected() -> None:
    namespace = "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    policy = {**minimal(opt_in_region_settings=True), "selection": {"serverless_namespaces": [namespace]}}
    (opt,) = of_type(build(policy), "redshift-backup:BackupRegionOptIn")
    assert opt.inputs["resource_types"] == {"Redshift": True, "Redshift Serverless": True}


def test_notifications_off_create_no_topic_and_no_vault_notifications() -> None:
    run = build(minimal())
    assert not [r for r in run.registrations if r.type.startswith("aws:sns/")]
    assert not of_type(run, "vaultNotifications:VaultNotifications")


def test_given_topic_gets_subscriptions_but_keeps_its_own_policy() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:ops-alerts"
    run = build({**minimal(), "notifications": {"sns_topic_arn": arn, "emails": ["ops@example.com"]}})
    sns = {r.type for r in run.registrations if r.type.startswith("aws:sns/")}
    assert sns == {"aws:sns/topicSubscription:TopicSubscription"}
    assert run.named("orders-notifications-email-ops@example.com").inputs["topic"] == arn
    assert run.named("orders-vault-notifications").inputs["snsTopicArn"] == arn


def test_shared_notifications_component_is_used_not_duplicated() -> None:
    raw = {**minimal(), "notifications": {"emails": ["ops@example.com"]}}
    run = build(raw, shared_notifications=True)
    (topic,) = of_type(run, "topic:Topic")
    assert topic.parent_name == "orders-notifications" and topic.parent is not None
    assert "RedshiftBackupPolicy" not in topic.parent  # the caller's component, not a child of the policy
    assert run.named("orders-vault-notifications").inputs["snsTopicArn"] == topic.outputs["arn"]


def test_protect_can_be_turned_off() -> None:
    run = build(minimal(vault={"protect": False}))
    assert not any(r.protect for r in run.registrations)
    on = build(minimal())
    assert {r.name for r in on.registrations if r.protect} == {"orders-vault-key", "orders-vault"}


# --- determinism, locality, validation --------------------------------------------------------------------------


def snapshot_of(run: ProgramRun) -> list[tuple[str, str, str | None, str, bool]]:
    return sorted((r.type, r.name, r.parent_name, json.dumps(r.inputs, sort_keys=True), r.protect)
                  for r in run.registrations)


def test_two_evaluations_register_identical_resources() -> None:
    assert snapshot_of(build(PROD, DEV)) == snapshot_of(build(PROD, DEV))


def test_preview_and_up_register_the_same_graph() -> None:
    assert graph(build(PROD, preview=True)) == graph(build(PROD, preview=False))


def test_changing_one_policy_changes_no_resource_of_another() -> None:
    other = minimal()
    before = snapshot_of(build(PROD, other))
    changed = copy.deepcopy(other)
    changed["backup"]["rules"][0]["delete_after_days"] = 21
    changed["selection"]["clusters"].append("orders-replica")
    after = snapshot_of(build(PROD, changed))
    differing = {row[1] for row in set(before) ^ set(after)}
    assert differing == {"orders-plan", "orders-selection-clusters"}


def test_resource_count_does_not_grow_with_tag_selected_clusters() -> None:
    # Tag-selected clusters are found by AWS Backup at run time: nothing per cluster is registered.
    assert len(build(DEV).registrations) == len(build({**DEV, "name": "other"}).registrations)


def test_invalid_policy_dict_raises_with_every_problem() -> None:
    def program() -> None:
        RedshiftBackupPolicy("bad", policy={"name": "Bad_Name", "selection": {},
                                            "backup": {"rules": [{"name": "d", "delete_after_days": 0}]}})

    with pytest.raises(ConfigError) as info:
        run_program(CONFIG, program=program)
    paths = [p.path for p in info.value.problems]
    assert "policy.name" in paths and "policy.backup.rules[0].delete_after_days" in paths


def test_invalid_policy_registers_no_resource() -> None:
    def program() -> None:
        try:
            RedshiftBackupPolicy("bad", policy={"name": "bad", "selection": {}})
        except ConfigError:
            pass

    assert run_program(CONFIG, program=program).registrations == []


def test_policy_without_backup_layer_is_refused_before_registration() -> None:
    native_only = {"name": "native", "selection": {"clusters": ["a"]},
                   "snapshots": {"automated_snapshot_retention_days": 7}}
    seen: list[str] = []

    def program() -> None:
        try:
            RedshiftBackupPolicy("native", policy=native_only)
        except ConfigError as exc:
            seen.append(str(exc))

    assert run_program(CONFIG, program=program).registrations == []
    assert "policy.backup: is required for RedshiftBackupPolicy" in seen[0]


def test_region_comes_from_the_argument_before_aws_region_config() -> None:
    def program() -> None:
        RedshiftBackupPolicy("orders", policy=minimal(), region="eu-central-1")

    run = run_program(CONFIG, program=program)
    assert run.named("orders-role").inputs["name"] == "orders-backup-eu-central-1"
    clusters = run.named("orders-selection-clusters").inputs["resources"]
    assert clusters == ["arn:aws:redshift:eu-central-1:123456789012:cluster:orders-prod"]


def test_missing_region_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)

    def program() -> None:
        RedshiftBackupPolicy("orders", policy=minimal())

    with pytest.raises(ConfigError, match="region: is required"):
        run_program({}, program=program)


def test_a_shared_destination_provider_is_used_instead_of_one_per_policy() -> None:
    second = {**copy.deepcopy(PROD), "name": "prod-finance"}
    second["backup"]["vault"]["name"] = "prod-finance-vault"

    def program() -> None:
        west = pulumi_aws.Provider("us-west-2", region="us-west-2")
        for raw in (PROD, second):
            RedshiftBackupPolicy(raw["name"], policy=raw, destination_providers={"us-west-2": west})

    run = run_program(CONFIG, program=program)
    (provider,) = [r for r in run.registrations if r.type == "pulumi:providers:aws"]
    copy_vaults = [r for r in run.registrations if r.type == "aws:backup/vault:Vault"
                   and r.parent_name and r.parent_name.endswith("-us-west-2")]
    assert len(copy_vaults) == 2 and all(v.provider.startswith(provider.urn) for v in copy_vaults)  # type: ignore[union-attr]


def test_notifications_component_needs_a_notifications_block_and_registers_nothing_without() -> None:
    seen: list[str] = []

    def program() -> None:
        try:
            BackupNotifications("orders-notifications", policy=minimal())
        except ConfigError as exc:
            seen.append(str(exc))

    assert run_program(CONFIG, program=program).registrations == []
    assert "policy.notifications: is required for BackupNotifications" in seen[0]


def test_vault_component_alone_from_a_dict() -> None:
    def program() -> None:
        vault = BackupVault("shared", policy=minimal(vault={"name": "shared-vault", "kms_key": "aws_managed"}))
        pulumi.export("vault_arn", vault.vault_arn)

    run = run_program(CONFIG, preview=False, program=program)
    assert sorted((r.type, r.name) for r in run.registrations) == [
        ("aws:backup/vault:Vault", "shared"), ("aws:backup/vaultPolicy:VaultPolicy", "shared-policy"),
        (VAULT_TOKEN, "shared")]
    vault = next(r for r in run.registrations if r.type == "aws:backup/vault:Vault")
    assert vault.inputs == {"name": "shared-vault"}
    assert run.outputs["vault_arn"] == vault.outputs["arn"]


def test_a_given_account_id_builds_the_arns_without_a_lookup() -> None:
    mocks = RecordingMocks(calls={"aws:index/getCallerIdentity:getCallerIdentity": unexpected})
    existing = minimal(vault={"existing": "shared-vault"})

    def program() -> None:
        policy = RedshiftBackupPolicy("orders", policy=existing, account_id="111122223333")
        pulumi.export("vault_arn", policy.vault_arn)

    run = run_program(CONFIG, preview=False, program=program, mocks=mocks)
    assert run.named("orders-selection-clusters").inputs["resources"] == [
        "arn:aws:redshift:us-east-1:111122223333:cluster:orders-prod"]
    assert run.outputs["vault_arn"] == "arn:aws:backup:us-east-1:111122223333:backup-vault:shared-vault"


def unexpected(args: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError(f"getCallerIdentity called with {args}")
