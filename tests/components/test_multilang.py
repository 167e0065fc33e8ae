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


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def on_the_wire(value: Any, prop: dict[str, Any], schema: dict[str, Any]) -> Any:
    """`value` as another language's SDK sends it for the schema property `prop`: object keys in camelCase (map
    keys such as tags as they are), numbers as floats."""
    if "$ref" in prop:
        fields = schema["types"][prop["$ref"].removeprefix("#/types/")]["properties"]
        return {camel(k): on_the_wire(v, fields[camel(k)], schema) for k, v in value.items()}
    if prop.get("type") == "array":
        return [on_the_wire(v, prop["items"], schema) for v in value]
    if prop.get("type") == "object":
        return {k: on_the_wire(v, prop["additionalProperties"], schema) for k, v in value.items()}
    return as_other_languages_send_it(value)


def test_schema_has_the_component_with_its_inputs_and_outputs() -> None:
    schema = json.loads(ComponentProvider([RedshiftBackup], "redshift-backup").schema)
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True
    assert resource["inputProperties"]["policy"]["$ref"] == "#/types/redshift-backup:index:Policy"
    assert resource["inputProperties"]["region"]["type"] == "string"
    assert sorted(resource["requiredInputs"]) == ["policy", "region"]
    assert set(resource["properties"]) == {"vaultArn", "planId", "roleArn", "topicArn", "snapshotScheduleArn"}


def test_construct_builds_both_layers_from_float_numbers() -> None:
    provider = ComponentProvider([RedshiftBackup], "redshift-backup")
    schema = json.loads(provider.schema)
    policy_prop = schema["resources"][TOKEN]["inputProperties"]["policy"]
    inputs = {"policy": on_the_wire(prod_policy(), policy_prop, schema), "region": "us-east-1"}
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


def package_schema() -> dict[str, Any]:
    from provider.__main__ import COMPONENTS

    return dict(json.loads(ComponentProvider(COMPONENTS, "redshift-backup").schema))


def test_every_input_is_typed_and_every_model_key_is_in_the_schema() -> None:
    from policies.models import Policy
    from policies.restores import ClusterRestoreSpec, SnapshotShareSpec, TableRestoreSpec

    schema = package_schema()
    assert "pulumi.json#/Any" not in json.dumps(schema)
    types = schema["types"]
    assert set(types["redshift-backup:index:Policy"]["properties"]) == {camel(k) for k in Policy.model_fields}
    for token, model in (("ClusterRestore", ClusterRestoreSpec), ("TableRestore", TableRestoreSpec),
                         ("SnapshotShare", SnapshotShareSpec)):
        resource = schema["resources"][f"redshift-backup:index:{token}"]
        assert resource["isComponent"] is True
        assert set(resource["inputProperties"]) == {camel(k) for k in model.model_fields if k not in ("name", "kind")}
    source = types["redshift-backup:index:ClusterRestoreSource"]["properties"]
    assert source["snapshotIdentifier"]["type"] == "string"
    cluster = schema["resources"]["redshift-backup:index:ClusterRestore"]
    assert cluster["inputProperties"]["numberOfNodes"]["type"] == "integer"
    assert sorted(cluster["requiredInputs"]) == ["source"]


def test_a_cluster_restore_from_another_language_is_the_dynamic_resource_python_stacks_use() -> None:
    from provider.__main__ import COMPONENTS

    provider = ComponentProvider(COMPONENTS, "redshift-backup")
    schema = json.loads(provider.schema)
    token = "redshift-backup:index:ClusterRestore"
    props = schema["resources"][token]["inputProperties"]
    args = {"source": {"snapshot_identifier": "nightly"}, "number_of_nodes": 2, "tags": {"team_name": "data"}}
    inputs = {camel(k): on_the_wire(v, props[camel(k)], schema) for k, v in args.items()}
    run = run_program({"aws:region": "us-east-1"}, preview=True,
                      program=lambda: provider.construct("drill", token, inputs))
    # The child has the component's name: it is the default cluster identifier, as in a Python stack.
    [top] = [r for r in run.registrations if r.type == token]
    child = [r for r in run.registrations if r.parent == top.urn]
    assert [(r.type, r.name) for r in child] == [("pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore", "drill")]
    assert child[0].inputs["cluster_identifier"] == "drill"
    assert child[0].inputs["number_of_nodes"] == 2
    assert child[0].inputs["tags"] == {"team_name": "data"}
    assert child[0].inputs["source"] == {"snapshot_identifier": "nightly"}


def test_a_bad_restore_from_another_language_is_refused_with_its_paths() -> None:
    from components.multilang_restores import SnapshotShare
    from policies.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        SnapshotShare("share", {"snapshot_identifier": "nightly", "accounts_with_restore_access": ["12"]})
    assert [p.path for p in caught.value.problems] == ["accounts_with_restore_access[0]"]
