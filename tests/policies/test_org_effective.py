"""The effective-policy merge: every example of AWS's inheritance page and backup syntax page, and a brute-force
model of the documented rules (hypothesis) that the tree merge must agree with."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from policies.org_effective import ALL, allowed_set, merge

# --- [INHERIT] "Policy inheritance examples" (tag policies; the merge is the same for every management type) ------

POLICY_A = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"},
                                    "tag_value": {"@@assign": ["Development", "Support"]}}}}


def test_example_1_child_overwrites_tag_values() -> None:
    policy_b = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["Sandbox"]},
                                       "enforced_for": {"@@assign": ["redshift:*", "dynamodb:table"]}}}}
    effective = merge([[("A", POLICY_A)], [("B", policy_b)]])
    assert effective.document == {"tags": {"costcenter": {
        "tag_key": "CostCenter", "tag_value": ["Sandbox"], "enforced_for": ["redshift:*", "dynamodb:table"]}}}
    assert effective.sources["tags.costcenter.tag_value"] == ("B",)


POLICY_C = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@append": ["Marketing"]},
                                   "enforced_for": {"@@append": ["redshift:*", "dynamodb:table"]}}}}


def test_example_2_child_appends_values() -> None:
    effective = merge([[("A", POLICY_A)], [("C", POLICY_C)]])
    assert effective.document == {"tags": {"costcenter": {
        "tag_key": "CostCenter", "tag_value": ["Development", "Support", "Marketing"],
        "enforced_for": ["redshift:*", "dynamodb:table"]}}}
    assert effective.sources["tags.costcenter.tag_value"] == ("A", "C")


def test_example_3_account_removes_values() -> None:
    # Policy D as printed nests enforced_for inside tag_value; the text says it removes the enforced_for values of
    # policy C. Both readings give the documented effective policy: [Support] and no enforced_for (an emptied array
    # is left out).
    printed_d = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {
        "@@remove": ["Development", "Marketing"], "enforced_for": {"@@remove": ["redshift:*", "dynamodb:table"]}}}}}
    meant_d = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"},
                                       "tag_value": {"@@remove": ["Development", "Marketing"]},
                                       "enforced_for": {"@@remove": ["redshift:*", "dynamodb:table"]}}}}
    documented = {"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Support"]}}}
    assert merge([[("A", POLICY_A)], [("D", printed_d)]]).document == documented
    assert merge([[("A", POLICY_A)], [("C", POLICY_C)], [("D", meant_d)]]).document == documented


def test_example_4_restricted_child_changes() -> None:
    policy_e = {"tags": {"project": {
        "tag_key": {"@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "Project"},
        "tag_value": {"@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance", "Escalations"]}}}}
    policy_f = {"tags": {"project": {"tag_key": {"@@assign": "PROJECT"},
                                     "tag_value": {"@@append": ["Escalations - research"]}}}}
    effective = merge([[("E", policy_e)], [("F", policy_f)]])
    # AWS prints "project" for the key; the text says F "attempts to change the case treatment, but it can't", so
    # E's value stands.
    assert effective.document == {"tags": {"project": {
        "tag_key": "Project", "tag_value": ["Maintenance", "Escalations", "Escalations - research"]}}}
    assert [(i.path, i.operator, i.source) for i in effective.ignored] == [("tags.project.tag_key", "@@assign", "F")]


def test_example_5_same_level_child_controls_intersect() -> None:
    policy_g = {"tags": {"project": {"tag_value": {"@@operators_allowed_for_child_policies": ["@@append"],
                                                   "@@assign": ["Maintenance"]}}}}
    policy_h = {"tags": {"project": {"tag_value": {"@@operators_allowed_for_child_policies": ["@@append", "@@remove"]}}}}
    child = {"tags": {"project": {"tag_value": {"@@append": ["Research"], "@@remove": ["Maintenance"]}}}}
    effective = merge([[("G", policy_g), ("H", policy_h)], [("child", child)]])
    # "child policies can append values, but not remove values"
    assert effective.document == {"tags": {"project": {"tag_value": ["Maintenance", "Research"]}}}
    assert [i.operator for i in effective.ignored] == ["@@remove"]


def test_example_6_same_level_first_attached_wins() -> None:
    policy_j = {"tags": {"project": {"tag_key": {"@@assign": "PROJECT"}, "tag_value": {"@@append": ["Maintenance"]}}}}
    policy_k = {"tags": {"project": {"tag_key": {"@@assign": "project"}}}}
    effective = merge([[("J", policy_j), ("K", policy_k)]])
    # AWS prints " PROJECT" and a stray "Escalations" left over from example 4; the rule it states is that the
    # policy attached first defines the key.
    assert effective.document == {"tags": {"project": {"tag_key": "PROJECT", "tag_value": ["Maintenance"]}}}


# --- [SYNTAX] "Backup policy examples" -----------------------------------------------------------------------------

PARENT = {"plans": {"PII_Backup_Plan": {
    "regions": {"@@append": ["us-east-1", "ap-northeast-3", "eu-north-1"]},
    "rules": {"Hourly": {"schedule_expression": {"@@assign": "cron(0 0/1 ? * * *)"},
                         "start_backup_window_minutes": {"@@assign": "60"},
                         "target_backup_vault_name": {"@@assign": "FortKnox"},
                         "lifecycle": {"move_to_cold_storage_after_days": {"@@assign": "28"},
                                       "delete_after_days": {"@@assign": "180"}}}},
    "selections": {"tags": {"datatype": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/MyIamRole"},
                                         "tag_key": {"@@assign": "dataType"},
                                         "tag_value": {"@@assign": ["PII", "RED"]}}}}}}}
MONTHLY = {"plans": {"Monthly_Backup_Plan": {
    "regions": {"@@append": ["us-east-1", "eu-central-1"]},
    "rules": {"Monthly": {"schedule_expression": {"@@assign": "cron(0 5 1 * ? *)"},
                          "target_backup_vault_name": {"@@assign": "Default"}}},
    "selections": {"tags": {"MonthlyDatatype": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/R"},
                                                "tag_key": {"@@assign": "BackupType"},
                                                "tag_value": {"@@assign": ["MONTHLY", "RED"]}}}}}}}


def _lock_everything(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: v if k.startswith("@@") else _lock_everything(v) for k, v in node.items()}
        out["@@operators_allowed_for_child_policies"] = ["@@none"]
        return out
    return node


def test_backup_example_2_parent_and_child_plans_merge() -> None:
    effective = merge([[("parent", PARENT)], [("child", MONTHLY)]])
    assert sorted(effective.document["plans"]) == ["Monthly_Backup_Plan", "PII_Backup_Plan"]
    assert effective.document["plans"]["Monthly_Backup_Plan"]["regions"] == ["us-east-1", "eu-central-1"]
    assert effective.document["plans"]["PII_Backup_Plan"]["regions"] == ["us-east-1", "ap-northeast-3", "eu-north-1"]


def test_backup_example_3_none_at_every_node_ignores_any_child() -> None:
    locked = _lock_everything(PARENT)
    override = {"plans": {"PII_Backup_Plan": {"regions": {"@@assign": ["us-west-2"]},
                                              "rules": {"Hourly": {"lifecycle": {"delete_after_days": {"@@assign": "1"}}},
                                                        "Extra": {"schedule_expression": {"@@assign": "cron(0 1 * * ? *)"}}}}}}
    effective = merge([[("parent", locked)], [("child", override), ("monthly", MONTHLY)]])
    # "If any child backup policies exist, they are ignored and the parent policy becomes the effective policy."
    assert effective.document == merge([[("parent", PARENT)]]).document
    assert {i.path for i in effective.ignored} >= {"plans.Monthly_Backup_Plan", "plans.PII_Backup_Plan.regions",
                                                   "plans.PII_Backup_Plan.rules.Extra"}


def test_backup_example_4_append_at_plans_lets_children_add_plans_only() -> None:
    locked = _lock_everything(PARENT)
    locked["plans"]["@@operators_allowed_for_child_policies"] = ["@@append"]
    change = {"plans": {"PII_Backup_Plan": {"regions": {"@@assign": ["us-west-2"]}}}}
    effective = merge([[("parent", locked)], [("monthly", MONTHLY), ("change", change)]])
    assert sorted(effective.document["plans"]) == ["Monthly_Backup_Plan", "PII_Backup_Plan"]
    assert effective.document["plans"]["PII_Backup_Plan"]["regions"] == ["us-east-1", "ap-northeast-3", "eu-north-1"]


def test_backup_example_5_child_overrides_parent_settings() -> None:
    child = {"plans": {"PII_Backup_Plan": {
        "regions": {"@@assign": ["us-west-2", "eu-central-1"]},
        "rules": {"Hourly": {"schedule_expression": {"@@assign": "cron(0 0/2 ? * * *)"},
                             "start_backup_window_minutes": {"@@assign": "80"},
                             "target_backup_vault_name": {"@@assign": "Default"},
                             "lifecycle": {"move_to_cold_storage_after_days": {"@@assign": "30"},
                                           "delete_after_days": {"@@assign": "365"}}}}}}}
    effective = merge([[("parent", PARENT)], [("child", child)]])
    plan = effective.document["plans"]["PII_Backup_Plan"]
    assert plan["regions"] == ["us-west-2", "eu-central-1"]
    assert plan["rules"]["Hourly"] == {"schedule_expression": "cron(0 0/2 ? * * *)", "start_backup_window_minutes": "80",
                                       "target_backup_vault_name": "Default",
                                       "lifecycle": {"move_to_cold_storage_after_days": "30", "delete_after_days": "365"}}
    assert plan["selections"] == {"tags": {"datatype": {"iam_role_arn": "arn:aws:iam::$account:role/MyIamRole",
                                                        "tag_key": "dataType", "tag_value": ["PII", "RED"]}}}
    assert effective.sources["plans.PII_Backup_Plan.rules.Hourly.lifecycle.delete_after_days"] == ("child",)


def test_allowed_set() -> None:
    assert allowed_set(["@@all"]) == ALL
    assert allowed_set(["@@none"]) == frozenset()
    assert allowed_set(["@@append", "@@remove"]) == {"@@append", "@@remove"}


# --- brute force ---------------------------------------------------------------------------------------------------

Path = tuple[str, ...]


def _events(document: dict[str, Any], path: Path = ()) -> list[tuple[str, Path, Any]]:
    out: list[tuple[str, Path, Any]] = []
    for key, value in document.items():
        if key == "@@operators_allowed_for_child_policies":
            out.append(("control", path, value))
        elif key.startswith("@@"):
            out.append((key, path, value))
        else:
            out.append(("key", (*path, key), None))
            out += _events(value, (*path, key))
    return out


def brute_force(levels: list[list[tuple[str, dict[str, Any]]]]) -> dict[str, Any]:
    """The documented rules over flat paths, written independently of the tree merge."""
    exists: set[Path] = {()}
    values: dict[Path, Any] = {}
    set_by: dict[Path, tuple[int, str]] = {}
    allowed: dict[Path, set[str]] = {}
    all_ops = {"@@assign", "@@append", "@@remove"}
    for level, policies in enumerate(levels):
        controls: dict[Path, set[str]] = {}
        for label, document in policies:
            blocked: list[Path] = []
            for kind, path, value in _events(document):
                if any(path[:len(b)] == b for b in blocked):
                    continue
                if kind == "control":
                    ops = all_ops if "@@all" in value else set() if "@@none" in value else set(value) & all_ops
                    controls[path] = controls.get(path, set(all_ops)) & ops
                elif kind == "key":
                    if path not in exists:
                        if not allowed.get(path[:-1], all_ops) & {"@@assign", "@@append"}:
                            blocked.append(path)
                            continue
                        exists.add(path)
                elif kind in allowed.get(path, all_ops):
                    current = values.get(path)
                    if kind == "@@assign":
                        if path in set_by and set_by[path][0] == level and set_by[path][1] != label:
                            continue
                        values[path] = value
                        set_by[path] = (level, label)
                    elif kind == "@@append":
                        base = list(current) if isinstance(current, list) else []
                        values[path] = base + [v for v in value if v not in base]
                        set_by[path] = (level, label)
                    elif isinstance(current, list):
                        values[path] = [v for v in current if v not in value]
                        set_by[path] = (level, label)
        for path, ops in controls.items():
            allowed[path] = allowed.get(path, set(all_ops)) & ops
    out: dict[str, Any] = {}
    for path, value in values.items():
        if value == []:
            continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


KEYS = st.sampled_from(["a", "b", "c", "d"])
LEAVES = st.one_of(
    st.fixed_dictionaries({"@@assign": st.one_of(st.sampled_from(["x", "y"]), st.lists(st.sampled_from("pqr"),
                                                                                         max_size=3, unique=True))}),
    st.fixed_dictionaries({"@@append": st.lists(st.sampled_from("pqr"), min_size=1, max_size=3, unique=True)}),
    st.fixed_dictionaries({"@@remove": st.lists(st.sampled_from("pqr"), min_size=1, max_size=2, unique=True)}),
)
CONTROL = st.sampled_from([["@@none"], ["@@append"], ["@@assign"], ["@@remove"], ["@@all"], ["@@append", "@@remove"]])


def _with_control(node: dict[str, Any], control: list[str] | None) -> dict[str, Any]:
    if control is not None:
        node = {**node, "@@operators_allowed_for_child_policies": control}
    return node


LEAF = st.builds(_with_control, LEAVES, st.one_of(st.none(), CONTROL))
DOCS = st.recursive(LEAF, lambda inner: st.builds(_with_control, st.dictionaries(KEYS, inner, min_size=1, max_size=2),
                                                  st.one_of(st.none(), CONTROL)), max_leaves=6)
TOP = st.dictionaries(KEYS, DOCS, min_size=1, max_size=2)
LEVELS = st.lists(st.lists(TOP, min_size=1, max_size=2), min_size=1, max_size=3)


def _shape_ok(levels: list[list[dict[str, Any]]]) -> bool:
    """A path is a leaf in every document or an object in every document (as in any real policy type)."""
    kinds: dict[Path, str] = {}

    def walk(node: dict[str, Any], path: Path) -> bool:
        for key, value in node.items():
            if key.startswith("@@"):
                continue
            kind = "leaf" if any(k in value for k in ("@@assign", "@@append", "@@remove")) else "object"
            if kinds.setdefault((*path, key), kind) != kind:
                return False
            if kind == "object" and not walk(value, (*path, key)):
                return False
        return True

    return all(walk(doc, ()) for level in levels for doc in level)


def _strip_empty(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strip_empty(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v not in ({}, None)}
    return node


@settings(max_examples=500, deadline=None)
@given(LEVELS)
# A lock on an object stops lower levels from adding keys under it ([SYNTAX] examples 3 and 4).
@example([[{"a": {"b": {"@@assign": "x"}, "@@operators_allowed_for_child_policies": ["@@none"]}}],
          [{"a": {"c": {"@@assign": "y"}}}]])
def test_tree_merge_agrees_with_the_brute_force_model(levels: list[list[dict[str, Any]]]) -> None:
    assume(_shape_ok(levels))
    labelled = [[(f"p{i}{j}", copy.deepcopy(doc)) for j, doc in enumerate(level)] for i, level in enumerate(levels)]
    assert merge(labelled).document == _strip_empty(brute_force(labelled))


def test_brute_force_model_sees_a_lock() -> None:
    locked = {"a": {"@@assign": "x", "@@operators_allowed_for_child_policies": ["@@none"]}}
    assert brute_force([[("p", locked)], [("c", {"a": {"@@assign": "y"}})]]) == {"a": "x"}
