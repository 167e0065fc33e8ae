"""`BackupNotifications`: the SNS topic AWS Backup and Redshift events go to, its policy and email subscriptions."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.vault import caller_account, policy_argument, to_json
from policies import backup_plan
from policies.errors import ConfigError, Problem
from policies.models import Policy


class BackupNotifications(pulumi.ComponentResource):
    """One topic per policy, shared by the AWS Backup vault and the native layer's Redshift event subscription.

    With `notifications.sns_topic_arn` the given topic is used: emails are subscribed to it, but its policy is
    left alone (it is someone else's, and a TopicPolicy replaces the whole policy). `account_id` (default: the
    caller's) goes into the topic policy's source-account condition.
    """

    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, policy: Policy | dict[str, Any], region: str | None = None,
                 opts: pulumi.ResourceOptions | None = None, *, account_id: pulumi.Input[str] | None = None) -> None:
        policy, region = policy_argument(policy, region)
        settings = policy.notifications
        if settings is None:
            raise ConfigError([Problem("policy.notifications", "is required for BackupNotifications",
                                       has_value=False)])
        super().__init__("redshift-backup:index:BackupNotifications", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        topic_arn: pulumi.Output[str]
        if settings.sns_topic_arn:
            topic_arn = pulumi.Output.from_input(settings.sns_topic_arn)
        else:
            # Not encrypted: the AWS-managed SNS key does not let AWS Backup publish, and a customer key would
            # need a key policy for every publishing service.
            topic = aws.sns.Topic(f"{name}-topic", name=backup_plan.topic_name(policy),
                                  tags=backup_plan.merged_tags(policy), opts=child)
            account = caller_account(self, account_id)
            document = pulumi.Output.all(topic.arn, account).apply(
                lambda args: to_json(backup_plan.topic_policy(args[0], args[1])))
            aws.sns.TopicPolicy(f"{name}-topic-policy", arn=topic.arn, policy=document, opts=child)
            topic_arn = topic.arn
        for email in sorted(settings.emails):
            # Named by address, so adding or removing one address leaves the other subscriptions alone.
            aws.sns.TopicSubscription(f"{name}-email-{email}", topic=topic_arn,
                                      protocol="email", endpoint=email, opts=child)

        self.topic_arn = topic_arn
        self.register_outputs({"topic_arn": self.topic_arn})
