"""The stack runs tag discovery first and applies the one-owner rule of native settings to what it found.

Discovery is replaced by a fake that answers per tag value and counts its calls; the moto-backed version of the
refusal is in tests/providers/test_discovery.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from components import stack
from redshift_backup import mockrun
from tests.components.test_program_validation import run_expecting_error

REGION = "us-east-1"
# What the fake account holds, by the value of the `team` tag.
CLUSTERS_BY_TEAM = {"sales": ["shared-wh", "sales-wh"], "finance": ["shared-wh", "finance-wh"]}


@pytest.fixture
def discovery_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def fake(conditions: Any, region: str, credentials: Any = None) -> list[str]:
        team = conditions.string_equals[0].value
        calls.append(team)
        return sorted(CLUSTERS_BY_TEAM[team])

    monkeypatch.setattr(stack, "discover_tagged_clusters", fake)
    return calls


def tagged(name: str, team: str, **snapshots: Any) -> dict[str, Any]:
    return {"name": name, "selection": {"discover_tagged_clusters": True,
                                        "conditions": {"string_equals": [{"key": "team", "value": team}]}},
            "snapshots": snapshots}


def config(*policies: dict[str, Any]) -> dict[str, Any]:
    return {"aws:region": REGION, "redshift-backup:policies": list(policies)}


def test_a_cluster_discovered_by_two_policies_stops_the_program(discovery_calls: list[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    error, registered = run_expecting_error(config(
        tagged("sales", "sales", schedule=["rate(12 hours)"]),
        tagged("finance", "finance", schedule=["rate(8 hours)"], automated_snapshot_retention_days=5)),
        monkeypatch)
    assert [(p.path, p.value) for p in error.problems] == [("policies[1].snapshots.schedule", "shared-wh")]
    assert error.problems[0].message.startswith(
        "cluster 'shared-wh' (found by this policy's and that policy's tag discovery) already gets its schedule "
        "from policies[0]")
    assert error.source == "stack dev"
    assert registered == []


def test_a_discovered_cluster_may_take_other_settings_from_another_policy(discovery_calls: list[str]) -> None:
    run = mockrun.run_program(config(tagged("sales", "sales", schedule=["rate(12 hours)"]),
                                     tagged("finance", "finance", automated_snapshot_retention_days=5)))
    assert run.named("sales-snapshots-shared-wh-schedule").inputs["clusterIdentifier"] == "shared-wh"
    assert run.named("finance-snapshots-shared-wh-retention").inputs["cluster_identifier"] == "shared-wh"
    # Each policy was discovered once, by the stack; the components used that answer.
    assert discovery_calls == ["sales", "finance"]


def test_a_cluster_excluded_from_one_policy_is_no_conflict(discovery_calls: list[str]) -> None:
    finance = tagged("finance", "finance", schedule=["rate(8 hours)"])
    finance["selection"]["not_resources"] = ["shared-wh"]
    run = mockrun.run_program(config(tagged("sales", "sales", schedule=["rate(12 hours)"]), finance))
    clusters = sorted(r.inputs["clusterIdentifier"] for r in run.registrations
                      if r.name.startswith("finance-snapshots-") and r.name.endswith("-schedule")
                      and "clusterIdentifier" in r.inputs)
    assert clusters == ["finance-wh"]


def test_a_named_cluster_that_another_policy_discovers_is_refused(discovery_calls: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    named = {"name": "platform", "selection": {"clusters": ["finance-wh"]},
             "snapshots": {"cross_region_copy": {"destination_region": "us-west-2"}}}
    error, registered = run_expecting_error(config(
        tagged("finance", "finance", cross_region_copy={"destination_region": "eu-west-1"}), named), monkeypatch)
    # The named policy comes second, so it is the one reported; the cluster was found by the first.
    assert [(p.path, p.value) for p in error.problems] == [("policies[1].snapshots.cross_region_copy", "finance-wh")]
    assert error.problems[0].message.startswith("cluster 'finance-wh' (found by the tag discovery of policies[0]) "
                                                "already gets its cross_region_copy from policies[0]")
    assert registered == []
