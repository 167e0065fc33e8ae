"""RedshiftSnapshotShare's provider with botocore Stubber (moto has no snapshot access API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from components.snapshot_share import SnapshotShareProvider
from policies.errors import ProviderError
from tests.providers.restore_support import ClientHooks, client_hooks_fixture, stubbed_client  # noqa: F401

A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"
SNAP = {"SnapshotIdentifier": "nightly"}
ARN = "arn:aws:redshift:us-east-1:123456789012:snapshot:prod/nightly"


@pytest.fixture
def stub(client_hooks: ClientHooks) -> Iterator[Stubber]:
    with Stubber(stubbed_client(client_hooks, "redshift")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def props(*accounts: str, **extra: Any) -> dict[str, Any]:
    return {"snapshot_identifier": "nightly", "accounts_with_restore_access": list(accounts), **extra}


def described(stub: Stubber, *shared: str, kind: str = "manual") -> None:
    stub.add_response("describe_cluster_snapshots", {"Snapshots": [{
        "SnapshotIdentifier": "nightly", "SnapshotType": kind, "SnapshotArn": ARN,
        "AccountsWithRestoreAccess": [{"AccountId": a} for a in shared]}]}, SNAP)


def authorize(stub: Stubber, account: str) -> None:
    stub.add_response("authorize_snapshot_access", {"Snapshot": {}}, {**SNAP, "AccountWithRestoreAccess": account})


def revoke(stub: Stubber, account: str) -> None:
    stub.add_response("revoke_snapshot_access", {"Snapshot": {}}, {**SNAP, "AccountWithRestoreAccess": account})


def test_create_authorizes_only_the_missing_accounts(stub: Stubber) -> None:
    described(stub, A)
    authorize(stub, B)
    authorize(stub, C)
    created = SnapshotShareProvider().create(props(A, B, C))
    assert created.id == "nightly"
    assert (created.outs or {})["accounts_with_access"] == [A, B, C]
    assert (created.outs or {})["snapshot_arn_shared"] == ARN
    assert (created.outs or {})["granted_accounts"] == [B, C]  # A had access before: not ours


def test_access_granted_by_someone_else_is_never_revoked(stub: Stubber) -> None:
    # A is shared already (by another stack or by hand); the share lists it too, then drops it, then goes.
    provider = SnapshotShareProvider()
    described(stub, A)
    authorize(stub, B)
    outs = provider.create(props(A, B)).outs or {}
    revoke(stub, B)  # B was ours; A is not revoked when dropped
    authorize(stub, C)
    described(stub, A, C)
    outs = provider.update("nightly", outs, props(C)).outs or {}
    assert outs["granted_accounts"] == [C]
    revoke(stub, C)  # and delete revokes only C
    provider.delete("nightly", outs)


def test_an_account_authorized_meanwhile_by_someone_else_is_not_recorded_as_ours(stub: Stubber) -> None:
    described(stub)
    stub.add_client_error("authorize_snapshot_access", "AuthorizationAlreadyExists", "already authorized", 400,
                          expected_params={**SNAP, "AccountWithRestoreAccess": A})
    authorize(stub, B)
    outs = SnapshotShareProvider().create(props(A, B)).outs or {}
    assert outs["granted_accounts"] == [B]


def test_an_automated_snapshot_cannot_be_shared(stub: Stubber) -> None:
    described(stub, kind="automated")
    with pytest.raises(ProviderError, match="snapshot nightly is automated: only manual snapshots can be shared"):
        SnapshotShareProvider().create(props(A))


def test_at_most_twenty_accounts_in_all(stub: Stubber) -> None:
    described(stub, *[f"{i:012d}" for i in range(19)])
    with pytest.raises(ProviderError, match="would be shared with 21 accounts \\(already 19\\); Redshift allows "
                                            "at most 20"):
        SnapshotShareProvider().create(props(A, B))


def test_a_failed_authorization_takes_back_what_it_granted(stub: Stubber) -> None:
    described(stub)
    authorize(stub, A)
    stub.add_client_error("authorize_snapshot_access", "AuthorizationQuotaExceeded", "100 per KMS key", 400,
                          expected_params={**SNAP, "AccountWithRestoreAccess": B})
    revoke(stub, A)
    with pytest.raises(ProviderError, match="could not share with account 222222222222: "
                                            "AuthorizationQuotaExceeded: 100 per KMS key"):
        SnapshotShareProvider().create(props(A, B))


def test_update_revokes_dropped_accounts_and_authorizes_new_ones(stub: Stubber) -> None:
    revoke(stub, B)
    authorize(stub, D)
    described(stub, C, D)
    olds = props(B, C, granted_accounts=[B, C])
    outs = SnapshotShareProvider().update("nightly", olds, props(C, D)).outs or {}
    assert outs["accounts_with_restore_access"] == [C, D] and outs["accounts_with_access"] == [C, D]
    assert outs["granted_accounts"] == [C, D]


def test_delete_revokes_what_it_granted_and_tolerates_those_already_gone(stub: Stubber) -> None:
    revoke(stub, A)
    stub.add_client_error("revoke_snapshot_access", "AuthorizationNotFound", "not authorized", 404,
                          expected_params={**SNAP, "AccountWithRestoreAccess": B})
    SnapshotShareProvider().delete("nightly", props(A, B, C, granted_accounts=[A, B]))


def test_state_from_before_granted_accounts_revokes_the_listed_accounts(stub: Stubber) -> None:
    # What that version recorded (and revoked): every listed account.
    revoke(stub, A)
    SnapshotShareProvider().delete("nightly", props(A))


def test_read_shows_revoked_accounts_as_drift_and_a_gone_snapshot(stub: Stubber) -> None:
    provider = SnapshotShareProvider()
    described(stub, A, C)
    read = provider.read("nightly", props(A, B, granted_accounts=[A, B]))
    assert (read.outs or {})["accounts_with_restore_access"] == [A]
    assert (read.outs or {})["granted_accounts"] == [A]  # B was revoked by someone: no longer ours to revoke
    assert provider.diff("nightly", read.outs or {}, props(A, B)).changes is True
    stub.add_client_error("describe_cluster_snapshots", "ClusterSnapshotNotFound", "gone", 404,
                          expected_params=SNAP)
    assert provider.read("nightly", props(A)).id is None


def test_diff_replaces_on_another_snapshot_only() -> None:
    provider = SnapshotShareProvider()
    assert provider.diff("nightly", props(A), props(A, B)).replaces == []
    assert provider.diff("nightly", props(A), props(A, snapshot_identifier="other")).replaces == [
        "snapshot_identifier"]


def test_check_rejects_bad_accounts() -> None:
    result = SnapshotShareProvider().check({}, props("12"))
    assert [f.property for f in result.failures] == ["accounts_with_restore_access[0]"]


def test_every_call_acts_as_the_credentials_and_a_new_identity_only_updates_the_state(stub: Stubber,
                                                                       client_hooks: ClientHooks) -> None:
    creds = {"assume_roles": [{"role_arn": f"arn:aws:iam::{A}:role/sharer"}]}
    provider = SnapshotShareProvider()
    described(stub)
    authorize(stub, B)
    outs = provider.create(props(B, credentials=creds)).outs or {}
    assert outs["credentials"] == creds  # for read, update and delete, which get the outputs
    # A new identity replaces nothing: an update that only records it (read and delete get the state alone).
    new_identity = provider.diff("nightly", outs, props(B, credentials={"profile": "ops"}))
    assert (new_identity.changes, new_identity.replaces) == (True, [])
    assert provider.diff("nightly", outs, props(B, credentials=creds)).changes is False
    described(stub, B)
    assert (provider.read("nightly", outs).outs or {})["credentials"] == creds
    authorize(stub, C)
    described(stub, B, C)
    outs = provider.update("nightly", outs, props(B, C, credentials=creds)).outs or {}
    revoke(stub, B)
    revoke(stub, C)
    provider.delete("nightly", outs)
    assert client_hooks.made == [("redshift", creds)] * 4
