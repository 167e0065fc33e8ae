"""An `up` killed while a restore waits for its cluster: the next `up` adopts that cluster, not restoring twice."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from e2e.conftest import E2E
from e2e.engine import STACK, Workspace, alive, descendants, kill_tree
from e2e.moto_server import REGION, MotoServer
from e2e.test_restores import RESTORED, SNAP_1, cluster, records, seed

# How many DescribeClusters the restored cluster stays `creating`: the provider's first look finds it restoring,
# and it is killed in the wait that follows (the provider polls every 15 s at first).
RESTORING_DESCRIBES = 2
# A bound on waiting for the engine to reach the restore; the test fails, it does not hang, past it.
REACH_SECONDS = 300


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    """Until `condition()` holds (checked every 0.1 s); fails if the engine ends first or it takes too long."""
    give_up = time.monotonic() + REACH_SECONDS
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the engine ended (exit {process.returncode}) before {what}")
        if time.monotonic() > give_up:
            raise AssertionError(f"{what} did not happen within {REACH_SECONDS} s")
        time.sleep(0.1)


def test_a_killed_up_is_adopted_not_restored_twice(tmp_path: Path) -> None:
    moto = MotoServer.start(tmp_path, restoring_describes=RESTORING_DESCRIBES)
    try:
        stack = Workspace(tmp_path / "pulumi", E2E / "restores", E2E / "restores" / "program.py", moto.env())
        stack.init_stack()
        redshift = seed(moto)
        stack.set_config({"aws:region": REGION, "redshift-backup:restores": [
            {"name": RESTORED, "source": {"snapshot_identifier": SNAP_1}, "skip_final_snapshot": True,
             "timeout_minutes": 10, "tags": {"purpose": "e2e"}}]})
        moto.clear_recording()

        def waiting_for_the_cluster() -> bool:
            actions = moto.actions()
            return ("RestoreFromClusterSnapshot" in actions
                    and "DescribeClusters" in actions[actions.index("RestoreFromClusterSnapshot"):])

        with stack.running("up", "--yes", "--skip-preview") as engine:
            wait_for(waiting_for_the_cluster, engine, "the restore's wait")
            # The engine and every plugin it started (the dynamic provider among them) die at once.
            plugins = descendants(engine.pid)
            assert plugins, "the engine had started no plugin: the kill would not interrupt a provider"
            kill_tree(engine)
            assert not [pid for pid in plugins if alive(pid)]
        assert moto.actions().count("RestoreFromClusterSnapshot") == 1
        # The state knows only that a create was under way; the cluster is in AWS, still restoring.
        pending = stack.checkpoint()["checkpoint"]["latest"].get("pending_operations") or []
        assert [(p["type"], p["resource"]["urn"].rsplit("::", 1)[-1]) for p in pending] == [("creating", RESTORED)]
        assert RESTORED not in stack.resources()

        # A killed engine leaves the file backend's lock: the next `up` is refused until `pulumi cancel`.
        locked = stack.run("up", "--yes", "--skip-preview", check=False)
        assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr
        stack.cli("cancel", "--stack", STACK, "--yes")

        again = stack.run("up", "--yes", "--skip-preview")
        assert again.ops() == {RESTORED: ["create"]}
        assert "adopting it" in again.stdout
        assert moto.actions().count("RestoreFromClusterSnapshot") == 1
        assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]].count(RESTORED) == 1
        outputs = stack.resources()[RESTORED]["outputs"]
        assert outputs["cluster_status"] == "available" and outputs["resolved_snapshot_identifier"] == SNAP_1
        # The engine keeps the interrupted create as pending (and warned about it); the adopted resource is in
        # state, so the stale record is dropped, and nothing else changes.
        assert "1 pending operations from previous deployment" in "\n".join(again.diagnostics())
        cleared = stack.run("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
        assert set(cleared.summary()) <= {"same"}, cleared.output()
        assert not stack.checkpoint()["checkpoint"]["latest"].get("pending_operations")
        assert stack.resources()[RESTORED]["outputs"]["cluster_status"] == "available"
        assert records(moto) == []  # the provider's interruption record is gone once the cluster is adopted

        stack.run("destroy", "--yes", "--skip-preview")
        assert cluster(redshift, RESTORED) is None
    finally:
        moto.stop()
