"""The pure checks (redshift_checks.py) and the pack's config (pack_settings.py), on plain dicts: no SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pack_settings as settings
import pytest
import redshift_checks as checks
from sample import (
    COVERED_BY_NAME,
    COVERED_BY_TAG,
    NS_ARN,
    PROD_STACK_FILE,
    SOURCE,
    UNCOVERED,
    UNCOVERED_MESSAGE,
    cluster,
    urn,
)

from policies.errors import ConfigError

PROD = settings.load_policies(settings.PoliciesSource.model_validate(SOURCE))


def coverage(props: dict[str, Any], provider: dict[str, Any] | None = None) -> list[str]:
    return checks.cluster_coverage_problems(checks.CLUSTER, props, PROD, provider)


# --- coverage ---------------------------------------------------------------------------------------------------


def test_an_uncovered_cluster_is_refused_with_what_to_change() -> None:
    assert coverage(UNCOVERED) == [UNCOVERED_MESSAGE]


def test_clusters_named_or_tagged_by_a_policy_pass() -> None:
    assert coverage(COVERED_BY_NAME) == []
    assert coverage(COVERED_BY_TAG) == []


def test_the_providers_default_tags_count_and_the_resources_own_tags_win() -> None:
    provider = {"region": "us-east-1", "defaultTags": {"tags": {"tier": "1"}}}
    assert coverage(cluster("reporting"), provider) == []
    # The engine hands a default provider's config over as JSON text.
    assert coverage(cluster("reporting"), {"defaultTags": '{"tags": {"tier": "1"}}'}) == []
    assert coverage(cluster("reporting", tags={"backup": "none"}), provider) != []  # excluded by backup != none
    assert coverage(cluster("reporting", tagsAll={"tier": "1", "team": "x"})) == []


def test_a_cluster_in_another_region_is_not_covered_by_this_regions_policies() -> None:
    [message] = coverage(cluster("analytics-prod", region="eu-west-1"))
    assert message == ("cluster 'analytics-prod' is in eu-west-1, but the organization's redshift-backup policies in "
                       f"{PROD_STACK_FILE} (us-east-1) protect us-east-1 only: add a policy stack for eu-west-1 to "
                       "the pack's config, or deploy it in a protected region")


def test_a_cluster_deployed_to_another_account_is_not_covered_by_this_accounts_policies() -> None:
    # Pulumi.prod.yaml names ARNs of account 111122223333: its selections exist there only.
    [message] = coverage(COVERED_BY_NAME, {"region": "us-east-1", "allowedAccountIds": ["444455556666"]})
    assert message == (
        "cluster 'analytics-prod' is deployed to account 444455556666 (its provider's allowedAccountIds or "
        f"assumeRoles), but the organization's redshift-backup policies in {PROD_STACK_FILE} (us-east-1) protect "
        "account 111122223333: a backup selection covers its own account only; configure the pack with that "
        "account's policies")
    role = {"assumeRoles": '[{"roleArn": "arn:aws:iam::444455556666:role/deploy"}]'}  # a default provider's JSON
    assert coverage(COVERED_BY_NAME, role) != []
    assert coverage(COVERED_BY_NAME, {"allowedAccountIds": ["111122223333"]}) == []
    assert coverage(COVERED_BY_NAME, {"assumeRoles": [{"roleArn": "arn:aws:iam::111122223333:role/x"}]}) == []
    assert checks.provider_accounts({"region": "us-east-1"}) == set()  # plain credentials: not known, not refused


def test_excluded_clusters_are_refused_and_other_types_are_ignored() -> None:
    assert coverage(cluster("analytics-prod-scratch", tags={"tier": "1"})) != []
    assert checks.cluster_coverage_problems(checks.PLAN, UNCOVERED, PROD) == []


def test_an_unknown_identifier_cannot_be_judged_during_preview() -> None:
    with pytest.raises(checks.Unknowable, match="clusterIdentifier"):
        coverage(cluster(checks.UNKNOWN))


def test_namespaces_are_covered_by_arn_and_a_new_one_is_explained() -> None:
    assert checks.namespace_coverage_problems(checks.NAMESPACE, {"namespaceName": "bi", "arn": NS_ARN}, PROD) == []
    other = NS_ARN[:-4] + "ffff"
    assert checks.namespace_coverage_problems(checks.NAMESPACE, {"namespaceName": "bi", "arn": other}, PROD) == [
        f"namespace 'bi' ({other}) is not protected by any redshift-backup policy in {PROD_STACK_FILE} (us-east-1): "
        "add its ARN to a policy's selection.serverless_namespaces"]
    [new] = checks.namespace_coverage_problems(checks.NAMESPACE, {"namespaceName": "bi", "arn": checks.UNKNOWN},
                                               PROD)
    assert new.startswith("namespace 'bi' is new: its ARN is not known before `pulumi up`")


# --- cluster settings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (None, "automatedSnapshotRetentionPeriod is not set, so the cluster keeps automated snapshots 1 day (the "
           "default); the organization's minimum is 7 days: set automatedSnapshotRetentionPeriod to at least 7 "
           "(Redshift allows at most 35)"),
    (0, "automatedSnapshotRetentionPeriod is 0, which turns automated snapshots off; the organization's minimum is "
        "7 days: set automatedSnapshotRetentionPeriod to at least 7 (Redshift allows at most 35)"),
    (3.0, "automatedSnapshotRetentionPeriod is 3 days; the organization's minimum is 7 days: set "
          "automatedSnapshotRetentionPeriod to at least 7 (Redshift allows at most 35)"),
    ("soon", "automatedSnapshotRetentionPeriod is 'soon', not a number of days: set it to 7-35"),
])
def test_retention_below_the_minimum_is_refused(value: Any, expected: str) -> None:
    props = cluster("a", automatedSnapshotRetentionPeriod=value)
    assert checks.retention_problems(checks.CLUSTER, props, 7) == [expected]


def test_retention_at_or_above_the_minimum_passes() -> None:
    assert checks.retention_problems(checks.CLUSTER, cluster("a", automatedSnapshotRetentionPeriod=7), 7) == []
    assert checks.retention_problems(checks.CLUSTER, cluster("a", automatedSnapshotRetentionPeriod=35), 14) == []
    assert checks.retention_problems(checks.CLUSTER, cluster("a", automatedSnapshotRetentionPeriod=1), 1) == []


@pytest.mark.parametrize("value, expected", [
    (None, "encrypted is not set: set encrypted to true (and kmsKeyId to use a customer managed key), so the "
           "program itself states that data and snapshots are encrypted at rest"),
    ("false", "encrypted is 'false': set encrypted to true (and kmsKeyId to use a customer managed key); snapshots "
              "and AWS Backup recovery points of an unencrypted cluster are unencrypted too"),
    (False, "encrypted is False: set encrypted to true (and kmsKeyId to use a customer managed key); snapshots "
            "and AWS Backup recovery points of an unencrypted cluster are unencrypted too"),
])
def test_an_unencrypted_cluster_is_refused(value: Any, expected: str) -> None:
    assert checks.encryption_problems(checks.CLUSTER, cluster("a", encrypted=value)) == [expected]


def test_encrypted_clusters_pass_and_namespaces_are_not_checked() -> None:
    assert checks.encryption_problems(checks.CLUSTER, cluster("a", encrypted=True)) == []
    assert checks.encryption_problems(checks.CLUSTER, cluster("a", encrypted="TRUE")) == []
    assert checks.encryption_problems(checks.NAMESPACE, {"namespaceName": "bi"}) == []


def test_public_clusters_and_workgroups_are_refused() -> None:
    assert checks.public_access_problems(checks.CLUSTER, cluster("a", publiclyAccessible=True)) == [
        "publiclyAccessible is true: set publiclyAccessible to false (the default), and reach the cluster from "
        "inside its VPC (a VPC endpoint, a bastion or a VPN)"]
    [workgroup] = checks.public_access_problems(checks.WORKGROUP, {"publiclyAccessible": True})
    assert "reach the workgroup" in workgroup
    assert checks.public_access_problems(checks.CLUSTER, cluster("a", publiclyAccessible=None)) == []
    assert checks.public_access_problems(checks.WORKGROUP, {"publiclyAccessible": False}) == []


# --- raw AWS Backup resources ---------------------------------------------------------------------------------


def plan(rule: dict[str, Any]) -> dict[str, Any]:
    return {"name": "p", "rules": [{"ruleName": "nightly", "targetVaultName": "v", **rule}]}


@pytest.mark.parametrize("lifecycle", [None, {}, {"coldStorageAfter": 30}, {"deleteAfter": 0}])
def test_a_plan_rule_without_delete_after_is_refused(lifecycle: Any) -> None:
    assert checks.plan_lifecycle_problems(checks.PLAN, plan({"lifecycle": lifecycle})) == [
        "rules[0] ('nightly') has no lifecycle.deleteAfter, so its recovery points are kept forever (and billed "
        "forever): set lifecycle: {deleteAfter: <days>} on the rule, e.g. 35"]


def test_copy_actions_without_delete_after_are_refused_each() -> None:
    props = plan({"lifecycle": {"deleteAfter": 35}, "copyActions": [
        {"destinationVaultArn": "arn:aws:backup:us-west-2:1:backup-vault:dr"},
        {"destinationVaultArn": "arn:aws:backup:eu-west-1:1:backup-vault:dr", "lifecycle": {"deleteAfter": 90}}]})
    assert checks.plan_lifecycle_problems(checks.PLAN, props) == []
    assert checks.copy_lifecycle_problems(checks.PLAN, props) == [
        "rules[0] ('nightly').copyActions[0] to arn:aws:backup:us-west-2:1:backup-vault:dr has no "
        "lifecycle.deleteAfter, so the copies are kept forever (and billed forever): set lifecycle: {deleteAfter: "
        "<days>} on the copy action"]


def test_an_unknown_lifecycle_cannot_be_judged_during_preview() -> None:
    with pytest.raises(checks.Unknowable, match=r"rules\[0\].lifecycle"):
        checks.plan_lifecycle_problems(checks.PLAN, plan({"lifecycle": checks.UNKNOWN}))


VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"


def vault(name: Any, tags: dict[str, str] | None = None, key: str = "v") -> checks.StackResource:
    return checks.StackResource(urn(VAULT, key), VAULT, {"name": name, "tags": tags or {}})


def lock(vault_name: Any, depends_on: str | None = None) -> checks.StackResource:
    deps = {"backupVaultName": frozenset([depends_on])} if depends_on else {}
    return checks.StackResource(urn(LOCK, "lock"), LOCK, {"backupVaultName": vault_name, "minRetentionDays": 7},
                                property_dependencies=deps)


DEFAULTS = settings.ProdVaultSettings()


def test_a_prod_vault_without_a_lock_is_refused() -> None:
    assert checks.prod_vault_lock_problems([vault("team-x-prod")], DEFAULTS) == [(
        urn(VAULT, "v"),
        "vault 'team-x-prod' is a prod vault (by its name or tags) without a vault lock: add an "
        "aws.backup.VaultLockConfiguration with backupVaultName set to this vault's name, minRetentionDays and "
        "maxRetentionDays (and changeableForDays for compliance mode), so recovery points cannot be deleted or "
        "shortened before their time")]
    [(_, by_tag)] = checks.prod_vault_lock_problems([vault("team-x", {"Environment": "Production"})], DEFAULTS)
    assert by_tag.startswith("vault 'team-x' is a prod vault")


def test_a_lock_by_name_or_by_dependency_satisfies_it_and_other_vaults_need_none() -> None:
    assert checks.prod_vault_lock_problems([vault("team-x-prod"), lock("team-x-prod")], DEFAULTS) == []
    # During preview of a new vault, the lock's backupVaultName is unknown: its dependency names the vault.
    assert checks.prod_vault_lock_problems(
        [vault("team-x-prod"), lock(checks.UNKNOWN, depends_on=urn(VAULT, "v"))], DEFAULTS) == []
    assert checks.prod_vault_lock_problems([vault("team-x-prod"), lock("other-prod")], DEFAULTS) != []
    assert checks.prod_vault_lock_problems([vault("team-x-dev"), vault("products", key="w")], DEFAULTS) == []


def test_what_marks_prod_is_configurable() -> None:
    custom = settings.ProdVaultSettings(prodNamePattern="^live-", prodTagKeys=["tier"], prodTagValues=["gold"])
    assert [u for u, _ in checks.prod_vault_lock_problems(
        [vault("live-a", key="a"), vault("team-prod", key="b"), vault("c", {"tier": "GOLD"}, key="c")], custom)] == [
        urn(VAULT, "a"), urn(VAULT, "c")]


# --- the pack's config ------------------------------------------------------------------------------------------


def problems(model: type[Any], raw: dict[str, Any], policy: str = "redshift-cluster-covered") -> list[str]:
    with pytest.raises(ConfigError) as err:
        settings.parse(model, raw, policy)
    return [p.render() for p in err.value.problems]


def test_the_policies_source_is_one_of_a_stack_file_or_inline_policies_with_a_region() -> None:
    assert problems(settings.PoliciesSource, {}) == [
        "redshift-cluster-covered: names no policies: give stackFile (a redshift-backup stack file, e.g. "
        "/etc/redshift-backup/Pulumi.prod.yaml) or policies (the list under redshift-backup:policies) with region"]
    assert problems(settings.PoliciesSource, {"stackFile": "a.yaml", "policies": [], "region": "us-east-1"}) == [
        "redshift-cluster-covered.policies: cannot be given together with stackFile: give one source",
        "redshift-cluster-covered.region: comes from the stack file's aws:region; leave it out with stackFile "
        "(received 'us-east-1')"]
    assert problems(settings.PoliciesSource, {"policies": []}) == [
        "redshift-cluster-covered.region: is required with inline policies: the AWS region they protect (e.g. "
        "us-east-1)"]
    # One pass: the misspelt key (with the nearest known one) and what is then missing, together.
    assert problems(settings.PoliciesSource, {"stackfile": "a.yaml"}) == [
        "redshift-cluster-covered.stackfile: unknown key; did you mean `stackFile`? (received 'a.yaml')",
        "redshift-cluster-covered: names no policies: give stackFile (a redshift-backup stack file, e.g. "
        "/etc/redshift-backup/Pulumi.prod.yaml) or policies (the list under redshift-backup:policies) with region"]


def test_other_settings_are_checked_too() -> None:
    assert problems(settings.RetentionSettings, {"minimumDays": 40}, "r") == ["r.minimumDays: expected 1-35 "
                                                                              "(received 40)"]
    assert problems(settings.RetentionSettings, {"minimumDays": True}, "r") == [
        "r.minimumDays: expected a whole number 1-35, not true or false (received true)"]
    [bad] = problems(settings.ProdVaultSettings, {"prodNamePattern": "(prod"}, "v")
    assert bad.startswith("v.prodNamePattern: is not a valid regular expression: missing ), unterminated subpattern")


def test_inline_policies_are_validated_by_the_projects_own_rules() -> None:
    good = settings.PoliciesSource(region="us-east-1", policies=[
        {"name": "team-x", "selection": {"clusters": ["team-x-*"]}, "backup": {"preset": "daily_35_day_retention"}}])
    stack = settings.load_policies(good)
    assert checks.cluster_coverage_problems(checks.CLUSTER, UNCOVERED, stack) == []
    bad = settings.PoliciesSource(region="us-east-1", policies=[{"name": "team-x", "selection": {}}])
    with pytest.raises(ConfigError) as err:
        settings.load_policies(bad)
    assert [p.render() for p in err.value.problems] == [
        "policies[0].selection: selects nothing; name clusters, serverless_namespaces or tag conditions",
        "policies[0]: protects nothing; give a `backup` (AWS Backup) and/or a `snapshots` (native) layer"]


def test_a_relative_stack_file_is_read_from_the_pack_directory(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.org.yaml").write_text(Path(PROD_STACK_FILE).read_text())
    stack = settings.load_policies(settings.PoliciesSource(stackFile="Pulumi.org.yaml"), pack_dir=tmp_path)
    assert [p.name for p in stack.policies] == ["prod-analytics"]
    with pytest.raises(ConfigError, match="stackFile: cannot be read: No such file or directory"):
        settings.load_policies(settings.PoliciesSource(stackFile="missing.yaml"), pack_dir=tmp_path)
