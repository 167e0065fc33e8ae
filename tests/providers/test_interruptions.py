"""The interruption matrix: every provider operation, killed right after each AWS call it makes, then re-run the
way the engine re-runs it, must end where an uninterrupted run ends.

The cases are generated, not chosen: at collection, each scenario of `tests/providers/interruptions.py` runs once
uninterrupted against a moto server (with tests/support's extensions) and its AWS calls are recorded; the test is
parametrized over "fault after call i" for every i. Each case then checks, against a fresh uninterrupted run:
the re-run's outputs, the AWS end state (clusters, snapshots, access lists, tags, table restores, restore jobs,
region settings, SSM records), and for a create, the state after the delete that follows (what was there before
is back, nothing leaked).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.providers.interruptions import SCENARIOS, A, C, Outcome, interrupted, record_calls, uninterrupted
from tests.support import moto_server

FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}


@contextmanager
def _environment(endpoint: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update({**FAKE_ENV, "AWS_ENDPOINT_URL": endpoint})
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _recorded() -> dict[str, list[str]]:
    server, endpoint = moto_server.start()
    try:
        with _environment(endpoint):
            return record_calls(endpoint)
    finally:
        server.stop()


CALLS = _recorded()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fault_after" in metafunc.fixturenames:
        cases = [(name, i, call) for name, calls in CALLS.items() for i, call in enumerate(calls, start=1)]
        metafunc.parametrize(("scenario", "fault_after", "call"), cases,
                             ids=[f"{name}-after-{i}-{call}" for name, i, call in cases])


def test_every_scenario_makes_aws_calls() -> None:
    assert set(CALLS) == set(SCENARIOS)
    assert all(CALLS.values()), [name for name, calls in CALLS.items() if not calls]


REFERENCES: dict[str, Outcome] = {}


def test_a_rerun_after_a_fault_converges(scenario: str, fault_after: int, call: str, aws_env: str) -> None:
    # One uninterrupted run per scenario in this session is the reference of all its cases.
    if scenario not in REFERENCES:
        REFERENCES[scenario] = uninterrupted(SCENARIOS[scenario], aws_env)
    reference = REFERENCES[scenario]
    # The enumeration is deterministic: the calls are the ones the cases were generated from.
    assert reference.calls == CALLS[scenario]
    rerun, faulted_after = interrupted(SCENARIOS[scenario], aws_env, fault_after)
    assert faulted_after == call
    assert rerun.outputs == reference.outputs
    assert rerun.state == reference.state
    assert rerun.after_delete == reference.after_delete


def _snapshot_access(state: dict[str, Any]) -> tuple[str, ...]:
    return next(s[3] for s in state["snapshots"] if s[0] == "nightly")


def _prod(state: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in state["clusters"] if c["id"] == "prod")


def test_without_the_share_records_the_reported_leak_comes_back(aws_env: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The matrix can fail: with the grant tags ignored (the mechanism before them), a create killed after
    # granting A and re-run counts A as someone else's, and the delete that follows leaves A its access.
    monkeypatch.setattr("components.snapshot_share.tagged_accounts", lambda snapshot, owner: set())
    scenario = SCENARIOS["share-create"]
    assert CALLS["share-create"][2] == "redshift.AuthorizeSnapshotAccess"
    rerun, _ = interrupted(scenario, aws_env, 3)
    assert rerun.after_delete is not None and _snapshot_access(rerun.after_delete) == (A, C)  # C: someone else's
    reference = uninterrupted(scenario, aws_env)
    assert reference.after_delete is not None and _snapshot_access(reference.after_delete) == (C,)


def test_without_the_retention_record_the_originals_are_lost(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A create killed after ModifyCluster and re-run reads its own values as the cluster's: delete puts back 12.
    monkeypatch.setattr("components.retention.found_record", lambda live, cluster: None)
    scenario = SCENARIOS["retention-create"]
    assert CALLS["retention-create"][3] == "redshift.ModifyCluster"
    rerun, _ = interrupted(scenario, aws_env, 4)
    assert rerun.after_delete is not None and _prod(rerun.after_delete)["automated"] == 12
    reference = uninterrupted(scenario, aws_env)
    assert reference.after_delete is not None and _prod(reference.after_delete)["automated"] == 3
