"""The pack's checks as plain functions over a resource's type and properties (pulumi-aws 7 wire names).

Pure: no pulumi, no pulumi_policy, so every check is testable on dicts. Each function returns the messages of
its violations (empty: the resource passes). A value not known yet (during preview) arrives as `UNKNOWN`; a
check that needs it raises `Unknowable`, which the glue (redshift_pack.py) turns into the SDK's own "can't run
during preview" advisory. Coverage reuses the project's selection rules (policies/coverage.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pack_settings import ProdVaultSettings

from policies.coverage import cluster_coverage, namespace_coverage
from policies.models import stack_account
from policies.summary_words import selector_text
from policies.validation import Stack

CLUSTER = "aws:redshift/cluster:Cluster"
NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"
PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"

# pulumi-aws 7: automatedSnapshotRetentionPeriod defaults to 1 day when left out.
AWS_DEFAULT_RETENTION_DAYS = 1


class _Unknown:
    """A value the engine does not know yet (preview of a value computed from another resource)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class Unknowable(Exception):
    """A check needs a value that is unknown during preview; `path` says which."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not known during preview")
        self.path = path


def _known(value: Any, path: str) -> Any:
    if value is UNKNOWN:
        raise Unknowable(path)
    return value


def _get(props: Mapping[str, Any], key: str) -> Any:
    return _known(props.get(key), key)


def _json_or_value(value: Any) -> Any:
    """A default provider's settings arrive as JSON text (they come from stack config); others as values."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- tags and region ------------------------------------------------------------------------------------------


def _string_map(value: Any, path: str) -> dict[str, str]:
    value = _json_or_value(_known(value, path))
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(_known(v, f"{path}.{k}")) for k, v in value.items()}


def resource_tags(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The tags AWS will see: the provider's defaultTags, then the resource's own (which win), as pulumi-aws does.

    `tagsAll` (the provider's merge) is taken when it is known, since it is exactly that.
    """
    tags_all = props.get("tagsAll")
    if isinstance(tags_all, Mapping) and tags_all:
        return _string_map(tags_all, "tagsAll")
    merged: dict[str, str] = {}
    default_tags = _json_or_value((provider_props or {}).get("defaultTags"))
    if isinstance(default_tags, Mapping):
        merged.update(_string_map(default_tags.get("tags"), "provider.defaultTags.tags"))
    merged.update(_string_map(props.get("tags"), "tags"))
    return merged


def resource_region(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None = None) -> str | None:
    """The resource's region (pulumi-aws 7's per-resource `region`, else its provider's); None when unknown."""
    for value in (props.get("region"), (provider_props or {}).get("region")):
        if isinstance(value, str) and value:
            return value
    return None


def provider_accounts(provider_props: Mapping[str, Any] | None) -> set[str]:
    """The AWS accounts a provider is pinned to: `allowedAccountIds`, else the accounts of its `assumeRoles`.

    Empty when it says nothing: the pack cannot see which account plain credentials belong to.
    """
    props = provider_props or {}
    allowed = _json_or_value(props.get("allowedAccountIds"))
    if isinstance(allowed, Sequence) and not isinstance(allowed, str):
        found = {str(a) for a in allowed if isinstance(a, (str, int)) and str(a).isdigit()}
        if found:
            return found
    roles = _json_or_value(props.get("assumeRoles"))
    roles = [roles] if isinstance(roles, Mapping) else roles
    accounts = set()
    if isinstance(roles, Sequence) and not isinstance(roles, str):
        for role in roles:
            arn = role.get("roleArn") if isinstance(role, Mapping) else None
            if isinstance(arn, str) and arn.startswith("arn:") and len(arn.split(":")) > 4:
                accounts.add(arn.split(":")[4])
    return {a for a in accounts if a.isdigit()}


def _placement_problem(what: str, props: Mapping[str, Any], provider_props: Mapping[str, Any] | None,
                       stack: Stack) -> str | None:
    """Why the policies cannot cover a resource of another region, or of an account they do not protect."""
    region = resource_region(props, provider_props)
    if region is not None and region != stack.region:
        return (f"{what} is in {region}, but the organization's redshift-backup policies in {_source_text(stack)} "
                f"protect {stack.region} only: add a policy stack for {region} to the pack's config, or deploy "
                "it in a protected region")
    protected = stack_account(stack.policies)
    accounts = provider_accounts(provider_props)
    if protected is not None and accounts and protected not in accounts:
        return (f"{what} is deployed to account {', '.join(sorted(accounts))} (its provider's allowedAccountIds or "
                f"assumeRoles), but the organization's redshift-backup policies in {_source_text(stack)} protect "
                f"account {protected}: a backup selection covers its own account only; configure the pack with "
                "that account's policies")
    return None


# --- Redshift clusters and namespaces -------------------------------------------------------------------------


def _source_text(stack: Stack) -> str:
    return f"{stack.source or 'the configured policies'} ({stack.region})"


def _selector_hints(stack: Stack) -> str:
    hints = [f"{p.name}: {selector_text(p.selection.conditions)}" for p in stack.policies
             if p.selection.conditions is not None and p.backup is not None]
    return f" Policies that select by tag: {'; '.join(hints)}." if hints else ""


def cluster_coverage_problems(resource_type: str, props: Mapping[str, Any], stack: Stack,
                              provider_props: Mapping[str, Any] | None = None) -> list[str]:
    """`redshift-cluster-covered`: some policy protects the cluster (named, or its tags match a selection)."""
    if resource_type != CLUSTER:
        return []
    identifier = _get(props, "clusterIdentifier")
    if not isinstance(identifier, str) or not identifier:
        return ["the cluster has no clusterIdentifier; give one, so that a backup policy can name it"]
    placement = _placement_problem(f"cluster {identifier!r}", props, provider_props, stack)
    if placement:
        return [placement]
    tags = resource_tags(props, provider_props)
    if cluster_coverage(stack.policies, identifier, tags, stack.region):
        return []
    shown = ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) or "none"
    return [f"cluster {identifier!r} is not protected by any redshift-backup policy in {_source_text(stack)}: no "
            f"policy names it in selection.clusters, and its tags ({shown}) match no policy's selection.conditions "
            "(or it is listed in selection.not_resources). Tag it to match a policy, or add it to a policy's "
            f"selection.clusters.{_selector_hints(stack)}"]


def namespace_coverage_problems(resource_type: str, props: Mapping[str, Any], stack: Stack,
                                provider_props: Mapping[str, Any] | None = None) -> list[str]:
    """`redshift-namespace-covered`: some policy names the namespace's ARN in selection.serverless_namespaces.

    Run on a stack's outputs: a namespace's ARN is known once it exists. A new one's ARN (its uuid) is not known
    before `pulumi up`, so only a policy entry ending in `namespace/*` can already cover it.
    """
    if resource_type != NAMESPACE:
        return []
    name = props.get("namespaceName")
    label = repr(name) if isinstance(name, str) else "(name not known yet)"
    placement = _placement_problem(f"namespace {label}", props, provider_props, stack)
    if placement:
        return [placement]
    arn = props.get("arn")
    arn = arn if isinstance(arn, str) and arn else None
    if namespace_coverage(stack.policies, arn):
        return []
    if arn is None:
        return [f"namespace {label} is new: its ARN is not known before `pulumi up`, and no redshift-backup policy "
                f"in {_source_text(stack)} selects every namespace (an entry ending in namespace/* in "
                "selection.serverless_namespaces). Add its ARN to a policy's selection.serverless_namespaces right "
                "after it is created, or add a namespace/* entry"]
    return [f"namespace {label} ({arn}) is not protected by any redshift-backup policy in {_source_text(stack)}: "
            "add its ARN to a policy's selection.serverless_namespaces"]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def retention_problems(resource_type: str, props: Mapping[str, Any], minimum_days: int) -> list[str]:
    """`redshift-automated-snapshot-retention`: automatedSnapshotRetentionPeriod at least the configured minimum."""
    if resource_type != CLUSTER:
        return []
    return retention_verdict(
        "automatedSnapshotRetentionPeriod", _get(props, "automatedSnapshotRetentionPeriod"), minimum_days,
        f"is not set, so the cluster keeps automated snapshots {AWS_DEFAULT_RETENTION_DAYS} day (the default)",
        AWS_DEFAULT_RETENTION_DAYS)


def retention_verdict(key: str, raw: Any, minimum_days: int, unset: str,
                      default_days: int | None = None) -> list[str]:
    """The automated snapshot retention a resource declares under `key`, against the organization's minimum.

    `unset` says what leaving it out means; `default_days` is the retention it then has (None: the pack cannot
    know it, so a resource that leaves it out is refused).
    """
    if raw is None and default_days is None:
        now = unset
    else:
        days = float(default_days or 0) if raw is None else _number(raw)
        if days is None:
            return [f"{key} is {raw!r}, not a number of days: set it to {minimum_days}-35"]
        if days >= minimum_days:
            return []
        shown = int(days) if days.is_integer() else days
        if raw is None:
            now = unset
        elif days == 0:
            now = "is 0, which turns automated snapshots off"
        else:
            now = f"is {shown} day{'s' if shown != 1 else ''}"
    return [f"{key} {now}; the organization's minimum is {minimum_days} days: set {key} to at least {minimum_days} "
            "(Redshift allows at most 35)"]


def _truthy(value: Any) -> bool | None:
    """true/false from a bool or pulumi-aws's string booleans ("true"/"false"); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def encryption_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`redshift-cluster-encrypted`: the program states `encrypted: true` for the cluster.

    Serverless namespaces are always encrypted (an AWS owned key unless kmsKeyId is given): nothing to check.
    """
    if resource_type != CLUSTER:
        return []
    value = _get(props, "encrypted")
    if _truthy(value) is True:
        return []
    if value is None:
        return ["encrypted is not set: set encrypted to true (and kmsKeyId to use a customer managed key), so the "
                "program itself states that data and snapshots are encrypted at rest"]
    return [f"encrypted is {value!r}: set encrypted to true (and kmsKeyId to use a customer managed key); "
            "snapshots and AWS Backup recovery points of an unencrypted cluster are unencrypted too"]


def public_access_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`redshift-not-publicly-accessible`: a cluster or Serverless workgroup is not publicly accessible."""
    if resource_type not in (CLUSTER, WORKGROUP):
        return []
    if _truthy(_get(props, "publiclyAccessible")) is not True:
        return []
    return [public_access_message("publiclyAccessible", "cluster" if resource_type == CLUSTER else "workgroup")]


def public_access_message(key: str, what: str) -> str:
    """What `redshift-not-publicly-accessible` says about a resource whose `key` makes it public."""
    return (f"{key} is true: set {key} to false (the default), and reach the {what} from inside its VPC (a VPC "
            "endpoint, a bastion or a VPN)")


# --- raw AWS Backup resources ---------------------------------------------------------------------------------


def _mappings(value: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(path, item) for each object of a list property; an unknown list or item raises Unknowable."""
    value = _known(value, path)
    if not isinstance(value, Sequence) or isinstance(value, str):
        return
    for i, item in enumerate(value):
        item = _known(item, f"{path}[{i}]")
        if isinstance(item, Mapping):
            yield f"{path}[{i}]", item


def _delete_after(lifecycle: Any, path: str) -> float | None:
    lifecycle = _known(lifecycle, path)
    if not isinstance(lifecycle, Mapping):
        return None
    days = _number(_known(lifecycle.get("deleteAfter"), f"{path}.deleteAfter"))
    return days if days else None


def _rule_label(path: str, rule: Mapping[str, Any]) -> str:
    name = rule.get("ruleName")
    return path + (f" ({name!r})" if isinstance(name, str) and name else "")


def plan_lifecycle_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`backup-plan-rule-lifecycle`: every rule of a backup plan expires its recovery points."""
    if resource_type != PLAN:
        return []
    return [f"{_rule_label(path, rule)} has no lifecycle.deleteAfter, so its recovery points are kept forever (and "
            "billed forever): set lifecycle: {deleteAfter: <days>} on the rule, e.g. 35"
            for path, rule in _mappings(props.get("rules"), "rules")
            if _delete_after(rule.get("lifecycle"), f"{path}.lifecycle") is None]


def copy_lifecycle_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`backup-copy-action-lifecycle`: every copy action of a backup plan expires its copies."""
    if resource_type != PLAN:
        return []
    out = []
    for path, rule in _mappings(props.get("rules"), "rules"):
        for copy_path, copy in _mappings(rule.get("copyActions"), f"{path}.copyActions"):
            if _delete_after(copy.get("lifecycle"), f"{copy_path}.lifecycle") is None:
                dest = copy.get("destinationVaultArn")
                to = f" to {dest}" if isinstance(dest, str) and dest else ""
                out.append(f"{_rule_label(path, rule)}{copy_path[len(path):]}{to} has no lifecycle.deleteAfter, "
                           "so the copies are kept forever (and billed forever): set lifecycle: {deleteAfter: "
                           "<days>} on the copy action")
    return out


@dataclass(frozen=True)
class StackResource:
    """A resource of the whole stack, for the stack-wide checks (its outputs, and what its properties depend on)."""

    urn: str
    type: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any] | None = None
    property_dependencies: Mapping[str, frozenset[str]] = field(default_factory=dict)


def is_prod_vault(name: str | None, tags: Mapping[str, str], settings: ProdVaultSettings) -> bool:
    """A vault whose name matches the prod pattern, or with an environment tag saying prod (any case)."""
    if name and re.search(settings.prodNamePattern, name, re.IGNORECASE):
        return True
    keys = {k.lower() for k in settings.prodTagKeys}
    values = {v.lower() for v in settings.prodTagValues}
    return any(k.lower() in keys and v.lower() in values for k, v in tags.items())


def prod_vault_lock_problems(resources: Iterable[StackResource],
                             settings: ProdVaultSettings) -> list[tuple[str, str]]:
    """`backup-prod-vault-locked`: every prod vault of the stack has a VaultLockConfiguration in the same stack.

    A lock belongs to a vault when its backupVaultName is the vault's name, or is taken from that vault (a
    property dependency, which is all there is during preview of a vault not yet created).
    """
    items = list(resources)
    locked_names: set[str] = set()
    locked_urns: set[str] = set()
    for res in items:
        if res.type == VAULT_LOCK:
            name = res.props.get("backupVaultName")
            if isinstance(name, str):
                locked_names.add(name)
            locked_urns |= set(res.property_dependencies.get("backupVaultName", frozenset()))
    out = []
    for res in items:
        if res.type != VAULT:
            continue
        name = res.props.get("name")
        name = name if isinstance(name, str) else None
        try:
            tags = resource_tags(res.props, res.provider_props)
        except Unknowable:
            tags = {}
        if not is_prod_vault(name, tags, settings) or res.urn in locked_urns or name in locked_names:
            continue
        label = repr(name) if name else res.urn.rsplit("::", 1)[-1]
        out.append((res.urn, f"vault {label} is a prod vault (by its name or tags) without a vault lock: add an "
                    "aws.backup.VaultLockConfiguration with backupVaultName set to this vault's name, "
                    "minRetentionDays and maxRetentionDays (and changeableForDays for compliance mode), so recovery "
                    "points cannot be deleted or shortened before their time"))
    return out
