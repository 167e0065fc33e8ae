"""The member-account baseline of the organization path: CloudFormation templates for StackSets, built from the
same vault and role specs as the single-account path (`policies.backup_plan.vault_spec` / `role_spec`), and the
StackSet instances (target x region) that put them in every member account.

Two StackSets per policy: the vault (KMS key with rotation, alias, vault, vault lock, deny-delete access policy)
in every targeted region, and the IAM role AWS Backup assumes, once per account (IAM names are global to an
account, and the backup policy names one role ARN for all regions: `arn:aws:iam::$account:role/<name>`).

Sources:
- [SYNTAX] (see `policies.organization`): the role and a vault of the named name must exist in every account and
  region that receives the effective policy; AWS recommends StackSets with the Organizations integration.
- [CFN-STACKSET] CloudFormation User Guide, AWS::CloudFormation::StackSet AutoDeployment: with automatic
  deployment, StackSets deploys to accounts added to a target OU later and removes (or, with
  RetainStacksOnAccountRemoval, keeps) the stacks of accounts that leave it.
- [CFN-ORGS] CloudFormation User Guide, "StackSets with service-managed permissions": targets are OUs (the root
  id stands for the whole organization); single accounts are reached through an OU with an account filter; stack
  instances are not deployed to the management account (also aws-cloudformation/cloudformation-coverage-roadmap
  #1705, open: "Service Managed StackSets doesn't deploy stack instances to the organization's management account").
- [CFN-VAULT] CloudFormation Template Reference, AWS::Backup::BackupVault: a new BackupVaultName or
  EncryptionKeyArn replaces the vault.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from policies.backup_plan import RoleSpec, VaultSpec, role_spec, vault_spec
from policies.org_policy_document import vault_name
from policies.organization import OrganizationConfig, OrgPolicy, OrgTarget, org_names, parent_of, target_kind

TEMPLATE_VERSION = "2010-09-09"


def _tags_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def baseline_vault_spec(policy: OrgPolicy, region: str) -> VaultSpec:
    """The single-account path's vault spec, for a member account's region."""
    return vault_spec(policy, region)


def baseline_role_spec(policy: OrgPolicy, region: str) -> RoleSpec:
    """The single-account path's role spec, named for the organization (one role per account)."""
    spec = role_spec(policy, region)
    assert spec is not None  # iam_role_arn is refused on the organization path
    return replace(spec, name=org_names(policy.name)["role"])


def creates_vault(policy: OrgPolicy) -> bool:
    """Whether the baseline creates the vault (an `existing` vault must already be in every account and region)."""
    return policy.backup is not None and policy.backup.vault.existing is None


def vault_template(policy: OrgPolicy, region: str) -> dict[str, Any]:
    """The regional baseline: key, alias, vault with lock and access policy (only when `creates_vault`)."""
    spec = baseline_vault_spec(policy, region)
    assert spec.create, "an existing vault gets no vault StackSet"
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    # `protect` in the single-account path is Pulumi's protect; here it is CloudFormation's Retain, so removing
    # an account or the StackSet never deletes recovery points with their vault or key.
    kept = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"} if spec.protect else {
        "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
    vault: dict[str, Any] = {"BackupVaultName": spec.vault_name}
    if spec.kms == "new":
        resources["VaultKey"] = {
            "Type": "AWS::KMS::Key", **kept,
            "Properties": {
                "Description": f"AWS Backup vault {spec.vault_name} (redshift-backup)",
                "EnableKeyRotation": True,
                "PendingWindowInDays": 30,
                # The single-account path creates its key with the default key policy: the account (root) may
                # use and manage the key through IAM. The same statement, written out.
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "EnableIamPoliciesOfThisAccount", "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*", "Resource": "*"}]},
                **({"Tags": _tags_list(spec.tags)} if spec.tags else {}),
            },
        }
        resources["VaultKeyAlias"] = {"Type": "AWS::KMS::Alias",
                                      "Properties": {"AliasName": spec.key_alias, "TargetKeyId": {"Ref": "VaultKey"}}}
        vault["EncryptionKeyArn"] = {"Fn::GetAtt": ["VaultKey", "Arn"]}
    if spec.access_policy is not None:
        vault["AccessPolicy"] = spec.access_policy
    if spec.lock is not None:
        lock = {"MinRetentionDays": spec.lock["min_retention_days"],
                "MaxRetentionDays": spec.lock["max_retention_days"]}
        if "changeable_for_days" in spec.lock:
            lock["ChangeableForDays"] = spec.lock["changeable_for_days"]
        vault["LockConfiguration"] = lock
    if spec.tags:
        vault["BackupVaultTags"] = dict(sorted(spec.tags.items()))
    resources["Vault"] = {"Type": "AWS::Backup::BackupVault", **kept, "Properties": vault}
    outputs["VaultArn"] = {"Value": {"Fn::GetAtt": ["Vault", "BackupVaultArn"]}}
    return {"AWSTemplateFormatVersion": TEMPLATE_VERSION,
            "Description": f"redshift-backup {policy.name}: vault {spec.vault_name}, its key, lock and access policy",
            "Resources": resources, "Outputs": outputs}


def role_template(policy: OrgPolicy, region: str) -> dict[str, Any]:
    """The account-wide baseline: the role AWS Backup assumes, with AWS's managed backup and restore policies."""
    spec = baseline_role_spec(policy, region)
    role: dict[str, Any] = {
        "RoleName": spec.name,
        "Description": f"AWS Backup role of redshift-backup organization policy {policy.name}",
        "AssumeRolePolicyDocument": spec.assume_role_policy,
        "ManagedPolicyArns": list(spec.managed_policy_arns),
    }
    if spec.pass_role_policy is not None:  # pragma: no cover - account-specific roles are refused on this path
        role["Policies"] = [{"PolicyName": "pass-restore-roles", "PolicyDocument": spec.pass_role_policy}]
    if policy.tags:
        role["Tags"] = _tags_list(policy.tags)
    return {"AWSTemplateFormatVersion": TEMPLATE_VERSION,
            "Description": f"redshift-backup {policy.name}: the IAM role AWS Backup assumes",
            "Resources": {"BackupRole": {"Type": "AWS::IAM::Role", "Properties": role}},
            "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["BackupRole", "Arn"]}}}}


# --- instances ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceSpec:
    """One `StackSetInstance`: a stack set, a target and a region (all accounts under the target, later ones too)."""

    key: str
    stack_set: str  # "vault" or "role"
    policy: str
    target: str
    region: str
    organizational_unit_ids: tuple[str, ...]
    accounts: tuple[str, ...] = ()

    @property
    def account_filter_type(self) -> str | None:
        return "INTERSECTION" if self.accounts else None


def baseline_regions(config: OrganizationConfig, policy: OrgPolicy, home_region: str) -> list[str]:
    """Where a policy's vault must exist: its regions and the regions of same-account copies."""
    regions = set(config.regions_of(policy))
    if policy.backup:
        regions |= {c.region or home_region for r in policy.backup.rules for c in r.copy_actions
                    if c.destination_account_id is None}
    return sorted(regions)


def _deployment(config: OrganizationConfig, target: OrgTarget) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if target_kind(target.id) != "account":
        return (target.id,), ()
    parent = parent_of(config, target)
    # [CFN-ORGS] an account is reached through an OU (or the root) and an INTERSECTION account filter.
    return ((parent,) if parent else ()), (target.id,)


def stack_set_instances(config: OrganizationConfig, home_region: str) -> list[InstanceSpec]:
    """Every StackSet instance: for each policy, each target it is attached to, each region (the role: one region).

    Overrides that append regions add the vault in those regions for the override's target. The number of
    instances grows with policies, targets and regions, never with accounts: StackSets fans out to accounts.
    """
    out: list[InstanceSpec] = []
    for target in config.targets:
        ous, accounts = _deployment(config, target)
        for name in target.policies:
            policy = config.policy(name)
            out.append(InstanceSpec(f"{name}-role-{target.id}", "role", name, target.id, home_region, ous, accounts))
            if creates_vault(policy):
                out += [InstanceSpec(f"{name}-vault-{target.id}-{region}", "vault", name, target.id, region, ous,
                                     accounts) for region in baseline_regions(config, policy, home_region)]
        for override in target.overrides:
            policy = config.policy(override.policy)
            if not creates_vault(policy):
                continue
            have = set(baseline_regions(config, policy, home_region))
            out += [InstanceSpec(f"{override.policy}-vault-{target.id}-{region}", "vault", override.policy,
                                 target.id, region, ous, accounts)
                    for region in sorted(set(override.regions_append) - have)]
    return out


def vault_replacements(old: OrgPolicy, new: OrgPolicy, region: str) -> list[str]:
    """Why the baseline change from `old` to `new` replaces the vault in every member account ([CFN-VAULT])."""
    before, after = baseline_vault_spec(old, region), baseline_vault_spec(new, region)
    reasons = []
    if before.create and after.create and before.vault_name != after.vault_name:
        reasons.append(f"vault name {before.vault_name} -> {after.vault_name}")
    if before.create and after.create and before.kms != after.kms:
        reasons.append(f"vault key {before.kms} -> {after.kms} (EncryptionKeyArn)")
    if before.create and not after.create:
        reasons.append(f"vault {before.vault_name} is no longer created (existing: {vault_name(new)})")
    return reasons
