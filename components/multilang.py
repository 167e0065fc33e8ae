"""`RedshiftBackup`: one policy, both layers, for Pulumi programs in any language (through the component provider).

No `from __future__ import annotations` here: Pulumi infers the package schema from these annotations at run
time (the `args` TypedDict gives the inputs, the class annotations the outputs), and strings would hide them.
"""

from typing import TypedDict

import pulumi

from components.backup_policy import RedshiftBackupPolicy
from components.multilang_types import typed_dict
from components.notifications import BackupNotifications
from components.restore_common import has_output, plain_inputs
from components.snapshot_policy import RedshiftSnapshotPolicy
from policies.models import Policy
from policies.validation import validate_policy

# The policy's keys as typed objects in the schema (the policy models of policies/, one TypedDict each).
PolicyArgs = typed_dict(Policy)


class RedshiftBackupArgs(TypedDict):
    """Inputs of `RedshiftBackup`."""

    policy: pulumi.Input[PolicyArgs]  # type: ignore[valid-type]
    """One policy, shaped like an entry of `redshift-backup:policies`; validated exactly like stack config."""
    region: pulumi.Input[str]
    """The AWS region the policy protects (the region of the program's default AWS provider)."""


class RedshiftBackup(pulumi.ComponentResource):
    """What `__main__.py` builds for one policy: notifications, the AWS Backup layer and the native layer."""

    vault_arn: pulumi.Output[str | None]
    """The vault recovery points go to (absent without an AWS Backup layer)."""
    plan_id: pulumi.Output[str | None]
    role_arn: pulumi.Output[str | None]
    topic_arn: pulumi.Output[str | None]
    """The SNS topic both layers notify (absent without notifications)."""
    snapshot_schedule_arn: pulumi.Output[str | None]

    def __init__(self, name: str, args: RedshiftBackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        region = args.get("region")
        raw = args.get("policy")
        if not isinstance(region, str) or has_output(raw):
            # The policy decides which resources exist, so it must be known when the program runs (as stack
            # config is); an Output would only be known after resources were already planned.
            raise TypeError("RedshiftBackup needs `policy` and `region` as plain values, not outputs of other "
                            "resources")
        policy = validate_policy(plain_inputs(raw), region)
        super().__init__("redshift-backup:index:RedshiftBackup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        notifications = (BackupNotifications(f"{name}-notifications", policy=policy, opts=child)
                         if policy.notifications else None)
        backup = (RedshiftBackupPolicy(f"{name}-backup", policy=policy, region=region,
                                       notifications=notifications, opts=child) if policy.backup else None)
        native = (RedshiftSnapshotPolicy(f"{name}-snapshots", policy=policy, region=region,
                                         topic_arn=notifications.topic_arn if notifications else None, opts=child)
                  if policy.snapshots else None)
        none = pulumi.Output.from_input(None)
        self.vault_arn = backup.vault_arn if backup else none
        self.plan_id = backup.plan_id if backup else none
        self.role_arn = backup.role_arn if backup else none
        self.topic_arn = notifications.topic_arn if notifications else none
        self.snapshot_schedule_arn = native.schedule_arn if native else none
        self.register_outputs({"vault_arn": self.vault_arn, "plan_id": self.plan_id, "role_arn": self.role_arn,
                               "topic_arn": self.topic_arn, "snapshot_schedule_arn": self.snapshot_schedule_arn})

