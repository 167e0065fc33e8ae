"""`RedshiftBackupOrganization` under the Pulumi mock runtime: the real program on Pulumi.org.yaml, and an
organization of 1,000 accounts in 100 OUs with 20 policies, whose resources grow with policies, targets and
regions, never with accounts."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import yaml

from components.organization import RedshiftBackupOrganization
from policies.errors import ConfigError
from policies.org_effective import account_effective
from policies.org_policy_document import documents
from policies.validation import validate_config
from redshift_backup.mockrun import ProgramRun, run_program

EXAMPLE = yaml.safe_load(open("Pulumi.org.yaml", encoding="utf-8"))["config"]
ORG = EXAMPLE["redshift-backup:organization"]


@pytest.fixture(scope="module")
def example() -> ProgramRun:
    return run_program(EXAMPLE, stack="org")


def of(run: ProgramRun, token: str) -> list[Any]:
    return run.by_type(token)


def test_the_example_registers_policies_attachments_stack_sets_and_settings(example: ProgramRun) -> None:
    counts = Counter(r.type for r in example.registrations)
    assert counts == {
        "redshift-backup:index:RedshiftBackupOrganization": 1,
        "aws:organizations/policy:Policy": 4,
        "aws:organizations/policyAttachment:PolicyAttachment": 4,
        "aws:cloudformation/stackSet:StackSet": 4,
        "aws:cloudformation/stackSetInstance:StackSetInstance": 7,
        "aws:organizations/delegatedAdministrator:DelegatedAdministrator": 1,
        "aws:backup/globalSettings:GlobalSettings": 1,
    }
    stack = validate_config({"organization": ORG}, "us-east-1")
    assert stack.organization is not None
    expected = documents(stack.organization, "us-east-1")
    for policy in of(example, "aws:organizations/policy:Policy"):
        assert policy.inputs["type"] == "BACKUP_POLICY"
        assert json.loads(policy.inputs["content"]) == expected[policy.inputs["name"]]
    targets = sorted(a.inputs["targetId"] for a in of(example, "aws:organizations/policyAttachment:PolicyAttachment"))
    assert targets == ["777788889999", "ou-a1b2-prod0001", "ou-a1b2-sand0001", "r-a1b2"]


def test_stack_sets_are_service_managed_with_automatic_deployment(example: ProgramRun) -> None:
    for stack_set in of(example, "aws:cloudformation/stackSet:StackSet"):
        assert stack_set.inputs["permissionModel"] == "SERVICE_MANAGED"
        assert stack_set.inputs["autoDeployment"] == {"enabled": True, "retainStacksOnAccountRemoval": True}
        assert stack_set.inputs["callAs"] == "SELF"
        template = json.loads(stack_set.inputs["templateBody"])
        is_role = stack_set.inputs["name"].endswith("-role")
        assert stack_set.inputs.get("capabilities") == (["CAPABILITY_NAMED_IAM"] if is_role else None)
        assert ("BackupRole" in template["Resources"]) is is_role
    instance = example.named("organization-org-baseline-vault-777788889999-ap-southeast-2")
    assert instance.inputs["stackSetInstanceRegion"] == "ap-southeast-2"
    assert instance.inputs["deploymentTargets"] == {"organizationalUnitIds": ["ou-a1b2-prod0001"],
                                                    "accounts": ["777788889999"], "accountFilterType": "INTERSECTION"}


def test_attachments_wait_for_the_baseline_of_their_target(example: ProgramRun) -> None:
    attachment = example.named("organization-org-prod-at-ou-a1b2-prod0001")
    instances = {r.urn for r in of(example, "aws:cloudformation/stackSetInstance:StackSetInstance")
                 if r.name.startswith("organization-org-prod-") and "ou-a1b2-prod0001" in r.name}
    assert len(instances) == 3 and instances <= set(attachment.dependencies)


def test_settings_of_the_management_account(example: ProgramRun) -> None:
    admin = of(example, "aws:organizations/delegatedAdministrator:DelegatedAdministrator")[0]
    assert admin.inputs == {"accountId": "222233334444", "servicePrincipal": "backup.amazonaws.com"}
    settings = of(example, "aws:backup/globalSettings:GlobalSettings")[0]
    assert settings.inputs["globalSettings"] == {"isCrossAccountBackupEnabled": "true",
                                                 "isDelegatedAdministratorEnabled": "true"}


def test_run_as_delegated_administrator_calls_as_delegated_admin_and_leaves_management_settings_alone() -> None:
    org = {k: v for k, v in ORG.items() if k != "delegated_administrator_account_id"} | {
        "run_as": "delegated_administrator", "opt_in_management_account": True}
    run = run_program({"aws:region": "us-east-1", "redshift-backup:organization": org}, stack="org")
    assert {r.inputs["callAs"] for r in of(run, "aws:cloudformation/stackSet:StackSet")} == {"DELEGATED_ADMIN"}
    assert not of(run, "aws:backup/globalSettings:GlobalSettings")
    assert not of(run, "aws:organizations/delegatedAdministrator:DelegatedAdministrator")
    assert len([r for r in run.registrations if r.type.startswith("pulumi-python:dynamic")]) == 2  # Redshift opt-in


def test_an_invalid_organization_registers_nothing() -> None:
    def program() -> None:
        RedshiftBackupOrganization("org", {"policies": [{"name": "x"}]}, "us-east-1")

    with pytest.raises(ConfigError):
        run_program({"aws:region": "us-east-1"}, program=program)


# --- scale: 1,000 accounts in 100 OUs, 20 policies -----------------------------------------------------------------

POLICIES = 20
OUS = 100
ACCOUNTS = 1000
REGIONS = ["us-east-1", "eu-west-1"]


def organization(policies: int = POLICIES, ous: int = OUS) -> dict[str, Any]:
    """Two policies at the root, one of the other 18 at each OU; accounts are never listed."""
    return {
        "regions": REGIONS,
        "policies": [{"name": f"p{i:02d}", "selection": {"conditions": {"string_equals": [
            {"key": "backup", "value": f"p{i:02d}"}]}}, "backup": {"rules": [{"name": "daily"}],
                                                                    "vault": {"name": f"vault-p{i:02d}"}}}
                     for i in range(policies)],
        "targets": [{"id": "r-ab12", "policies": ["p00", "p01"]}] + [
            {"id": f"ou-ab12-{i:08d}", "policies": [f"p{2 + i % (policies - 2):02d}"]} for i in range(ous)],
    }


def expected_resources(policies: int, targets: int, attachments: int, regions: int) -> int:
    # component + per policy (org policy, 2 StackSets) + per attachment (attachment, role instance, regional
    # vault instances) + delegated administrator/global settings (none here).
    del targets
    return 1 + policies * 3 + attachments * (2 + regions)


def test_an_organization_of_1000_accounts_registers_resources_by_policies_targets_and_regions() -> None:
    raw = organization()
    stack = validate_config({"organization": raw}, "us-east-1")
    assert stack.organization is not None
    config = stack.organization

    def program() -> None:
        RedshiftBackupOrganization("org", config, "us-east-1")

    run = run_program({"aws:region": "us-east-1"}, program=program)
    attachments = sum(len(t.policies) for t in config.targets)
    assert len(run.registrations) == expected_resources(POLICIES, OUS + 1, attachments, len(REGIONS)) == 469
    # The 1,000 accounts: each one's effective policy is the merge along its path, computed without a resource.
    docs = documents(config, "us-east-1")
    accounts = {f"{100000000000 + i}": f"ou-ab12-{i % OUS:08d}" for i in range(ACCOUNTS)}
    plans = Counter(len(account_effective(config, a, ou, "us-east-1", docs).document["plans"])
                    for a, ou in accounts.items())
    assert plans == {3: ACCOUNTS}  # two from the root, one from the OU


def test_half_the_policies_and_ous_registers_by_the_same_formula() -> None:
    small = validate_config({"organization": organization(10, 50)}, "us-east-1").organization
    assert small is not None
    run = run_program({"aws:region": "us-east-1"},
                      program=lambda: RedshiftBackupOrganization("org", small, "us-east-1"))
    assert len(run.registrations) == expected_resources(10, 51, 52, len(REGIONS))


def test_the_program_exports_a_protection_row_per_target(example: ProgramRun) -> None:
    rows = example.outputs["organization"]
    assert sorted(rows) == ["analytics-prod account (777788889999)", "production (ou-a1b2-prod0001)", "root (r-a1b2)",
                            "sandbox (ou-a1b2-sand0001)"]
    assert rows["sandbox (ou-a1b2-sand0001)"]["longest_retention_days"] == 7
    assert rows["production (ou-a1b2-prod0001)"]["plans"] == ["org-baseline", "org-prod"]


def test_an_existing_vault_gets_no_vault_stack_set() -> None:
    org = {"regions": ["us-east-1"], "targets": [{"id": "r-ab12", "policies": ["p1"]}],
           "policies": [{"name": "p1", "selection": {"conditions": {"string_equals": [{"key": "b", "value": "y"}]}},
                         "backup": {"rules": [{"name": "daily"}], "vault": {"existing": "Default"}}}]}
    run = run_program({"aws:region": "us-east-1", "redshift-backup:organization": org}, stack="org")
    assert [s.inputs["name"] for s in of(run, "aws:cloudformation/stackSet:StackSet")] == ["redshift-backup-p1-role"]
    assert [i.name for i in of(run, "aws:cloudformation/stackSetInstance:StackSetInstance")] == [
        "organization-p1-role-r-ab12"]
    content = json.loads(of(run, "aws:organizations/policy:Policy")[0].inputs["content"])
    assert content["plans"]["p1"]["rules"]["daily"]["target_backup_vault_name"] == {"@@assign": "Default"}
