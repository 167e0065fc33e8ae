"""The policy language's top level: a `Policy` and a stack's `StackConfig`, built from the layers' models.

The models live by what they model: `model_fields` (patterns, limits, annotated field types), `selection`,
`backup_layer`, `snapshot_layer` and `notifications`. Every model, pattern, field type and function this module
defined before they were split out is importable from here still (`__all__`), so programs that import them from
`policies.models` keep working.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import PrivateAttr, ValidationInfo, model_validator

from policies.audit import Audit
from policies.backup_layer import (
    MAX_WINDOW_MINUTES,
    BackupLayer,
    BackupRule,
    CopyAction,
    ReportPlan,
    Vault,
    VaultLock,
)
from policies.base import Issues, StrictModel, skip_if_invalid
from policies.model_fields import (
    ACCOUNT_ID,
    ARN,
    CLUSTER_ARN,
    CLUSTER_ID,
    EMAIL,
    IAM_ROLE_ARN,
    IAM_TAG_VALUE,
    KMS_KEY_ARN,
    MAX_DELETE_AFTER_DAYS,
    NAMESPACE_ARN,
    POLICY_NAME,
    REGION,
    RULE_NAME,
    SNS_TOPIC_ARN,
    TAG_KEY,
    VAULT_ARN,
    VAULT_NAME,
    AccountId,
    BackupRegionName,
    ClusterIdentifier,
    DeleteAfterDays,
    Email,
    IamRoleArn,
    KmsKeyArn,
    PolicyName,
    RedshiftRegionName,
    RegionName,
    RuleName,
    SnsTopicArn,
    Tags,
    Timezone,
    VaultName,
    arn_account,
    arn_region,
    vault_arn_problem,
)
from policies.notifications import DEPRECATED_EVENTS, BackupVaultEvent, Notifications, RedshiftEventCategory
from policies.restores import RestoreSpec
from policies.selection import (
    CLUSTER_ID_RULE,
    MAX_SELECTION_ARNS,
    MAX_SELECTION_ARNS_WITH_WILDCARD,
    Conditions,
    Selection,
    TagCondition,
    cluster_identifier_of,
    is_wildcard,
)
from policies.snapshot_layer import CrossRegionCopy, SnapshotLayer

__all__ = [
    # model_fields
    "ACCOUNT_ID", "ARN", "CLUSTER_ARN", "CLUSTER_ID", "EMAIL", "IAM_ROLE_ARN", "IAM_TAG_VALUE", "KMS_KEY_ARN",
    "MAX_DELETE_AFTER_DAYS", "NAMESPACE_ARN", "POLICY_NAME", "REGION", "RULE_NAME", "SNS_TOPIC_ARN", "TAG_KEY",
    "VAULT_ARN", "VAULT_NAME", "AccountId", "BackupRegionName", "ClusterIdentifier", "DeleteAfterDays", "Email",
    "IamRoleArn", "KmsKeyArn", "PolicyName", "RedshiftRegionName", "RegionName", "RuleName", "SnsTopicArn", "Tags",
    "Timezone", "VaultName", "arn_account", "arn_region", "vault_arn_problem",
    # selection
    "CLUSTER_ID_RULE", "MAX_SELECTION_ARNS", "MAX_SELECTION_ARNS_WITH_WILDCARD", "Conditions", "Selection",
    "TagCondition", "cluster_identifier_of",
    # backup_layer
    "MAX_WINDOW_MINUTES", "BackupLayer", "BackupRule", "CopyAction", "ReportPlan", "Vault", "VaultLock",
    # snapshot_layer
    "CrossRegionCopy", "SnapshotLayer",
    # notifications
    "DEPRECATED_EVENTS", "BackupVaultEvent", "Notifications", "RedshiftEventCategory",
    # what Policy and StackConfig are made of besides
    "Audit", "RestoreSpec", "StrictModel",
    # this module's own
    "Policy", "StackConfig", "stack_account",
]


class Policy(StrictModel):
    """One backup policy: what to protect, and how each layer (AWS Backup, native snapshots) protects it."""

    name: PolicyName
    description: str | None = None
    # Added to every resource this policy creates (and to recovery points, after recovery_point_tags).
    tags: Tags = {}
    selection: Selection
    backup: BackupLayer | None = None
    snapshots: SnapshotLayer | None = None
    notifications: Notifications | None = None
    # An AWS Backup Audit Manager framework mirroring this policy (policies/audit.py). Default: none.
    audit: Audit | None = None
    # The stack region this instance passed validation for (set by validation, not a config key): lets
    # `validate_policy` skip validating again an instance each component of one policy is handed.
    _validated_region: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Policy:
        issues = Issues()
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if self.backup is None and self.snapshots is None:
                issues.add((), "protects nothing; give a `backup` (AWS Backup) and/or a `snapshots` (native) "
                           "layer", has_value=False)
        with skip_if_invalid():
            if self.snapshots and not (self.selection.clusters or self.selection.discover_tagged_clusters):
                issues.add("snapshots", "native snapshot settings apply to clusters by identifier; name clusters "
                           "in selection.clusters, or set selection.discover_tagged_clusters: true",
                           has_value=False)
        with skip_if_invalid():
            if self.backup and self.backup.iam_role_arn is None:
                # The policy's tags land on the IAM role it creates: IAM's character set applies (TagRole).
                for key, value in self.tags.items():
                    if not IAM_TAG_VALUE.match(value):
                        issues.add(("tags", key), "has characters IAM refuses in a tag value, and this tag lands "
                                   "on the IAM role the policy creates: use letters, digits, spaces and "
                                   "_ . : / = + - @ only", value, rule="tag")
        with skip_if_invalid():
            if self.snapshots and any(is_wildcard(c) for c in self.selection.clusters):
                issues.add("snapshots", "native snapshot settings cannot follow a wildcard in selection.clusters; "
                           "name the clusters, or use tag conditions with discover_tagged_clusters",
                           has_value=False)
        issues.raise_if_any()
        # Only reached when every rule of every part passed (the parts validate first).
        self._validated_region = (info.context or {}).get("region")
        return self

    def validated_for(self, region: str) -> bool:
        """Whether this instance passed validation with `region` as the stack's region."""
        return self._validated_region == region

    @property
    def vault_name(self) -> str | None:
        """The vault this policy backs up into: created (named) or existing (name or ARN)."""
        if not self.backup:
            return None
        vault = self.backup.vault
        return vault.existing or vault.name or f"{self.name}-vault"


def stack_account(policies: Iterable[Policy]) -> str | None:
    """The stack's own account, from the ARNs that AWS requires to be in it; None when none (or two) are given.

    A stack file does not name its account (the program asks AWS at run time). Backup selections, the role AWS
    Backup assumes, the roles it passes and the plan's target vault are all in the plan's account, so their ARNs
    tell it. Not used: `allowed_principals`, KMS keys and topics, which may live in any account.
    """
    arns: list[str] = []
    for policy in policies:
        selection = policy.selection
        arns += [r for r in [*selection.clusters, *selection.not_resources, *selection.serverless_namespaces]
                 if r.startswith("arn:")]
        if policy.backup:
            arns += [policy.backup.vault.existing or "", policy.backup.iam_role_arn or "",
                     *policy.backup.restore_pass_role_arns]
    accounts = {arn_account(a) for a in arns if a.startswith("arn:")} - {None}
    return accounts.pop() if len(accounts) == 1 else None


class StackConfig(StrictModel):
    """Everything under the `redshift-backup:` namespace of a stack's config.

    The stack's region (`aws:region`) is not part of it: validation receives it as context.
    """

    policies: list[Policy] = []
    # Restores declared as code (policies/restores.py): `pulumi up` restores, `pulumi destroy` removes.
    restores: list[RestoreSpec] = []
