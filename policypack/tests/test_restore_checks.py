"""The checks on redshift-backup's own restores (restore_checks.py) and their config, on plain dicts: no SDK."""

from __future__ import annotations

from typing import Any

import pack_settings as settings
import pytest
import redshift_checks as checks
import restore_checks as restores
from sample import CLUSTER_RESTORE, SNAPSHOT_SHARE, restore, share

from policies.errors import ConfigError


def test_the_type_tokens_are_the_dynamic_resources_own() -> None:
    # The token the engine sees: pulumi.dynamic.Resource with module= and name= (components/restore_cluster.py).
    assert (restores.CLUSTER_RESTORE, restores.SNAPSHOT_SHARE) == (CLUSTER_RESTORE, SNAPSHOT_SHARE)


def test_a_public_restore_is_refused_like_a_public_cluster() -> None:
    assert restores.public_access_problems(CLUSTER_RESTORE, restore(publicly_accessible=True)) == [
        "publicly_accessible is true: set publicly_accessible to false (the default), and reach the restored "
        "cluster from inside its VPC (a VPC endpoint, a bastion or a VPN)"]
    assert restores.public_access_problems(CLUSTER_RESTORE, restore()) == []
    assert restores.public_access_problems(CLUSTER_RESTORE, restore(publicly_accessible=None)) == []  # AWS: false
    assert restores.public_access_problems(checks.CLUSTER, restore(publicly_accessible=True)) == []
    with pytest.raises(checks.Unknowable, match="publicly_accessible"):
        restores.public_access_problems(CLUSTER_RESTORE, restore(publicly_accessible=checks.UNKNOWN))


@pytest.mark.parametrize("value, expected", [
    (None, "automated_snapshot_retention_days is not set, so the restored cluster keeps the retention of the "
           "cluster the snapshot was taken from, which the policy pack cannot see; the organization's minimum is 7 "
           "days: set automated_snapshot_retention_days to at least 7 (Redshift allows at most 35)"),
    (0, "automated_snapshot_retention_days is 0, which turns automated snapshots off; the organization's minimum "
        "is 7 days: set automated_snapshot_retention_days to at least 7 (Redshift allows at most 35)"),
    (1, "automated_snapshot_retention_days is 1 day; the organization's minimum is 7 days: set "
        "automated_snapshot_retention_days to at least 7 (Redshift allows at most 35)"),
    (3.0, "automated_snapshot_retention_days is 3 days; the organization's minimum is 7 days: set "
          "automated_snapshot_retention_days to at least 7 (Redshift allows at most 35)"),
])
def test_a_restore_retention_below_the_minimum_or_left_out_is_refused(value: Any, expected: str) -> None:
    props = restore(automated_snapshot_retention_days=value)
    assert restores.retention_problems(CLUSTER_RESTORE, props, 7) == [expected]


def test_a_restore_retention_at_or_above_the_minimum_passes() -> None:
    assert restores.retention_problems(CLUSTER_RESTORE, restore(automated_snapshot_retention_days=7), 7) == []
    assert restores.retention_problems(CLUSTER_RESTORE, restore(automated_snapshot_retention_days=35), 14) == []
    assert restores.retention_problems(SNAPSHOT_SHARE, share("222222222222"), 7) == []
    # The cluster check still reads its own key: a restore's key means nothing on a cluster, and the reverse.
    assert checks.retention_problems(checks.CLUSTER, {"automatedSnapshotRetentionPeriod": 7}, 7) == []
    assert restores.retention_problems(checks.CLUSTER, {"automatedSnapshotRetentionPeriod": 1}, 7) == []


def test_a_restore_without_a_kms_key_is_refused_and_one_with_a_key_passes() -> None:
    expected = ["kms_key_id is not set: the restored cluster is encrypted only if the cluster the snapshot was "
                "taken from was (a restore takes that cluster's configuration), which the policy pack cannot see; "
                "set kms_key_id to the KMS key that is to encrypt the restored cluster, so the program itself "
                "states that it is encrypted at rest"]
    assert restores.encryption_problems(CLUSTER_RESTORE, restore(kms_key_id=None)) == expected
    assert restores.encryption_problems(CLUSTER_RESTORE, restore(kms_key_id="")) == expected
    assert restores.encryption_problems(CLUSTER_RESTORE, restore()) == []
    assert restores.encryption_problems(checks.CLUSTER, {"encrypted": False}) == []


def test_a_share_with_an_account_outside_the_allowed_list_is_refused() -> None:
    allowed = ["222222222222", "amazon-redshift-support"]
    assert restores.share_account_problems(SNAPSHOT_SHARE, share("222222222222", "amazon-redshift-support"),
                                           allowed) == []
    assert restores.share_account_problems(SNAPSHOT_SHARE, share("222222222222", "999999999999"), allowed) == [
        "snapshot 'analytics-nightly' would be shared with account 999999999999, not in the organization's "
        "allowedAccounts (222222222222, amazon-redshift-support): remove it from accounts_with_restore_access, or "
        "add it to the policy pack's allowedAccounts if the organization trusts it"]
    arn = "arn:aws:redshift:us-east-1:111122223333:snapshot:prod/nightly"
    [message] = restores.share_account_problems(
        SNAPSHOT_SHARE, share("888888888888", "999999999999", snapshot_identifier=None, snapshot_arn=arn), [])
    assert message.startswith(f"snapshot '{arn}' would be shared with accounts 888888888888, 999999999999, not in "
                              "the organization's allowedAccounts (none): remove them from")
    assert restores.share_account_problems(CLUSTER_RESTORE, restore(), []) == []


def test_an_unknown_share_account_cannot_be_judged_during_preview() -> None:
    with pytest.raises(checks.Unknowable, match=r"accounts_with_restore_access\[1\]"):
        restores.share_account_problems(SNAPSHOT_SHARE, share("222222222222", checks.UNKNOWN), ["222222222222"])


def test_the_allowed_accounts_are_required_and_each_is_an_account_or_aws_support() -> None:
    parsed = settings.parse(settings.ShareAccountsSettings, {"allowedAccounts": ["222222222222"]}, "p")
    assert parsed.allowedAccounts == ["222222222222"]
    with pytest.raises(ConfigError) as missing:
        settings.parse(settings.ShareAccountsSettings, {}, "redshift-snapshot-share-accounts")
    assert "redshift-snapshot-share-accounts.allowedAccounts" in str(missing.value)
    with pytest.raises(ConfigError) as bad:
        settings.parse(settings.ShareAccountsSettings, {"allowedAccounts": ["2222", "amazon-redshift-support"]},
                       "redshift-snapshot-share-accounts")
    assert ("redshift-snapshot-share-accounts.allowedAccounts[0]: must be a 12-digit AWS account id (example: "
            "'123456789012') or 'amazon-redshift-support' (AWS Support)") in str(bad.value)
