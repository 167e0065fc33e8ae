"""`RedshiftSnapshotPolicy`: a policy's native layer (schedule, retention, copy, events) as one component."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import Credentials
from components.discovery import discover_tagged_clusters
from components.providers import credentials_input, region_provider, stack_credentials
from components.retention import SnapshotRetention
from policies.models import Policy
from policies.native_plan import NativePlan, plan_native_layer
from policies.validation import validate_policy

TOKEN = "redshift-backup:index:RedshiftSnapshotPolicy"


class RedshiftSnapshotPolicy(pulumi.ComponentResource):
    """Redshift's own snapshots for one policy's clusters; the SNS topic is shared with the AWS Backup layer.

    `retention_timeout_minutes` (default 30) bounds how long each retention resource waits for a busy cluster.
    `credentials` (default: the stack's aws:profile and aws:assumeRoles) are who tag discovery and the retention
    resources act as with boto3; pass them when `opts` carries a provider for another account.
    `discovered_clusters`: the result of tag discovery when the caller ran it (the stack does, to check that no
    cluster gets native settings from two policies); None: the component discovers by itself.
    """

    schedule_arn: pulumi.Output[str | None]
    schedule_id: pulumi.Output[str | None]
    cluster_identifiers: pulumi.Output[list[str]]
    copy_grant_name: pulumi.Output[str | None]
    event_subscription_id: pulumi.Output[str | None]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str,
                 topic_arn: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None, *,
                 destination_providers: Mapping[str, aws.Provider] | None = None,
                 retention_timeout_minutes: int | None = None,
                 credentials: Credentials | None = None,
                 discovered_clusters: Sequence[str] | None = None) -> None:
        # Validated before anything is registered, so a bad policy leaves no half-made component behind.
        policy = validate_policy(policy, region)
        credentials = stack_credentials() if credentials is None else credentials
        discovered = list(discovered_clusters or [])
        if discovered_clusters is None and policy.selection.discover_tagged_clusters and policy.selection.conditions:
            discovered = discover_tagged_clusters(policy.selection.conditions, region, credentials)
        plan = plan_native_layer(policy, region, discovered)
        super().__init__(TOKEN, name, None, opts)

        if discovered:
            pulumi.log.info(f"{name}: tag discovery found {', '.join(discovered)}", resource=self)
        if not plan.clusters:
            pulumi.log.warn(f"{name}: the policy selects no cluster, so native snapshot settings apply to none",
                            resource=self)

        # One change at a time per cluster: retention, then the schedule association, then the copy. They are all
        # modifications of the cluster, and a cluster still applying one may refuse the next (InvalidClusterState).
        # `done[cluster]` holds the cluster's changes registered so far; each next change depends on all of them.
        done: dict[str, list[pulumi.Resource]] = {cluster: [] for cluster in plan.clusters}
        self._retention(name, plan, done, retention_timeout_minutes, credentials_input(credentials))
        schedule = self._schedule(name, plan, done)
        grant_name = self._copy(name, plan, done, destination_providers or {})
        subscription = self._events(name, plan, topic_arn)

        self.schedule_arn = schedule.arn if schedule else pulumi.Output.from_input(None)
        self.schedule_id = schedule.id if schedule else pulumi.Output.from_input(None)
        self.cluster_identifiers = pulumi.Output.from_input(list(plan.clusters))
        self.copy_grant_name = pulumi.Output.from_input(grant_name)
        self.event_subscription_id = subscription.id if subscription else pulumi.Output.from_input(None)
        self.register_outputs({
            "schedule_arn": self.schedule_arn,
            "schedule_id": self.schedule_id,
            "cluster_identifiers": self.cluster_identifiers,
            "copy_grant_name": self.copy_grant_name,
            "event_subscription_id": self.event_subscription_id,
        })

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _retention(self, name: str, plan: NativePlan, done: dict[str, list[pulumi.Resource]],
                   timeout_minutes: int | None, credentials: pulumi.Input[Credentials] | None) -> None:
        if not plan.manages_retention:
            return
        for cluster in plan.clusters:
            done[cluster].append(SnapshotRetention(
                f"{name}-{cluster}-retention", cluster_identifier=cluster, region=plan.region,
                automated_snapshot_retention_days=plan.automated_snapshot_retention_days,
                manual_snapshot_retention_days=plan.manual_snapshot_retention_days,
                timeout_minutes=timeout_minutes, credentials=credentials, opts=self._child()))

    def _schedule(self, name: str, plan: NativePlan,
                  done: dict[str, list[pulumi.Resource]]) -> aws.redshift.SnapshotSchedule | None:
        if not plan.schedule_identifier:
            return None
        schedule = aws.redshift.SnapshotSchedule(
            f"{name}-schedule", identifier=plan.schedule_identifier, definitions=list(plan.schedule_definitions),
            description=f"Snapshot schedule of redshift-backup policy {plan.policy_name}", region=plan.region,
            tags=dict(plan.tags) or None, opts=self._child())
        for cluster in plan.clusters:
            done[cluster].append(aws.redshift.SnapshotScheduleAssociation(
                f"{name}-{cluster}-schedule", cluster_identifier=cluster, schedule_identifier=schedule.id,
                region=plan.region, opts=self._child(depends_on=list(done[cluster]))))
        return schedule

    def _copy(self, name: str, plan: NativePlan, done: dict[str, list[pulumi.Resource]],
              providers: Mapping[str, aws.Provider]) -> pulumi.Input[str] | None:
        copy = plan.copy
        if copy is None:
            return None
        grant_name: pulumi.Input[str] | None = copy.grant_name
        if copy.create_grant_with_kms_key_id:
            # The grant lives in the destination region (explicit provider, as for the AWS Backup copy vaults): it
            # lets Redshift encrypt the copies there with this key.
            dest = copy.destination_region
            provider = providers.get(dest) or region_provider(f"{name}-provider-{dest}", dest, opts=self._child())
            grant = aws.redshift.SnapshotCopyGrant(
                f"{name}-copy-grant", snapshot_copy_grant_name=copy.grant_name,
                kms_key_id=copy.create_grant_with_kms_key_id, tags=dict(plan.tags) or None,
                opts=self._child(provider=provider))
            grant_name = grant.snapshot_copy_grant_name
        for cluster in plan.clusters:
            done[cluster].append(aws.redshift.SnapshotCopy(
                f"{name}-{cluster}-copy", cluster_identifier=cluster, destination_region=copy.destination_region,
                retention_period=copy.retention_days,
                manual_snapshot_retention_period=copy.manual_snapshot_retention_days,
                snapshot_copy_grant_name=grant_name, region=plan.region,
                # A cluster copies to one destination with one grant: changing either is disable, then enable.
                opts=self._child(replace_on_changes=["destination_region", "snapshot_copy_grant_name"],
                                 delete_before_replace=True,
                                 depends_on=list(done[cluster]))))
        return grant_name

    def _events(self, name: str, plan: NativePlan,
                topic_arn: pulumi.Input[str] | None) -> aws.redshift.EventSubscription | None:
        events = plan.events
        if events is None:
            return None
        topic = topic_arn if topic_arn is not None else events.sns_topic_arn
        if topic is None:
            pulumi.log.warn(f"{name}: notifications are configured but no SNS topic was given, so there is no "
                            "Redshift event subscription", resource=self)
            return None
        # The clusters' own events, then their snapshots' (whose subscription cannot name its sources, see
        # policies/native_plan.py): both to the same topic. The output is the clusters' subscription.
        created = [aws.redshift.EventSubscription(
            f"{name}-{sub.key}", name=sub.name, sns_topic_arn=topic, source_type=sub.source_type,
            source_ids=list(sub.source_ids) or None, event_categories=list(sub.categories),
            severity=events.severity, enabled=True, region=plan.region, tags=dict(plan.tags) or None,
            opts=self._child()) for sub in events.subscriptions]
        return created[0]
