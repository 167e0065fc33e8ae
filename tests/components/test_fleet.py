"""A fleet: a thousand dynamic resources, and a stack of 50 policies x 100 named clusters, under the mock runtime.

pulumi's `serialize_provider` leaks one wrapper around `pickle._Pickler._batch_setitems` per dynamic resource
(docs/upstream-serialize-provider.md); `components/dynamic_resource.py` puts it back after each of ours.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import yaml

from components.dynamic_resource import PATCHED_ATTRIBUTES, DynamicResource, pickler_restored
from components.retention import SnapshotRetention, SnapshotRetentionProvider
from policies.validation import load_stack_file
from redshift_backup import mockrun
from redshift_backup.plan import resource_plan, stack_file_config

RETENTION = f"pulumi-python:{SnapshotRetention._resource_type_name}"
# Past the depth at which pulumi's leak alone ends in RecursionError (about 300-500, depending on the provider).
MANY = 1_000


def _pickler() -> dict[str, Any]:
    return {name: vars(pickle._Pickler)[name] for name in PATCHED_ATTRIBUTES}


def _retention_program(count: int) -> Any:
    def program() -> None:
        for i in range(count):
            SnapshotRetention(f"c{i:04d}-retention", cluster_identifier=f"c{i:04d}", region="us-east-1",
                              automated_snapshot_retention_days=7)
    return program


def test_a_thousand_dynamic_resources_register_and_leave_pickle_as_it_was() -> None:
    before = _pickler()
    run = mockrun.run_program({"aws:region": "us-east-1"}, program=_retention_program(MANY))
    assert _pickler() == before
    retention = run.by_type(RETENTION)
    assert len(retention) == MANY
    # Every provider was pickled, and the last one as the first: the same bytes, no growing wrapper.
    providers = {r.inputs["__provider"] for r in retention}
    assert len(providers) == 1 and providers != {None}


def test_the_provider_bytes_are_those_pulumi_writes() -> None:
    """The workaround changes no state: the serialized provider is what pulumi's own function returns."""
    from pulumi.dynamic.dynamic import serialize_provider

    with pickler_restored():
        theirs = serialize_provider(SnapshotRetentionProvider())
    run = mockrun.run_program({"aws:region": "us-east-1"}, program=_retention_program(2))
    assert {r.inputs["__provider"] for r in run.by_type(RETENTION)} == {theirs}


def test_pulumi_still_leaks_the_pickler_wrapper() -> None:
    """What the workaround is for. When this fails, pulumi fixed the leak: drop `DynamicResource` and this test."""
    from pulumi.dynamic.dynamic import serialize_provider

    with pickler_restored():
        before = vars(pickle._Pickler)["_batch_setitems"]
        serialize_provider(SnapshotRetentionProvider())
        assert vars(pickle._Pickler)["_batch_setitems"] is not before
    assert vars(pickle._Pickler)["_batch_setitems"] is before


def test_every_dynamic_resource_of_the_project_uses_the_base_class() -> None:
    import pulumi.dynamic

    from components import region_opt_in, restore_cluster, restore_table, retention, snapshot_share

    found = [value for module in (region_opt_in, restore_cluster, restore_table, retention, snapshot_share)
             for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, pulumi.dynamic.Resource)
             and value.__module__ == module.__name__]
    assert len(found) == 5
    assert all(issubclass(cls, DynamicResource) for cls in found)


def fleet_stack(path: Path, policies: int, clusters: int) -> Path:
    """A stack file of `policies` policies naming `clusters` clusters each, with the whole native layer."""
    entries = [{
        "name": f"team{p:02d}",
        "selection": {"clusters": [f"team{p:02d}-c{c:03d}" for c in range(clusters)]},
        "snapshots": {"schedule": ["cron(0 0,12 *)"], "automated_snapshot_retention_days": 7,
                      "cross_region_copy": {"destination_region": "us-west-2", "retention_days": 7}},
    } for p in range(policies)]
    path.write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1", "redshift-backup:policies": entries}}))
    return path


def test_a_fleet_of_5000_clusters_checks_and_plans(tmp_path: Path) -> None:
    """`check` and `plan` agree: the stack `check` accepts is one the program can register."""
    stack_file = fleet_stack(tmp_path / "Pulumi.fleet.yaml", policies=50, clusters=100)
    stack = load_stack_file(stack_file)  # what `check` runs; raises on any problem
    assert len(stack.policies) == 50
    resources = resource_plan(stack_file_config(stack_file), stack="fleet")
    types = [r.type for r in resources]
    assert types.count(RETENTION) == 5_000
    assert types.count("aws:redshift/snapshotScheduleAssociation:SnapshotScheduleAssociation") == 5_000
    assert types.count("aws:redshift/snapshotCopy:SnapshotCopy") == 5_000


def test_plan_without_stack_traces_registers_the_same(tmp_path: Path) -> None:
    """`plan` skips the SDK's per-registration stack capture (the mocks drop source positions); nothing else
    changes, and the SDK's function is back in place afterwards."""
    import pulumi.runtime.resource as sdk

    capture = sdk._get_stack_trace
    config = stack_file_config(fleet_stack(tmp_path / "Pulumi.small.yaml", policies=2, clusters=3))

    def shapes(run: mockrun.ProgramRun) -> list[tuple[str, str, str | None, dict[str, Any], list[str]]]:
        return sorted((r.type, r.name, r.parent, r.inputs, sorted(r.dependencies)) for r in run.registrations)

    with_traces = mockrun.run_program(config, stack="small")
    without = mockrun.run_program(config, stack="small", stack_traces=False)
    assert shapes(without) == shapes(with_traces) and with_traces.outputs == without.outputs
    assert sdk._get_stack_trace is capture
