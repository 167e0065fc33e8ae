"""boto3 acting as the stack's provider would: aws:profile and aws:assumeRoles, on a moto server.

moto keeps one backend per account and answers requests signed with assumed-role credentials in the role's
account, so "the cluster is in the other account" is observable here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from components import aws
from components.discovery import discover_tagged_clusters
from components.restore_cluster import ClusterRestoreProvider
from components.retention import SnapshotRetentionProvider
from policies.errors import ProviderError
from policies.restores import OWNERSHIP_TAG
from policies.selection import Conditions
from tests.providers.conftest import REGION, seed_cluster, seed_snapshot
from tests.providers.restore_support import FakeClock, fast_poller

OTHER_ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/backup-admin"
ASSUMED: aws.Credentials = {"assume_roles": [{"role_arn": ROLE, "session_name": "ci"}]}


def _identity(credentials: aws.Credentials | None) -> dict[str, Any]:
    return aws.client("sts", REGION, credentials).get_caller_identity()  # type: ignore[no-any-return]


def test_a_role_of_assume_roles_is_assumed_and_its_account_used(aws_env: str) -> None:
    caller = _identity(ASSUMED)
    assert caller["Account"] == OTHER_ACCOUNT
    assert caller["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/backup-admin/ci"
    assert _identity(None)["Account"] != OTHER_ACCOUNT  # without credentials: boto3's own chain


def test_roles_are_chained_in_order(aws_env: str) -> None:
    chain: aws.Credentials = {"assume_roles": [{"role_arn": "arn:aws:iam::222222222222:role/hop"},
                                               {"role_arn": ROLE, "external_id": "x-1"}]}
    caller = _identity(chain)
    assert caller["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/backup-admin/redshift-backup"


def test_the_profile_is_used(aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials_file = tmp_path / "credentials"
    credentials_file.write_text("[ops]\naws_access_key_id = AKIAOPSPROFILE000001\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    keys = aws.session({"profile": "ops"}, REGION).get_credentials()
    assert keys is not None and keys.access_key == "AKIAOPSPROFILE000001"
    with pytest.raises(ProviderError, match="cannot use AWS profile 'missing' \\(the stack's aws:profile\\)"):
        aws.client("redshift", REGION, {"profile": "missing"})


def test_a_role_that_cannot_be_assumed_names_it(aws_env: str) -> None:
    with pytest.raises(ProviderError, match="cannot assume role not-an-arn \\(the stack's aws:assumeRoles\\)"):
        aws.client("redshift", REGION, {"assume_roles": [{"role_arn": "not-an-arn"}]})


@pytest.fixture
def other_account_cluster(aws_env: str) -> Any:
    """A cluster that exists only in OTHER_ACCOUNT, tagged backup=daily."""
    redshift = aws.client("redshift", REGION, ASSUMED)
    seed_cluster(redshift, "elsewhere", AutomatedSnapshotRetentionPeriod=3,
                 Tags=[{"Key": "backup", "Value": "daily"}])
    return redshift


def test_retention_works_on_the_cluster_of_the_assumed_account(other_account_cluster: Any) -> None:
    props = {"cluster_identifier": "elsewhere", "region": REGION, "automated_snapshot_retention_days": 7,
             "manual_snapshot_retention_days": None}
    with pytest.raises(ProviderError, match="does not exist"):
        SnapshotRetentionProvider().create(props)  # the default chain's account has no such cluster
    outs = SnapshotRetentionProvider().create({**props, "credentials": ASSUMED}).outs
    assert outs["previous_automated_snapshot_retention_days"] == 3
    live = other_account_cluster.describe_clusters(ClusterIdentifier="elsewhere")["Clusters"][0]
    assert live["AutomatedSnapshotRetentionPeriod"] == 7
    SnapshotRetentionProvider().delete("elsewhere", outs)
    live = other_account_cluster.describe_clusters(ClusterIdentifier="elsewhere")["Clusters"][0]
    assert live["AutomatedSnapshotRetentionPeriod"] == 3
    # Nothing was created in the default account meanwhile.
    assert boto3.client("redshift", region_name=REGION).describe_clusters()["Clusters"] == []


def test_discovery_looks_in_the_assumed_account(other_account_cluster: Any) -> None:
    conditions = Conditions.model_validate({"string_equals": [{"key": "backup", "value": "daily"}]})
    assert discover_tagged_clusters(conditions, REGION) == []
    assert discover_tagged_clusters(conditions, REGION, ASSUMED) == ["elsewhere"]


def test_a_cluster_restore_acts_in_the_assumed_account_from_create_to_delete(other_account_cluster: Any) -> None:
    seed_snapshot(other_account_cluster, "elsewhere", "nightly")
    provider = ClusterRestoreProvider(fast_poller(FakeClock()))
    inputs = {"cluster_identifier": "drill", "ownership_tag_value": "p/s/drill", "skip_final_snapshot": True,
              "source": {"snapshot_identifier": "nightly"}}
    with pytest.raises(ProviderError, match="source snapshot"):
        provider.create(inputs)  # the default chain's account has no such snapshot
    checked = provider.check({}, {**inputs, "credentials": ASSUMED})
    assert checked.failures == [] and checked.inputs["credentials"] == ASSUMED
    outs = provider.create(checked.inputs).outs or {}
    assert outs["cluster_arn"] == f"arn:aws:redshift:{REGION}:{OTHER_ACCOUNT}:cluster:drill"
    assert outs["source_cluster_identifier"] == "elsewhere"  # inherited from the cluster of that account
    # Kept in the outputs: read and delete get nothing else, and must act as the same identity.
    assert outs["credentials"] == ASSUMED
    drill = other_account_cluster.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    assert {t["Key"]: t["Value"] for t in drill["Tags"]}[OWNERSHIP_TAG] == "p/s/drill"
    default_account = boto3.client("redshift", region_name=REGION)
    assert default_account.describe_clusters()["Clusters"] == []
    # Another identity is not another cluster: never a replacement, but an update that touches nothing in AWS and
    # records who acts from now on (read and delete only get the state), as the retention resource does.
    for other in (None, {"profile": "ops"}, {"assume_roles": [{"role_arn": ROLE, "session_name": "other"}]}):
        diff = provider.diff("drill", outs, {**checked.inputs, "credentials": other})
        assert (diff.changes, diff.replaces) == (True, [])
    assert provider.diff("drill", outs, dict(checked.inputs)).changes is False
    relabelled: aws.Credentials = {"assume_roles": [{"role_arn": ROLE, "session_name": "relabelled"}]}
    only_identity = provider.update("drill", outs, {**checked.inputs, "credentials": relabelled}).outs or {}
    assert only_identity["credentials"] == relabelled
    assert {k: v for k, v in only_identity.items() if k != "credentials"} == {
        k: v for k, v in outs.items() if k != "credentials"}  # nothing else changed
    assert provider.read("drill", outs).id == "drill"
    assert provider.read("drill", {**outs, "credentials": None}).id is None  # not in the default account
    # An update for another reason acts as, and records, the identity the stack has now.
    renamed: aws.Credentials = {"assume_roles": [{"role_arn": ROLE, "session_name": "nightly"}]}
    outs = provider.update("drill", outs, {**checked.inputs, "tags": {"team": "data"}, "credentials": renamed}).outs
    assert outs is not None and outs["credentials"] == renamed
    drill = other_account_cluster.describe_clusters(ClusterIdentifier="drill")["Clusters"][0]
    assert {t["Key"]: t["Value"] for t in drill["Tags"]}["team"] == "data"
    provider.delete("drill", outs)
    assert [c["ClusterIdentifier"] for c in other_account_cluster.describe_clusters()["Clusters"]] == ["elsewhere"]
