"""Which input changes replace a resource, per resource type: pure data, read by `redshift_backup.resource_diff`.

A change to an input listed in `replaces` makes Pulumi delete and create the resource (`+-`); a change to any
other input of a `complete` entry is an update in place (`~`). For a type that is not here, an entry that is not
`complete`, and the `region` input of every type, the honest answer is "update or replace".

Sources (cited per entry in `source`):
- AWS resources: pulumi-aws bridges the Terraform AWS provider, and the bridge turns Terraform's `ForceNew: true`
  (SDKv2) or `RequiresReplace()` plan modifier (plugin framework) into a replacement. Each entry names the file of
  hashicorp/terraform-provider-aws whose schema it was read from. The installed `pulumi_aws` package's docstrings
  ("Changing this forces a new resource to be created") say nothing for these types; tests/policies/
  test_replacements.py checks that every listed input is an input of the installed package's `Args` class and
  that every input its docstrings mark as forcing a new resource is listed.
- Our dynamic providers: the keys their `diff` puts in `DiffResult.replaces` (the same test compares them with the
  providers' constants).
"""

from __future__ import annotations

from dataclasses import dataclass

TF = "hashicorp/terraform-provider-aws internal/service/"


@dataclass(frozen=True)
class Replacement:
    """The inputs (Pulumi names) whose change replaces a resource of one type."""

    replaces: frozenset[str]
    # True: every other input is updated in place. False: only `replaces` is known.
    complete: bool
    source: str


def _entry(source: str, *replaces: str, complete: bool = True) -> Replacement:
    return Replacement(frozenset(replaces), complete, source)


# The `region` input (pulumi-aws 7, every AWS resource) is never listed: whether moving a resource between regions
# is a replacement is not stated per type in these sources, so it is always "update or replace".
REGION_INPUT = "region"

REPLACEMENTS: dict[str, Replacement] = {
    "aws:backup/vault:Vault": _entry(TF + "backup/vault.go", "name", "kmsKeyArn"),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": _entry(
        TF + "backup/vault_lock_configuration.go", "backupVaultName", "changeableForDays", "maxRetentionDays",
        "minRetentionDays"),
    "aws:backup/vaultNotifications:VaultNotifications": _entry(
        TF + "backup/vault_notifications.go", "backupVaultName", "snsTopicArn", "backupVaultEvents"),
    "aws:backup/vaultPolicy:VaultPolicy": _entry(TF + "backup/vault_policy.go", "backupVaultName"),
    "aws:backup/plan:Plan": _entry(TF + "backup/plan.go", "name"),
    "aws:backup/selection:Selection": _entry(
        TF + "backup/selection.go", "name", "conditions", "iamRoleArn", "notResources", "planId", "selectionTags",
        "resources"),
    "aws:redshift/snapshotSchedule:SnapshotSchedule": _entry(
        TF + "redshift/snapshot_schedule.go", "description", "identifier", "identifierPrefix"),
    "aws:redshift/snapshotScheduleAssociation:SnapshotScheduleAssociation": _entry(
        TF + "redshift/snapshot_schedule_association.go", "clusterIdentifier", "scheduleIdentifier"),
    "aws:redshift/snapshotCopy:SnapshotCopy": _entry(
        TF + "redshift/snapshot_copy.go", "clusterIdentifier", "destinationRegion", "manualSnapshotRetentionPeriod",
        "snapshotCopyGrantName"),
    "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant": _entry(
        TF + "redshift/snapshot_copy_grant.go", "snapshotCopyGrantName", "kmsKeyId"),
    "aws:redshift/eventSubscription:EventSubscription": _entry(TF + "redshift/event_subscription.go", "name"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _entry(
        TF + "iam/role_policy_attachment.go", "role", "policyArn"),
    # Only `endpoint` was read (ForceNew); `protocol` and `topic` are not stated in what we read.
    "aws:sns/topicSubscription:TopicSubscription": _entry(
        TF + "sns/topic_subscription.go", "endpoint", complete=False),
    # Our dynamic providers (components/): the keys their `diff` returns in `replaces`. `credentials` (who acts)
    # replaces the opt-in (another identity may be another account) and is an update elsewhere.
    "pulumi-python:dynamic/redshift-backup:SnapshotRetention": _entry(
        "components/retention.py IDENTITY", "cluster_identifier", "region"),
    "pulumi-python:dynamic/redshift-backup:BackupRegionOptIn": _entry(
        "components/region_opt_in.py diff", "region", "credentials"),
    "pulumi-python:dynamic/redshift-backup:RedshiftSnapshotShare": _entry(
        "components/snapshot_share.py IDENTITY_KEYS", "snapshot_identifier", "snapshot_arn",
        "snapshot_cluster_identifier", "region"),
    "pulumi-python:dynamic/redshift-backup:RedshiftTableRestore": _entry(
        "components/restore_table.py diff (every input but timeout_minutes)", "cluster_identifier",
        "snapshot_identifier", "source_database_name", "source_schema_name", "source_table_name",
        "target_database_name", "target_schema_name", "new_table_name", "enable_case_sensitive_identifier",
        "region"),
    "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore": _entry(
        "components/restore_cluster_inputs.py REPLACE_KEYS", "source", "cluster_identifier", "region",
        "manage_master_password", "master_password_secret_kms_key_id", "cluster_subnet_group_name",
        "availability_zone", "port", "kms_key_id", "multi_az", "elastic_ip", "hsm_configuration_identifier",
        "hsm_client_certificate_identifier"),
}

REPLACE = "replace"
UPDATE = "update"
UNKNOWN = "update or replace"


def input_effect(type_: str, key: str) -> str:
    """What changing input `key` (a top-level Pulumi input name) of a `type_` resource does: REPLACE, UPDATE or
    UNKNOWN."""
    entry = REPLACEMENTS.get(type_)
    if entry is None or (key == REGION_INPUT and not type_.startswith("pulumi-python:dynamic")):
        return UNKNOWN
    if key in entry.replaces:
        return REPLACE
    return UPDATE if entry.complete else UNKNOWN
