"""What the organization path cannot do for you: the steps done by hand in the management account, in words.

Each step names why it is not automated here. Sources as in `policies.organization` and `policies.org_baseline`.
"""

from __future__ import annotations

from policies.org_baseline import baseline_regions
from policies.organization import OrganizationConfig, global_settings


def manual_steps(config: OrganizationConfig, home_region: str) -> list[str]:
    """The steps to do by hand (or in the stack that manages the organization itself), in order."""
    steps = [
        "Enable all features in the organization and the BACKUP_POLICY policy type on the root "
        "(aws organizations enable-policy-type --root-id <r-...> --policy-type BACKUP_POLICY): the policy types of "
        "a root belong to whoever manages the aws.organizations.Organization resource, not to this stack.",
        "Enable trusted access for AWS Backup (service principal backup.amazonaws.com) and for CloudFormation "
        "StackSets (Activate trusted access in the StackSets console): service-managed StackSets and "
        "cross-account monitoring in AWS Backup need it, and it is a setting of the Organization resource.",
        "The management account receives the backup policies of the root (backup policies affect the management "
        "account), but StackSets do not deploy to it: create the vaults and the role there with a single-account "
        "stack (redshift-backup:policies) or leave the root's policies out of it.",
        "Redshift's service opt-in (RegionSettings, per account and region; no organization engine sets it) is not "
        "needed by these policies: their selections name the Redshift resource type, and AWS Backup disregards "
        "service opt-in for a resource type assigned explicitly (AWS Backup API Reference, UpdateRegionSettings). "
        "Opt in by hand only where other plans select Redshift by tags alone (aws backup update-region-settings "
        "--resource-type-opt-in-preference Redshift=true) in: " + ", ".join(_all_regions(config, home_region)) + ".",
    ]
    central = sorted({c.destination_vault_arn or "" for p in config.policies if p.backup for r in p.backup.rules
                      for c in r.copy_actions if c.destination_account_id})
    if central:
        steps.append("Allow copies into the central vaults from every member account (vault access policy "
                      "allowing backup:CopyIntoBackupVault with aws:PrincipalOrgID), and give their KMS keys to the "
                      "organization: " + ", ".join(central) + ".")
    if config.run_as == "delegated_administrator":
        steps.append("In the management account: register this account as delegated administrator for "
                      "backup.amazonaws.com and member.org.stacksets.cloudformation.amazonaws.com, add a resource "
                      "policy that lets it manage BACKUP_POLICY policies, and set AWS Backup's global settings ("
                      + (", ".join(f"{k}={v}" for k, v in global_settings(config).items()) or "none needed")
                      + "): only the management account may.")
    return steps


def _all_regions(config: OrganizationConfig, home_region: str) -> list[str]:
    regions = {r for p in config.policies for r in baseline_regions(config, p, home_region)}
    regions |= {r for t in config.targets for o in t.overrides for r in o.regions_append}
    return sorted(regions)
