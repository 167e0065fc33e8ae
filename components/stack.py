"""Wiring from a stack's config to components: read `redshift-backup:*`, validate, build, export coverage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import Credentials
from components.backup_policy import RedshiftBackupPolicy
from components.discovery import discover_tagged_clusters
from components.notifications import BackupNotifications
from components.providers import config_keys, region_provider, stack_aws_setting_problems, stack_credentials
from components.restore import build_restore
from components.snapshot_policy import RedshiftSnapshotPolicy
from components.vault import configured_region
from policies import backup_plan
from policies.errors import ConfigError
from policies.models import StackConfig, stack_account
from policies.summary import StackSummary, summarize
from policies.validation import NAMESPACE, Stack, discovered_native_problems, validate_config

# Stack outputs must not change from one preview to the next on their own, or every `pulumi preview` would show
# a diff. The RPO depends on the week it is measured over (a monthly rule's gap is 28-31 days), so the outputs
# measure it over one fixed reference week (Monday 2026-01-05, UTC); `redshift-backup plan` uses the real "now".
REFERENCE_WEEK = datetime(2026, 1, 5, tzinfo=UTC)


def read_stack_config() -> tuple[dict[str, Any], str | None]:
    """Our namespace of the stack config (prefix removed, values parsed) and the stack's region.

    Every `redshift-backup:` key is read, not only the known ones, so that a misspelt key (say
    `redshift-backup:policy`) is reported as unknown instead of being silently ignored. A key the stack holds as
    a Pulumi secret (one `{secure: ...}` leaf makes the whole key secret) is handed to validation as a secret, so
    that `pulumi up` refuses it as `redshift-backup check` does, instead of accepting what `check` rejects.
    """
    config = pulumi.Config(NAMESPACE)
    keys = set(StackConfig.model_fields) | set(config_keys(NAMESPACE))
    raw: dict[str, Any] = {}
    for key in sorted(keys):
        value = config.get(key)
        if value is None:
            continue
        if pulumi.runtime.config.is_config_secret(f"{NAMESPACE}:{key}"):
            raw[key] = {"secure": "(decrypted by Pulumi; not read)"}
            continue
        try:
            raw[key] = json.loads(value)
        except json.JSONDecodeError:
            raw[key] = value  # a plain string: validation says what was expected instead
    return raw, configured_region()


def load_stack() -> Stack:
    """Validate the running stack's config; raises ConfigError (every problem) before anything is registered."""
    raw, region = read_stack_config()
    # The aws:* settings are refused here as `redshift-backup check` refuses them, with the config's problems.
    settings = stack_aws_setting_problems()
    try:
        stack = validate_config(raw, region, source=f"stack {pulumi.get_stack()}", name=pulumi.get_stack())
    except ConfigError as exc:
        raise ConfigError([*settings, *exc.problems], exc.source) from None
    ConfigError.collect(settings, stack.source)
    return stack


def discover_clusters(stack: Stack, credentials: Credentials) -> dict[int, list[str]]:
    """Tag discovery for every policy whose native layer asks for it: policy index -> cluster identifiers."""
    return {i: discover_tagged_clusters(policy.selection.conditions, stack.region, credentials)
            for i, policy in enumerate(stack.policies)
            if policy.snapshots and policy.selection.discover_tagged_clusters and policy.selection.conditions}


def build_stack(stack: Stack) -> None:
    """Create every policy's components and every declared restore, then export the protection summary."""
    credentials = stack_credentials()
    # Discovery first, and the one-owner rule of native settings over what it found, before anything is
    # registered: validation could only see the named clusters.
    discovered = discover_clusters(stack, credentials)
    discovered_native_problems(stack.policies, discovered, stack.source)
    # One explicit provider per copy region, shared by every policy and both layers: each is a plugin process.
    copy_regions = {r for p in stack.policies if p.backup for r in backup_plan.destination_regions(p)}
    copy_regions |= {p.snapshots.cross_region_copy.destination_region for p in stack.policies
                     if p.snapshots and p.snapshots.cross_region_copy and p.snapshots.cross_region_copy.kms_key_id}
    providers = {region: region_provider(f"aws-{region}", region) for region in sorted(copy_regions)}
    # One getCallerIdentity for the whole stack, not one per component.
    account = aws.get_caller_identity_output().account_id if stack.policies else None
    # The account the config's ARNs name, as `check` and `plan` judge the audit frameworks with it.
    known_account = stack_account(stack.policies)
    for i, policy in enumerate(stack.policies):
        notifications = (BackupNotifications(f"{policy.name}-notifications", policy=policy, account_id=account)
                         if policy.notifications else None)
        if policy.backup:
            RedshiftBackupPolicy(policy.name, policy=policy, region=stack.region, notifications=notifications,
                                 destination_providers=providers, account_id=account, credentials=credentials,
                                 stack_account=known_account)
        if policy.snapshots:
            RedshiftSnapshotPolicy(f"{policy.name}-snapshots", policy=policy, region=stack.region,
                                   topic_arn=notifications.topic_arn if notifications else None,
                                   destination_providers=providers, credentials=credentials,
                                   discovered_clusters=discovered.get(i, []))
    for restore in stack.restores:
        build_restore(restore, credentials=credentials)
    if stack.organization is not None:
        from components.organization import RedshiftBackupOrganization
        from policies.org_effective import protection_rows, target_views

        RedshiftBackupOrganization("organization", stack.organization, stack.region, credentials=credentials)
        # A row per target: what its accounts get, so coverage changes show in `pulumi preview` diffs.
        pulumi.export("organization", {row.pop("target"): row for row in protection_rows(
            target_views(stack.organization, stack.region, REFERENCE_WEEK))})
    pulumi.export("protection", protection_outputs(summarize(stack, REFERENCE_WEEK)))


def protection_outputs(summary: StackSummary) -> dict[str, Any]:
    """Per protected target (cluster, tag selector, namespace): what covers it, so coverage changes show in diffs."""
    out: dict[str, Any] = {}
    for row in summary.matrix:
        out[row.target.label] = {
            "policies": list(row.policies),
            "layers": list(row.layers),
            "rpo_hours": round(row.rpo.total_seconds() / 3600, 2) if row.rpo else None,
            "longest_retention_days": row.longest_retention_days,
            "copy_regions": list(row.copy_regions),
            "copy_accounts": list(row.copy_accounts),
            "vault_locks": list(row.vault_locks),
        }
    return out
