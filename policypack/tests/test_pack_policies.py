"""The pack's policies run the way pulumi-policy's own tests run them: validate(args, report_violation).

Props go through the SDK's own `unknown_checking_proxy`, as its analyzer server hands them to a policy.
"""

from __future__ import annotations

from typing import Any

import pytest
import redshift_checks as checks
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from redshift_pack import POLICIES
from sample import (
    CLUSTER_RESTORE,
    COVERED_BY_NAME,
    COVERED_BY_TAG,
    PLAN_WITH_LIFECYCLES,
    PLAN_WITHOUT_LIFECYCLES,
    SNAPSHOT_SHARE,
    SOURCE,
    UNCOVERED,
    UNCOVERED_MESSAGE,
    UNKNOWN,
    cluster,
    restore,
    share,
    urn,
)

BY_NAME = {p.name: p for p in POLICIES}
CONFIG: dict[str, dict[str, Any]] = {
    "redshift-cluster-covered": SOURCE,
    "redshift-namespace-covered": SOURCE,
    "redshift-automated-snapshot-retention": {"minimumDays": 7},
    "redshift-snapshot-share-accounts": {"allowedAccounts": ["222222222222", "amazon-redshift-support"]},
}


def opts(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
                                 custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
                                 parent=parent)


def provider(props: dict[str, Any] | None = None) -> PolicyProviderResource:
    return PolicyProviderResource("pulumi:providers:aws", unknown_checking_proxy(props or {"region": "us-east-1"}),
                                  "urn:pulumi:dev::team-x::pulumi:providers:aws::default", "default")


def run(policy_name: str, type_: str, props: dict[str, Any], name: str = "res",
        config: dict[str, Any] | None = None, provider_props: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    """Violations (message, urn) of one resource policy on one resource."""
    policy = BY_NAME[policy_name]
    assert isinstance(policy, ResourceValidationPolicy)
    found: list[tuple[str, Any]] = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, name), name, opts(),
                                  provider(provider_props), config if config is not None
                                  else CONFIG.get(policy_name, {}))
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found


def messages(policy_name: str, type_: str, props: dict[str, Any], **kwargs: Any) -> list[str]:
    return [message for message, _ in run(policy_name, type_, props, **kwargs)]


def stack_resource(type_: str, name: str, props: dict[str, Any]) -> PolicyResource:
    return PolicyResource(type_, unknown_checking_proxy(props), urn(type_, name), name, opts(), provider(), None,
                          [], {})


def run_stack(policy_name: str, resources: list[PolicyResource],
              config: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    policy = BY_NAME[policy_name]
    assert isinstance(policy, StackValidationPolicy)
    found: list[tuple[str, Any]] = []
    args = StackValidationArgs(resources, config if config is not None else CONFIG.get(policy_name, {}))
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found


# --- a sample program: the uncovered cluster is refused, the covered ones pass -----------------------------------

SAMPLE_PROGRAM = [
    (checks.CLUSTER, "warehouse", UNCOVERED),
    (checks.CLUSTER, "analytics", COVERED_BY_NAME),
    (checks.CLUSTER, "reporting", COVERED_BY_TAG),
    (checks.PLAN, "plan", PLAN_WITH_LIFECYCLES),
    ("aws:s3/bucket:Bucket", "bucket", {"bucket": "team-x-data"}),
]


def test_the_sample_program_is_refused_for_its_uncovered_cluster_only() -> None:
    violations = [(policy.name, name, message)
                  for policy in POLICIES if isinstance(policy, ResourceValidationPolicy)
                  for type_, name, props in SAMPLE_PROGRAM
                  for message in messages(policy.name, type_, props, name=name)]
    assert violations == [("redshift-cluster-covered", "warehouse", UNCOVERED_MESSAGE)]


def test_every_policy_but_the_restore_key_defaults_to_mandatory_and_has_a_stable_id() -> None:
    assert list(BY_NAME) == [
        "redshift-cluster-covered", "redshift-namespace-covered", "redshift-automated-snapshot-retention",
        "redshift-cluster-encrypted", "redshift-not-publicly-accessible", "backup-plan-rule-lifecycle",
        "backup-copy-action-lifecycle", "redshift-restore-encrypted", "redshift-snapshot-share-accounts",
        "backup-prod-vault-locked"]
    assert {p.name: p.enforcement_level for p in POLICIES if p.enforcement_level != EnforcementLevel.MANDATORY} == {
        "redshift-restore-encrypted": EnforcementLevel.ADVISORY}


# --- each check's rejection, through its policy -----------------------------------------------------------------

REJECTIONS = [
    ("redshift-automated-snapshot-retention", checks.CLUSTER, cluster("a", automatedSnapshotRetentionPeriod=1),
     "automatedSnapshotRetentionPeriod is 1 day; the organization's minimum is 7 days"),
    ("redshift-cluster-encrypted", checks.CLUSTER, cluster("a", encrypted="false"), "encrypted is 'false': set "
     "encrypted to true"),
    ("redshift-not-publicly-accessible", checks.CLUSTER, cluster("a", publiclyAccessible=True),
     "publiclyAccessible is true: set publiclyAccessible to false"),
    ("redshift-not-publicly-accessible", checks.WORKGROUP, {"workgroupName": "bi", "publiclyAccessible": True},
     "publiclyAccessible is true: set publiclyAccessible to false"),
    ("backup-plan-rule-lifecycle", checks.PLAN, PLAN_WITHOUT_LIFECYCLES,
     "rules[0] ('nightly') has no lifecycle.deleteAfter, so its recovery points are kept forever"),
    ("backup-copy-action-lifecycle", checks.PLAN, PLAN_WITHOUT_LIFECYCLES,
     "rules[0] ('nightly').copyActions[0] to arn:aws:backup:us-west-2:111122223333:backup-vault:dr has no "
     "lifecycle.deleteAfter"),
    ("redshift-automated-snapshot-retention", CLUSTER_RESTORE, restore(automated_snapshot_retention_days=1),
     "automated_snapshot_retention_days is 1 day; the organization's minimum is 7 days"),
    ("redshift-not-publicly-accessible", CLUSTER_RESTORE, restore(publicly_accessible=True),
     "publicly_accessible is true: set publicly_accessible to false"),
    ("redshift-restore-encrypted", CLUSTER_RESTORE, restore(kms_key_id=None), "kms_key_id is not set: the "
     "restored cluster is encrypted only if"),
    ("redshift-snapshot-share-accounts", SNAPSHOT_SHARE, share("222222222222", "999999999999"),
     "snapshot 'analytics-nightly' would be shared with account 999999999999, not in the organization's "
     "allowedAccounts"),
]


@pytest.mark.parametrize("policy_name, type_, props, start", REJECTIONS,
                         ids=[f"{r[0]}-{r[1].rsplit(':', 1)[-1]}" for r in REJECTIONS])
def test_each_resource_check_rejects_with_what_to_change(policy_name: str, type_: str, props: dict[str, Any],
                                                         start: str) -> None:
    [(message, where)] = run(policy_name, type_, props)
    assert message.startswith(start)
    assert where is None  # a resource policy's violation belongs to the resource under validation


def test_the_minimum_retention_comes_from_the_pack_config() -> None:
    props = cluster("a", automatedSnapshotRetentionPeriod=7)
    assert messages("redshift-automated-snapshot-retention", checks.CLUSTER, props, config={"minimumDays": 14}) == [
        "automatedSnapshotRetentionPeriod is 7 days; the organization's minimum is 14 days: set "
        "automatedSnapshotRetentionPeriod to at least 14 (Redshift allows at most 35)"]
    assert messages("redshift-automated-snapshot-retention", checks.CLUSTER, props, config={}) == []  # default 7


def test_our_restores_pass_every_check_when_private_retained_keyed_and_shared_within_the_list() -> None:
    found = [(policy.name, message) for policy in POLICIES if isinstance(policy, ResourceValidationPolicy)
             for type_, props in ((CLUSTER_RESTORE, restore()), (SNAPSHOT_SHARE, share("222222222222")))
             for message in messages(policy.name, type_, props)]
    assert found == []
    # The cluster checks that have no restore counterpart leave restores alone (coverage judges aws:* clusters).
    assert messages("redshift-cluster-covered", CLUSTER_RESTORE, restore(), config={}) == []
    assert messages("redshift-cluster-encrypted", CLUSTER_RESTORE, restore(kms_key_id=None)) == []


def test_the_minimum_retention_of_a_restore_comes_from_the_same_config() -> None:
    props = restore(automated_snapshot_retention_days=7)
    [message] = messages("redshift-automated-snapshot-retention", CLUSTER_RESTORE, props, config={"minimumDays": 14})
    assert message.startswith("automated_snapshot_retention_days is 7 days; the organization's minimum is 14 days")


def test_a_share_check_without_its_allowed_accounts_reports_the_config_on_each_share() -> None:
    [message] = messages("redshift-snapshot-share-accounts", SNAPSHOT_SHARE, share("222222222222"), config={})
    assert message.startswith("the policy pack's config is invalid, so this check cannot run: 1 problem in the "
                              "policy pack's config:\n  - redshift-snapshot-share-accounts.allowedAccounts: ")
    assert messages("redshift-snapshot-share-accounts", CLUSTER_RESTORE, restore(), config={}) == []


def test_an_unknown_restore_value_raises_the_sdks_preview_error() -> None:
    with pytest.raises(UnknownValueError) as err:
        run("redshift-not-publicly-accessible", CLUSTER_RESTORE, restore(publicly_accessible=UNKNOWN))
    assert err.value.message == "string value at .publicly_accessible can't be known during preview"


def test_coverage_reads_inline_policies_and_the_providers_default_tags() -> None:
    inline = {"region": "us-east-1", "policies": [
        {"name": "team-x", "selection": {"conditions": {"string_equals": [{"key": "team", "value": "x"}]}},
         "backup": {"preset": "daily_35_day_retention"}}]}
    assert messages("redshift-cluster-covered", checks.CLUSTER, UNCOVERED, config=inline) == []
    untagged = cluster("team-x-warehouse")
    assert messages("redshift-cluster-covered", checks.CLUSTER, untagged, config=inline) != []
    assert messages("redshift-cluster-covered", checks.CLUSTER, untagged, config=inline,
                    provider_props={"region": "us-east-1", "defaultTags": {"tags": {"team": "x"}}}) == []


def test_a_broken_config_is_reported_on_the_resources_it_judges() -> None:
    assert messages("redshift-cluster-covered", checks.CLUSTER, UNCOVERED, config={}) == [
        "the policy pack's config is invalid, so this check cannot run: 1 problem in the policy pack's config:\n"
        "  - redshift-cluster-covered: names no policies: give stackFile (a redshift-backup stack file, e.g. "
        "/etc/redshift-backup/Pulumi.prod.yaml) or policies (the list under redshift-backup:policies) with region"]
    assert messages("redshift-cluster-covered", checks.PLAN, PLAN_WITH_LIFECYCLES, config={}) == []
    [typo] = messages("redshift-cluster-encrypted", checks.CLUSTER, COVERED_BY_NAME, config={"strict": True})
    assert "redshift-cluster-encrypted.strict: unknown key" in typo


def test_an_unknown_value_raises_the_sdks_preview_error() -> None:
    # The analyzer server turns this into an advisory "can't run policy ... during preview" (see test_pack_grpc).
    with pytest.raises(UnknownValueError) as err:
        run("redshift-cluster-covered", checks.CLUSTER, cluster(UNKNOWN))
    assert err.value.message == "string value at .clusterIdentifier can't be known during preview"
    assert run("redshift-cluster-encrypted", checks.CLUSTER, cluster(UNKNOWN)) == []  # needs no identifier


# --- the stack policies ------------------------------------------------------------------------------------------

VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"


def test_a_prod_vault_without_a_lock_is_refused_on_the_vault() -> None:
    vault = stack_resource(VAULT, "vault", {"name": "team-x-prod", "tags": {}})
    [(message, where)] = run_stack("backup-prod-vault-locked", [vault])
    assert message.startswith("vault 'team-x-prod' is a prod vault (by its name or tags) without a vault lock")
    assert where == urn(VAULT, "vault")


def test_a_lock_that_takes_the_vaults_name_satisfies_it_even_while_unknown() -> None:
    vault = stack_resource(VAULT, "vault", {"name": "team-x-prod", "tags": {}})
    lock = stack_resource(LOCK, "lock", {"backupVaultName": UNKNOWN, "minRetentionDays": 7})
    lock.property_dependencies["backupVaultName"] = [vault]
    assert run_stack("backup-prod-vault-locked", [vault, lock]) == []
    named = stack_resource(LOCK, "lock", {"backupVaultName": "team-x-prod"})
    assert run_stack("backup-prod-vault-locked", [vault, named]) == []


def test_namespaces_are_judged_on_the_stacks_outputs() -> None:
    known = stack_resource(checks.NAMESPACE, "bi", {
        "namespaceName": "bi",
        "arn": "arn:aws:redshift-serverless:us-east-1:111122223333:namespace/3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"})
    new = stack_resource(checks.NAMESPACE, "adhoc", {"namespaceName": "adhoc", "arn": UNKNOWN})
    [(message, where)] = run_stack("redshift-namespace-covered", [known, new])
    assert where == urn(checks.NAMESPACE, "adhoc")
    assert message.startswith("namespace 'adhoc' is new: its ARN is not known before `pulumi up`")


def test_the_example_config_is_valid_and_reads_the_repositorys_prod_stack() -> None:
    import json

    import pack_settings as settings
    from conftest import PACK_DIR

    from policies.base import StrictModel

    example = json.loads((PACK_DIR / "config.example.json").read_text())
    levels = {"advisory", "mandatory", "disabled"}
    assert example.pop("all") in levels
    models: dict[str, type[StrictModel]] = {
        "redshift-cluster-covered": settings.PoliciesSource, "redshift-namespace-covered": settings.PoliciesSource,
        "redshift-automated-snapshot-retention": settings.RetentionSettings,
        "redshift-snapshot-share-accounts": settings.ShareAccountsSettings,
        "backup-prod-vault-locked": settings.ProdVaultSettings}
    for name, value in example.items():
        assert name in BY_NAME
        if isinstance(value, str):
            assert value in levels
            continue
        props = {k: v for k, v in value.items() if k != "enforcementLevel"}
        assert value.get("enforcementLevel", "mandatory") in levels
        parsed = settings.parse(models.get(name, settings.NoSettings), props, name)
        if isinstance(parsed, settings.PoliciesSource):  # relative to the pack's directory, as the engine runs it
            assert [p.name for p in settings.load_policies(parsed).policies] == ["prod-analytics"]
