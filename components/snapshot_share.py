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
from components.provider_records import redshift_arn, remove_tags, set_tags, tag_key, tag_value, tags_of
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
from policies.restore_fields import MAX_SHARED_ACCOUNTS
from policies.snapshot_share import SnapshotShareSpec

INPUT_KEYS = tuple(k for k in SnapshotShareSpec.model_fields if k not in ("name", "kind"))
IDENTITY_KEYS = ("snapshot_identifier", "snapshot_arn", "snapshot_cluster_identifier", "region")
OUTPUT_KEYS = ("snapshot_arn_shared", "accounts_with_access", "granted_accounts")
GONE = ("ClusterSnapshotNotFound",)
# Who this resource is (project/stack/name): the value of its grant tags on the snapshot.
OWNER = "ownership_tag_value"
EXTRA_KEYS = (CREDENTIALS, OWNER)


def _snapshot_params(props: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = (
        {"SnapshotArn": props["snapshot_arn"]} if props.get("snapshot_arn")
        else {"SnapshotIdentifier": props.get("snapshot_identifier")}
    )
    if props.get("snapshot_cluster_identifier"):
        params["SnapshotClusterIdentifier"] = props["snapshot_cluster_identifier"]
    return params


class SnapshotShareProvider(SpecProvider[SnapshotShareSpec]):
    """AuthorizeSnapshotAccess per account; update and delete revoke only what this resource granted.

    Before granting an account it tags the snapshot `redshift-backup:granted:<account>` = the resource's owner
    value (project/stack/name), and it removes the tag only after revoking: a create re-run after an interruption
    counts those accounts as its own, and a delete re-run revokes them (see components/provider_records.py).
    """

    spec_model = SnapshotShareSpec
    extra_keys = EXTRA_KEYS

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
        granted = self._converge(redshift, props, snapshot, list(spec.accounts_with_restore_access), set())
        return CreateResult(str(name), {**state_inputs(props, INPUT_KEYS), OWNER: props.get(OWNER),
                                        **self._access(redshift, props, snapshot, granted)})

    def _converge(self, redshift: Any, props: Mapping[str, Any], snapshot: Mapping[str, Any], wanted: list[str],
                  known: set[str]) -> list[str]:
        """Grant the `wanted` accounts nobody else granted, revoke the ones this resource granted and no longer
        wants; `known`: accounts the state says this resource granted. Returns the accounts it has granted."""
        owner = props.get(OWNER)
        existing = {a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", [])}
        ours = known | tagged_accounts(snapshot, owner)
        dropped = sorted(ours - set(wanted))
        total = (existing - set(dropped)) | set(wanted)
        if len(total) > MAX_SHARED_ACCOUNTS:
            raise ProviderError(f"snapshot {_name(props)} would be shared with {len(total)} accounts (already "
                                f"{len(existing)}); Redshift allows at most {MAX_SHARED_ACCOUNTS}")
        arn = self._arn(props, snapshot)
        self._revoke(redshift, props, dropped, arn if owner else None)
        kept = [a for a in wanted if a in ours and a in existing]
        missing = [a for a in wanted if a not in existing]
        for account in wanted:
            if account in existing and account not in ours:
                log(f"account {account} already had access (granted by someone else): left to them")
        return sorted({*kept, *self._authorize(redshift, props, missing, arn if owner else None, kept)})

    def _arn(self, props: Mapping[str, Any], snapshot: Mapping[str, Any]) -> str:
        if snapshot.get("SnapshotArn"):
            return str(snapshot["SnapshotArn"])
        return redshift_arn(credentials_of(props), str(props.get("region") or ""), "snapshot",
                            f"{snapshot.get('ClusterIdentifier')}/{snapshot.get('SnapshotIdentifier')}")

    def _access(self, redshift: Any, props: Mapping[str, Any], snapshot: Mapping[str, Any] | None,
                granted: list[str]) -> dict[str, Any]:
        """The outputs on access: who has it (described again after the changes) and whom this resource granted."""
        after = self._snapshot(redshift, props) or snapshot or {}
        return {"snapshot_arn_shared": after.get("SnapshotArn"),
                "accounts_with_access": sorted(a["AccountId"] for a in after.get("AccountsWithRestoreAccess", [])),
                "granted_accounts": granted}

    def _authorize(self, redshift: Any, props: Mapping[str, Any], accounts: list[str], arn: str | None,
                   kept: list[str]) -> list[str]:
        """Grant `accounts`, each tagged first; returns those this call granted (an account someone else
        authorized meanwhile is not ours). A failure takes back what this call granted, then raises."""
        done: list[str] = []
        owner = str(props.get(OWNER) or "")
        for account in accounts:
            log(f"sharing snapshot {_name(props)} with {account}")
            if arn:
                set_tags(redshift, arn, {grant_key(account): tag_value(owner)})
            try:
                redshift.authorize_snapshot_access(AccountWithRestoreAccess=account, **_snapshot_params(props))
            except ClientError as exc:
                if arn:
                    remove_tags(redshift, arn, [grant_key(account)])
                if error_code(exc) == "AuthorizationAlreadyExists":
                    log(f"account {account} already had access (granted by someone else): left to them")
                    continue
                # All or nothing: take back what this call granted before failing.
                self._revoke(redshift, props, done, arn)
                raise ProviderError(f"could not share with account {account}: {aws_reason(exc)}") from exc
            done.append(account)
        return done

    def _revoke(self, redshift: Any, props: Mapping[str, Any], accounts: list[str], arn: str | None) -> None:
        """Revoke `accounts`, then remove their tags (after: a re-run still finds what is left to revoke)."""
        for account in accounts:
            log(f"revoking access of {account} to snapshot {_name(props)}")
            try:
                redshift.revoke_snapshot_access(AccountWithRestoreAccess=account, **_snapshot_params(props))
            except ClientError as exc:
                if error_code(exc) in ("AuthorizationNotFound", *GONE):
                    pass
                else:
                    raise ProviderError(f"could not revoke account {account}: {aws_reason(exc)}") from exc
            if arn:
                remove_tags(redshift, arn, [grant_key(account)])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        snapshot = self._snapshot(redshift, props)
        if snapshot is None:
            return ReadResult(None, {})
        actual = sorted(a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", []))
        ours = [a for a in props.get("accounts_with_restore_access") or [] if a in actual]
        # An account someone revoked is no longer ours to revoke; it shows up as drift and the next `up` grants it.
        known = set(granted_accounts(props)) | tagged_accounts(snapshot, props.get(OWNER))
        granted = sorted(a for a in known if a in actual)
        return ReadResult(id_, {**props, "accounts_with_restore_access": ours, "accounts_with_access": actual,
                                "granted_accounts": granted})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self.spec(news)
        redshift = aws.client("redshift", spec.region, credentials_of(news))
        props = {**news, OWNER: news.get(OWNER) or olds.get(OWNER)}
        snapshot = self._snapshot(redshift, props)
        if snapshot is None:
            raise ProviderError(f"snapshot {_name(props)} not found; run `pulumi refresh`")
        granted = self._converge(redshift, props, snapshot, list(spec.accounts_with_restore_access),
                                 set(granted_accounts(olds)))
        # The outputs keep no credentials the new inputs dropped: those say who acts from now on.
        kept = {k: v for k, v in olds.items() if k != CREDENTIALS}
        return UpdateResult({**kept, **state_inputs(news, INPUT_KEYS), OWNER: props.get(OWNER),
                             **self._access(redshift, props, snapshot, granted)})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        redshift = aws.client("redshift", props.get("region"), credentials_of(props))
        snapshot = self._snapshot(redshift, props)
        if snapshot is None:
            log(f"snapshot {_name(props)} is gone, and every access to it")
            return
        ours = set(granted_accounts(props)) | tagged_accounts(snapshot, props.get(OWNER))
        arn = self._arn(props, snapshot) if props.get(OWNER) else None
        self._revoke(redshift, props, sorted(ours), arn)


def _name(props: Mapping[str, Any]) -> str:
    return str(props.get("snapshot_identifier") or props.get("snapshot_arn"))


def grant_key(account: str) -> str:
    """The snapshot tag that records who granted `account` (a 12-digit account: 36 characters)."""
    return tag_key("granted", account)


def tagged_accounts(snapshot: Mapping[str, Any], owner: Any) -> set[str]:
    """Accounts whose grant tag on the snapshot names `owner`: those this resource granted."""
    if not owner:
        return set()
    prefix, mine = grant_key(""), tag_value(str(owner))
    return {k[len(prefix):] for k, v in tags_of(snapshot).items() if k.startswith(prefix) and v == mine}


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
        props.setdefault(OWNER, f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}")
        validate_now(SnapshotShareSpec, {**props, "name": resource_name, "kind": "snapshot_share"}, EXTRA_KEYS)
        super().__init__(provider or SnapshotShareProvider(), resource_name,
                         {**props, **{k: None for k in OUTPUT_KEYS}}, opts)

    @classmethod
    def from_spec(cls, spec: SnapshotShareSpec, opts: pulumi.ResourceOptions | None = None,
                  credentials: pulumi.Input[Credentials] | None = None) -> RedshiftSnapshotShare:
        return cls(spec.name, opts, credentials=credentials,
                   **spec.model_dump(exclude={"name", "kind"}, exclude_none=True))
