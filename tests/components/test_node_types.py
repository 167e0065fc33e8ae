"""The node type table, and every place a restore's node type and count are refused before any AWS call:
`check` (the policies model), the Pulumi program (`pulumi preview`), and the restore provider's `check`."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.restore_cluster import ClusterRestoreProvider, eta_text, progress_line
from components.snapshot_share import SnapshotShareProvider
from policies.base import problems_from_validation_error
from policies.errors import ConfigError
from policies.node_types import MAX_NODES, NODE_TYPES, node_type_problem
from policies.restores import ClusterRestoreSpec, SnapshotShareSpec
from redshift_backup import mockrun

UNKNOWN_TYPE = ("is not a Redshift node type; expected one of ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge, "
                "dc2.large, dc2.8xlarge (the table in policies/node_types.py, from the Redshift Management Guide)")


# ---- the table -----------------------------------------------------------------------------------------------

def test_the_table_pins_each_types_counts() -> None:
    assert {name: t.counts() for name, t in NODE_TYPES.items()} == {
        "ra3.large": "1 (single-node) or 2..16",
        "ra3.xlplus": "1 (single-node) or 2..32",
        "ra3.4xlarge": "2..64",
        "ra3.16xlarge": "2..128",
        "dc2.large": "1 (single-node) or 2..32",
        "dc2.8xlarge": "2..128",
    }
    assert max(t.multi_node_max for t in NODE_TYPES.values()) == MAX_NODES


@pytest.mark.parametrize("node_type", sorted(NODE_TYPES))
def test_every_count_of_every_type_against_its_range(node_type: str) -> None:
    known = NODE_TYPES[node_type]
    for count in range(0, MAX_NODES + 2):
        allowed = (count == 1 and known.single_node) or known.multi_node_min <= count <= known.multi_node_max
        assert (node_type_problem(node_type, count) is None) is allowed, (node_type, count)


@pytest.mark.parametrize("node_type, count, expected", [
    ("ra3.huge", None, UNKNOWN_TYPE),
    ("ra3.huge", 2, UNKNOWN_TYPE),
    ("ra3.4xlarge", 1, "ra3.4xlarge does not run as a single-node cluster; it allows 2..64 nodes"),
    ("ra3.xlplus", 33, "is outside the range of ra3.xlplus, which allows 1 (single-node) or 2..32 nodes"),
    (None, 0, "a cluster has 1..128 nodes"),
    (None, 129, "a cluster has 1..128 nodes"),
    (None, 1, None),
    (None, None, None),
    ("ra3.xlplus", None, None),
    ("dc2.large", 1, None),
])
def test_node_type_problem(node_type: str | None, count: int | None, expected: str | None) -> None:
    assert node_type_problem(node_type, count) == expected


# ---- `check`: the restore spec -------------------------------------------------------------------------------

def _cluster(**extra: Any) -> dict[str, Any]:
    return {"name": "analytics-drill", "source": {"latest_snapshot_of": "analytics-prod"}, **extra}


def _problems(entry: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        ClusterRestoreSpec.model_validate(entry)
    return [p.render() for p in problems_from_validation_error(info.value)]


def test_an_unknown_but_well_formed_node_type_is_refused() -> None:
    assert _problems(_cluster(node_type="ra3.huge")) == [f"node_type: {UNKNOWN_TYPE} (received 'ra3.huge')"]


def test_a_count_outside_the_types_range_is_refused() -> None:
    assert _problems(_cluster(node_type="ra3.4xlarge", number_of_nodes=1)) == [
        "number_of_nodes: ra3.4xlarge does not run as a single-node cluster; it allows 2..64 nodes (received 1)"]
    assert _problems(_cluster(node_type="dc2.large", number_of_nodes=40)) == [
        "number_of_nodes: is outside the range of dc2.large, which allows 1 (single-node) or 2..32 nodes "
        "(received 40)"]


def test_an_unknown_type_and_a_bad_count_are_both_reported() -> None:
    assert _problems(_cluster(node_type="ra3.huge", number_of_nodes=0)) == [
        f"node_type: {UNKNOWN_TYPE} (received 'ra3.huge')",
        "number_of_nodes: expected 1-128 (received 0)"]


def test_valid_node_configurations_pass() -> None:
    for node_type, count in (("ra3.xlplus", 1), ("ra3.4xlarge", 64), ("ra3.16xlarge", 128), ("dc2.8xlarge", 2)):
        assert ClusterRestoreSpec.model_validate(_cluster(node_type=node_type, number_of_nodes=count))
    assert ClusterRestoreSpec.model_validate(_cluster(number_of_nodes=3))  # the type is the snapshot's


# ---- `pulumi preview`: the program ---------------------------------------------------------------------------

def test_the_program_stops_on_an_unknown_node_type_before_registering() -> None:
    config = {"aws:region": "us-east-1", "redshift-backup:restores": [_cluster(node_type="ra3.huge")]}
    with pytest.raises(ConfigError) as info:
        mockrun.run_program(config)
    assert [p.render() for p in info.value.problems] == [
        f"restores[0].node_type: {UNKNOWN_TYPE} (received 'ra3.huge')"]


# ---- the provider's `check`: what the engine sends -----------------------------------------------------------

def _props(**extra: Any) -> dict[str, Any]:
    return {"source": {"latest_snapshot_of": "analytics-prod"}, "cluster_identifier": "analytics-drill", **extra}


def test_the_provider_check_refuses_node_counts_shown_as_written() -> None:
    provider = ClusterRestoreProvider()
    # Integer inputs arrive from the engine as floats: the message shows 1 and 0 as the user wrote them.
    result = provider.check({}, _props(node_type="ra3.4xlarge", number_of_nodes=1.0))
    assert [(f.property, f.reason) for f in result.failures] == [(
        "number_of_nodes",
        "number_of_nodes: ra3.4xlarge does not run as a single-node cluster; it allows 2..64 nodes (received 1)")]
    result = provider.check({}, _props(number_of_nodes=0.0))
    assert [f.reason for f in result.failures] == ["number_of_nodes: expected 1-128 (received 0)"]
    assert provider.check({}, _props(node_type="ra3.huge")).failures[0].property == "node_type"
    assert provider.check({}, _props(node_type="ra3.4xlarge", number_of_nodes=2.0)).failures == []


# ---- sharing with AWS Support -------------------------------------------------------------------------------

def _share(*accounts: str) -> dict[str, Any]:
    return {"name": "share", "kind": "snapshot_share", "snapshot_identifier": "nightly",
            "accounts_with_restore_access": list(accounts)}


def test_a_snapshot_can_be_shared_with_aws_support() -> None:
    spec = SnapshotShareSpec.model_validate(_share("amazon-redshift-support", "111122223333"))
    assert spec.accounts_with_restore_access == ["amazon-redshift-support", "111122223333"]
    props = {k: v for k, v in _share("amazon-redshift-support").items() if k not in ("name", "kind")}
    assert SnapshotShareProvider().check({}, props).failures == []


def test_other_names_than_aws_supports_are_still_refused() -> None:
    with pytest.raises(ValidationError) as info:
        SnapshotShareSpec.model_validate(_share("amazon-support"))
    assert [p.render() for p in problems_from_validation_error(info.value)] == [
        "accounts_with_restore_access[0]: must be a 12-digit AWS account id (example: '123456789012') or "
        "'amazon-redshift-support' (AWS Support) (received 'amazon-support')"]


# ---- progress --------------------------------------------------------------------------------------------------

def test_an_eta_under_a_minute_is_shown_in_seconds() -> None:
    cluster = {"ClusterIdentifier": "drill", "ClusterStatus": "creating",
               "RestoreStatus": {"Status": "restoring", "EstimatedTimeToCompletionInSeconds": 39}}
    assert progress_line(cluster) == "cluster drill: creating, restore restoring, ETA 39 s"
    assert [eta_text(s) for s in (39, 60, 125, 600, 5400)] == ["39 s", "1 min", "2 min 5 s", "10 min",
                                                                     "1 h 30 min"]


def test_numbers_from_the_wire_read_as_written() -> None:
    from components.restore_common import from_wire, plain_inputs

    assert plain_inputs({"a": [0.0, 2.5, True], "b": {"c": 7.0}, "d": None}) == {"a": [0, 2.5, True],
                                                                                 "b": {"c": 7}}
    assert isinstance(from_wire(0.0), int) and from_wire(2.5) == 2.5 and from_wire(True) is True


def test_the_plan_names_aws_support() -> None:
    from policies.restores import describe_restore

    spec = SnapshotShareSpec.model_validate(_share("111122223333", "amazon-redshift-support"))
    assert describe_restore(spec) == ["share snapshot nightly with accounts 111122223333, AWS Support "
                                      "(amazon-redshift-support); destroy revokes the access"]
