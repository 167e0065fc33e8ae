"""`RedshiftBackupOrganization`: the organization path (backup policies, attachments, StackSets, settings).

Thin: every document, template, name and instance comes from `policies.org_*`; this only registers them.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import Credentials
from components.providers import credentials_input
from components.region_opt_in import BackupRegionOptIn
from components.vault import to_json
from policies import org_baseline, org_grammar, org_policy_document
from policies.backup_plan import BACKUP_SERVICE
from policies.errors import ConfigError
from policies.organization import OrganizationConfig, check_organization, global_settings, org_names


def organization_argument(config: OrganizationConfig | dict[str, Any], region: str) -> OrganizationConfig:
    """Validate a component's `organization` argument (raises ConfigError before anything is registered)."""
    if isinstance(config, OrganizationConfig):
        return config
    checked, problems = check_organization(config, region)
    ConfigError.collect(problems)
    assert checked is not None
    return checked


class RedshiftBackupOrganization(pulumi.ComponentResource):
    """Backup policies attached to roots, OUs and accounts, with the member-account baseline through StackSets.

    `region` is the stack's (home) region: the role StackSet deploys there, and ARNs take its partition.
    """

    policy_ids: pulumi.Output[dict[str, str]]
    stack_set_names: pulumi.Output[list[str]]

    def __init__(self, name: str, organization: OrganizationConfig | dict[str, Any], region: str, *,
                 credentials: Credentials | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        config = organization_argument(organization, region)
        super().__init__("redshift-backup:index:RedshiftBackupOrganization", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        call_as = "DELEGATED_ADMIN" if config.run_as == "delegated_administrator" else "SELF"

        stack_sets: dict[tuple[str, str], aws.cloudformation.StackSet] = {}
        for policy in config.policies:
            names = org_names(policy.name)
            templates = [("role", org_baseline.role_template(policy, region))]
            if org_baseline.creates_vault(policy):
                templates.append(("vault", org_baseline.vault_template(policy, region)))
            for kind, template in templates:
                stack_sets[(policy.name, kind)] = aws.cloudformation.StackSet(
                    f"{name}-{policy.name}-{kind}-stack-set", name=names[f"{kind}_stack_set"],
                    description=f"redshift-backup baseline ({kind}) of organization policy {policy.name}",
                    permission_model="SERVICE_MANAGED", call_as=call_as,
                    auto_deployment={"enabled": True,
                                     "retain_stacks_on_account_removal": config.retain_stacks_on_account_removal},
                    capabilities=["CAPABILITY_NAMED_IAM"] if kind == "role" else None,
                    template_body=to_json(template),
                    # With automatic deployment AWS fills in the service-linked administration role, which the
                    # bridged provider showed as drift on every preview (terraform-provider-aws #23464, fixed by
                    # #45992): nothing of ours sets it, so a difference there is never ours to undo.
                    opts=pulumi.ResourceOptions(parent=self, ignore_changes=["administrationRoleArn"]))

        instances: dict[tuple[str, str], list[pulumi.Resource]] = {}
        for spec in org_baseline.stack_set_instances(config, region):
            deployment = aws.cloudformation.StackSetInstanceDeploymentTargetsArgs(
                organizational_unit_ids=list(spec.organizational_unit_ids),
                accounts=list(spec.accounts) or None, account_filter_type=spec.account_filter_type)
            instance = aws.cloudformation.StackSetInstance(
                f"{name}-{spec.key}", stack_set_name=stack_sets[(spec.policy, spec.stack_set)].name,
                stack_set_instance_region=spec.region, deployment_targets=deployment, call_as=call_as,
                retain_stack=config.retain_stacks_on_account_removal, opts=child)
            instances.setdefault((spec.policy, spec.target), []).append(instance)

        documents = org_policy_document.documents(config, region)
        policies: dict[str, aws.organizations.Policy] = {}
        for policy_name, document in documents.items():
            policies[policy_name] = aws.organizations.Policy(
                f"{name}-{policy_name}", name=policy_name, type="BACKUP_POLICY",
                description="redshift-backup organization backup policy",
                content=org_grammar.document_text(document), opts=child)
        for target in config.targets:
            for policy_name in target.policies:
                org_name = org_names(policy_name)["org_policy"]
                # [SYNTAX] the role must exist when the plan is first created: attach after the baseline.
                aws.organizations.PolicyAttachment(
                    f"{name}-{policy_name}-at-{target.id}", policy_id=policies[org_name].id, target_id=target.id,
                    opts=pulumi.ResourceOptions(parent=self,
                                                depends_on=instances.get((policy_name, target.id), [])))
            for override in target.overrides:
                override_name = org_policy_document.override_name(override, target)
                aws.organizations.PolicyAttachment(
                    f"{name}-{override_name}-attachment", policy_id=policies[override_name].id, target_id=target.id,
                    opts=pulumi.ResourceOptions(parent=self,
                                                depends_on=instances.get((override.policy, target.id), [])))

        if config.run_as == "management_account":
            if config.delegated_administrator_account_id:
                aws.organizations.DelegatedAdministrator(
                    f"{name}-backup-delegated-administrator", account_id=config.delegated_administrator_account_id,
                    service_principal=BACKUP_SERVICE, opts=child)
            settings = global_settings(config)
            if settings:
                # UpdateGlobalSettings works in the management account only (AWS Backup API Reference).
                aws.backup.GlobalSettings(f"{name}-backup-global-settings", global_settings=settings, opts=child)
        if config.opt_in_management_account:
            for region_name in sorted({r for p in config.policies for r in config.regions_of(p)}):
                BackupRegionOptIn(f"{name}-region-settings-{region_name}", region=region_name,
                                  resource_types={"Redshift": True},
                                  credentials=credentials_input(credentials), opts=child)

        self.policy_ids = pulumi.Output.all(**{k: v.id for k, v in policies.items()}) if policies else (
            pulumi.Output.from_input({}))
        self.stack_set_names = pulumi.Output.all(*[s.name for s in stack_sets.values()])
        self.register_outputs({"policy_ids": self.policy_ids, "stack_set_names": self.stack_set_names})

