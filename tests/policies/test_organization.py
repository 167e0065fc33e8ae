"""The organization path's config: refusals (with why and what instead), targets, overrides, locks, AWS's limits,
the generated BACKUP_POLICY documents and their grammar check, the StackSet baseline (cfn-lint) and instances."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from cfnlint.api import lint
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.backup_plan import vault_spec
from policies.errors import ConfigError
from policies.org_baseline import role_template, stack_set_instances, vault_replacements, vault_template
from policies.org_effective import target_view
from policies.org_grammar import MAX_DOCUMENT_CHARACTERS, document_problems, document_text, parse_document
from policies.org_policy_document import documents, policy_document
from policies.org_steps import manual_steps
from policies.organization import OrganizationConfig, global_settings, org_names
from policies.validation import load_stack_file, validate_config

NOW = datetime(2026, 1, 5, tzinfo=UTC)
EXAMPLE = yaml.safe_load(open("Pulumi.org.yaml", encoding="utf-8"))["config"]["redshift-backup:organization"]


def org(**changes: Any) -> dict[str, Any]:
    """A small valid organization: one tag-selected policy at the root."""
    base: dict[str, Any] = {
        "regions": ["us-east-1"],
        "policies": [{"name": "tier1", "selection": {"conditions": {"string_equals": [{"key": "backup", "value": "yes"}]}},
                      "backup": {"rules": [{"name": "daily", "delete_after_days": 35}]}}],
        "targets": [{"id": "r-ab12", "policies": ["tier1"]}],
    }
    base.update(changes)
    return base


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate_config({"organization": raw}, "us-east-1")
    return [p.render() for p in info.value.problems]


def valid(raw: dict[str, Any]) -> OrganizationConfig:
    stack = validate_config({"organization": raw}, "us-east-1")
    assert stack.organization is not None
    return stack.organization


def with_policy(**policy: Any) -> dict[str, Any]:
    raw = org()
    raw["policies"][0].update(policy)
    return raw


# --- refusals: what the org path cannot express, with why and what instead ----------------------------------------

@pytest.mark.parametrize(("policy", "path", "words"), [
    ({"selection": {"clusters": ["analytics-prod"]}}, "organization.policies[0].selection.clusters",
     "selects by resource type and tag, not by cluster"),
    ({"selection": {"serverless_namespaces": [
        "arn:aws:redshift-serverless:us-east-1:111122223333:namespace/3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"]}},
     "organization.policies[0].selection.serverless_namespaces", "tag the namespaces"),
    ({"selection": {"conditions": {"string_equals": [{"key": "a", "value": "b"}]}, "not_resources": ["scratch"]}},
     "organization.policies[0].selection.not_resources", "string_not_equals"),
    ({"snapshots": {"automated_snapshot_retention_days": 7},
      "selection": {"conditions": {"string_equals": [{"key": "a", "value": "b"}]}, "discover_tagged_clusters": True}},
     "organization.policies[0].snapshots", "native snapshot settings are per cluster"),
    ({"notifications": {"emails": ["a@example.com"]}}, "organization.policies[0].notifications", "cross-account monitoring"),
])
def test_selection_and_layers_the_org_path_cannot_express_are_refused(policy: dict[str, Any], path: str,
                                                                     words: str) -> None:
    found = [p for p in problems(with_policy(**policy)) if p.startswith(path + ":")]
    assert found and words in found[0]
    assert "redshift-backup:policies" in " ".join(problems(with_policy(**policy))) or "tag" in found[0]


@pytest.mark.parametrize(("backup", "path", "words"), [
    ({"iam_role_arn": "arn:aws:iam::111122223333:role/x"}, "backup.iam_role_arn", "$account"),
    ({"reports": {}}, "backup.reports", "Audit Manager"),
    ({"opt_in_region_settings": True}, "backup.opt_in_region_settings", "opt_in_management_account"),
    ({"vault": {"kms_key": "arn:aws:kms:us-east-1:111122223333:key/abc"}}, "backup.vault.kms_key", "kms_key: new"),
    ({"vault": {"existing": "arn:aws:backup:us-east-1:111122223333:backup-vault:v1"}}, "backup.vault.existing",
     "give the vault's name"),
    ({"rules": [{"name": "daily", "schedule_timezone": "Europe/Berlin"}]}, "backup.rules[0].schedule_timezone",
     "in UTC"),
    ({"rules": [{"name": "daily", "copy_actions": [
        {"destination_vault_arn": "arn:aws:backup:us-west-2:111122223333:backup-vault:v1"}]}]},
     "backup.rules[0].copy_actions[0].destination_vault_arn", "destination_region only"),
])
def test_backup_keys_the_org_path_cannot_express_are_refused(backup: dict[str, Any], path: str, words: str) -> None:
    raw = org()
    raw["policies"][0]["backup"].update(backup)
    found = [p for p in problems(raw) if p.startswith(f"organization.policies[0].{path}:")]
    assert found and words in found[0], problems(raw)


def test_the_example_stack_is_valid_and_names_what_it_creates() -> None:
    stack = load_stack_file("Pulumi.org.yaml")
    assert stack.organization is not None and not stack.policies
    assert [p.name for p in stack.organization.policies] == ["org-baseline", "org-prod"]
    assert org_names("org-prod", "r-ab12") == {
        "plan": "org-prod", "selection": "org-prod-tagged", "org_policy": "redshift-backup-org-prod", "vault_stack_set": "redshift-backup-org-prod-vault",
        "role_stack_set": "redshift-backup-org-prod-role", "role": "redshift-backup-org-prod",
        "override_policy": "redshift-backup-org-prod.override.r-ab12"}


# --- targets, overrides, locks and limits ---------------------------------------------------------------------------

def test_target_rules() -> None:
    raw = org(targets=[
        {"id": "r-ab12", "policies": ["tier1", "nope"]},
        {"id": "ou-ab12-prod0001", "policies": ["tier1"]},
        {"id": "111122223333", "parent": "ou-ab12-none0001", "policies": ["tier1"]},
    ])
    found = problems(raw)
    assert any("targets[0].policies[1]: no policy named 'nope'" in p for p in found)
    assert any("targets[1].policies[0]: is already attached to r-ab12" in p for p in found)
    assert any(p.startswith("organization.targets[2].parent: is not listed under targets") for p in found)


def test_target_ids_follow_aws_patterns() -> None:
    found = problems(org(targets=[{"id": "123", "policies": ["tier1"]}, {"id": "r-ab12", "parent": "111122223333",
                                                                          "policies": ["tier1"]}]))
    assert any(p.startswith("organization.targets[0].id: expected a root id (r-xxxx), an OU id") for p in found)
    assert any(p.startswith("organization.targets[1].parent: an account has no children") for p in found)


def test_an_account_target_needs_its_parent_for_stacksets() -> None:
    raw = org(targets=[{"id": "111122223333", "policies": ["tier1"]}])
    assert any("an account target needs its parent" in p for p in problems(raw))


def test_at_most_ten_backup_policies_per_target() -> None:
    policies = [{**copy.deepcopy(org()["policies"][0]), "name": f"p{i:02d}"} for i in range(11)]
    for i, policy in enumerate(policies):
        policy["backup"]["vault"] = {"name": f"vault-{i}"}
    raw = org(policies=policies, targets=[{"id": "r-ab12", "policies": [p["name"] for p in policies]}])
    assert any("AWS allows 10 per root, OU or account" in p for p in problems(raw))


def test_overrides_of_locked_parts_are_refused() -> None:
    raw = with_policy(lock=["rules", "regions"])
    raw["targets"].append({"id": "ou-ab12-sand0001", "overrides": [
        {"policy": "tier1", "regions_append": ["eu-west-1"], "rules": [{"name": "daily", "delete_after_days": 7}]}]})
    found = problems(raw)
    assert any("overrides[0].regions_append: regions are locked by tier1 at r-ab12 (@@none): AWS would ignore" in p
               for p in found)
    assert any("overrides[0].rules[0]: rules are locked by tier1 at r-ab12" in p for p in found)


@pytest.mark.parametrize(("override", "words"), [
    ({"policy": "tier1", "rules": [{"name": "weekly", "delete_after_days": 7}]}, "has no rule 'weekly'"),
    ({"policy": "tier1", "regions_remove": ["eu-west-1"]}, "not among the policy's regions"),
    ({"policy": "tier1", "regions_append": ["eu-west-1"], "regions_remove": ["us-east-1"]}, "not both"),
    ({"policy": "tier1"}, "changes nothing"),
    ({"policy": "tier1", "rules": [{"name": "daily", "schedule": "cron(0 5 * * *)"}]}, "schedule"),
])
def test_override_rules(override: dict[str, Any], words: str) -> None:
    raw = org()
    raw["targets"].append({"id": "ou-ab12-sand0001", "overrides": [override]})
    assert any(words in p for p in problems(raw)), problems(raw)


def test_an_override_must_have_the_policy_above_it_and_not_at_the_same_target() -> None:
    raw = org(targets=[{"id": "r-ab12", "policies": ["tier1"], "overrides": [
        {"policy": "tier1", "regions_append": ["eu-west-1"]}]}])
    assert any("is attached to this same target" in p for p in problems(raw))
    raw = org(targets=[{"id": "r-ab12", "overrides": [{"policy": "tier1", "regions_append": ["eu-west-1"]}]}])
    assert any("nothing to override" in p for p in problems(raw))


def test_an_override_keeps_retention_inside_the_vault_lock() -> None:
    raw = with_policy(backup={"rules": [{"name": "daily", "delete_after_days": 35}],
                              "vault": {"lock": {"mode": "governance", "min_retention_days": 14,
                                                 "max_retention_days": 100}}})
    raw["targets"].append({"id": "ou-ab12-sand0001", "overrides": [
        {"policy": "tier1", "rules": [{"name": "daily", "delete_after_days": 7}]}]})
    assert any("is outside the vault lock of tier1 (14-100 days)" in p for p in problems(raw))


def test_cross_account_copies_need_cross_account_backup() -> None:
    raw = with_policy(backup={"rules": [{"name": "daily", "copy_actions": [
        {"destination_account_id": "444455556666",
         "destination_vault_arn": "arn:aws:backup:us-east-1:444455556666:backup-vault:central"}]}]})
    assert global_settings(valid(raw)) == {"isCrossAccountBackupEnabled": "true"}
    raw["cross_account_backup"] = False
    assert any("cross_account_backup: is off, but policies copy to other accounts (444455556666)" in p
               for p in problems(raw))


def test_secret_organization_value_is_refused_plainly() -> None:
    raw = org(regions={"secure": "AAAA"})
    assert any(p.startswith("organization.regions: is a Pulumi secret") for p in problems(raw))


# --- documents and their grammar ------------------------------------------------------------------------------------

def test_generated_document_follows_aws_syntax() -> None:
    config = valid(EXAMPLE)
    doc = policy_document(config, config.policy("org-prod"), "us-east-1")
    plan = doc["plans"]["org-prod"]
    assert plan["regions"] == {"@@assign": ["us-east-1"], "@@operators_allowed_for_child_policies": ["@@none"]}
    rule = plan["rules"]["monthly-7-year"]
    assert rule["schedule_expression"] == {"@@assign": "cron(0 5 1 * ? *)",
                                           "@@operators_allowed_for_child_policies": ["@@none"]}
    assert rule["lifecycle"]["delete_after_days"]["@@assign"] == "2555"
    assert sorted(rule["copy_actions"]) == ["@@operators_allowed_for_child_policies",
                                            "arn:aws:backup:us-east-1:444455556666:backup-vault:org-central",
                                            "arn:aws:backup:us-west-2:$account:backup-vault:org-prod-redshift"]
    assert rule["copy_actions"]["arn:aws:backup:us-west-2:$account:backup-vault:org-prod-redshift"]["lifecycle"][
        "delete_after_days"]["@@assign"] == "365"
    selection = plan["selections"]["resources"]["org-prod-tagged"]
    assert selection["iam_role_arn"]["@@assign"] == "arn:aws:iam::$account:role/redshift-backup-org-prod"
    assert selection["resource_types"]["@@assign"] == ["arn:aws:redshift:*:*:cluster:*"]
    assert selection["conditions"]["string_not_equals"]["backup=none"] == {
        "condition_key": {"@@assign": "aws:ResourceTag/backup", "@@operators_allowed_for_child_policies": ["@@none"]},
        "condition_value": {"@@assign": "none", "@@operators_allowed_for_child_policies": ["@@none"]},
        "@@operators_allowed_for_child_policies": ["@@none"]}
    assert "@@operators_allowed_for_child_policies" not in plan  # backup_plan_tags is not locked
    for name, document in documents(config, "us-east-1").items():
        assert document_problems(document, complete=".override." not in name) == []


def test_aws_own_example_passes_the_grammar_and_broken_ones_do_not() -> None:
    aws_example_1 = {"plans": {"PII_Backup_Plan": {
        "regions": {"@@assign": ["ap-northeast-2", "us-east-1", "eu-north-1"]},
        "rules": {"Hourly": {
            "schedule_expression": {"@@assign": "cron(0 5/1 ? * * *)"},
            "start_backup_window_minutes": {"@@assign": "480"}, "complete_backup_window_minutes": {"@@assign": "10080"},
            "lifecycle": {"move_to_cold_storage_after_days": {"@@assign": "180"}, "delete_after_days": {"@@assign": "270"},
                          "opt_in_to_archive_for_supported_resources": {"@@assign": "false"}},
            "target_backup_vault_name": {"@@assign": "FortKnox"},
            "index_actions": {"resource_types": {"@@assign": ["EBS", "S3"]}},
            "copy_actions": {"arn:aws:backup:us-east-1:$account:backup-vault:secondary_vault": {
                "target_backup_vault_arn": {"@@assign": "arn:aws:backup:us-east-1:$account:backup-vault:secondary_vault"},
                "lifecycle": {"delete_after_days": {"@@assign": "120"}}}}}},
        "selections": {"tags": {"datatype": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/MyIamRole"},
                                             "tag_key": {"@@assign": "dataType"},
                                             "tag_value": {"@@assign": ["PII", "RED"]}}}},
        "advanced_backup_settings": {"ec2": {"windows_vss": {"@@assign": "enabled"}}}}}}
    assert document_problems(aws_example_1, complete=True) == []
    broken = copy.deepcopy(aws_example_1)
    plan = broken["plans"]["PII_Backup_Plan"]
    plan["rules"]["Hourly"]["schedule_expression"] = {"@@append": ["cron(0 5 * * ? *)"]}
    plan["rules"]["Hourly"]["start_backup_window_minutes"] = {"@@assign": 480}
    plan["rules"]["Hourly"]["retention"] = {"@@assign": "1"}
    plan["regions"] = ["us-east-1"]
    del plan["selections"]
    found = [f"{path}: {message}" for path, message in document_problems(broken, complete=True)]
    assert any("schedule_expression: @@append only applies to multi-valued settings" in f for f in found)
    assert any("start_backup_window_minutes: @@assign: expected a whole number as a string" in f for f in found)
    assert any("rules.Hourly.retention: unknown key" in f for f in found)
    assert any("regions: expected an object with an inheritance operator" in f for f in found)
    assert any("has no selections" in f for f in found)


def test_duplicate_keys_are_refused_as_aws_does() -> None:
    _, found = parse_document('{"plans": {"a": {}, "a": {}}}')
    assert found == [("", "duplicate key 'a': AWS rejects duplicate key names")]


def test_a_document_aws_would_refuse_is_a_config_error_with_the_usual_path() -> None:
    conditions = [{"key": f"k{i}", "value": "v"} for i in range(31)]
    raw = with_policy(selection={"conditions": {"string_equals": conditions}})
    found = problems(raw)
    assert any(p.startswith("organization.policies[0]: the backup policy document AWS would receive is refused: "
                            "plans.tier1.selections.resources.tier1-tagged.conditions: 31 conditions; a selection may "
                            "have at most 30") for p in found), found


def test_the_document_size_limit_is_a_config_error() -> None:
    rules = [{"name": f"rule-{i:02d}-" + "x" * 40, "delete_after_days": 35,
              "recovery_point_tags": {f"tag-{j}-" + "y" * 40: "z" * 60 for j in range(4)}} for i in range(12)]
    raw = with_policy(backup={"rules": rules})
    found = problems(raw)
    assert any(f"characters; a backup policy may have at most {MAX_DOCUMENT_CHARACTERS}" in p for p in found), found


def test_document_text_is_compact_and_stable() -> None:
    config = valid(org())
    doc = policy_document(config, config.policy("tier1"), "us-east-1")
    text = document_text(doc)
    assert " " not in text.replace("cron(0 5 ? * * *)", "")
    assert json.loads(text) == doc


# --- baseline -------------------------------------------------------------------------------------------------------

def test_baseline_templates_pass_cfn_lint() -> None:
    config = valid(EXAMPLE)
    for policy in config.policies:
        for template in (vault_template(policy, "us-east-1"), role_template(policy, "us-east-1")):
            assert [m.message for m in lint(json.dumps(template), regions=["us-east-1", "eu-west-1"])] == []


def test_cfn_lint_would_catch_a_broken_template() -> None:
    config = valid(EXAMPLE)
    template = vault_template(config.policy("org-prod"), "us-east-1")
    template["Resources"]["Vault"]["Properties"]["LockConfiguration"]["MinRetentionDays"] = "many"
    assert lint(json.dumps(template), regions=["us-east-1"])


def test_baseline_vault_is_built_from_the_single_account_spec() -> None:
    config = valid(EXAMPLE)
    policy = config.policy("org-prod")
    spec = vault_spec(policy, "eu-west-1")
    template = vault_template(policy, "eu-west-1")["Resources"]
    vault = template["Vault"]["Properties"]
    assert vault["BackupVaultName"] == spec.vault_name == "org-prod-redshift"
    assert vault["AccessPolicy"] == spec.access_policy
    assert vault["LockConfiguration"] == {"MinRetentionDays": 14, "MaxRetentionDays": 2555, "ChangeableForDays": 3}
    assert template["VaultKey"]["Properties"]["EnableKeyRotation"] is True
    assert template["VaultKey"]["DeletionPolicy"] == template["Vault"]["DeletionPolicy"] == "Retain"
    assert template["VaultKeyAlias"]["Properties"]["AliasName"] == spec.key_alias
    role = role_template(policy, "us-east-1")["Resources"]["BackupRole"]["Properties"]
    assert role["RoleName"] == "redshift-backup-org-prod"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}


def test_instances_per_target_and_region() -> None:
    config = valid(EXAMPLE)
    keys = [i.key for i in stack_set_instances(config, "us-east-1")]
    assert keys == [
        "org-baseline-role-r-a1b2", "org-baseline-vault-r-a1b2-eu-west-1", "org-baseline-vault-r-a1b2-us-east-1",
        "org-prod-role-ou-a1b2-prod0001", "org-prod-vault-ou-a1b2-prod0001-us-east-1",
        "org-prod-vault-ou-a1b2-prod0001-us-west-2", "org-baseline-vault-777788889999-ap-southeast-2"]
    account = [i for i in stack_set_instances(config, "us-east-1") if i.accounts][0]
    assert (account.organizational_unit_ids, account.accounts, account.account_filter_type) == (
        ("ou-a1b2-prod0001",), ("777788889999",), "INTERSECTION")


def test_vault_replacements() -> None:
    config = valid(EXAMPLE)
    old = config.policy("org-baseline")
    renamed = old.model_copy(update={"backup": old.backup.model_copy(  # type: ignore[union-attr]
        update={"vault": old.backup.vault.model_copy(update={"name": "other"})})})  # type: ignore[union-attr]
    assert vault_replacements(old, renamed, "us-east-1") == ["vault name org-redshift -> other"]
    assert vault_replacements(old, old, "us-east-1") == []


# --- effective per target, in the example ---------------------------------------------------------------------------

def test_effective_policy_of_the_example_targets() -> None:
    config = valid(EXAMPLE)
    sandbox = target_view(config, config.target("ou-a1b2-sand0001"), "us-east-1", NOW)
    daily = sandbox.plans[0].rules[0]
    assert (daily.delete_after_days, daily.sources["lifecycle.delete_after_days"]) == (
        7, ("override of org-baseline at sandbox (ou-a1b2-sand0001)",))
    account = target_view(config, config.target("777788889999"), "us-east-1", NOW)
    assert [p.name for p in account.plans] == ["org-baseline", "org-prod"]
    assert account.plans[0].regions == ("eu-west-1", "us-east-1", "ap-southeast-2")
    assert str(account.rpo) == "1:00:00"
    assert account.plans[1].longest_retention_days == 2555


def test_manual_steps_name_what_is_not_automated() -> None:
    steps = " ".join(manual_steps(valid(EXAMPLE), "us-east-1"))
    assert "BACKUP_POLICY policy type" in steps and "trusted access" in steps
    assert "StackSets do not deploy to it" in steps
    assert "ap-southeast-2" in steps and "aws:PrincipalOrgID" in steps
    assert "disregards service opt-in for a resource type assigned explicitly" in steps


def test_a_same_account_copy_into_one_of_the_plans_own_regions_is_refused() -> None:
    raw = with_policy(backup={"rules": [{"name": "daily", "copy_actions": [{"destination_region": "eu-west-1"}]}]})
    raw["regions"] = ["us-east-1", "eu-west-1"]
    found = problems(raw)
    assert any(p.startswith("organization.policies[0].backup.rules[0].copy_actions[0].destination_region: is one of "
                            "the plan's own regions (eu-west-1, us-east-1)") for p in found), found


def test_locking_every_part_locks_the_plan_and_aws_would_ignore_any_child_change() -> None:
    from policies.org_effective import merge

    config = valid(with_policy(lock=["regions", "rules", "selections", "backup_plan_tags"], tags={"team": "data"}))
    document = policy_document(config, config.policy("tier1"), "us-east-1")
    plan = document["plans"]["tier1"]
    assert plan["@@operators_allowed_for_child_policies"] == ["@@none"]
    assert plan["backup_plan_tags"]["@@operators_allowed_for_child_policies"] == ["@@none"]
    assert document_problems(document, complete=True) == []
    child = {"plans": {"tier1": {
        "regions": {"@@append": ["eu-west-1"]},
        "rules": {"daily": {"lifecycle": {"delete_after_days": {"@@assign": "1"}}},
                  "extra": {"schedule_expression": {"@@assign": "cron(0 1 * * ? *)"}}},
        "advanced_backup_settings": {"ec2": {"windows_vss": {"@@assign": "enabled"}}}}}}
    effective = merge([[("tier1", document)], [("child", child)]])
    assert effective.document == merge([[("tier1", document)]]).document
    assert {i.path for i in effective.ignored} == {
        "plans.tier1.regions", "plans.tier1.rules.daily.lifecycle.delete_after_days", "plans.tier1.rules.extra",
        "plans.tier1.advanced_backup_settings"}


def test_one_override_per_policy_and_target() -> None:
    raw = org()
    raw["targets"].append({"id": "ou-ab12-sand0001", "overrides": [
        {"policy": "tier1", "regions_append": ["eu-west-1"]},
        {"policy": "tier1", "rules": [{"name": "daily", "delete_after_days": 7}]}]})
    assert any(p.startswith("organization.targets[1].overrides[1].policy: 'tier1' is already overridden at this "
                            "target (overrides[0])") for p in problems(raw))


# --- generation and merge agree (hypothesis) ------------------------------------------------------------------------

SCHEDULES = ["cron(0 5 ? * * *)", "cron(0 */6 ? * * *)", "cron(30 2 ? * SUN *)", "cron(0 5 1 * ? *)"]
RULES = st.lists(st.fixed_dictionaries({
    "name": st.sampled_from(["daily", "weekly", "monthly", "hourly-ish"]),
    "schedule": st.sampled_from(SCHEDULES),
    "delete_after_days": st.integers(1, 3650),
    "copy_actions": st.lists(st.fixed_dictionaries({"destination_region": st.sampled_from(["us-west-2", "ap-south-1"]),
                                                   "delete_after_days": st.integers(1, 3650)}),
                             max_size=2, unique_by=lambda c: c["destination_region"]),
}), min_size=1, max_size=4, unique_by=lambda r: r["name"])


@settings(max_examples=60, deadline=None)
@given(RULES, st.lists(st.sampled_from(["regions", "rules", "selections", "backup_plan_tags"]), unique=True),
       st.integers(1, 3650))
def test_the_effective_policy_is_what_the_policy_says_and_overrides_apply_unless_locked(
        rules: list[dict[str, Any]], lock: list[str], override_days: int) -> None:
    raw = with_policy(backup={"rules": rules}, lock=lock)
    raw["regions"] = ["us-east-1", "eu-west-1"]
    raw["targets"].append({"id": "ou-ab12-sand0001", "overrides": [
        {"policy": "tier1", "rules": [{"name": rules[0]["name"], "delete_after_days": override_days}]}]})
    if "rules" in lock:
        assert any("rules are locked" in p for p in problems(raw))
        raw["targets"].pop()
        config = valid(raw)
    else:
        config = valid(raw)
    root = target_view(config, config.target("r-ab12"), "us-east-1", NOW)
    (plan,) = root.plans
    assert plan.regions == ("eu-west-1", "us-east-1")
    by_name = {r.name: r for r in plan.rules}
    for rule in rules:
        got = by_name[rule["name"]]
        assert (got.schedule, got.delete_after_days) == (rule["schedule"], rule["delete_after_days"])
        assert dict(got.copies) == {f"arn:aws:backup:{c['destination_region']}:$account:backup-vault:tier1-vault":
                                    c["delete_after_days"] for c in rule["copy_actions"]}
    if "rules" not in lock:
        sandbox = target_view(config, config.target("ou-ab12-sand0001"), "us-east-1", NOW)
        first = {r.name: r for r in sandbox.plans[0].rules}[rules[0]["name"]]
        assert first.delete_after_days == override_days
        assert first.sources["lifecycle.delete_after_days"] == ("override of tier1 at ou-ab12-sand0001",)


def _plan_with(selections: dict[str, Any]) -> dict[str, Any]:
    return {"plans": {"P": {"regions": {"@@assign": ["us-east-1"]},
                            "rules": {"r": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
                                            "target_backup_vault_name": {"@@assign": "Default"}}},
                            "selections": selections}}}


def test_the_grammar_accepts_aws_selection_examples_6_and_7() -> None:
    condition = {"condition_key": {"@@assign": "aws:ResourceTag/backup"}, "condition_value": {"@@assign": "false"}}
    example_6 = {"tags": {"sel": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/IAMRole"},
                                  "tag_key": {"@@assign": "env"}, "tag_value": {"@@assign": ["prod", "gamma"]},
                                  "conditions": {"string_not_equals": {"c1": condition}}}}}
    example_7 = {"resources": {"sel": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/IAMRole"},
                                       "resource_types": {"@@assign": ["*"]},
                                       "not_resource_types": {"@@assign": ["arn:aws:fsx:*:*:file-system/*",
                                                                           "arn:aws:rds:*:*:db:*"]},
                                       "conditions": {"string_equals": {"c1": condition},
                                                      "string_not_like": {"c2": condition}}}}}
    assert document_problems(_plan_with(example_6), complete=True) == []
    assert document_problems(_plan_with(example_7), complete=True) == []
    broken = _plan_with({"resources": {"sel": {"iam_role_arn": {"@@assign": "x"},
                                               "conditions": {"string_matches": {"c1": condition}}}}})
    found = [f"{path}: {message}" for path, message in document_problems(broken, complete=True)]
    assert any("has no resource_types" in f for f in found)
    assert any("string_matches: expected string_equals" in f for f in found)


def test_run_as_delegated_administrator_lists_what_only_the_management_account_may_do() -> None:
    raw = org(run_as="delegated_administrator")
    steps = " ".join(manual_steps(valid(raw), "us-east-1"))
    assert "member.org.stacksets.cloudformation.amazonaws.com" in steps and "only the management account may" in steps
    raw["delegated_administrator_account_id"] = "222233334444"
    assert any("only the management account can register a delegated administrator" in p for p in problems(raw))


def test_organization_regions_follow_the_same_rules_as_copy_regions() -> None:
    # A region without AWS Backup, and a region of another partition, wherever a region list of the org path is.
    found = problems(org(regions=["us-east-1", "cn-north-1"]))
    assert [p.split(":")[0] for p in found] == ["organization.regions[1]"]
    assert "partition aws-cn" in found[0]
    override = org(targets=[{"id": "r-ab12", "policies": ["tier1"]},
                            {"id": "ou-ab12-abcdefgh", "overrides": [{"policy": "tier1",
                                                                      "regions_append": ["us-gov-west-1"]}]}])
    assert [p.split(":")[0] for p in problems(override)] == ["organization.targets[1].overrides[0].regions_append[0]"]


def test_two_organization_policies_cannot_create_one_vault() -> None:
    raw = org()
    second = {**raw["policies"][0], "name": "tier2"}
    raw["policies"] += [second]
    raw["targets"][0]["policies"] += ["tier2"]
    for policy in raw["policies"]:
        policy["backup"] = {**policy["backup"], "vault": {"name": "shared"}}
    found = problems(raw)
    assert [p.split(":")[0] for p in found] == ["organization.policies[1].backup.vault.name"]
    assert "policies[0] already creates a vault named 'shared'" in found[0]


def test_the_stack_accounts_redshift_opt_in_has_one_owner() -> None:
    policy = {"name": "own", "selection": {"clusters": ["a"]},
              "backup": {"rules": [{"name": "daily"}], "opt_in_region_settings": True}}
    with pytest.raises(ConfigError) as info:
        validate_config({"policies": [policy], "organization": org(opt_in_management_account=True)}, "us-east-1")
    assert [p.path for p in info.value.problems] == ["policies[0].backup.opt_in_region_settings"]
    assert "organization.opt_in_management_account already opts us-east-1 in" in info.value.problems[0].message
    # Another region of the organization's: no overlap, both stand.
    validate_config({"policies": [policy], "organization": org(opt_in_management_account=True,
                                                                 regions=["eu-west-1"])}, "us-east-1")
