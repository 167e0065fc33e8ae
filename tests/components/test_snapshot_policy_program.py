"""The real `__main__.py` with the example stacks: prod gets the native layer next to AWS Backup, dev does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.retention import SnapshotRetention
from components.snapshot_policy import TOKEN
from redshift_backup import mockrun

ROOT = Path(__file__).resolve().parents[2]
NATIVE = "prod-analytics-snapshots"


def _config(file: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / file).read_text())["config"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("preview", [True, False])
def test_prod_stack_builds_both_layers(preview: bool) -> None:
    run = mockrun.run_program(_config("Pulumi.prod.yaml"), preview=preview)
    component = run.named(NATIVE)
    assert component.type == TOKEN and component.parent is None
    assert run.named("prod-analytics").type == "redshift-backup:index:RedshiftBackupPolicy"
    native = [r for r in run.registrations if r.parent == component.urn]
    assert sorted(r.name for r in native) == sorted([
        f"{NATIVE}-schedule", f"{NATIVE}-copy-grant", f"{NATIVE}-events", f"{NATIVE}-snapshot-events",
        *(f"{NATIVE}-{c}-{kind}" for c in ("analytics-prod", "finance-prod") for kind in ("schedule", "copy",
                                                                                          "retention")),
    ])
    assert {r.type for r in native if r.name.endswith("-retention")} == {
        f"pulumi-python:{SnapshotRetention._resource_type_name}"}


def test_prod_events_share_the_backup_notifications_topic() -> None:
    run = mockrun.run_program(_config("Pulumi.prod.yaml"), preview=False)
    topic = run.named("prod-analytics-notifications-topic")
    vault_events = run.named("prod-analytics-vault-notifications")
    for key in ("events", "snapshot-events"):
        subscription = run.named(f"{NATIVE}-{key}")
        assert subscription.inputs["snsTopicArn"] == topic.outputs["arn"] == vault_events.inputs["snsTopicArn"]


def test_dev_stack_has_no_native_layer() -> None:
    run = mockrun.run_program(_config("Pulumi.dev.yaml"), preview=True)
    assert run.by_type(TOKEN) == []
    assert not [r for r in run.registrations if r.type.startswith("aws:redshift/")]
