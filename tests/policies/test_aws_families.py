"""The families AWS rejects at `pulumi up`, each refused by one rule wherever such a value appears."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies import names
from policies.aws_settings import aws_setting_problems
from policies.errors import ConfigError
from policies.regions import partition_of, partitions, region_problem
from policies.stack_file import split_stack_config
from policies.validation import validate_config

CLUSTER = "arn:aws:redshift:us-east-1:123456789012:cluster:analytics"


def base_policy(**extra: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {"name": "analytics", "selection": {"clusters": ["analytics"]},
                              "backup": {"rules": [{"name": "daily"}]}}
    policy.update(extra)
    return policy


def problems(*policies: dict[str, Any], region: str = "us-east-1", restores: list[Any] | None = None
             ) -> list[tuple[str, str, str]]:
    raw: dict[str, Any] = {"policies": list(policies)}
    if restores is not None:
        raw["restores"] = restores
    try:
        validate_config(copy.deepcopy(raw), region)
    except ConfigError as exc:
        return [(p.path, p.rule, p.message) for p in exc.problems]
    return []


# --- regions ----------------------------------------------------------------------------------------------------

def test_regions_come_from_botocore_data_not_a_pattern() -> None:
    assert partition_of("us-east-1") == "aws" and partition_of("cn-north-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    assert partition_of("us-east-9") is None  # matches every region pattern, exists nowhere
    assert "aws-global" not in partitions()["aws"].regions


def test_a_region_without_the_service_is_named_as_such() -> None:
    without_backup = [r for p in partitions().values() for r in p.regions
                      if r not in p.services["backup"] and r in p.services["redshift"]]
    assert without_backup, "botocore lists a region with Redshift but without AWS Backup"
    message = region_problem(without_backup[0], ("redshift", "backup"))
    assert message is not None and "AWS Backup is not offered there" in message


@pytest.mark.parametrize(("where", "policy"), [
    ("policies[0].backup.rules[0].copy_actions[0].destination_region",
     base_policy(backup={"rules": [{"name": "daily", "copy_actions": [{"destination_region": "eu-wst-1"}]}]})),
    ("policies[0].snapshots.cross_region_copy.destination_region",
     base_policy(backup=None, snapshots={"cross_region_copy": {"destination_region": "eu-wst-1"}})),
])
def test_an_unknown_region_is_refused_everywhere_with_the_nearest(where: str, policy: dict[str, Any]) -> None:
    if policy.get("backup") is None:
        policy.pop("backup")
    found = [p for p in problems(policy) if p[0] == where]
    assert found == [(where, "region", "is not an AWS region in any partition (botocore's endpoint data); did you "
                                       "mean eu-west-1?")]


def test_the_stack_region_is_checked_against_the_data() -> None:
    assert problems(base_policy(), region="us-east-9")[0][:2] == ("aws:region", "region")


def test_a_restore_region_must_exist() -> None:
    restore = {"name": "drill", "source": {"latest_snapshot_of": "analytics"}, "region": "us-central-1"}
    assert problems(restores=[restore])[0][:2] == ("restores[0].region", "region")


def test_an_arn_with_a_region_that_does_not_exist() -> None:
    policy = base_policy(selection={"clusters": ["arn:aws:redshift:us-east-9:123456789012:cluster:a"]})
    assert ("policies[0].selection.clusters[0]", "region",
            "names region 'us-east-9', which is not a region of partition aws (botocore's endpoint data)"
            ) in problems(policy)


# --- partitions -------------------------------------------------------------------------------------------------

def test_every_arn_is_in_the_stack_partition() -> None:
    policy = base_policy(backup={"rules": [{"name": "daily"}],
                                 "iam_role_arn": "arn:aws-cn:iam::123456789012:role/backup"})
    found = [p for p in problems(policy) if p[1] == "partition"]
    assert found == [("policies[0].backup.iam_role_arn", "partition",
                      "is in partition aws-cn, but the stack's region us-east-1 is in aws: a stack's resources, "
                      "copies and roles never leave its partition")]


def test_copies_never_leave_their_partition() -> None:
    policy = base_policy(backup={"rules": [{"name": "daily", "copy_actions": [{"destination_region": "cn-north-1"}]}]})
    found = [p for p in problems(policy) if p[1] == "partition"]
    assert [p[0] for p in found] == ["policies[0].backup.rules[0].copy_actions[0].destination_region"]


def test_an_unknown_partition_is_named() -> None:
    policy = base_policy(selection={"clusters": ["arn:aws-moon:redshift:us-east-1:123456789012:cluster:a"]})
    assert any(p[1] == "partition" and "does not exist" in p[2] for p in problems(policy))


# --- names AWS derives from ours --------------------------------------------------------------------------------

def test_two_hyphens_make_the_copy_grant_and_event_subscription_names_illegal() -> None:
    found = problems(base_policy(name="analytics--prod"))
    assert [(p[0], p[1]) for p in found] == [("policies[0].name", "derived-name")]
    message = found[0][2]
    assert "the snapshot copy grant name 'analytics--prod-copy-grant' illegal: Redshift snapshot copy grant " \
           "names must be 1-63 lowercase letters" in message
    assert "event subscription name 'analytics--prod-redshift-events' illegal" in message
    assert "CreateSnapshotCopyGrant" in message and "CreateEventSubscription" in message


def test_every_derived_name_of_a_legal_policy_name_is_legal() -> None:
    assert names.derived_name_problems("a" * 32, "ap-southeast-7") == []
    assert names.derived_name_problems("ab", "us-east-1") == []


def test_the_table_names_what_the_planners_name() -> None:
    from policies import audit_controls, backup_plan, native_plan, organization
    from policies.models import Policy

    policy = Policy.model_validate({"name": "analytics", "selection": {"clusters": ["a"]},
                                    "backup": {"rules": [{"name": "daily"}], "reports": {}}},
                                   context={"region": "us-east-1"})
    derived = {d.name("analytics", "us-east-1") for d in names.DERIVED}
    planned = {backup_plan.topic_name(policy), native_plan.copy_grant_name("analytics"),
               native_plan.event_subscription_name("analytics"), native_plan.schedule_identifier("analytics"),
               native_plan.snapshot_event_subscription_name("analytics"), policy.vault_name or "",
               backup_plan.vault_spec(policy, "us-east-1").key_alias or "",
               *(r.name for r in backup_plan.report_specs(policy) if r.name.endswith("restore_jobs"))}
    audited = Policy.model_validate({"name": "analytics", "selection": {"clusters": ["a"]},
                                     "backup": {"rules": [{"name": "daily"}]}, "audit": {}},
                                    context={"region": "us-east-1"})
    audit = audit_controls.framework_plan(audited, "us-east-1")
    assert audit is not None
    planned |= {audit.framework_name, *(r.name for r in audit.reports)}
    org = organization.org_names("analytics")
    planned |= {org[k] for k in ("org_policy", "vault_stack_set", "role_stack_set", "role", "selection")}
    assert planned <= derived


def test_adding_a_derived_name_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "DERIVED", [*names.DERIVED, names.Derived("audit plan", "{policy}.audit",
                                                                          names.REPORT_PLAN)])
    assert problems(base_policy())[0][1] == "derived-name"


@pytest.mark.parametrize(("where", "policy", "rule_text"), [
    ("policies[0].snapshots.cross_region_copy.snapshot_copy_grant_name",
     {"snapshots": {"cross_region_copy": {"destination_region": "us-west-2", "snapshot_copy_grant_name": "my--grant"}}},
     "Redshift snapshot copy grant names must be"),
    ("policies[0].backup.reports.s3_bucket_name",
     {"backup": {"rules": [{"name": "daily"}], "reports": {"s3_bucket_name": "Reports_Bucket"}}},
     "S3 bucket names must be"),
    ("policies[0].backup.vault.existing",
     {"backup": {"rules": [{"name": "daily"}],
                 "vault": {"existing": "arn:aws:backup:us-east-1:123456789012:backup-vault:my.vault"}}},
     "the vault name in this ARN, 'my.vault', is invalid: AWS Backup vault names must be"),
])
def test_names_given_directly_follow_their_aws_rule(where: str, policy: dict[str, Any], rule_text: str) -> None:
    found = problems({**base_policy(), **policy})
    assert [(p[0], p[1]) for p in found] == [(where, "resource-name")]
    assert rule_text in found[0][2]


# --- tags -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["aws:team", "AWS:team", "Aws:team"])
def test_the_aws_prefix_is_reserved_in_any_case(key: str) -> None:
    found = problems(base_policy(tags={key: "x"}))
    assert [(p[0], p[1]) for p in found] == [("policies[0].tags", "tag")]


def test_tags_on_the_created_iam_role_use_iams_characters() -> None:
    found = problems(base_policy(tags={"owner": "team (data)"}))
    assert [(p[0], p[1]) for p in found] == [("policies[0].tags.owner", "tag")]
    # With the user's own role, the tags land on no IAM resource of ours.
    own = base_policy(tags={"owner": "team (data)"},
                      backup={"rules": [{"name": "daily"}], "iam_role_arn": "arn:aws:iam::123456789012:role/b"})
    assert problems(own) == []


# --- notification topics ----------------------------------------------------------------------------------------

def test_a_fifo_topic_is_refused() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:alerts.fifo"
    found = problems(base_policy(notifications={"sns_topic_arn": topic}))
    assert found == [("policies[0].notifications.sns_topic_arn", "notification-topic",
                      "is a FIFO topic; AWS Backup notifies standard SNS topics only")]


def test_a_topic_in_another_region_is_refused() -> None:
    topic = "arn:aws:sns:us-west-2:123456789012:alerts"
    found = problems(base_policy(notifications={"sns_topic_arn": topic}))
    assert [(p[0], p[1]) for p in found] == [("policies[0].notifications.sns_topic_arn", "notification-topic")]
    assert "us-west-2" in found[0][2]


def test_a_topic_in_another_account_is_refused_when_the_stack_account_is_known() -> None:
    topic = "arn:aws:sns:us-east-1:999999999999:alerts"
    known = base_policy(selection={"clusters": [CLUSTER]}, notifications={"sns_topic_arn": topic})
    found = problems(known)
    assert found == [("policies[0].notifications.sns_topic_arn", "notification-topic",
                      "is in account 999999999999; AWS Backup notifies a topic of the vault's own account only "
                      "(123456789012, the stack's, from its ARNs)")]
    assert problems(base_policy(notifications={"sns_topic_arn": topic})) == []  # account unknown: not judged


# --- restores ---------------------------------------------------------------------------------------------------

def restore(**extra: Any) -> dict[str, Any]:
    return {"name": "drill", "source": {"latest_snapshot_of": "analytics"}, **extra}


@pytest.mark.parametrize(("extra", "path", "text"), [
    ({"preferred_maintenance_window": "sun:05:00-sun:05:15"}, "restores[0].preferred_maintenance_window",
     "is 15 minutes long; Redshift needs a maintenance window of at least 30 minutes"),
    ({"kms_key_id": "arn:aws:kms:us-west-2:123456789012:key/abc"}, "restores[0].kms_key_id",
     "is a key of region us-west-2, but the cluster is restored in us-east-1"),
    ({"region": "eu-west-1", "availability_zone": "us-east-1a"}, "restores[0].availability_zone",
     "is not an availability zone of eu-west-1"),
    ({"iam_roles": [f"arn:aws:iam::123456789012:role/r{i}" for i in range(51)]}, "restores[0].iam_roles",
     "51 roles; a Redshift cluster can have at most 50 IAM roles"),
])
def test_restore_rules(extra: dict[str, Any], path: str, text: str) -> None:
    found = problems(restores=[restore(**extra)])
    assert [(p[0], p[1]) for p in found] == [(path, "restore")]
    assert found[0][2].startswith(text)


def test_a_maintenance_window_over_the_week_end_counts_across_sunday() -> None:
    assert problems(restores=[restore(preferred_maintenance_window="sun:23:45-mon:00:15")]) == []


# --- one truth: check refuses what the program refuses ----------------------------------------------------------

def test_check_refuses_the_singular_assume_role_as_the_program_does() -> None:
    _ours, _region, found = split_stack_config({"aws:region": "us-east-1", "aws:assumeRole": {"roleArn": "x"}})
    assert [(p.path, p.rule) for p in found] == [("aws:assumeRole", "aws-provider-setting")]
    assert found[0].message.startswith("is not a setting of the pulumi-aws provider")
    assert found[0].message.endswith("did you mean aws:assumeRoles?")


def test_an_assume_roles_entry_without_a_role_arn() -> None:
    found = aws_setting_problems({"assumeRoles": [{"sessionName": "x"}]})
    assert [p.render() for p in found] == [
        "aws:assumeRoles[0]: expected an object with a roleArn (received {\"sessionName\": \"x\"})"]


def test_default_tags_follow_the_tag_rules_where_they_land() -> None:
    found = aws_setting_problems({"defaultTags": {"tags": {"AWS:owner": "x", "team": "data (core)", "ok": "fine"}}})
    assert [(p.path, p.rule) for p in found] == [("aws:defaultTags.tags.AWS:owner", "tag"),
                                                 ("aws:defaultTags.tags.team", "tag")]


# Arabic-Indic digits: `\d` matches them, AWS account ids never have them.
OTHER_DIGITS = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0661\u0662\u0663"


def test_account_ids_are_ascii_digits_wherever_they_appear() -> None:
    copy_to = base_policy(backup={"rules": [{"name": "daily", "copy_actions": [
        {"destination_account_id": OTHER_DIGITS, "destination_region": "us-west-2"}]}]})
    assert [p[0] for p in problems(copy_to)] == [
        "policies[0].backup.rules[0].copy_actions[0].destination_account_id"]
    cluster_arn = base_policy(selection={"clusters": [f"arn:aws:redshift:us-east-1:{OTHER_DIGITS}:cluster:a"]})
    assert [p[0] for p in problems(cluster_arn)] == ["policies[0].selection.clusters[0]"]
    share = {"kind": "snapshot_share", "name": "share", "snapshot_identifier": "nightly",
             "accounts_with_restore_access": [OTHER_DIGITS]}
    assert [p[0] for p in problems(restores=[share])] == ["restores[0].accounts_with_restore_access[0]"]
