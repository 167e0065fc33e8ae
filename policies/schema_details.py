"""What the JSON Schema says beyond pydantic's own: each property's description (the policy reference, with its
default), the patterns, bounds and enums the validators check, and digit strings wherever a whole number goes
(Pulumi stores `pulumi config set --type string` numbers as strings, and the tool reads them).

Only rules a schema can express on one value are here; everything across keys stays with `check`.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable
from functools import cache
from typing import Any

from policies import model_fields, notifications, restore_cluster, restore_fields, restore_table, snapshot_share
from policies.backup_layer import MAX_WINDOW_MINUTES
from policies.base import StrictModel
from policies.model_fields import MAX_DELETE_AFTER_DAYS
from policies.reference import REFERENCE
from policies.regions import all_regions

DIGITS = {"type": "string", "pattern": "^-?[0-9]+$", "description": "A whole number written as digits."}

ACCOUNT = r"^[0-9]{12}$"
# (model, key) -> what to add to the key's (non-null) schema.
_EXTRA: dict[tuple[str, str], dict[str, Any]] = {
    ("Policy", "name"): {"pattern": model_fields.POLICY_NAME.pattern},
    ("BackupRule", "name"): {"pattern": model_fields.RULE_NAME.pattern},
    ("BackupRule", "start_window_minutes"): {"minimum": 60, "maximum": MAX_WINDOW_MINUTES},
    ("BackupRule", "completion_window_minutes"): {"minimum": 120, "maximum": MAX_WINDOW_MINUTES},
    ("Vault", "name"): {"pattern": model_fields.VAULT_NAME.pattern},
    ("VaultLock", "changeable_for_days"): {"minimum": 3, "maximum": MAX_DELETE_AFTER_DAYS},
    ("CopyAction", "destination_account_id"): {"pattern": ACCOUNT},
    ("CopyAction", "destination_region"): {"enum": "regions"},
    ("CopyAction", "destination_vault_arn"): {"pattern": model_fields.VAULT_ARN.pattern},
    ("CrossRegionCopy", "destination_region"): {"enum": "regions"},
    ("CrossRegionCopy", "kms_key_id"): {"pattern": model_fields.KMS_KEY_ARN.pattern},
    ("BackupLayer", "iam_role_arn"): {"pattern": model_fields.IAM_ROLE_ARN.pattern},
    ("Notifications", "sns_topic_arn"): {"pattern": model_fields.SNS_TOPIC_ARN.pattern},
    ("TagCondition", "key"): {"pattern": model_fields.TAG_KEY.pattern},
    ("ClusterRestoreSpec", "region"): {"enum": "regions"},
    ("TableRestoreSpec", "region"): {"enum": "regions"},
    ("SnapshotShareSpec", "region"): {"enum": "regions"},
    ("ClusterRestoreSpec", "iam_roles"): {"maxItems": restore_fields.MAX_IAM_ROLES},
    ("ClusterRestoreSource", "owner_account"): {"pattern": ACCOUNT},
}
# Items of list keys.
_ITEMS: dict[tuple[str, str], dict[str, Any]] = {
    ("Notifications", "backup_vault_events"): {"enum": list(notifications.BackupVaultEvent.__args__)},  # type: ignore[attr-defined]
    ("Notifications", "emails"): {"pattern": model_fields.EMAIL.pattern},
    ("BackupLayer", "restore_pass_role_arns"): {"pattern": model_fields.IAM_ROLE_ARN.pattern},
    # AuthorizeSnapshotAccess also takes amazon-redshift-support (AWS Support), which the restore crash-safety
    # work accepts: the schema says so already, so that it never refuses what check accepts.
    ("SnapshotShareSpec", "accounts_with_restore_access"): {"pattern": r"^([0-9]{12}|amazon-redshift-support)$"},
}


def describe(defs: dict[str, Any], root: dict[str, Any]) -> None:
    """Add descriptions, patterns, bounds, enums and digit strings to pydantic's schema of the models, in place."""
    docs: dict[str, dict[str, tuple[str, str] | str]] = {name: dict(entries) for name, entries in REFERENCE.items()}
    for name, model in _documented_models().items():
        # A model that extends a documented one (OrgPolicy extends Policy) keeps its parent's texts.
        for parent in reversed(model.__mro__[1:]):
            docs.setdefault(name, {}).update(docs.get(parent.__name__, {}))
        docs.setdefault(name, {}).update(_attribute_docs(model))
    for name, schema in [*defs.items(), ("StackConfig", root)]:
        for key, prop in schema.get("properties", {}).items():
            entry = docs.get(name, {}).get(key)
            if isinstance(entry, tuple):
                default, meaning = entry
                unit = _unit(key)
                tail = "Required." if default == "required" else f"Default: {default}{unit}."
                meaning = meaning if not unit or unit.strip() in meaning else f"{meaning} In{unit}."
                prop["description"] = f"{meaning} {tail}"
            elif isinstance(entry, str):
                prop["description"] = entry
            extra = _EXTRA.get((name, key))
            if extra:
                _on_value(prop, functools.partial(_add, _resolve(extra)))
            items = _ITEMS.get((name, key))
            if items:
                _on_value(prop, functools.partial(_add_to_items, _resolve(items)))
            _on_value(prop, _digits)


def _add(extra: dict[str, Any], schema: dict[str, Any]) -> None:
    schema.update(extra)


def _add_to_items(extra: dict[str, Any], schema: dict[str, Any]) -> None:
    schema.setdefault("items", {}).update(extra)


def _unit(key: str) -> str:
    """` days` for `delete_after_days`: the unit a key's name carries (keys are named with their units)."""
    for unit in ("minutes", "days", "hours"):
        if key.endswith(unit):
            return f" {unit}"
    return ""


def _resolve(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: (all_regions() if v == "regions" else v) for k, v in extra.items()}


def _on_value(prop: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> None:
    """Apply `change` to the schema of the value (every non-null branch of an Optional)."""
    branches = prop.get("anyOf")
    if isinstance(branches, list):
        for branch in branches:
            if branch.get("type") != "null" and "$ref" not in branch:
                change(branch)
    elif "$ref" not in prop:
        change(prop)


def _digits(schema: dict[str, Any]) -> None:
    """A whole number may also be written as digits: `{"anyOf": [integer..., digits]}`, in place."""
    if schema.get("type") == "integer":
        number = {k: schema.pop(k) for k in list(schema) if k in ("type", "minimum", "maximum")}
        schema["anyOf"] = [number, DIGITS]
    elif schema.get("type") == "array" and schema.get("items", {}).get("type") == "integer":
        _digits(schema["items"])


def _documented_models() -> dict[str, type[StrictModel]]:
    """The models that document their keys in their source (not in the README's tables)."""
    from policies import audit, organization

    return {m.__name__: m for m in (restore_cluster.ClusterRestoreSource, restore_cluster.ClusterRestoreSpec,
                                    restore_table.TableRestoreSpec, snapshot_share.SnapshotShareSpec, audit.Audit,
                                    audit.AuditReports, audit.ScopeTag, organization.OrganizationConfig,
                                    organization.OrgTarget, organization.PolicyOverride, organization.RuleOverride,
                                    organization.OrgPolicy)}


@cache
def _attribute_docs(model: type[StrictModel]) -> dict[str, str]:
    """Each field's text, from the class's source: the docstring under it (a string literal right after
    `x: int = 1`) or else the comment block right above it."""
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):  # pragma: no cover - no source (a frozen install)
        return {}
    tree = ast.parse(source)
    lines = source.splitlines()
    out: dict[str, str] = {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    for node, after in zip(body, [*body[1:], None], strict=True):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            out[node.target.id] = " ".join(after.value.value.split())
            continue
        comment: list[str] = []
        row = node.lineno - 2  # the line above the field (lineno is 1-based)
        while row >= 0 and lines[row].strip().startswith("#"):
            comment.insert(0, lines[row].strip().lstrip("#").strip())
            row -= 1
        if comment:
            out[node.target.id] = " ".join(" ".join(comment).split())
    return out
