"""The pack over the Analyzer gRPC interface, started and called the way the engine does (analyzer_host.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from analyzer_host import PACK_DIR, AnalyzerHost, stack_resource, urn
from conftest import REPO_ROOT
from pulumi.runtime.proto import analyzer_pb2
from redshift_pack import POLICIES
from sample import (
    CLUSTER_RESTORE,
    COVERED_BY_NAME,
    PLAN_WITHOUT_LIFECYCLES,
    SNAPSHOT_SHARE,
    SOURCE,
    UNCOVERED,
    UNCOVERED_MESSAGE,
    UNKNOWN,
    cluster,
    restore,
    share,
)

ADVISORY, MANDATORY, DISABLED = analyzer_pb2.ADVISORY, analyzer_pb2.MANDATORY, analyzer_pb2.DISABLED
CLUSTER = "aws:redshift/cluster:Cluster"
PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"


@pytest.fixture(scope="module")
def pack() -> Iterator[AnalyzerHost]:
    """One pack process for the module, configured as `--policy-pack-config` would after reconciliation."""
    with AnalyzerHost() as host:
        host.configure_stack(tags={"team": "x"})
        host.configure({
            "redshift-cluster-covered": (MANDATORY, SOURCE),
            "redshift-namespace-covered": (MANDATORY, SOURCE),
            "redshift-automated-snapshot-retention": (ADVISORY, {"minimumDays": 7}),
            "redshift-cluster-encrypted": (MANDATORY, {}),
            "redshift-not-publicly-accessible": (MANDATORY, {}),
            "backup-plan-rule-lifecycle": (MANDATORY, {}),
            "backup-copy-action-lifecycle": (DISABLED, {}),
            "backup-prod-vault-locked": (MANDATORY, {}),
        })
        yield host


def diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[str, int, str, str]]:
    return [(d.policyName, d.enforcementLevel, d.urn, d.message) for d in response.diagnostics]


def test_analyzer_info_lists_every_policy_with_its_level_and_config_schema() -> None:
    with AnalyzerHost() as host:
        info = host.info()
        assert (info.name, info.supportsConfig) == ("redshift-backup", True)
        assert [p.name for p in info.policies] == [p.name for p in POLICIES]
        by_name = {p.name: p for p in info.policies}
        # Every check is mandatory by default but one: a restore's encryption follows its snapshot's, unseen.
        assert {n: p.enforcementLevel for n, p in by_name.items() if p.enforcementLevel != MANDATORY} == {
            "redshift-restore-encrypted": ADVISORY}
        assert set(by_name["redshift-cluster-covered"].configSchema.properties) == {"stackFile", "policies",
                                                                                   "region"}
        assert by_name["redshift-cluster-covered"].policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE
        assert by_name["backup-prod-vault-locked"].policy_type == analyzer_pb2.POLICY_TYPE_STACK
        minimum = by_name["redshift-automated-snapshot-retention"].configSchema.properties["minimumDays"]
        assert (minimum["default"], minimum["minimum"], minimum["maximum"]) == (7, 1, 35)
        assert host.plugin_info().version  # the SDK's version: the engine asks for it too


def test_an_uncovered_cluster_is_refused_with_a_mandatory_diagnostic(pack: AnalyzerHost) -> None:
    response = pack.analyze(CLUSTER, "warehouse", UNCOVERED)
    description = "Every Redshift cluster is protected by one of the organization's redshift-backup policies."
    # An empty urn: the engine files a resource policy's diagnostic under the resource it asked about, and a
    # mandatory one stops that resource's step before it is created.
    assert diagnostics(response) == [("redshift-cluster-covered", MANDATORY, "",
                                      f"{description}\n{UNCOVERED_MESSAGE}")]
    [diagnostic] = response.diagnostics
    assert (diagnostic.policyPackName, diagnostic.description) == ("redshift-backup", description)


def test_a_covered_cluster_passes(pack: AnalyzerHost) -> None:
    assert diagnostics(pack.analyze(CLUSTER, "analytics", COVERED_BY_NAME)) == []


def test_the_configured_levels_apply_and_a_disabled_policy_is_not_run(pack: AnalyzerHost) -> None:
    weak = cluster("analytics-prod", automatedSnapshotRetentionPeriod=1, publiclyAccessible=True)
    found = [(name, level) for name, level, _, _ in diagnostics(pack.analyze(CLUSTER, "analytics", weak))]
    assert found == [("redshift-automated-snapshot-retention", ADVISORY),
                     ("redshift-not-publicly-accessible", MANDATORY)]
    plan = [(name, level) for name, level, _, _ in diagnostics(pack.analyze(PLAN, "plan", PLAN_WITHOUT_LIFECYCLES))]
    assert plan == [("backup-plan-rule-lifecycle", MANDATORY)]  # backup-copy-action-lifecycle is disabled


def test_our_restores_over_the_wire_at_their_configured_and_default_levels(pack: AnalyzerHost) -> None:
    weak = restore(publicly_accessible=True, automated_snapshot_retention_days=None, kms_key_id=None)
    found = diagnostics(pack.analyze(CLUSTER_RESTORE, "drill", weak))
    assert [(name, level) for name, level, _, _ in found] == [
        ("redshift-automated-snapshot-retention", ADVISORY),  # configured advisory
        ("redshift-not-publicly-accessible", MANDATORY),
        ("redshift-restore-encrypted", ADVISORY)]  # its default level: not configured here
    assert found[1][3] == ("Redshift clusters (restored ones too) and Serverless workgroups are not publicly "
                           "accessible.\npublicly_accessible is true: set publicly_accessible to false (the "
                           "default), and reach the restored cluster from inside its VPC (a VPC endpoint, a bastion "
                           "or a VPN)")
    assert diagnostics(pack.analyze(CLUSTER_RESTORE, "drill", restore())) == []
    # Not configured here, and it has no default list: the missing config is reported, at the default level.
    [(name, level, _, message)] = diagnostics(pack.analyze(SNAPSHOT_SHARE, "share", share("222222222222")))
    assert (name, level) == ("redshift-snapshot-share-accounts", MANDATORY)
    assert "redshift-snapshot-share-accounts.allowedAccounts: " in message


def test_an_unknown_identifier_during_preview_is_an_advisory_not_a_pass(pack: AnalyzerHost) -> None:
    [(name, level, where, message)] = diagnostics(pack.analyze(CLUSTER, "later", cluster(UNKNOWN)))
    assert (name, level, where) == ("redshift-cluster-covered", ADVISORY, "")
    assert message == ("can't run policy 'redshift-cluster-covered' from policy pack 'redshift-backup@v0.0.1' "
                       "during preview: string value at .clusterIdentifier can't be known during preview")


def test_analyze_stack_refuses_a_prod_vault_without_a_lock(pack: AnalyzerHost) -> None:
    vault = stack_resource(VAULT, "vault", {"name": "team-x-prod", "tags": {}, "arn": UNKNOWN})
    [(name, level, where, message)] = diagnostics(pack.analyze_stack([vault]))
    assert (name, level, where) == ("backup-prod-vault-locked", MANDATORY, urn(VAULT, "vault"))
    assert "vault 'team-x-prod' is a prod vault (by its name or tags) without a vault lock" in message


def test_analyze_stack_accepts_a_lock_that_takes_the_vaults_name(pack: AnalyzerHost) -> None:
    vault = stack_resource(VAULT, "vault", {"name": "team-x-prod", "tags": {}})
    lock = stack_resource("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock",
                          {"backupVaultName": UNKNOWN, "minRetentionDays": 7},
                          property_dependencies={"backupVaultName": [urn(VAULT, "vault")]})
    assert diagnostics(pack.analyze_stack([vault, lock])) == []


def test_analyze_stack_refuses_a_namespace_no_policy_names(pack: AnalyzerHost) -> None:
    namespace = stack_resource("aws:redshiftserverless/namespace:Namespace", "adhoc",
                               {"namespaceName": "adhoc", "arn": UNKNOWN})
    [(name, level, where, message)] = diagnostics(pack.analyze_stack([namespace]))
    assert (name, level, where) == ("redshift-namespace-covered", MANDATORY,
                                    urn("aws:redshiftserverless/namespace:Namespace", "adhoc"))
    assert "namespace 'adhoc' is new: its ARN is not known before `pulumi up`" in message


def test_a_broken_pack_config_is_reported_not_ignored() -> None:
    with AnalyzerHost() as host:
        host.configure({"redshift-cluster-covered": (MANDATORY, {"stackFile": "no-such-file.yaml"})})
        [(name, level, _, message)] = diagnostics(host.analyze(CLUSTER, "analytics", COVERED_BY_NAME))
    assert (name, level) == ("redshift-cluster-covered", MANDATORY)
    assert "stackFile: cannot be read: No such file or directory" in message


def test_a_published_copy_runs_with_its_own_copy_of_the_core(tmp_path: Path) -> None:
    """What `pulumi policy publish` uploads: the pack's directory with policies/ copied in, no repository."""
    published = tmp_path / "redshift-backup-pack"
    published.mkdir()
    for path in PACK_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, published)
    shutil.copytree(REPO_ROOT / "policies", published / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    inline = {"region": "us-east-1", "policies": [
        {"name": "team-x", "selection": {"clusters": ["team-x-*"]}, "backup": {"preset": "daily_35_day_retention"}}]}
    with AnalyzerHost(pack_dir=published) as host:
        host.configure({"redshift-cluster-covered": (MANDATORY, inline)})
        assert diagnostics(host.analyze(CLUSTER, "warehouse", UNCOVERED)) == []
        [(name, _, _, message)] = diagnostics(host.analyze(CLUSTER, "analytics", COVERED_BY_NAME))
    assert name == "redshift-cluster-covered"
    assert "cluster 'analytics-prod' is not protected by any redshift-backup policy" in message


def test_tags_from_the_providers_default_tags_and_secret_values_count_over_the_wire(pack: AnalyzerHost) -> None:
    # A default provider's config arrives as JSON text; a secret arrives in the engine's secret wire form.
    provider = {"region": "us-east-1", "defaultTags": '{"tags": {"tier": "1"}}'}
    assert diagnostics(pack.analyze(CLUSTER, "reporting", cluster("reporting"), provider_props=provider)) == []
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "1"}
    assert diagnostics(pack.analyze(CLUSTER, "reporting", cluster("reporting", tags={"tier": secret}))) == []
    other_account = {"region": "us-east-1", "allowedAccountIds": ["444455556666"]}
    [(name, _, _, message)] = diagnostics(pack.analyze(CLUSTER, "analytics", COVERED_BY_NAME,
                                                       provider_props=other_account))
    assert name == "redshift-cluster-covered"
    assert "is deployed to account 444455556666" in message
