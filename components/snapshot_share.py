"""`RedshiftSnapshotShare`: let other accounts restore a manual snapshot; update and delete revoke access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components import aws
from components.aws import Credentials
from components.dynamic_resource import DynamicResource
from components.restore_common import (
    CREDENTIALS,
    SpecProvider,
    aws_reason,
    changed_keys,
    credentials_changed,
    credentials_of,
    credentials_prop,
    error_code,
    log,
    state_inputs,
    validate_now,
)
from policies.errors import ProviderError
from policies.restores import MAX_SHARED_ACCOUNTS, SnapshotShareSpec

INPUT_KEYS = tuple(k for k in SnapshotShareSpec.model_fields if k not in ("name", "kind"))
IDENTITY_KEYS = ("snapshot_identifier", "snapshot_arn", "snapshot_cluster_identifier", "region")
OUTPUT_KEYS = ("snapshot_arn_shared", "accounts_with_access", "granted_accounts")
GONE = ("ClusterSnapshotNotFound",)


def _snapshot_params(props: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = (
        {"SnapshotArn": props["snapshot_arn"]} if props.get("snapshot_arn")
        else {"SnapshotIdentifier": props.get("snapshot_identifier")}
    )
    if props.get("snapshot_cluster_identifier"):
        params["SnapshotClusterIdentifier"] = props["snapshot_cluster_identifier"]
    return params


class SnapshotShareProvider(SpecProvider[SnapshotShareSpec]):
    """AuthorizeSnapshotAccess per account; update and delete revoke only what this resource granted."""

    spec_model = SnapshotShareSpec

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, "name": "share", "kind": "snapshot_share"}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_keys(olds, news, INPUT_KEYS)
        return DiffResult(changes=bool(changed) or credentials_changed(olds, news),
                          replaces=[k for k in changed if k in IDENTITY_KEYS])

    def _snapshot(self, redshift: Any, props: Mapping[str, Any]) -> dict[str, Any] | None:
        query = _snapshot_params(props)
        if "SnapshotClusterIdentifier" in query:
            query["ClusterIdentifier"] = query.pop("SnapshotClusterIdentifier")
        try:
            found = redshift.describe_cluster_snapshots(**query)["Snapshots"]
        except ClientError as exc:
            if error_code(exc) in GONE:
                return None
            raise
        return found[0] if found else None

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.spec(props)
        redshift = aws.client("redshift", spec.region, credentials_of(props))
        snapshot = self._snapshot(redshift, props)
        name = spec.snapshot_identifier or spec.snapshot_arn
        if snapshot is None:
            raise ProviderError(f"snapshot {name} not found")
        if snapshot.get("SnapshotType") != "manual":
            raise ProviderError(f"snapshot {name} is {snapshot.get('SnapshotType')}: only manual snapshots can be "
                                "shared (copy it to a manual snapshot first)")
        existing = {a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", [])}
        total = existing | set(spec.accounts_with_restore_access)
        if len(total) > MAX_SHARED_ACCOUNTS:
            raise ProviderError(f"snapshot {name} would be shared with {len(total)} accounts (already "
                                f"{len(existing)}); Redshift allows at most {MAX_SHARED_ACCOUNTS}")
        granted = self._authorize(redshift, props,
                                  [a for a in spec.accounts_with_restore_access if a not in existing])
        return CreateResult(str(name), {**state_inputs(props, INPUT_KEYS),
                                        "snapshot_arn_shared": snapshot.get("SnapshotArn"),
                                        "accounts_with_access": sorted(total),
                                        "granted_accounts": sorted(granted)})

    def _authorize(self, redshift: Any, props: Mapping[str, Any], accounts: list[str]) -> list[str]:
        """Grant `accounts`; returns those this call granted (an account someone else authorized is not ours)."""
        done: list[str] = []
        for account in accounts:
            log(f"sharing snapshot {props.get('snapshot_identifier') or props.get('snapshot_arn')} with {account}")
            try:
                redshift.authorize_snapshot_access(AccountWithRestoreAccess=account, **_snapshot_params(props))
            except ClientError as exc:
                if error_code(exc) == "AuthorizationAlreadyExists":
                    log(f"account {account} already had access (granted by someone else): left to them")
                    continue
                # All or nothing: take back what this call granted before failing.
                self._revoke(redshift, props, done)
                raise ProviderError(f"could not share with account {account}: {aws_reason(exc)}") from exc
            done.append(account)
        return done

    def _revoke(self, redshift: Any, props: Mapping[str, Any], accounts: list[str]) -> None:
        for account in accounts:
            log(f"revoking access of {account} to snapshot "
                f"{props.get('snapshot_identifier') or props.get('snapshot_arn')}")
            try:
                redshift.revoke_snapshot_access(AccountWithRestoreAccess=account, **_snapshot_params(props))
            except ClientError as exc:
                if error_code(exc) in ("AuthorizationNotFound", *GONE):
                    continue
                raise ProviderError(f"could not revoke account {account}: {aws_reason(exc)}") from exc

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        snapshot = self._snapshot(redshift, props)
        if snapshot is None:
            return ReadResult(None, {})
        actual = sorted(a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", []))
        ours = [a for a in props.get("accounts_with_restore_access") or [] if a in actual]
        # An account someone revoked is no longer ours to revoke; it shows up as drift and the next `up` grants it.
        granted = [a for a in granted_accounts(props) if a in actual]
        return ReadResult(id_, {**props, "accounts_with_restore_access": ours, "accounts_with_access": actual,
                                "granted_accounts": granted})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self.spec(news)
        redshift = aws.client("redshift", spec.region, credentials_of(news))
        old = list(olds.get("accounts_with_restore_access") or [])
        granted = granted_accounts(olds)
        dropped = [a for a in granted if a not in spec.accounts_with_restore_access]
        self._revoke(redshift, news, dropped)
        added = self._authorize(redshift, news, [a for a in spec.accounts_with_restore_access if a not in old])
        snapshot = self._snapshot(redshift, news) or {}
        actual = sorted(a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", []))
        # The outputs keep no credentials the new inputs dropped: those say who acts from now on.
        kept = {k: v for k, v in olds.items() if k != CREDENTIALS}
        return UpdateResult({**kept, **state_inputs(news, INPUT_KEYS), "accounts_with_access": actual,
                             "granted_accounts": sorted({*(a for a in granted if a not in dropped), *added})})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        self._revoke(redshift, props, granted_accounts(props))



def granted_accounts(props: Mapping[str, Any]) -> list[str]:
    """The accounts this resource granted access to: only those are revoked on update and delete.

    State written before `granted_accounts` existed did not record them; it is read as every listed account,
    which is what that version revoked.
    """
    if props.get("granted_accounts") is not None:
        return list(props["granted_accounts"])
    return list(props.get("accounts_with_restore_access") or [])


class RedshiftSnapshotShare(DynamicResource, module="redshift-backup", name="RedshiftSnapshotShare"):
    """Accounts allowed to restore a manual snapshot; keyword arguments are the stack-config keys.

    `credentials`: who boto3 acts as, as for `RedshiftClusterRestore` (default: the stack's).
    """

    snapshot_arn_shared: pulumi.Output[str]
    accounts_with_access: pulumi.Output[list[str]]
    granted_accounts: pulumi.Output[list[str]]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, *,
                 provider: SnapshotShareProvider | None = None,
                 credentials: pulumi.Input[Credentials] | None = None, **args: Any) -> None:
        props = {k: v for k, v in {**args, CREDENTIALS: credentials_prop(credentials)}.items()
                 if v is not None and k != "kind"}
        validate_now(SnapshotShareSpec, {**props, "name": resource_name, "kind": "snapshot_share"}, (CREDENTIALS,))
        super().__init__(provider or SnapshotShareProvider(), resource_name,
                         {**props, **{k: None for k in OUTPUT_KEYS}}, opts)

    @classmethod
    def from_spec(cls, spec: SnapshotShareSpec, opts: pulumi.ResourceOptions | None = None,
                  credentials: pulumi.Input[Credentials] | None = None) -> RedshiftSnapshotShare:
        return cls(spec.name, opts, credentials=credentials,
                   **spec.model_dump(exclude={"name", "kind"}, exclude_none=True))
