"""The JSON Schema helps an editor: descriptions from the reference, patterns, bounds, enums, digit strings; and
it agrees with `check` on every structural rule it can express."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from policies.errors import ConfigError
from policies.reference import REFERENCE
from policies.schema import config_schema
from policies.stack_file import split_stack_config
from policies.validation import validate_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted({*ROOT.glob("Pulumi.*.yaml"), *ROOT.glob("tests/**/Pulumi.*.yaml")} - {ROOT / "Pulumi.yaml"})
VALIDATOR = jsonschema.Draft202012Validator(config_schema())

README_MODELS = {"Policy": "Policy", "`selection`": "Selection", "`backup` (AWS Backup)": "BackupLayer",
                 "Rule": "BackupRule", "Copy action": "CopyAction", "`vault`": "Vault",
                 "`snapshots` (Redshift's own snapshots)": "SnapshotLayer", "`notifications`": "Notifications"}


def readme_tables() -> dict[str, dict[str, tuple[str, str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Policy reference"):text.index("## Components")]
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"^#{3,5} (.*)$", line)
        if heading:
            current = README_MODELS.get(heading.group(1))
        elif line.startswith("| `") and current:
            cells = [c.strip() for c in line.strip()[2:-2].split(" | ")]
            for key in re.findall(r"`([a-z_]+)`", cells[0]):
                tables.setdefault(current, {})[key] = (cells[1], cells[2])
    return tables


def test_the_reference_data_is_the_readme_tables() -> None:
    tables = readme_tables()
    assert set(tables) == set(README_MODELS.values())
    for model, rows in tables.items():
        assert REFERENCE[model] == rows, model


def test_every_property_has_a_description_with_its_default() -> None:
    schema = config_schema()
    for name, definition in schema["$defs"].items():
        for key, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{key}"
    rule = schema["$defs"]["BackupRule"]["properties"]
    assert rule["delete_after_days"]["description"].endswith("Default: `35` days.")
    assert "minutes" in rule["start_window_minutes"]["description"]


def test_patterns_bounds_and_enums_are_in_the_schema() -> None:
    defs = config_schema()["$defs"]
    assert defs["Policy"]["properties"]["name"]["pattern"]
    window = defs["BackupRule"]["properties"]["start_window_minutes"]["anyOf"][0]
    assert (window["minimum"], window["maximum"]) == (60, 52_560_000)
    regions = defs["CopyAction"]["properties"]["destination_region"]["anyOf"][0]["enum"]
    assert "us-east-1" in regions and "cn-north-1" in regions
    assert "BACKUP_JOB_COMPLETED" in defs["Notifications"]["properties"]["backup_vault_events"]["items"]["enum"]


def document(policy: dict[str, Any] | None = None, **config: Any) -> dict[str, Any]:
    policy = policy or {"name": "analytics", "selection": {"clusters": ["analytics"]},
                        "backup": {"rules": [{"name": "daily"}]}}
    return {"config": {"aws:region": "us-east-1", "redshift-backup:policies": [policy], **config}}


def check_verdict(doc: dict[str, Any]) -> bool:
    ours, region, problems = split_stack_config(doc["config"])
    try:
        validate_config(ours, region)
    except ConfigError:
        return False
    return not problems


def schema_verdict(doc: dict[str, Any]) -> bool:
    return not list(VALIDATOR.iter_errors(doc))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_stack_is_valid_for_both(path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert check_verdict(doc) and schema_verdict(doc)


def rule_with(**keys: Any) -> dict[str, Any]:
    return {"name": "analytics", "selection": {"clusters": ["analytics"]},
            "backup": {"rules": [{"name": "daily", **keys}]}}


# Structural rules the schema can express: each one broken once; both must refuse it.
INVALID = {
    "unknown key": rule_with(delete_after_dayz=3),
    "number below its minimum": rule_with(delete_after_days=0),
    "number above its maximum": rule_with(delete_after_days=36501),
    "start window below 60": rule_with(start_window_minutes=30),
    "a boolean for a number": rule_with(delete_after_days=True),
    "text for a number": rule_with(delete_after_days="soon"),
    "policy name pattern": {**rule_with(), "name": "Analytics"},
    "rule name pattern": rule_with(name="daily rule!"),
    "a region that does not exist": rule_with(copy_actions=[{"destination_region": "us-east-9"}]),
    "an account id that is not 12 digits": rule_with(copy_actions=[{"destination_account_id": "1234"}]),
    "a deprecated vault event": {**rule_with(), "notifications": {"backup_vault_events": ["BACKUP_JOB_FAILED"]}},
    "an unknown lock mode": {**rule_with(), "backup": {"rules": [{"name": "daily"}],
                                                        "vault": {"lock": {"mode": "strict", "min_retention_days": 1,
                                                                           "max_retention_days": 2}}}},
    "a missing selection": {"name": "analytics", "backup": {"rules": [{"name": "daily"}]}},
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_both_refuse_what_the_schema_can_express(case: str) -> None:
    doc = document(copy.deepcopy(INVALID[case]))
    assert not check_verdict(doc), case
    assert not schema_verdict(doc), case


def test_both_accept_digit_strings_where_numbers_go() -> None:
    doc = document(rule_with(delete_after_days="35", start_window_minutes="120"))
    assert check_verdict(doc) and schema_verdict(doc)


def test_an_unknown_region_as_the_stack_region_is_refused_by_both() -> None:
    doc = document()
    doc["config"]["aws:region"] = "us-east-9"
    assert not check_verdict(doc) and not schema_verdict(doc)
