"""Restores as code under the real engine: preview, up, refresh, in-place update, replacement, destroy."""

from __future__ import annotations

from typing import Any

from e2e.engine import PASSPHRASE, Workspace
from e2e.moto_server import FAKE_SECRET_KEY, REGION, MotoServer

SOURCE = "analytics-prod"
SNAP_1, SNAP_2 = "analytics-nightly-1", "analytics-nightly-2"
RESTORED = "analytics-restored"
SHARE = "analytics-share"
RETENTION = f"{SOURCE}-retention"
MASTER_PASSWORD = "E2eMasterPassw0rd"
TYPES = {RESTORED: "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore",
         SHARE: "pulumi-python:dynamic/redshift-backup:RedshiftSnapshotShare",
         RETENTION: "pulumi-python:dynamic/redshift-backup:SnapshotRetention"}
# Fields of a cluster or snapshot description that say nothing about whether we changed it.
VOLATILE = {"ClusterStatus", "ClusterAvailabilityStatus", "PendingModifiedValues", "NextMaintenanceWindowStartTime",
            "ResponseMetadata"}


def config(*, snapshot: str = SNAP_1, accounts: tuple[str, ...] = ("222222222222",), retention_days: int = 7,
           tags: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "aws:region": REGION,
        "redshift-backup:restores": [
            {"name": RESTORED, "source": {"snapshot_identifier": snapshot}, "skip_final_snapshot": True,
             "timeout_minutes": 10, "tags": tags or {"purpose": "e2e"}},
            {"name": SHARE, "kind": "snapshot_share", "snapshot_identifier": SNAP_1,
             "accounts_with_restore_access": list(accounts)},
        ],
        "e2e:retention": {"cluster_identifier": SOURCE, "region": REGION,
                          "automated_snapshot_retention_days": retention_days},
    }


def seed(moto: MotoServer) -> Any:
    redshift = moto.client("redshift")
    redshift.create_cluster(ClusterIdentifier=SOURCE, NodeType="ra3.xlplus", ClusterType="single-node",
                            MasterUsername="admin", MasterUserPassword=MASTER_PASSWORD,
                            AutomatedSnapshotRetentionPeriod=1)
    for snapshot in (SNAP_1, SNAP_2):
        redshift.create_cluster_snapshot(SnapshotIdentifier=snapshot, ClusterIdentifier=SOURCE)
    return redshift


def cluster(redshift: Any, identifier: str) -> dict[str, Any] | None:
    found = [c for c in redshift.describe_clusters()["Clusters"] if c["ClusterIdentifier"] == identifier]
    return found[0] if found else None


def stable(description: dict[str, Any] | None) -> dict[str, Any]:
    assert description is not None
    return {k: v for k, v in description.items() if k not in VOLATILE}


def snapshot(redshift: Any, identifier: str) -> dict[str, Any]:
    return dict(redshift.describe_cluster_snapshots(SnapshotIdentifier=identifier)["Snapshots"][0])


def shared_with(redshift: Any, identifier: str) -> list[str]:
    return sorted(a["AccountId"] for a in snapshot(redshift, identifier).get("AccountsWithRestoreAccess") or [])


def records(moto: MotoServer) -> list[str]:
    """The providers' own interruption records in SSM (none may be left once a step has finished)."""
    found = moto.client("ssm").get_parameters_by_path(Path="/redshift-backup", Recursive=True)["Parameters"]
    return [p["Name"] for p in found]


def assert_no_secret(stack: Workspace, *texts: str) -> None:
    """Neither the state file nor what the engine printed holds the passphrase, the AWS key or the password."""
    state = stack.state_file().read_text()
    for secret in (PASSPHRASE, FAKE_SECRET_KEY, MASTER_PASSWORD):
        assert secret not in state
        for text in texts:
            assert secret not in text


def test_restores_lifecycle_under_the_engine(restores_stack: Workspace, moto: MotoServer) -> None:
    stack = restores_stack
    redshift = seed(moto)
    source_before = stable(cluster(redshift, SOURCE))
    snapshot_before = {s: {k: v for k, v in snapshot(redshift, s).items() if k != "AccountsWithRestoreAccess"}
                       for s in (SNAP_1, SNAP_2)}
    stack.set_config(config())

    # preview: the three creates, and not one AWS write call
    moto.clear_recording()
    preview = stack.run("preview")
    assert preview.ops() == {RESTORED: ["create"], SHARE: ["create"], RETENTION: ["create"]}
    assert {s.name: s.type for s in preview.steps()} == TYPES
    assert moto.write_actions() == []  # the same recording shows the restore once `up` has run (below)
    assert cluster(redshift, RESTORED) is None

    # up: the restore, the share and the retention exist, in moto and in the state file
    up = stack.run("up", "--yes", "--skip-preview")
    assert up.ops() == {RESTORED: ["create"], SHARE: ["create"], RETENTION: ["create"]}
    assert moto.write_actions().count("RestoreFromClusterSnapshot") == 1
    restored = cluster(redshift, RESTORED)
    assert restored is not None and restored["ClusterStatus"] == "available"
    assert {"Key": "purpose", "Value": "e2e"} in restored["Tags"]
    assert shared_with(redshift, SNAP_1) == ["222222222222"]
    assert cluster(redshift, SOURCE)["AutomatedSnapshotRetentionPeriod"] == 7  # type: ignore[index]
    resources = stack.resources()
    assert set(resources) == set(TYPES)
    outputs = resources[RESTORED]["outputs"]
    assert outputs["cluster_identifier"] == RESTORED
    assert outputs["resolved_snapshot_identifier"] == SNAP_1
    assert outputs["source_cluster_identifier"] == SOURCE
    assert outputs["cluster_status"] == "available"
    assert resources[SHARE]["outputs"]["granted_accounts"] == ["222222222222"]
    assert resources[RETENTION]["outputs"]["previous_automated_snapshot_retention_days"] == 1
    assert_no_secret(stack, preview.stdout, preview.stderr, up.stdout, up.stderr)
    assert records(moto) == []

    # refresh: nothing drifted, nothing written
    moto.clear_recording()
    refresh = stack.run("refresh", "--yes", "--skip-preview")
    assert moto.write_actions() == []
    assert set(refresh.summary()) <= {"same"}, refresh.output()
    assert stack.resources()[RESTORED]["outputs"] == outputs

    # an in-place update of all three: new tags, one more account, longer retention
    moto.clear_recording()
    stack.set_config(config(accounts=("222222222222", "333333333333"), retention_days=10,
                            tags={"purpose": "e2e", "owner": "data"}))
    updated = stack.run("up", "--yes", "--skip-preview")
    assert updated.ops() == {RESTORED: ["update"], SHARE: ["update"], RETENTION: ["update"]}
    assert "RestoreFromClusterSnapshot" not in moto.write_actions()
    assert {"Key": "owner", "Value": "data"} in cluster(redshift, RESTORED)["Tags"]  # type: ignore[index]
    assert shared_with(redshift, SNAP_1) == ["222222222222", "333333333333"]
    assert cluster(redshift, SOURCE)["AutomatedSnapshotRetentionPeriod"] == 10  # type: ignore[index]

    # a replacement: the restore's source snapshot changes (same identifier, so the old cluster goes first)
    moto.clear_recording()
    stack.set_config(config(snapshot=SNAP_2, accounts=("222222222222", "333333333333"), retention_days=10,
                            tags={"purpose": "e2e", "owner": "data"}))
    replaced = stack.run("up", "--yes", "--skip-preview")
    restored_ops = replaced.ops()[RESTORED]
    assert "delete-replaced" in restored_ops and "create-replacement" in restored_ops, restored_ops
    assert moto.write_actions().count("RestoreFromClusterSnapshot") == 1
    assert stack.resources()[RESTORED]["outputs"]["resolved_snapshot_identifier"] == SNAP_2

    # destroy: everything the stack made is gone, everything it found is as it was
    destroyed = stack.run("destroy", "--yes", "--skip-preview")
    assert destroyed.ops() == {RESTORED: ["delete"], SHARE: ["delete"], RETENTION: ["delete"]}
    assert stack.resources() == {}
    assert cluster(redshift, RESTORED) is None
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == [SOURCE]
    assert stable(cluster(redshift, SOURCE)) == source_before
    assert shared_with(redshift, SNAP_1) == []
    assert {s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]
            if s["SnapshotType"] == "manual"} == {SNAP_1, SNAP_2}
    for name, before in snapshot_before.items():
        assert {k: v for k, v in snapshot(redshift, name).items() if k != "AccountsWithRestoreAccess"} == before
    assert_no_secret(stack, updated.stdout, replaced.stdout, destroyed.stdout)
    assert records(moto) == []

