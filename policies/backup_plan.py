"""Pure planning of the AWS Backup path: a validated `Policy` in, the plain data the components turn into resources.

Everything here is deterministic and canonical, so that `pulumi preview` settles: empty blocks and empty lists
are left out (the bridged provider shows `[]` against "absent" as a change for ever), lists whose order means
nothing are sorted, and every name is derived from the policy name.

The account id is only known at run time (`aws.get_caller_identity`), so ARNs that need it are built with the
placeholder `ACCOUNT` and completed with `with_account`; the structure (how many selections, their names)
never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from policies import regions
from policies.audit import AuditReports
from policies.audit_controls import audit_recovery_point_tags
from policies.backup_layer import BackupLayer, CopyAction, ReportPlan
from policies.model_fields import CLUSTER_ARN, NAMESPACE_ARN, VAULT_ARN, arn_region
from policies.models import Policy
from policies.selection import MAX_SELECTION_ARNS, MAX_SELECTION_ARNS_WITH_WILDCARD

ACCOUNT = "{account}"
T = TypeVar("T")

BACKUP_SERVICE = "backup.amazonaws.com"
MANAGED_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
)
# What the vault access policy denies: deleting recovery points and shortening (or otherwise changing) their
# lifecycle. AWS Backup's own lifecycle expiry is not an API call of a principal, so it is not affected.
PROTECTED_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")
# The actions of the SNS default topic policy: a TopicPolicy replaces the default, so it is restated, which
# also keeps same-account publishers that rely on it (Redshift event subscriptions) working.
SNS_OWNER_ACTIONS = (
    "SNS:AddPermission", "SNS:DeleteTopic", "SNS:GetTopicAttributes", "SNS:ListSubscriptionsByTopic",
    "SNS:Publish", "SNS:RemovePermission", "SNS:SetTopicAttributes", "SNS:Subscribe",
)
# Pulumi-aws (bridged Terraform) names of the condition operators: note the irregular plurals.
CONDITION_OPERATORS = {
    "string_equals": "string_equals",
    "string_not_equals": "string_not_equals",
    "string_like": "string_likes",
    "string_not_like": "string_not_likes",
}
REPORT_TEMPLATE_SUFFIX = {
    "BACKUP_JOB_REPORT": "backup_jobs",
    "COPY_JOB_REPORT": "copy_jobs",
    "RESTORE_JOB_REPORT": "restore_jobs",
}


def partition_of(region: str) -> str:
    """The ARN partition of a region, from botocore's data (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-eusc`,
    ...: the one table `check` uses too); `aws` for a name that is no region (only mocks and tests give one)."""
    return regions.partition_of(region) or "aws"


def with_account(values: Iterable[str], account_id: str) -> list[str]:
    """Complete ARNs built with the `ACCOUNT` placeholder."""
    return [value.replace(ACCOUNT, account_id) for value in values]


def cluster_arn(region: str, account_id: str, identifier: str) -> str:
    return f"arn:{partition_of(region)}:redshift:{region}:{account_id}:cluster:{identifier}"


def vault_arn(region: str, account_id: str, vault_name: str) -> str:
    return f"arn:{partition_of(region)}:backup:{region}:{account_id}:backup-vault:{vault_name}"


def _policy_json(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def merged_tags(policy: Policy) -> dict[str, str] | None:
    """The tags every resource of the policy carries; None (left out) when there are none."""
    return dict(sorted(policy.tags.items())) or None


# --- vaults ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultSpec:
    """One vault: created (`create`) or existing (used as it is), in `region`."""

    region: str
    vault_name: str
    create: bool
    # For an existing vault given by ARN; otherwise the ARN is templated from the account.
    existing_arn: str | None = None
    # "new": a key is created (rotation on, alias `key_alias`); "aws_managed": AWS Backup's key; else a key ARN.
    kms: str = "new"
    key_alias: str | None = None
    lock: dict[str, int] | None = None
    access_policy: dict[str, Any] | None = None
    protect: bool = True
    tags: dict[str, str] | None = None

    @property
    def kms_key_arn(self) -> str | None:
        return self.kms if self.kms not in ("new", "aws_managed") else None

    def arn(self, account_id: str) -> str:
        return self.existing_arn or vault_arn(self.region, account_id, self.vault_name)


def vault_spec(policy: Policy, region: str, *, destination: bool = False) -> VaultSpec:
    """The policy's vault in `region`: its own vault, or (`destination`) the vault copies go to there.

    A destination vault is named like the source vault and gets the same lock and access policy (the policy
    language checks copy retention against the lock). Its key: a new key when the source has a customer key
    (a given key ARN lives in the source region and cannot encrypt there), AWS Backup's key otherwise.
    """
    backup = _backup(policy)
    vault = backup.vault
    if vault.existing is not None and not destination:
        match = VAULT_ARN.match(vault.existing)
        if match:
            return VaultSpec(region=match.group(1), vault_name=match.group(3), create=False,
                             existing_arn=vault.existing, protect=False)
        return VaultSpec(region=region, vault_name=vault.existing, create=False, protect=False)
    name = vault.name or f"{policy.name}-vault"
    kms = vault.kms_key
    if destination and kms != "aws_managed":
        kms = "new"
    lock = None
    if vault.lock is not None:
        lock = {"min_retention_days": vault.lock.min_retention_days,
                "max_retention_days": vault.lock.max_retention_days}
        changeable = vault.lock.effective_changeable_for_days
        if changeable is not None:
            lock["changeable_for_days"] = changeable
    return VaultSpec(
        region=region, vault_name=name, create=True, kms=kms,
        key_alias=f"alias/redshift-backup/{name}" if kms == "new" else None,
        lock=lock, access_policy=vault_access_policy(vault.allowed_principals)
        if vault.deny_recovery_point_deletion else None,
        protect=vault.protect, tags=merged_tags(policy))


def vault_access_policy(allowed_principals: Sequence[str]) -> dict[str, Any]:
    """Deny deleting recovery points and changing their lifecycle to everyone but `allowed_principals`."""
    statement: dict[str, Any] = {
        "Sid": "DenyRecoveryPointDeletion",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(PROTECTED_ACTIONS),
        "Resource": "*",
    }
    if allowed_principals:
        # aws:PrincipalArn is the role's ARN (not the session's) for an assumed role, so a role ARN matches.
        statement["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": sorted(allowed_principals)}}
    return _policy_json([statement])


def destination_regions(policy: Policy) -> list[str]:
    """Regions whose copy vault this policy creates: same-account copies that name no vault ARN."""
    regions = {copy.region for rule in _backup(policy).rules for copy in rule.copy_actions
               if copy.destination_vault_arn is None and copy.region}
    return sorted(r for r in regions if r is not None)


# --- plan -----------------------------------------------------------------------------------------------------


def _copy_key(copy: CopyAction) -> tuple[str, str, str]:
    return (copy.region or "", copy.account_id or "", copy.destination_vault_arn or "")


def plan_rules(policy: Policy, target_vault_name: T, destination_vault_arns: Mapping[str, T]) -> list[dict[str, Any]]:
    """The plan's rules as pulumi-aws `PlanRuleArgs` dicts, sorted by rule name.

    `target_vault_name` and `destination_vault_arns` (region -> ARN of the vault created there) are passed in,
    so the component can hand in its resources' outputs and the plan depends on the vaults.
    """
    rules: list[dict[str, Any]] = []
    for rule in sorted(_backup(policy).rules, key=lambda r: r.name):
        out: dict[str, Any] = {
            "rule_name": rule.name,
            "target_vault_name": target_vault_name,
            "schedule": rule.schedule,
            "start_window": rule.start_window_minutes,
            "completion_window": rule.completion_window_minutes,
            "lifecycle": {"delete_after": rule.delete_after_days},
        }
        # The provider's default is "Etc/UTC": sending "UTC" would read back differently and never settle.
        if rule.schedule_timezone not in ("UTC", "Etc/UTC"):
            out["schedule_expression_timezone"] = rule.schedule_timezone
        tags = {**policy.tags, **rule.recovery_point_tags, **audit_recovery_point_tags(policy)}
        if tags:
            out["recovery_point_tags"] = dict(sorted(tags.items()))
        copies = []
        for copy in sorted(rule.copy_actions, key=_copy_key):
            destination: Any = copy.destination_vault_arn
            if destination is None:
                destination = destination_vault_arns[copy.region or ""]
            # Always a lifecycle: a copy without one is kept for ever.
            copies.append({"destination_vault_arn": destination,
                           "lifecycle": {"delete_after": rule.copy_delete_after_days(copy)}})
        if copies:
            out["copy_actions"] = copies
        rules.append(out)
    return rules


# --- IAM ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleSpec:
    """The role AWS Backup assumes for this policy's backups and restores."""

    name: str
    assume_role_policy: dict[str, Any]
    managed_policy_arns: list[str]
    pass_role_policy: dict[str, Any] | None


def role_spec(policy: Policy, region: str) -> RoleSpec | None:
    """The role to create, or None when the policy gives `iam_role_arn`."""
    backup = _backup(policy)
    if backup.iam_role_arn:
        return None
    partition = partition_of(region)
    pass_role = None
    if backup.restore_pass_role_arns:
        pass_role = _policy_json([{
            "Sid": "PassRestoreRolesToRedshift",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": sorted(backup.restore_pass_role_arns),
            "Condition": {"StringEquals": {"iam:PassedToService": "redshift.amazonaws.com"}},
        }])
    return RoleSpec(
        # IAM names are global to the account: the region keeps two stacks of one policy apart.
        name=f"{policy.name}-backup-{region}",
        assume_role_policy=_policy_json([{
            "Effect": "Allow",
            "Principal": {"Service": BACKUP_SERVICE},
            "Action": "sts:AssumeRole",
        }]),
        managed_policy_arns=[f"arn:{partition}:iam::aws:policy/{name}" for name in MANAGED_POLICIES],
        pass_role_policy=pass_role,
    )


# --- selections -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionSpec:
    """One `aws.backup.Selection`: `key` names the Pulumi resource, `name` the AWS selection."""

    key: str
    name: str
    resources: list[str]
    not_resources: list[str] = field(default_factory=list)
    conditions: list[dict[str, list[dict[str, str]]]] | None = None

    def with_account(self, account_id: str) -> SelectionSpec:
        return replace(self, resources=with_account(self.resources, account_id),
                       not_resources=with_account(self.not_resources, account_id))


def selection_specs(policy: Policy, region: str, account_id: str = ACCOUNT) -> list[SelectionSpec]:
    """The selections of a policy: named clusters, tag-selected clusters, Serverless namespaces.

    AWS Backup ANDs `Resources` with `Conditions` inside one selection, so clusters named explicitly and
    clusters chosen by tag are separate selections (the policy means "these clusters, and every cluster with
    these tags"). The tag selection's `Resources` is the Redshift cluster wildcard of this account and region,
    so a tag condition never backs up another resource type. Lists longer than AWS allows in one selection
    (500 ARNs, 30 with a wildcard) are split into numbered selections, in sorted order.
    """
    selection = policy.selection
    clusters = sorted({_cluster_ref_arn(ref, region, account_id) for ref in selection.clusters})
    excluded_clusters = sorted({_cluster_ref_arn(ref, region, account_id) for ref in selection.not_resources
                                if not NAMESPACE_ARN.match(ref)})
    excluded_namespaces = sorted({ref for ref in selection.not_resources if NAMESPACE_ARN.match(ref)})
    specs: list[SelectionSpec] = []
    specs += _chunked(policy.name, "clusters", clusters, excluded_clusters)
    if selection.conditions is not None:
        conditions: dict[str, list[dict[str, str]]] = {}
        for op, condition in selection.conditions.all():
            conditions.setdefault(CONDITION_OPERATORS[op], []).append(
                {"key": f"aws:ResourceTag/{condition.key}", "value": condition.value})
        canonical = {op: sorted(items, key=lambda c: (c["key"], c["value"]))
                     for op, items in sorted(conditions.items())}
        specs.append(SelectionSpec(
            key="tagged", name=f"{policy.name}-tagged",
            resources=[cluster_arn(region, account_id, "*")],
            not_resources=excluded_clusters, conditions=[canonical]))
    specs += _chunked(policy.name, "namespaces", sorted(set(selection.serverless_namespaces)),
                      excluded_namespaces)
    return specs


def _cluster_ref_arn(ref: str, region: str, account_id: str) -> str:
    return ref if CLUSTER_ARN.match(ref) else cluster_arn(region, account_id, ref)


def _chunked(policy_name: str, kind: str, arns: list[str], not_resources: list[str]) -> list[SelectionSpec]:
    plain = [a for a in arns if "*" not in a]
    wild = [a for a in arns if "*" in a]
    chunks = _chunks(plain, MAX_SELECTION_ARNS) + _chunks(wild, MAX_SELECTION_ARNS_WITH_WILDCARD)
    out = []
    for i, chunk in enumerate(chunks):
        suffix = kind if i == 0 else f"{kind}-{i + 1}"
        out.append(SelectionSpec(key=suffix, name=f"{policy_name}-{suffix}", resources=chunk,
                                 not_resources=not_resources))
    return out


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def selection_args(spec: SelectionSpec) -> dict[str, Any]:
    """The optional `aws.backup.Selection` arguments of a spec, with empty ones left out."""
    args: dict[str, Any] = {"resources": spec.resources}
    if spec.not_resources:
        args["not_resources"] = spec.not_resources
    if spec.conditions:
        args["conditions"] = spec.conditions
    return args


# --- notifications --------------------------------------------------------------------------------------------


def topic_name(policy: Policy) -> str:
    return f"{policy.name}-backup-events"


def topic_policy(topic_arn: str, account_id: str) -> dict[str, Any]:
    """SNS topic policy: the account keeps the default access, AWS Backup and Redshift may publish."""
    return _policy_json([
        {
            "Sid": "OwnerAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(SNS_OWNER_ACTIONS),
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
        },
        {
            "Sid": "AwsBackupPublish",
            "Effect": "Allow",
            "Principal": {"Service": BACKUP_SERVICE},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
        },
        {
            # Redshift event subscriptions are covered by OwnerAccount on a default topic; this statement is
            # kept in case Redshift publishes as a service principal (unverified), limited to this account.
            "Sid": "RedshiftEventsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "redshift.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    ])


def vault_events(policy: Policy) -> list[str]:
    """The vault events to send, sorted (their order means nothing); empty without notifications."""
    return sorted(policy.notifications.backup_vault_events) if policy.notifications else []


# --- reports and region settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    """One report plan: its AWS name and template."""

    key: str
    name: str
    template: Literal["BACKUP_JOB_REPORT", "COPY_JOB_REPORT", "RESTORE_JOB_REPORT"]


def report_specs(policy: Policy) -> list[ReportSpec]:
    """One report plan per template (AWS: one template per plan). Names allow only letters, digits and `_`."""
    reports = _backup(policy).reports
    if reports is None:
        return []
    stem = policy.name.replace("-", "_")
    return [ReportSpec(key=REPORT_TEMPLATE_SUFFIX[t], name=f"{stem}_{REPORT_TEMPLATE_SUFFIX[t]}", template=t)
            for t in sorted(reports.templates)]


def report_delivery(reports: ReportPlan | AuditReports, bucket_name: T) -> dict[str, Any]:
    """`ReportPlanReportDeliveryChannelArgs` as a dict, formats sorted, empty prefix left out: for the job reports
    (`backup.reports`) and the audit's compliance reports (`audit.reports`) alike."""
    channel: dict[str, Any] = {"s3_bucket_name": bucket_name, "formats": sorted(reports.formats)}
    if reports.s3_key_prefix:
        channel["s3_key_prefix"] = reports.s3_key_prefix
    return channel


def report_bucket_policy(bucket_arn: str) -> dict[str, Any]:
    """Private bucket: refuse every request that does not use TLS."""
    return _policy_json([{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }])


def region_opt_in(policy: Policy) -> dict[str, bool]:
    """`RegionSettings.resource_type_opt_in_preference`: Redshift, and Redshift Serverless when used."""
    prefs = {"Redshift": True}
    if policy.selection.serverless_namespaces:
        prefs["Redshift Serverless"] = True
    return prefs


def _backup(policy: Policy) -> BackupLayer:
    if policy.backup is None:
        raise ValueError(f"policy {policy.name!r} has no `backup` layer")
    return policy.backup


def describe_copy_regions(policy: Policy) -> list[str]:
    """Every region a recovery point of this policy is copied to, sorted (for summaries)."""
    regions = {copy.region or arn_region(copy.destination_vault_arn or "") for rule in _backup(policy).rules
               for copy in rule.copy_actions}
    return sorted(r for r in regions if r)
