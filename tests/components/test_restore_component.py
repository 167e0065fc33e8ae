"""Restores under the mock runtime: `build_restore` from an example stack, and direct use with keyword args."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
import yaml

from components.restore import (
    ClusterRestoreProvider,
    RedshiftClusterRestore,
    RedshiftTableRestore,
    build_restore,
)
from policies.base import StrictModel
from policies.errors import ConfigError
from policies.restores import RestoreSpec, describe_restore
from redshift_backup import mockrun

FIXTURE = Path(__file__).parent / "fixtures" / "Pulumi.restores.yaml"
CLUSTER = "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore"
TABLE = "pulumi-python:dynamic/redshift-backup:RedshiftTableRestore"
SHARE = "pulumi-python:dynamic/redshift-backup:RedshiftSnapshotShare"


class _Root(StrictModel):
    restores: list[RestoreSpec]


def _config() -> dict[str, Any]:
    return yaml.safe_load(FIXTURE.read_text())["config"]  # type: ignore[no-any-return]


def _program() -> None:
    raw = pulumi.Config("redshift-backup").require_object("restores")
    for spec in _Root.model_validate({"restores": raw}).restores:
        build_restore(spec)


def test_the_example_stack_registers_one_resource_per_restore() -> None:
    run = mockrun.run_program(_config(), program=_program, stack="restores")
    # Registration order is up to the SDK's event loop, not the program.
    assert sorted((r.type, r.name) for r in run.registrations) == [
        (CLUSTER, "analytics-drill"), (SHARE, "share-nightly-with-test"), (TABLE, "orders-yesterday")]
    cluster = run.named("analytics-drill").inputs
    assert cluster["source"] == {"latest_snapshot_of": "analytics-prod"}
    assert cluster["cluster_identifier"] == "analytics-drill"
    assert cluster["number_of_nodes"] == 2 and cluster["final_snapshot_retention_days"] == 3
    assert cluster["ownership_tag_value"] == "redshift-backup/restores/analytics-drill"
    assert cluster["timeout_minutes"] == 75  # documented defaults travel with the inputs
    table = run.named("orders-yesterday").inputs
    assert table["source_schema_name"] == "public" and table["new_table_name"] == "orders_yesterday"
    share = run.named("share-nightly-with-test").inputs
    assert share["accounts_with_restore_access"] == ["210987654321"]


def test_the_serialized_provider_is_the_importable_class() -> None:
    run = mockrun.run_program(_config(), program=_program, stack="restores")
    serialized = run.named("analytics-drill").inputs["__provider"]
    provider = dill.loads(base64.b64decode(serialized))
    assert type(provider) is ClusterRestoreProvider
    # Pickled by reference: the class is named, not copied, so the host imports it from `components`.
    assert b"components.restore_cluster" in base64.b64decode(serialized)
    # Existing state names this module: the class stays defined here, not in a module its work was split into.
    assert type(provider).__module__ == "components.restore_cluster"


def test_the_example_stack_has_plan_lines() -> None:
    specs = _Root.model_validate({"restores": _config()["redshift-backup:restores"]}).restores
    assert describe_restore(specs[0])[0] == (
        "restore cluster analytics-drill from the latest snapshot of analytics-prod, node type ra3.xlplus x 2, "
        "final snapshot on delete kept 3 days")


def test_a_users_own_program_uses_keyword_args() -> None:
    def program() -> None:
        drill = RedshiftClusterRestore("drill", source={"snapshot_identifier": "nightly"},
                                       cluster_identifier="my-drill", port=5439,
                                       opts=pulumi.ResourceOptions(protect=True))
        RedshiftTableRestore("orders", cluster_identifier="analytics-prod", source_database_name="dev",
                             source_table_name="orders", new_table_name="orders_copy",
                             opts=pulumi.ResourceOptions(depends_on=[drill]))
        pulumi.export("endpoint", drill.endpoint_address)

    run = mockrun.run_program({}, program=program, preview=False)
    drill = run.named("drill")
    assert drill.protect is True
    assert drill.inputs["cluster_identifier"] == "my-drill" and drill.inputs["port"] == 5439
    assert run.named("orders").dependencies == [drill.urn]


def test_invalid_keyword_args_fail_at_construction_with_paths() -> None:
    def program() -> None:
        RedshiftClusterRestore("drill", source={"latest_snapshot_of": "prod"}, multi_az=True, prot=1)

    with pytest.raises(ConfigError) as info:
        mockrun.run_program({}, program=program)
    assert [p.path for p in info.value.problems] == ["multi_az", "prot"]


DRILL = Path(__file__).resolve().parents[2] / "Pulumi.drill.yaml"


def _drill_config(**changes: Any) -> dict[str, Any]:
    """Pulumi.drill.yaml's config with the drill restore's keys changed (None removes a key)."""
    config = yaml.safe_load(DRILL.read_text())["config"]
    drill = config["redshift-backup:restores"][0]
    for key, value in changes.items():
        if value is None:
            drill.pop(key, None)
        else:
            drill[key] = value
    return config  # type: ignore[no-any-return]


def test_an_explicit_cluster_identifier_from_stack_config_is_registered_once() -> None:
    # from_spec once passed cluster_identifier twice (explicitly and inside the spec's dump): a TypeError.
    run = mockrun.run_program(_drill_config(cluster_identifier="drill-tonight"), program=_program, stack="drill")
    inputs = run.named("analytics-drill").inputs
    assert inputs["cluster_identifier"] == "drill-tonight"
    assert inputs["ownership_tag_value"] == "redshift-backup/drill/analytics-drill"


def test_the_drill_stack_with_a_cluster_identifier_plans() -> None:
    # The whole program (`__main__.py`), as `redshift-backup plan` runs it.
    from redshift_backup.plan import resource_plan

    planned = resource_plan(_drill_config(cluster_identifier="drill-tonight"), stack="drill")
    [drill] = [r for r in planned if r.name == "analytics-drill"]
    assert [i.text for i in drill.inputs if i.key == "cluster_identifier"] == ["drill-tonight"]
