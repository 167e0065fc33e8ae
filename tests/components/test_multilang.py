"""`RedshiftBackup` through the component provider: the inferred schema, and `construct` as the engine calls it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.provider.experimental.component import ComponentProvider

from components.multilang import RedshiftBackup
from redshift_backup.mockrun import run_program
from tests.components.test_program_validation import run_expecting_error

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "redshift-backup:index:RedshiftBackup"


def prod_policy() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    policy: dict[str, Any] = config["redshift-backup:policies"][0]
    return policy


def as_other_languages_send_it(value: Any) -> Any:
    """Numbers arrive as floats from other languages (JSON numbers in the gRPC struct)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: as_other_languages_send_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_other_languages_send_it(v) for v in value]
    return value


def test_schema_has_the_component_with_its_inputs_and_outputs() -> None:
    schema = json.loads(ComponentProvider([RedshiftBackup], "redshift-backup").schema)
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True
    assert resource["inputProperties"]["policy"]["$ref"] == "pulumi.json#/Any"
    assert resource["inputProperties"]["region"]["type"] == "string"
    assert sorted(resource["requiredInputs"]) == ["policy", "region"]
    assert set(resource["properties"]) == {"vaultArn", "planId", "roleArn", "topicArn", "snapshotScheduleArn"}


def test_construct_builds_both_layers_from_float_numbers() -> None:
    provider = ComponentProvider([RedshiftBackup], "redshift-backup")
    inputs = {"policy": as_other_languages_send_it(prod_policy()), "region": "us-east-1"}
    run = run_program({"aws:region": "us-east-1"}, preview=True,
                      program=lambda: provider.construct("analytics", TOKEN, inputs))
    top = run.named("analytics")
    assert top.type == TOKEN and top.parent is None
    children = {(r.type, r.name) for r in run.registrations if r.parent == top.urn}
    assert children == {
        ("redshift-backup:index:BackupNotifications", "analytics-notifications"),
        ("redshift-backup:index:RedshiftBackupPolicy", "analytics-backup"),
        ("redshift-backup:index:RedshiftSnapshotPolicy", "analytics-snapshots"),
    }
    rules = run.named("analytics-backup-plan").inputs["rules"]
    assert sorted((r["ruleName"], r["lifecycle"]["deleteAfter"]) for r in rules) == [
        ("daily", 35), ("monthly-7-year", 2555), ("weekly", 90)]


def test_an_invalid_policy_is_refused_with_every_problem_and_registers_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    policy = prod_policy()
    policy["backup"]["rules"][0]["start_window_minutes"] = 30.0
    policy["selection"]["clusters"][0] = "Analytics"
    error, registered = run_expecting_error(
        {"aws:region": "us-east-1"}, monkeypatch,
        program=lambda: RedshiftBackup("analytics", {"policy": policy, "region": "us-east-1"}))
    assert sorted(p.path for p in error.problems) == [
        "policy.backup.rules[0].start_window_minutes", "policy.selection.clusters[0]"]
    assert registered == []


def test_a_policy_holding_outputs_is_refused_before_anything_is_registered() -> None:
    import pulumi

    def program() -> None:
        policy = prod_policy()
        policy["selection"]["clusters"] = [pulumi.Output.from_input("analytics-prod")]
        RedshiftBackup("analytics", {"policy": policy, "region": "us-east-1"})

    with pytest.raises(TypeError, match="plain values, not outputs"):
        run_program({"aws:region": "us-east-1"}, preview=True, program=program)
