"""AWS's grammar and limits for BACKUP_POLICY documents ([SYNTAX], [INHERIT], [POLICIES]; see
`policies.organization` for the sources): every problem as (document path, message).

- [BACKUP-QUOTAS] AWS Backup Developer Guide, "AWS Backup quotas": 30 tags per resource selection in a
  cross-account backup policy; 300 backup plans per Region per account.
"""

from __future__ import annotations

import json
import re
from typing import Any

from policies.model_fields import REGION, RULE_NAME, TAG_KEY

ASSIGN, APPEND, REMOVE = "@@assign", "@@append", "@@remove"
CHILD_CONTROL = "@@operators_allowed_for_child_policies"
VALUE_OPERATORS = (ASSIGN, APPEND, REMOVE)
# [INHERIT] child control operator values: @@all, @@none, or value-setting operators.
CHILD_CONTROL_VALUES = ("@@all", "@@none", *VALUE_OPERATORS)
LOCKED = {CHILD_CONTROL: ["@@none"]}

# [SYNTAX] selections: the four condition operators.
CONDITION_KEYS = ("string_equals", "string_not_equals", "string_like", "string_not_like")
MAX_DOCUMENT_CHARACTERS = 10_000  # [POLICIES] backup policy maximum size
MAX_CONDITIONS_PER_SELECTION = 30  # [SYNTAX] selections: "Limited to 30 conditions for each selection"
MAX_PLANS_PER_ACCOUNT_REGION = 300  # [BACKUP-QUOTAS] backup plans per Region per account
PLAN_NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,200}$")  # AWS Backup BackupPlanName through the API

def document_text(document: dict[str, Any]) -> str:
    """The document as sent to AWS: compact (AWS counts whitespace sent through the API) with sorted keys."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


# --- the grammar ----------------------------------------------------------------------------------------------------

# Per node kind, the keys [SYNTAX] documents: "leaf" keys hold operators; "list" leaves take @@append/@@remove.
_PLAN_KEYS = {"rules": "rules", "regions": "list", "selections": "selections",
              "advanced_backup_settings": "opaque", "backup_plan_tags": "tags", "scan_settings": "opaque"}
_RULE_KEYS = {"schedule_expression": "leaf", "target_backup_vault_name": "leaf",
              "target_logically_air_gapped_backup_vault_arn": "leaf", "start_backup_window_minutes": "number",
              "complete_backup_window_minutes": "number", "enable_continuous_backup": "leaf",
              "lifecycle": "lifecycle", "copy_actions": "copies", "recovery_point_tags": "tags",
              "index_actions": "opaque", "scan_actions": "opaque"}
_LIFECYCLE_KEYS = {"move_to_cold_storage_after_days": "number", "delete_after_days": "number",
                   "opt_in_to_archive_for_supported_resources": "leaf"}
_TAG_SELECTION_KEYS = {"iam_role_arn": "leaf", "tag_key": "leaf", "tag_value": "list", "conditions": "conditions"}
_RESOURCE_SELECTION_KEYS = {"iam_role_arn": "leaf", "resource_types": "list", "not_resource_types": "list",
                            "conditions": "conditions"}


def parse_document(text: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """Parse a document as AWS does: duplicate keys are refused ([SYNTAX] "Duplicate key names will be rejected")."""
    problems: list[tuple[str, str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                problems.append(("", f"duplicate key {key!r}: AWS rejects duplicate key names"))
            seen.add(key)
        return dict(items)

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except ValueError as exc:
        return None, [("", f"is not JSON: {exc}")]
    if not isinstance(document, dict):
        return None, [("", "expected a JSON object")]
    return document, problems


def document_problems(document: dict[str, Any], *, complete: bool) -> list[tuple[str, str]]:
    """(document path, message) for everything AWS's grammar and limits refuse. `complete`: a plan that must work
    on its own (a policy attached with nothing above it), so every required element must be there ([SYNTAX])."""
    out: list[tuple[str, str]] = []
    size = len(document_text(document))
    if size > MAX_DOCUMENT_CHARACTERS:
        out.append(("", f"is {size} characters; a backup policy may have at most {MAX_DOCUMENT_CHARACTERS} "
                        "([POLICIES]): split the policy, or shorten rule and tag names"))
    if set(document) - {"plans", CHILD_CONTROL}:
        out.append(("", f"unknown top-level keys {sorted(set(document) - {'plans', CHILD_CONTROL})}; expected plans"))
    plans = document.get("plans")
    if not isinstance(plans, dict) or not _keys(plans):
        return [*out, ("plans", "expected an object with at least one plan")]
    out += _control("plans", plans)
    for name in _keys(plans):
        path = f"plans.{name}"
        if not PLAN_NAME.match(name):
            out.append((path, "a plan name has 1-200 letters, digits, '-', '_' or '.' (AWS Backup plan name)"))
        out += _node(path, plans[name], _PLAN_KEYS)
        plan = plans[name] if isinstance(plans[name], dict) else {}
        if complete:
            for key in ("rules", "regions", "selections"):
                if key not in plan:
                    out.append((path, f"has no {key}; [SYNTAX] requires rules, regions and selections"))
        for rule_name in _keys(plan.get("rules") or {}):
            rule_path = f"{path}.rules.{rule_name}"
            if not RULE_NAME.match(rule_name):
                out.append((rule_path, "a rule name has 1-50 letters, digits, '-', '_' or '.'"))
            rule = plan["rules"][rule_name]
            out += _node(rule_path, rule, _RULE_KEYS)
            if complete:
                for key in ("schedule_expression", "target_backup_vault_name"):
                    if key not in rule:
                        out.append((rule_path, f"has no {key} ([SYNTAX] rules: required)"))
        regions = plan.get("regions")
        if isinstance(regions, dict):
            for op in VALUE_OPERATORS:
                for region in regions.get(op) or []:
                    if not (isinstance(region, str) and REGION.match(region)):
                        out.append((f"{path}.regions", f"{region!r} is not a region code such as us-east-1"))
        out += _selections(f"{path}.selections", plan.get("selections"), complete)
    return out


def _keys(node: dict[str, Any]) -> list[str]:
    return [k for k in node if not k.startswith("@@")]


def _control(path: str, node: dict[str, Any]) -> list[tuple[str, str]]:
    value = node.get(CHILD_CONTROL)
    if value is None:
        return []
    if not isinstance(value, list) or not value or any(v not in CHILD_CONTROL_VALUES for v in value):
        return [(path, f"{CHILD_CONTROL} takes a list of {', '.join(CHILD_CONTROL_VALUES)} ([INHERIT])")]
    if len(value) > 1 and ({"@@all", "@@none"} & set(value)):
        return [(path, f"{CHILD_CONTROL}: @@all and @@none stand alone ([INHERIT])")]
    return []


def _node(path: str, node: Any, schema: dict[str, str]) -> list[tuple[str, str]]:
    if not isinstance(node, dict):
        return [(path, "expected an object")]
    out = _control(path, node)
    for op in VALUE_OPERATORS:
        if op in node:
            out.append((path, f"{op} sets values, not objects: put it on a setting below"))
    for key in _keys(node):
        kind = schema.get(key)
        child = f"{path}.{key}"
        if kind is None:
            out.append((child, f"unknown key; expected one of {', '.join(sorted(schema))} ([SYNTAX])"))
        elif kind in ("leaf", "number", "list"):
            out += _leaf(child, node[key], kind)
        elif kind == "lifecycle":
            out += _node(child, node[key], _LIFECYCLE_KEYS)
        elif kind == "tags":
            out += _tags(child, node[key])
        elif kind == "copies":
            for arn in _keys(node[key]) if isinstance(node[key], dict) else []:
                out += _node(f"{child}.{arn}", node[key][arn], {"target_backup_vault_arn": "leaf",
                                                                "lifecycle": "lifecycle"})
        elif kind == "rules":
            if not isinstance(node[key], dict):
                out.append((child, "expected an object of rules by name"))
            else:
                out += _control(child, node[key])
    return out


def _leaf(path: str, node: Any, kind: str) -> list[tuple[str, str]]:
    if not isinstance(node, dict):
        return [(path, "expected an object with an inheritance operator, e.g. {\"@@assign\": ...} ([INHERIT])")]
    out = _control(path, node)
    ops = [op for op in VALUE_OPERATORS if op in node]
    extra = [k for k in node if k not in (*VALUE_OPERATORS, CHILD_CONTROL)]
    if extra:
        out.append((path, f"unknown keys {extra} in a setting; expected inheritance operators"))
    if not ops and CHILD_CONTROL not in node:
        out.append((path, "has no value-setting operator"))
    for op in ops:
        value = node[op]
        if op in (APPEND, REMOVE) and kind != "list":
            out.append((path, f"{op} only applies to multi-valued settings (JSON arrays) ([INHERIT]); use @@assign"))
        if kind == "list" and not isinstance(value, list):
            out.append((path, f"{op}: expected a JSON array"))
        if kind == "number" and not (isinstance(value, str) and value.isdigit()):
            out.append((path, f"{op}: expected a whole number as a string, e.g. \"480\" ([SYNTAX] examples)"))
    if kind == "number" and path.endswith("start_backup_window_minutes") and str(node.get(ASSIGN, "60")).isdigit() \
            and int(str(node.get(ASSIGN, "60"))) < 60:
        out.append((path, "must be at least 60 minutes ([SYNTAX] rules)"))
    return out


def _tags(path: str, node: Any) -> list[tuple[str, str]]:
    if not isinstance(node, dict):
        return [(path, "expected an object of tags by id")]
    out = _control(path, node)
    for key in _keys(node):
        out += _node(f"{path}.{key}", node[key], {"tag_key": "leaf", "tag_value": "leaf"})
        tag = node[key] if isinstance(node[key], dict) else {}
        tag_key = (tag.get("tag_key") or {}).get(ASSIGN) if isinstance(tag.get("tag_key"), dict) else None
        if isinstance(tag_key, str) and not TAG_KEY.match(tag_key):
            out.append((f"{path}.{key}.tag_key", "a tag key has 1-128 characters and does not start with 'aws:'"))
    return out


def _selections(path: str, node: Any, complete: bool) -> list[tuple[str, str]]:
    if node is None:
        return []
    if not isinstance(node, dict):
        return [(path, "expected an object")]
    out = _control(path, node)
    kinds = _keys(node)
    for kind in kinds:
        if kind not in ("tags", "resources"):
            out.append((f"{path}.{kind}", "unknown key; expected tags or resources ([SYNTAX] selections)"))
            continue
        schema = _TAG_SELECTION_KEYS if kind == "tags" else _RESOURCE_SELECTION_KEYS
        for name in _keys(node[kind]) if isinstance(node[kind], dict) else []:
            where = f"{path}.{kind}.{name}"
            selection = node[kind][name]
            out += _node(where, selection, {k: ("opaque" if v == "conditions" else v) for k, v in schema.items()})
            if not isinstance(selection, dict):
                continue
            if complete:
                required = ("iam_role_arn", "tag_key", "tag_value") if kind == "tags" else (
                    "iam_role_arn", "resource_types")
                for key in required:
                    if key not in selection:
                        out.append((where, f"has no {key} ([SYNTAX] selections: required)"))
            out += _conditions(f"{where}.conditions", selection.get("conditions"))
    return out


def _conditions(path: str, node: Any) -> list[tuple[str, str]]:
    if node is None:
        return []
    if not isinstance(node, dict):
        return [(path, "expected an object")]
    out = _control(path, node)
    count = 0
    for op in _keys(node):
        if op not in CONDITION_KEYS:
            out.append((f"{path}.{op}", "expected string_equals, string_not_equals, string_like or string_not_like"))
            continue
        for name in _keys(node[op]) if isinstance(node[op], dict) else []:
            count += 1
            out += _node(f"{path}.{op}.{name}", node[op][name], {"condition_key": "leaf", "condition_value": "leaf"})
    if count > MAX_CONDITIONS_PER_SELECTION:
        out.append((path, f"{count} conditions; a selection may have at most {MAX_CONDITIONS_PER_SELECTION} "
                          "([SYNTAX] selections; [BACKUP-QUOTAS])"))
    return out


