"""Who is told: AWS Backup vault events and Redshift event categories, sent to one SNS topic."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo, field_validator, model_validator

from policies.base import Issues, StrictModel, skip_if_invalid
from policies.model_fields import Email, SnsTopicArn, arn_region, report_duplicates

BackupVaultEvent = Literal[
    "BACKUP_JOB_STARTED", "BACKUP_JOB_COMPLETED", "COPY_JOB_STARTED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED",
    "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED", "RECOVERY_POINT_MODIFIED",
]
DEPRECATED_EVENTS = {
    "BACKUP_JOB_SUCCESSFUL": "BACKUP_JOB_COMPLETED", "BACKUP_JOB_FAILED": "BACKUP_JOB_COMPLETED",
    "RESTORE_JOB_SUCCESSFUL": "RESTORE_JOB_COMPLETED", "RESTORE_JOB_FAILED": "RESTORE_JOB_COMPLETED",
}
RedshiftEventCategory = Literal["configuration", "management", "monitoring", "security", "pending"]


class Notifications(StrictModel):
    """Who is told: AWS Backup vault events and Redshift cluster/snapshot events go to one SNS topic."""

    # Default: a topic this policy creates ("<policy>-backup-events") whose policy lets AWS Backup publish.
    sns_topic_arn: SnsTopicArn | None = None
    emails: list[Email] = []
    # Default: job completions (which carry success or failure), failed copies and completed restores.
    backup_vault_events: list[str] = ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED"]
    # Redshift event subscription (native layer). Default: management (snapshots, restores) and monitoring
    # (failures) events; severity unset, which pulumi-aws sends as INFO.
    redshift_event_categories: list[RedshiftEventCategory] = ["management", "monitoring"]
    redshift_event_severity: Literal["INFO", "ERROR"] | None = None

    @field_validator("backup_vault_events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        allowed = list(BackupVaultEvent.__args__)  # type: ignore[attr-defined]
        for event in value:
            if event in DEPRECATED_EVENTS:
                raise ValueError(f"{event} is deprecated by AWS Backup and sends nothing; use "
                                 f"{DEPRECATED_EVENTS[event]} (its message carries the job state)")
            if event not in allowed:
                raise ValueError(f"{event!r} is not an AWS Backup vault event; expected one of {', '.join(allowed)}")
        if len(set(value)) != len(value):
            raise ValueError("lists an event twice")
        return value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Notifications:
        issues = Issues()
        with skip_if_invalid():
            topic = self.sns_topic_arn
            region = (info.context or {}).get("region")
            if topic and topic.endswith(".fifo"):
                issues.add("sns_topic_arn", "is a FIFO topic; AWS Backup notifies standard SNS topics only",
                           topic, rule="notification-topic")
            elif topic and region and arn_region(topic) != region:
                issues.add("sns_topic_arn", f"is in region {arn_region(topic)}; AWS Backup notifies a topic in the "
                           f"vault's own region only ({region}, the stack's)", topic, rule="notification-topic")
        report_duplicates(issues, "emails", list(self.emails))
        if not self.backup_vault_events and not self.redshift_event_categories:
            issues.add((), "notifies of nothing: both backup_vault_events and redshift_event_categories are empty",
                       has_value=False)
        issues.raise_if_any()
        return self
