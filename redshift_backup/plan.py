"""The resource half of `plan`: run the real program under Pulumi's mock runtime and keep what a reviewer reads.

Pulumi is imported inside `resource_plan` only, so `check`, `schema` and `diff` start without it.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from redshift_backup.mockrun import ProgramRun, Registration

# pulumi.runtime.rpc.UNKNOWN and the secret signature: a preview leaves values unknown, secrets stay hidden.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
KNOWN_AFTER_APPLY = "(known after apply)"

# The inputs a reviewer cares about, per resource type; other inputs are left out of the plan (tags, policy
# documents and provider plumbing are noise in a PR comment). Dotted keys reach into nested inputs. The region is
# not an input here: every resource shows the region it is created in (`PlannedResource.region`).
REVIEW_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:backup/vault:Vault": ("name", "kmsKeyArn", "forceDestroy"),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
        "backupVaultName", "minRetentionDays", "maxRetentionDays", "changeableForDays"),
    "aws:backup/vaultPolicy:VaultPolicy": ("backupVaultName",),
    "aws:backup/vaultNotifications:VaultNotifications": ("backupVaultName", "backupVaultEvents"),
    "aws:backup/plan:Plan": ("name", "rules"),
    "aws:backup/selection:Selection": ("name", "resources", "notResources", "conditions", "selectionTags"),
    "aws:backup/reportPlan:ReportPlan": ("name", "reportSetting.reportTemplate", "reportDeliveryChannel.formats"),
    "aws:backup/regionSettings:RegionSettings": ("resourceTypeOptInPreference",),
    "aws:kms/key:Key": ("description", "enableKeyRotation", "deletionWindowInDays"),
    "aws:kms/alias:Alias": ("name",),
    "aws:iam/role:Role": ("name",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    "aws:iam/rolePolicy:RolePolicy": ("role",),
    "aws:sns/topic:Topic": ("name",),
    "aws:sns/topicPolicy:TopicPolicy": (),
    "aws:sns/topicSubscription:TopicSubscription": ("protocol", "endpoint"),
    "aws:redshift/snapshotSchedule:SnapshotSchedule": ("identifier", "definitions"),
    "aws:redshift/snapshotScheduleAssociation:SnapshotScheduleAssociation": (
        "clusterIdentifier", "scheduleIdentifier"),
    "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant": ("snapshotCopyGrantName", "kmsKeyId"),
    "aws:redshift/snapshotCopy:SnapshotCopy": ("clusterIdentifier", "destinationRegion", "retentionPeriod",
                                               "manualSnapshotRetentionPeriod", "snapshotCopyGrantName"),
    "aws:redshift/eventSubscription:EventSubscription": ("name", "sourceType", "sourceIds", "eventCategories",
                                                         "severity"),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:s3/bucketV2:BucketV2": ("bucket",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("blockPublicAcls", "blockPublicPolicy",
                                                               "ignorePublicAcls", "restrictPublicBuckets"),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration.status",),
    "aws:backup/framework:Framework": ("name", "controls"),
    "aws:backup/globalSettings:GlobalSettings": ("globalSettings",),
    "aws:cloudformation/stackSet:StackSet": ("name", "permissionModel", "callAs", "autoDeployment", "capabilities"),
    "aws:cloudformation/stackSetInstance:StackSetInstance": (
        "stackSetName", "stackSetInstanceRegion", "deploymentTargets", "callAs", "retainStack"),
    # The document itself is shown by plan's organization section, per target, as the effective plans.
    "aws:organizations/policy:Policy": ("name", "type"),
    "aws:organizations/policyAttachment:PolicyAttachment": ("policyId", "targetId"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": ("accountId", "servicePrincipal"),
    "pulumi:providers:aws": (),
}
# Dynamic-provider resources (restores, retention settings) carry their whole spec as inputs: show all plain
# inputs except the pickled provider (and the region, shown for every resource).
DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"
_HIDDEN_INPUTS = {"__provider", "region"}


@dataclass(frozen=True)
class ReviewInput:
    """One input as a reviewer reads it, never shortened: `text` on one line (the JSON value), `lines` for people
    (one list item, mapping entry or plan rule per line; a JSON document pretty-printed)."""

    key: str
    text: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PlannedResource:
    """One resource `pulumi up` would create, reduced to what a reviewer reads.

    `region` is where it is created: its own `region` input, else its explicit provider's region, else (for a
    component) the region of the AWS provider it passes to its children or its parent's, else the stack's.
    `depth` is its level in the resource tree (0 at the top).
    """

    type: str
    name: str
    parent: str | None
    protect: bool
    custom: bool
    inputs: tuple[ReviewInput, ...]
    region: str | None = None
    depth: int = 0


class ProgramFailed(Exception):
    """The program raised under the mock runtime; the message carries its error."""


def stack_file_config(path: Path) -> dict[str, Any]:
    """The raw `config:` map of a stack file (already validated by `load_stack_file`)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = document.get("config") or {}
    return dict(config)


def _is_unknown(value: Any) -> bool:
    """An unknown preview value: the wire sentinel, or the SDK's `pulumi.output.Unknown` after deserializing."""
    return value == UNKNOWN or (type(value).__name__ == "Unknown" and type(value).__module__ == "pulumi.output")


def value_text(value: Any) -> str:
    """An input value on one line, whole: unknowns and secrets named, lists joined, mappings as JSON."""
    if _is_unknown(value):
        text = KNOWN_AFTER_APPLY
    elif isinstance(value, str):
        text = value
    elif isinstance(value, Mapping) and SECRET_SIG in value:
        text = "[secret]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        text = ", ".join(value_text(v) for v in value)
    elif isinstance(value, (list, tuple, Mapping)):
        text = json.dumps(_plain(value), sort_keys=True, separators=(", ", ": "))
    else:
        text = str(value)
    return text


def value_lines(value: Any) -> tuple[str, ...]:
    """An input value for people, whole: one list item or mapping entry per line, a JSON document indented."""
    if isinstance(value, (list, tuple)) and value:
        return tuple(value_text(v) for v in value)
    if isinstance(value, Mapping) and value and SECRET_SIG not in value:
        return tuple(f"{k}: {value_text(v)}" for k, v in sorted(value.items()))
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            document = json.loads(value)
        except ValueError:
            return (value,)
        if isinstance(document, (dict, list)):
            return tuple(json.dumps(document, indent=2).splitlines())
    return (value_text(value),)


def _review_value(value: Any) -> tuple[str, tuple[str, ...]]:
    return value_text(value), value_lines(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return "[secret]"
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if _is_unknown(value):
        return KNOWN_AFTER_APPLY
    return value


def _lookup(inputs: Mapping[str, Any], dotted: str) -> Any:
    value: Any = inputs
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _plan_rules(rules: Any) -> tuple[str, tuple[str, ...]]:
    """AWS Backup plan rules, one short phrase each: `daily cron(0 5 * * ? *) kept 35d +1 copy`."""
    if not isinstance(rules, list):
        return _review_value(rules)
    out = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            out.append(value_text(rule))
            continue
        days = _lookup(rule, "lifecycle.deleteAfter")
        copies = rule.get("copyActions") or []
        text = f"{rule.get('ruleName')} {value_text(rule.get('schedule'))}"
        text += f" kept {value_text(days)}d" if days is not None else ""
        text += f" +{len(copies)} cop{'y' if len(copies) == 1 else 'ies'}" if copies else ""
        out.append(text)
    return "; ".join(out), tuple(out)


def review_inputs(type_: str, inputs: Mapping[str, Any]) -> tuple[ReviewInput, ...]:
    """The inputs of one registration a reviewer cares about, in table order."""
    if type_.startswith(DYNAMIC_TYPE_PREFIX):
        keys: tuple[str, ...] = tuple(sorted(k for k in inputs if k not in _HIDDEN_INPUTS))
    else:
        keys = REVIEW_INPUTS.get(type_, ())
    out = []
    for key in keys:
        value = _lookup(inputs, key)
        if value is None or value == [] or value == {}:
            continue
        text, lines = _FORMATTERS.get((type_, key), _review_value)(value)
        out.append(ReviewInput(key, text, lines))
    return tuple(out)


_OPERATORS = {"stringEquals": "=", "stringNotEquals": "!=", "stringLike": "like", "stringNotLike": "not like"}


def _conditions(value: Any) -> tuple[str, tuple[str, ...]]:
    """Selection conditions as `aws:ResourceTag/tier = 1 and aws:ResourceTag/backup != none`."""
    parts = []
    for block in value if isinstance(value, list) else [value]:
        if not isinstance(block, Mapping):
            return _review_value(value)
        # Map order is not kept on the wire: a fixed operator order keeps the plan the same from run to run.
        for op in sorted(block, key=lambda o: (list(_OPERATORS).index(o) if o in _OPERATORS else 9, o)):
            for item in block[op] or []:
                if isinstance(item, Mapping):
                    parts.append(f"{value_text(item.get('key'))} {_OPERATORS.get(op, op)} "
                                 f"{value_text(item.get('value'))}")
    text = " and ".join(parts)
    return (text, (text,)) if text else _review_value(value)


# Inputs whose raw shape is hard to read as is.
_FORMATTERS: dict[tuple[str, str], Callable[[Any], tuple[str, tuple[str, ...]]]] = {
    ("aws:backup/plan:Plan", "rules"): _plan_rules,
    ("aws:backup/selection:Selection", "conditions"): _conditions,
}


def run_for_review(config: Mapping[str, Any], stack: str = "dev", program: Callable[[], Any] | Path | None = None,
                   account: str | None = None) -> ProgramRun:
    """Run the program (default: this repo's `__main__.py`) in preview under the mock runtime.

    With `account` (an account id or the `<account>` placeholder), resources get ARNs in the shape AWS gives them
    and placeholders for what AWS assigns (`redshift_backup.assumptions.PlanMocks`); without, the test mocks'.
    """
    from redshift_backup import mockrun

    mocks = None
    if account is not None:
        from redshift_backup.assumptions import PlanMocks

        configured = config.get("aws:region")
        mocks = PlanMocks(region=configured if isinstance(configured, str) else "us-east-1", account_id=account)
    try:
        return mockrun.run_program(config, preview=True, stack=stack, stack_traces=False,
                                   program=program if program is not None else mockrun.PROGRAM, mocks=mocks)
    except Exception as exc:  # noqa: BLE001 (any program error is reported to the user, with its type)
        raise ProgramFailed(f"{type(exc).__name__}: {exc}") from exc


def resource_plan(config: Mapping[str, Any], stack: str = "dev",
                  program: Callable[[], Any] | Path | None = None,
                  account: str | None = None) -> tuple[PlannedResource, ...]:
    """What `run_for_review` registered, as a reviewer reads it (tree order, review inputs, regions)."""
    run = run_for_review(config, stack, program, account)
    ordered = tree_order(run.registrations)
    regions = resource_regions([r for r, _ in ordered], run.region)
    return tuple(
        PlannedResource(type=r.type, name=r.name, parent=r.parent_name, protect=r.protect, custom=r.custom,
                        inputs=review_inputs(r.type, r.inputs), region=regions[r.urn], depth=depth)
        for r, depth in ordered)


def tree_order(registrations: Sequence[Registration]) -> list[tuple[Registration, int]]:
    """Registrations with their depth, each parent before its children, siblings by name and type.

    Registration order depends on how the mock runtime's futures resolve; a tree order keeps the output the same
    from run to run.
    """
    by_urn = {r.urn: r for r in registrations}

    def chain(urn: str | None) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        while urn in by_urn:
            r = by_urn[urn]
            out.append((r.name, r.type))
            urn = r.parent
        return tuple(reversed(out))

    chains = {r.urn: chain(r.urn) for r in registrations}
    return [(r, len(chains[r.urn]) - 1) for r in sorted(registrations, key=lambda r: chains[r.urn])]


def resource_regions(registrations: Sequence[Registration], stack_region: str) -> dict[str, str]:
    """The region each registration (by URN, parents first) is created in; see `PlannedResource.region`."""
    provider_regions = {r.urn: r.inputs["region"] for r in registrations
                        if r.type.startswith("pulumi:providers:") and isinstance(r.inputs.get("region"), str)}

    def of_provider(reference: str | None) -> str | None:
        # A provider reference is `<urn>::<id>`.
        return provider_regions.get(reference.rpartition("::")[0]) if reference else None

    out: dict[str, str] = {}
    for r in registrations:
        own = r.inputs.get("region")
        inherited = out.get(r.parent or "", stack_region) if not r.custom else stack_region
        out[r.urn] = (own if isinstance(own, str) else None) or of_provider(r.provider) or (
            of_provider(r.providers.get("aws"))) or inherited
    return out


def close_event_loop_at_exit() -> None:
    """Close the mock runtime's event loops when the interpreter exits, before module teardown.

    Left open, a loop is collected during teardown and Python prints an ignorable "Exception ignored in
    BaseEventLoop.__del__" warning. The SDK makes more than one (`_sync_await` makes one per thread that needs
    one, and the mock monitor's executor threads do), so every loop still open is closed, found through `gc`:
    nothing else holds them all. Closing them right after the run would break a second run in the same process
    (tests run many), so it happens at exit.
    """

    def close() -> None:
        for loop in [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]:
            if not loop.is_closed() and not loop.is_running():
                loop.close()

    atexit.register(close)
