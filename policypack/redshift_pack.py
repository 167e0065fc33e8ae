"""The pulumi-policy glue: one Policy per check of redshift_checks.py, with its id, description and config.

Thin on purpose: each validate function turns the SDK's arguments into plain data, calls a pure check and
reports what it returns. `__main__.py` serves these in a PolicyPack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pack_settings as settings
import redshift_checks as checks
import restore_checks as restores
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.errors import ConfigError

PACK_NAME = "redshift-backup"


def plain(value: Any) -> Any:
    """The SDK's unknown-checking proxies as plain dicts and lists, with `checks.UNKNOWN` where a value is unknown."""
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = checks.UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(checks.UNKNOWN)
        return items
    return value


Finding = tuple[str | None, str]  # (URN to attach it to, or None for the resource under validation; message)


def _run(check: Callable[[], list[Finding]], report: ReportViolation) -> None:
    """Report each finding; an unknown value becomes the SDK's own "can't run during preview" advisory."""
    try:
        found = check()
    except checks.Unknowable as exc:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, exc.path.split(".")) from None
    except ConfigError as exc:
        found = [(None, f"the policy pack's config is invalid, so this check cannot run: {exc}")]
    for urn, message in found:
        report(message, urn)


def _provider_props(provider: Any) -> dict[str, Any] | None:
    return plain(provider.props) if provider is not None else None


def _resource_policy(name: str, description: str, types: set[str],
                     check: Callable[[ResourceValidationArgs, Any], list[str]],
                     settings_model: type[Any] = settings.NoSettings,
                     schema: dict[str, dict[str, Any]] | None = None,
                     level: EnforcementLevel = EnforcementLevel.MANDATORY) -> ResourceValidationPolicy:
    """A resource policy over `types`: its config parsed by `settings_model`, then `check(args, config)`."""
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in types:
            return

        def run() -> list[Finding]:
            conf = settings.parse(settings_model, args.get_config(), name)
            return [(None, message) for message in check(args, conf)]

        _run(run, report)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level,
        config_schema=PolicyConfigSchema(schema) if schema else None)


def _stack_policy(name: str, description: str, types: set[str],
                  check: Callable[[list[checks.StackResource], Any], list[Finding]],
                  settings_model: type[Any], schema: dict[str, dict[str, Any]]) -> StackValidationPolicy:
    """A stack policy over the stack's resources of `types` (their outputs), config parsed by `settings_model`."""
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [checks.StackResource(
            urn=r.urn, type=r.resource_type, props=plain(r.props), provider_props=_provider_props(r.provider),
            property_dependencies={k: frozenset(d.urn for d in v) for k, v in r.property_dependencies.items()})
            for r in args.resources if r.resource_type in types]
        if resources:
            _run(lambda: check(resources, settings.parse(settings_model, args.get_config(), name)), report)

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(schema))


# --- the checks -------------------------------------------------------------------------------------------------


def _covered(args: ResourceValidationArgs, source: settings.PoliciesSource) -> list[str]:
    return checks.cluster_coverage_problems(args.resource_type, plain(args.props), settings.load_policies(source),
                                            _provider_props(args.provider))


def _retention(args: ResourceValidationArgs, conf: settings.RetentionSettings) -> list[str]:
    props = plain(args.props)
    return (checks.retention_problems(args.resource_type, props, conf.minimumDays)
            + restores.retention_problems(args.resource_type, props, conf.minimumDays))


def _share_accounts(args: ResourceValidationArgs, conf: settings.ShareAccountsSettings) -> list[str]:
    return restores.share_account_problems(args.resource_type, plain(args.props), conf.allowedAccounts)


def _props_only(*found: Callable[[str, Mapping[str, Any]], list[str]]) -> Callable[[ResourceValidationArgs, Any],
                                                                                   list[str]]:
    """A check of the resource's props alone: every function given, each judging the types it knows."""
    def check(args: ResourceValidationArgs, _conf: Any) -> list[str]:
        props = plain(args.props)
        return [message for problems in found for message in problems(args.resource_type, props)]
    return check


def _namespaces_covered(resources: list[checks.StackResource], source: settings.PoliciesSource) -> list[Finding]:
    stack = settings.load_policies(source)
    return [(res.urn, message) for res in resources
            for message in checks.namespace_coverage_problems(res.type, res.props, stack, res.provider_props)]


def _prod_vaults_locked(resources: list[checks.StackResource], conf: settings.ProdVaultSettings) -> list[Finding]:
    return [(urn, message) for urn, message in checks.prod_vault_lock_problems(resources, conf)]


POLICIES = [
    _resource_policy(
        "redshift-cluster-covered",
        "Every Redshift cluster is protected by one of the organization's redshift-backup policies.",
        {checks.CLUSTER}, _covered, settings.PoliciesSource, settings.SOURCE_SCHEMA),
    _stack_policy(
        "redshift-namespace-covered",
        "Every Redshift Serverless namespace is protected by one of the organization's redshift-backup policies.",
        {checks.NAMESPACE}, _namespaces_covered, settings.PoliciesSource, settings.SOURCE_SCHEMA),
    _resource_policy(
        "redshift-automated-snapshot-retention",
        "Redshift clusters (restored ones too) keep automated snapshots at least the organization's minimum number "
        "of days.",
        {checks.CLUSTER, restores.CLUSTER_RESTORE}, _retention, settings.RetentionSettings, settings.RETENTION_SCHEMA),
    _resource_policy(
        "redshift-cluster-encrypted", "Redshift clusters are encrypted at rest.",
        {checks.CLUSTER}, _props_only(checks.encryption_problems)),
    _resource_policy(
        "redshift-not-publicly-accessible",
        "Redshift clusters (restored ones too) and Serverless workgroups are not publicly accessible.",
        {checks.CLUSTER, checks.WORKGROUP, restores.CLUSTER_RESTORE},
        _props_only(checks.public_access_problems, restores.public_access_problems)),
    _resource_policy(
        "backup-plan-rule-lifecycle", "AWS Backup plan rules expire their recovery points (a lifecycle).",
        {checks.PLAN}, _props_only(checks.plan_lifecycle_problems)),
    _resource_policy(
        "backup-copy-action-lifecycle", "AWS Backup copy actions expire their copies (a lifecycle).",
        {checks.PLAN}, _props_only(checks.copy_lifecycle_problems)),
    # Advisory by default: a restore without kms_key_id is as encrypted as its snapshot, which the pack cannot
    # see; an organization that wants every restore to name its key makes it mandatory.
    _resource_policy(
        "redshift-restore-encrypted", "Clusters restored by redshift-backup name the KMS key that encrypts them.",
        {restores.CLUSTER_RESTORE}, _props_only(restores.encryption_problems), level=EnforcementLevel.ADVISORY),
    _resource_policy(
        "redshift-snapshot-share-accounts",
        "redshift-backup snapshot shares grant restore access only to the organization's allowed accounts.",
        {restores.SNAPSHOT_SHARE}, _share_accounts, settings.ShareAccountsSettings, settings.SHARE_ACCOUNTS_SCHEMA),
    _stack_policy(
        "backup-prod-vault-locked", "AWS Backup vaults marked prod (by name or tags) have a vault lock.",
        {checks.VAULT, checks.VAULT_LOCK}, _prod_vaults_locked, settings.ProdVaultSettings,
        settings.PROD_VAULT_SCHEMA),
]
