"""RedshiftSnapshotShare's provider on a moto server (snapshot access from tests/support/moto_redshift.py).

Who has access is asserted through DescribeClusterSnapshots, and which accounts this resource granted through the
grant tags it keeps on the snapshot (`redshift-backup:granted:<account>` = its owner value).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from components.snapshot_share import SnapshotShareProvider, grant_key
from policies.errors import ProviderError
from tests.providers.conftest import seed_cluster, seed_snapshot
from tests.providers.restore_support import ClientHooks, client_hooks_fixture  # noqa: F401

A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"
OWNER = "proj/dev/share"


@pytest.fixture(autouse=True)
def nightly(redshift: Any) -> dict[str, Any]:
    seed_cluster(redshift, "prod")
    return seed_snapshot(redshift, "prod", "nightly")


def props(*accounts: str, **extra: Any) -> dict[str, Any]:
    return {"snapshot_identifier": "nightly", "accounts_with_restore_access": list(accounts),
            "ownership_tag_value": OWNER, **extra}


def access(redshift: Any) -> list[str]:
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier="nightly")["Snapshots"][0]
    return sorted(a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", []))


def grant_tags(redshift: Any) -> dict[str, str]:
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier="nightly")["Snapshots"][0]
    return {t["Key"]: t["Value"] for t in snapshot.get("Tags", []) if t["Key"].startswith("redshift-backup:")}


def share_by_someone_else(redshift: Any, *accounts: str) -> None:
    for account in accounts:
        redshift.authorize_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=account)


def test_create_authorizes_only_the_missing_accounts_and_tags_each_grant(redshift: Any,
                                                                         nightly: dict[str, Any]) -> None:
    share_by_someone_else(redshift, A)
    created = SnapshotShareProvider().create(props(A, B, C))
    outs = created.outs or {}
    assert created.id == "nightly"
    assert outs["accounts_with_access"] == [A, B, C] == access(redshift)
    assert outs["snapshot_arn_shared"] == "arn:aws:redshift:us-east-1:123456789012:snapshot:prod/nightly"
    assert outs["granted_accounts"] == [B, C]  # A had access before: not ours
    assert grant_tags(redshift) == {grant_key(B): OWNER, grant_key(C): OWNER}


def test_access_granted_by_someone_else_is_never_revoked(redshift: Any) -> None:
    provider = SnapshotShareProvider()
    share_by_someone_else(redshift, A)
    outs = provider.create(props(A, B)).outs or {}
    outs = provider.update("nightly", outs, props(C)).outs or {}  # B was ours: revoked; A is not ours
    assert outs["granted_accounts"] == [C] and access(redshift) == [A, C]
    provider.delete("nightly", outs)
    assert access(redshift) == [A] and grant_tags(redshift) == {}


def test_an_account_authorized_meanwhile_by_someone_else_is_not_recorded_as_ours(
        redshift: Any, client_hooks: ClientHooks) -> None:
    def someone_else_first(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "AuthorizeSnapshotAccess" and params["AccountWithRestoreAccess"] == A:
            share_by_someone_else(redshift, A)

    client_hooks.on("provide-client-params.redshift.AuthorizeSnapshotAccess", someone_else_first)
    outs = SnapshotShareProvider().create(props(A, B)).outs or {}
    assert outs["granted_accounts"] == [B]
    assert grant_tags(redshift) == {grant_key(B): OWNER}  # A's tag, written first, was taken back


def test_an_automated_snapshot_cannot_be_shared(redshift: Any) -> None:
    automated = next(s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]
                     if s["SnapshotType"] == "automated")
    with pytest.raises(ProviderError, match=f"snapshot {automated} is automated: only manual snapshots can be "
                                            "shared"):
        SnapshotShareProvider().create(props(A, snapshot_identifier=automated))


def test_at_most_twenty_accounts_in_all(redshift: Any) -> None:
    share_by_someone_else(redshift, *[f"{i:012d}" for i in range(19)])
    with pytest.raises(ProviderError, match="would be shared with 21 accounts \\(already 19\\); Redshift allows "
                                            "at most 20"):
        SnapshotShareProvider().create(props(A, B))
    assert grant_tags(redshift) == {}


def test_a_failed_authorization_takes_back_what_it_granted(redshift: Any, client_hooks: ClientHooks) -> None:
    def refuse_b(params: dict[str, Any], **_: Any) -> Any:
        if params["body"].get("AccountWithRestoreAccess") == B:
            error = {"Error": {"Code": "AuthorizationQuotaExceeded", "Message": "100 per KMS key"}}
            return SimpleNamespace(status_code=400), error
        return None

    client_hooks.on("before-call.redshift.AuthorizeSnapshotAccess", refuse_b)
    with pytest.raises(ProviderError, match="could not share with account 222222222222: "
                                            "AuthorizationQuotaExceeded: 100 per KMS key"):
        SnapshotShareProvider().create(props(A, B))
    assert access(redshift) == [] and grant_tags(redshift) == {}


def test_update_revokes_dropped_accounts_and_authorizes_new_ones(redshift: Any) -> None:
    provider = SnapshotShareProvider()
    outs = provider.create(props(B, C)).outs or {}
    outs = provider.update("nightly", outs, props(C, D)).outs or {}
    assert outs["accounts_with_restore_access"] == [C, D] and outs["accounts_with_access"] == [C, D] == access(
        redshift)
    assert outs["granted_accounts"] == [C, D]
    assert grant_tags(redshift) == {grant_key(C): OWNER, grant_key(D): OWNER}


def test_delete_revokes_what_it_granted_and_tolerates_those_already_gone(redshift: Any) -> None:
    provider = SnapshotShareProvider()
    outs = provider.create(props(A, B)).outs or {}
    redshift.revoke_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=B)
    provider.delete("nightly", outs)
    assert access(redshift) == [] and grant_tags(redshift) == {}
    provider.delete("nightly", outs)  # a re-run finds nothing left to do


def test_state_from_before_granted_accounts_revokes_the_listed_accounts(redshift: Any) -> None:
    # What that version recorded (and revoked): every listed account; it kept no owner and wrote no tags.
    share_by_someone_else(redshift, A)
    SnapshotShareProvider().delete("nightly", {"snapshot_identifier": "nightly",
                                               "accounts_with_restore_access": [A]})
    assert access(redshift) == []


def test_delete_of_a_gone_snapshot_is_done(redshift: Any) -> None:
    outs = SnapshotShareProvider().create(props(A)).outs or {}
    redshift.revoke_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=A)
    redshift.delete_cluster_snapshot(SnapshotIdentifier="nightly")
    SnapshotShareProvider().delete("nightly", outs)


def test_read_shows_revoked_accounts_as_drift_and_a_gone_snapshot(redshift: Any) -> None:
    provider = SnapshotShareProvider()
    outs = provider.create(props(A, B)).outs or {}
    redshift.revoke_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=B)
    share_by_someone_else(redshift, C)
    read = provider.read("nightly", outs)
    assert (read.outs or {})["accounts_with_restore_access"] == [A]
    assert (read.outs or {})["granted_accounts"] == [A]  # B was revoked by someone: no longer ours to revoke
    assert (read.outs or {})["accounts_with_access"] == [A, C]
    assert provider.diff("nightly", read.outs or {}, props(A, B)).changes is True
    assert provider.read("nightly", props(A, snapshot_identifier="gone")).id is None


def test_diff_replaces_on_another_snapshot_only() -> None:
    provider = SnapshotShareProvider()
    assert provider.diff("nightly", props(A), props(A, B)).replaces == []
    assert provider.diff("nightly", props(A), props(A, snapshot_identifier="other")).replaces == [
        "snapshot_identifier"]


def test_check_rejects_bad_accounts() -> None:
    result = SnapshotShareProvider().check({}, props("12"))
    assert [f.property for f in result.failures] == ["accounts_with_restore_access[0]"]


def test_every_call_acts_as_the_credentials_and_a_new_identity_only_updates_the_state(
        redshift: Any, client_hooks: ClientHooks) -> None:
    creds = {"profile": "sharer"}
    client_hooks.replace["redshift"] = redshift  # no such profile on this machine: the seeding client stands in
    provider = SnapshotShareProvider()
    outs = provider.create(props(B, credentials=creds)).outs or {}
    assert outs["credentials"] == creds  # for read, update and delete, which get the outputs
    # A new identity replaces nothing: an update that only records it (read and delete get the state alone).
    new_identity = provider.diff("nightly", outs, props(B, credentials={"profile": "ops"}))
    assert (new_identity.changes, new_identity.replaces) == (True, [])
    assert provider.diff("nightly", outs, props(B, credentials=creds)).changes is False
    assert (provider.read("nightly", outs).outs or {})["credentials"] == creds
    outs = provider.update("nightly", outs, props(B, C, credentials=creds)).outs or {}
    provider.delete("nightly", outs)
    assert access(redshift) == []
    assert client_hooks.made == [("redshift", creds)] * 4
