"""The baseline: what a user would write by hand with pulumi-aws for the benchmark's stacks (bench/fleet.py).

It reads the same stack config, validates nothing, builds no component and exports nothing: it registers the
same resources (type, name, inputs, options) as the project's program, with plain pulumi-aws calls. The
retention settings are the project's own dynamic provider (a user without this project would need one too), on
`pulumi.dynamic.Resource` under the same pickle workaround, without which pulumi cannot register 1,000 of them.
`bench/equivalence.py` checks, before any timing, that both register the same thing.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pulumi
import pulumi_aws as aws

REGION = "us-east-1"


@functools.cache
def retention_class() -> tuple[type, Any, Any]:
    """The project's retention provider on a plain dynamic resource; imported only by stacks that use it."""
    from pulumi.dynamic import Resource

    from components.dynamic_resource import pickler_restored
    from components.retention import SnapshotRetentionProvider

    class Retention(Resource, module="redshift-backup", name="SnapshotRetention"):
        pass

    return Retention, SnapshotRetentionProvider, pickler_restored


def retention(name: str, props: dict[str, Any]) -> pulumi.Resource:
    resource, provider, pickler_restored = retention_class()
    with pickler_restored():
        return resource(provider(), name, props)


def doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Statement": statements, "Version": "2012-10-17"}, sort_keys=True)


DENY_DELETION = doc([{"Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                      "Effect": "Deny", "Principal": {"AWS": "*"}, "Resource": "*",
                      "Sid": "DenyRecoveryPointDeletion"}])
ASSUME_BACKUP = doc([{"Action": "sts:AssumeRole", "Effect": "Allow",
                      "Principal": {"Service": "backup.amazonaws.com"}}])
TOPIC_ACTIONS = ["SNS:AddPermission", "SNS:DeleteTopic", "SNS:GetTopicAttributes", "SNS:ListSubscriptionsByTopic",
                 "SNS:Publish", "SNS:RemovePermission", "SNS:SetTopicAttributes", "SNS:Subscribe"]


def topic_policy(topic: str, account: str) -> str:
    return doc([
        {"Sid": "OwnerAccount", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": TOPIC_ACTIONS,
         "Resource": topic, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}},
        {"Sid": "AwsBackupPublish", "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"},
         "Action": "SNS:Publish", "Resource": topic},
        {"Sid": "RedshiftEventsPublish", "Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"},
         "Action": "SNS:Publish", "Resource": topic, "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ])


def vault(name: str, vault_name: str, tags: dict[str, str], lock: dict[str, int],
          provider: aws.Provider | None) -> aws.backup.Vault:
    opts = pulumi.ResourceOptions(provider=provider)
    kept = pulumi.ResourceOptions(provider=provider, protect=True)
    key = aws.kms.Key(f"{name}-key", description=f"AWS Backup vault {vault_name} (redshift-backup)",
                      enable_key_rotation=True, deletion_window_in_days=30, tags=tags, opts=kept)
    aws.kms.Alias(f"{name}-key-alias", name=f"alias/redshift-backup/{vault_name}", target_key_id=key.key_id,
                  opts=opts)
    created = aws.backup.Vault(name, name=vault_name, kms_key_arn=key.arn, tags=tags, opts=kept)
    aws.backup.VaultLockConfiguration(f"{name}-lock", backup_vault_name=created.name,
                                      min_retention_days=lock["min_retention_days"],
                                      max_retention_days=lock["max_retention_days"], opts=kept)
    aws.backup.VaultPolicy(f"{name}-policy", backup_vault_name=created.name, policy=DENY_DELETION, opts=opts)
    return created


def policy(p: dict[str, Any], account: pulumi.Output[str], copy_providers: dict[str, aws.Provider]) -> None:
    name, tags, clusters = p["name"], p["tags"], sorted(p["selection"]["clusters"])
    topic = aws.sns.Topic(f"{name}-notifications-topic", name=f"{name}-backup-events", tags=tags)
    aws.sns.TopicPolicy(f"{name}-notifications-topic-policy", arn=topic.arn,
                        policy=pulumi.Output.all(topic.arn, account).apply(lambda a: topic_policy(a[0], a[1])))
    for email in p["notifications"]["emails"]:
        aws.sns.TopicSubscription(f"{name}-notifications-email-{email}", topic=topic.arn, protocol="email",
                                  endpoint=email)

    backup = p["backup"]
    lock = backup["vault"]["lock"]
    source = vault(f"{name}-vault", f"{name}-vault", tags, lock, None)
    aws.backup.VaultNotifications(f"{name}-vault-notifications", backup_vault_name=source.name,
                                  sns_topic_arn=topic.arn,
                                  backup_vault_events=["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED",
                                                       "RESTORE_JOB_COMPLETED"])
    copies = {region: vault(f"{name}-vault-{region}", f"{name}-vault", tags, lock, provider)
              for region, provider in copy_providers.items()}
    role = aws.iam.Role(f"{name}-role", name=f"{name}-backup-{REGION}", assume_role_policy=ASSUME_BACKUP,
                        description=f"AWS Backup role of redshift-backup policy {name}", tags=tags)
    attachments = [aws.iam.RolePolicyAttachment(
        f"{name}-role-{kind}", role=role.name,
        policy_arn=f"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyFor{kind.title()}")
        for kind in ("backup", "restores")]
    rules = []
    for rule in sorted(backup["rules"], key=lambda r: r["name"]):
        days = rule["delete_after_days"]
        args = aws.backup.PlanRuleArgs(
            rule_name=rule["name"], target_vault_name=source.name, schedule=rule.get("schedule", "cron(0 5 ? * * *)"),
            start_window=480, completion_window=10080, lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=days),
            recovery_point_tags=tags,
            copy_actions=[aws.backup.PlanRuleCopyActionArgs(
                destination_vault_arn=copies[c["destination_region"]].arn,
                lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=days))
                for c in rule.get("copy_actions", [])] or None)
        rules.append(args)
    plan = aws.backup.Plan(f"{name}-plan", name=name, rules=rules, tags=tags)
    aws.backup.Selection(f"{name}-selection-clusters", name=f"{name}-clusters", plan_id=plan.id,
                         iam_role_arn=role.arn, opts=pulumi.ResourceOptions(depends_on=attachments),
                         resources=account.apply(
                             lambda a: [f"arn:aws:redshift:{REGION}:{a}:cluster:{c}" for c in clusters]))

    native = p.get("snapshots")
    if not native:
        return
    before: dict[str, list[pulumi.Resource]] = {c: [] for c in clusters}
    if "automated_snapshot_retention_days" in native:
        for c in clusters:
            before[c].append(retention(f"{name}-snapshots-{c}-retention", {
                "cluster_identifier": c, "region": REGION,
                "automated_snapshot_retention_days": native["automated_snapshot_retention_days"],
                "manual_snapshot_retention_days": None, "timeout_minutes": None, "credentials": None,
                "previous_automated_snapshot_retention_days": None, "previous_manual_snapshot_retention_days": None,
            }))
    schedule = aws.redshift.SnapshotSchedule(
        f"{name}-snapshots-schedule", identifier=f"{name}-snapshot-schedule", definitions=native["schedule"],
        description=f"Snapshot schedule of redshift-backup policy {name}", region=REGION, tags=tags)
    for c in clusters:
        before[c].append(aws.redshift.SnapshotScheduleAssociation(
            f"{name}-snapshots-{c}-schedule", cluster_identifier=c, schedule_identifier=schedule.id, region=REGION,
            opts=pulumi.ResourceOptions(depends_on=list(before[c]))))
    copy = native["cross_region_copy"]
    for c in clusters:
        aws.redshift.SnapshotCopy(
            f"{name}-snapshots-{c}-copy", cluster_identifier=c, destination_region=copy["destination_region"],
            retention_period=copy["retention_days"], region=REGION,
            opts=pulumi.ResourceOptions(replace_on_changes=["destination_region", "snapshot_copy_grant_name"],
                                        delete_before_replace=True, depends_on=list(before[c])))
    for key, source_type, ids in (("events", "cluster", clusters), ("snapshot-events", "cluster-snapshot", None)):
        aws.redshift.EventSubscription(
            f"{name}-snapshots-{key}", name=f"{name}-redshift-{key}", sns_topic_arn=topic.arn,
            source_type=source_type, source_ids=ids, event_categories=["management", "monitoring"], enabled=True,
            region=REGION, tags=tags)


def main() -> None:
    policies = json.loads(pulumi.Config("redshift-backup").require("policies"))
    regions = sorted({c["destination_region"] for p in policies for r in p["backup"]["rules"]
                      for c in r.get("copy_actions", [])})
    providers = {region: aws.Provider(f"aws-{region}", region=region) for region in regions}
    account = aws.get_caller_identity_output().account_id
    for p in policies:
        policy(p, account, providers)


main()
