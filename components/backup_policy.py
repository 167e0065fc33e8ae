"""`RedshiftBackupPolicy`: one policy's AWS Backup path (role, vaults, plan, selections, reports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.audit import BackupAuditFramework
from components.aws import Credentials
from components.notifications import BackupNotifications
from components.providers import credentials_input, region_provider
from components.region_opt_in import BackupRegionOptIn
from components.reports import BackupReports
from components.vault import BackupVault, caller_account, policy_argument, to_json
from policies import backup_plan
from policies.errors import ConfigError, Problem
from policies.models import Policy


def _resources(spec: backup_plan.SelectionSpec) -> list[str]:
    return spec.resources


def _not_resources(spec: backup_plan.SelectionSpec) -> list[str]:
    return spec.not_resources


class RedshiftBackupPolicy(pulumi.ComponentResource):
    """The AWS Backup resources of one validated policy; `policy` may be a `Policy` or a plain dict.

    Copy vaults in other regions are created through an explicit `aws.Provider` per region: the one given in
    `destination_providers` (share one per region across policies: each provider is a plugin instance), else
    one created here (`<name>-provider-<region>`). Pass `notifications` to share a `BackupNotifications` topic
    with the native layer; without it, a policy with `notifications` gets its own as a child. `account_id`
    (default: the caller's, looked up once per policy) builds the selections' cluster ARNs; a program with many
    policies looks it up once and passes it to each. `credentials` (default: the stack's aws:profile and
    aws:assumeRoles) are who the Redshift opt-in resource acts as with boto3. `stack_account` (default: the one
    this policy's ARNs name) is the account the stack's ARNs name (`policies.models.stack_account` of every
    policy), which tells the audit framework which copies are cross-account.
    """

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    plan_arn: pulumi.Output[str]
    selection_ids: pulumi.Output[list[str]]
    role_arn: pulumi.Output[str]
    destination_vault_arns: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str | None = None,
                 notifications: BackupNotifications | None = None,
                 opts: pulumi.ResourceOptions | None = None, *,
                 destination_providers: Mapping[str, aws.Provider] | None = None,
                 account_id: pulumi.Input[str] | None = None,
                 credentials: Credentials | None = None, stack_account: str | None = None) -> None:
        policy, region = policy_argument(policy, region)
        backup = policy.backup
        if backup is None:
            raise ConfigError([Problem("policy.backup", "is required for RedshiftBackupPolicy (a policy with "
                                       "only `snapshots` needs no AWS Backup resources)", has_value=False)])
        super().__init__("redshift-backup:index:RedshiftBackupPolicy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = backup_plan.merged_tags(policy)

        account = caller_account(self, account_id)
        if notifications is None and policy.notifications is not None:
            notifications = BackupNotifications(f"{name}-notifications", policy, region, opts=child,
                                                account_id=account)
        topic_arn = notifications.topic_arn if notifications is not None else None
        self.notifications = notifications

        vault = BackupVault(f"{name}-vault", policy, region, topic_arn=topic_arn, account_id=account, opts=child)
        destinations: dict[str, BackupVault] = {}
        for dest in backup_plan.destination_regions(policy):
            provider = (destination_providers or {}).get(dest) or region_provider(
                f"{name}-provider-{dest}", dest, opts=child)
            destinations[dest] = BackupVault(
                f"{name}-vault-{dest}", policy, dest, destination=True,
                opts=pulumi.ResourceOptions(parent=self, provider=provider))

        role_arn, role_ready = self._role(name, policy, region, tags)

        plan = aws.backup.Plan(
            f"{name}-plan", name=policy.name,
            rules=[aws.backup.PlanRuleArgs(**rule) for rule in backup_plan.plan_rules(
                policy, vault.vault_name, {r: v.vault_arn for r, v in destinations.items()})],
            tags=tags, opts=child)

        selections = []
        for spec in backup_plan.selection_specs(policy, region):
            args = backup_plan.selection_args(spec)
            # Only the ARNs wait for the account id; the selection's shape is fixed before.
            completed = account.apply(spec.with_account)
            args["resources"] = completed.apply(_resources)
            if "not_resources" in args:
                args["not_resources"] = completed.apply(_not_resources)
            selections.append(aws.backup.Selection(
                f"{name}-selection-{spec.key}", name=spec.name, plan_id=plan.id, iam_role_arn=role_arn, **args,
                # The role's policies must be attached before AWS Backup first assumes it.
                opts=pulumi.ResourceOptions(parent=self, depends_on=role_ready)))

        if backup.reports is not None:
            self.reports: BackupReports | None = BackupReports(f"{name}-reports", policy, region, opts=child)
        else:
            self.reports = None
        self.audit = (BackupAuditFramework(
            f"{name}-audit", policy, region, plan_id=plan.id, opts=child, account=stack_account,
            report_bucket_name=self.reports.bucket_name if self.reports else None,
            report_bucket_ready=self.reports.bucket_ready if self.reports else None) if policy.audit else None)
        if backup.opt_in_region_settings:
            # Not aws.backup.RegionSettings: it stores every resource type's opt-in and never settles with ours
            # alone (components/region_opt_in.py). Another type, so an `up` over a stack that had one creates this
            # and deletes the old RegionSettings, whose delete changes nothing in AWS.
            BackupRegionOptIn(f"{name}-region-settings", region=region,
                              resource_types=backup_plan.region_opt_in(policy),
                              credentials=credentials_input(credentials), opts=child)

        self.vault = vault
        self.vault_name = vault.vault_name
        self.vault_arn = vault.vault_arn
        self.plan_id = plan.id
        self.plan_arn = plan.arn
        self.selection_ids = pulumi.Output.all(*[s.id for s in selections])
        self.role_arn = pulumi.Output.from_input(role_arn)
        self.destination_vault_arns = pulumi.Output.all(
            **{r: v.vault_arn for r, v in destinations.items()}) if destinations else pulumi.Output.from_input({})
        self.register_outputs({
            "vault_name": self.vault_name, "vault_arn": self.vault_arn, "plan_id": self.plan_id,
            "plan_arn": self.plan_arn, "selection_ids": self.selection_ids, "role_arn": self.role_arn,
            "destination_vault_arns": self.destination_vault_arns,
        })

    def _role(self, name: str, policy: Policy, region: str,
              tags: dict[str, str] | None) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The role AWS Backup assumes: created with its policies, or the policy's `iam_role_arn`."""
        spec = backup_plan.role_spec(policy, region)
        if spec is None:
            assert policy.backup is not None and policy.backup.iam_role_arn is not None
            return policy.backup.iam_role_arn, []
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(f"{name}-role", name=spec.name, assume_role_policy=to_json(spec.assume_role_policy),
                            description=f"AWS Backup role of redshift-backup policy {policy.name}", tags=tags,
                            opts=child)
        ready: list[pulumi.Resource] = []
        for suffix, arn in zip(("backup", "restores"), spec.managed_policy_arns, strict=True):
            ready.append(aws.iam.RolePolicyAttachment(f"{name}-role-{suffix}", role=role.name, policy_arn=arn,
                                                      opts=child))
        if spec.pass_role_policy is not None:
            ready.append(aws.iam.RolePolicy(f"{name}-role-pass-role", role=role.name,
                                            policy=to_json(spec.pass_role_policy), opts=child))
        return role.arn, ready

