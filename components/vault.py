"""`BackupVault`: an AWS Backup vault with its KMS key, vault lock, access policy and notifications."""

from __future__ import annotations

import json
import os
from typing import Any

import pulumi
import pulumi_aws as aws

from policies import backup_plan
from policies.errors import ConfigError, Problem
from policies.models import Policy
from policies.validation import validate_policy


def configured_region() -> str | None:
    """The stack's region as the default provider sees it: `aws:region`, else the AWS environment variables."""
    return (pulumi.Config("aws").get("region") or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION"))


def stack_region(region: str | None) -> str:
    """The region a component works in: the argument, else the stack's (`configured_region`)."""
    found = region or configured_region()
    if not found:
        raise ConfigError([Problem("region", "is required: pass region=... or set aws:region", has_value=False)])
    return found


def policy_argument(policy: Policy | dict[str, Any], region: str | None) -> tuple[Policy, str]:
    """Validate a component's `policy` argument (raises ConfigError before anything is registered)."""
    resolved = stack_region(region)
    return validate_policy(policy, resolved), resolved


def caller_account(parent: pulumi.Resource, account_id: pulumi.Input[str] | None = None) -> pulumi.Output[str]:
    """`account_id` when given, else the account id of the credentials in use (the mocks answer 123456789012).

    A program with many policies passes one `account_id` to all of them: one `getCallerIdentity` call, not one
    per component.
    """
    if account_id is not None:
        return pulumi.Output.from_input(account_id)
    return aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id


def to_json(document: dict[str, Any]) -> str:
    """Policy JSON with sorted keys, so the same document is always the same string."""
    return json.dumps(document, sort_keys=True)


class BackupVault(pulumi.ComponentResource):
    """A vault this policy creates (key, lock, access policy, notifications), or an existing vault used as is.

    `destination=True` makes the vault copies go to in `region` (give a provider for that region in `opts`):
    same name, lock and access policy as the source vault, no notifications. `account_id` (default: the caller's)
    only builds the ARN of an existing vault.
    """

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str | None]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str | None = None, *,
                 destination: bool = False, topic_arn: pulumi.Input[str] | None = None,
                 account_id: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        if destination and isinstance(policy, Policy):
            # The source region's policy, validated there: its region rules do not apply in the copy region.
            region = stack_region(region)
        else:
            policy, region = policy_argument(policy, region)
        super().__init__("redshift-backup:index:BackupVault", name, None, opts)
        spec = backup_plan.vault_spec(policy, region, destination=destination)
        self.spec = spec

        if not spec.create:
            self.vault_name = pulumi.Output.from_input(spec.vault_name)
            self.vault_arn = caller_account(self, account_id).apply(spec.arn)
            self.kms_key_arn = pulumi.Output.from_input(None)
            self.register_outputs({"vault_name": self.vault_name, "vault_arn": self.vault_arn})
            return

        child = pulumi.ResourceOptions(parent=self)
        # `protect` keeps a config mistake (a removed policy, a renamed vault) from deleting backups.
        kept = pulumi.ResourceOptions(parent=self, protect=spec.protect)
        key_arn: pulumi.Input[str] | None = spec.kms_key_arn
        if spec.kms == "new":
            key = aws.kms.Key(
                f"{name}-key", description=f"AWS Backup vault {spec.vault_name} (redshift-backup)",
                enable_key_rotation=True, deletion_window_in_days=30, tags=spec.tags, opts=kept)
            aws.kms.Alias(f"{name}-key-alias", name=spec.key_alias, target_key_id=key.key_id, opts=child)
            key_arn = key.arn
        vault = aws.backup.Vault(name, name=spec.vault_name, kms_key_arn=key_arn, tags=spec.tags, opts=kept)
        if spec.lock is not None:
            aws.backup.VaultLockConfiguration(
                f"{name}-lock", backup_vault_name=vault.name, min_retention_days=spec.lock["min_retention_days"],
                max_retention_days=spec.lock["max_retention_days"],
                changeable_for_days=spec.lock.get("changeable_for_days"), opts=kept)
        if spec.access_policy is not None:
            aws.backup.VaultPolicy(f"{name}-policy", backup_vault_name=vault.name,
                                   policy=to_json(spec.access_policy), opts=child)
        events = backup_plan.vault_events(policy)
        if topic_arn is not None and events and not destination:
            aws.backup.VaultNotifications(f"{name}-notifications", backup_vault_name=vault.name,
                                          sns_topic_arn=topic_arn, backup_vault_events=events, opts=child)

        self.vault_name = vault.name
        self.vault_arn = vault.arn
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self.register_outputs({"vault_name": self.vault_name, "vault_arn": self.vault_arn,
                               "kms_key_arn": self.kms_key_arn})
