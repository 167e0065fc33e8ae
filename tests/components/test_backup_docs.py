"""The copy-paste example of the components in README.md runs as written under the mock runtime."""

from __future__ import annotations

import re
from pathlib import Path

from redshift_backup.mockrun import run_program

DOC = Path(__file__).resolve().parents[2] / "README.md"


def example_program() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    (block,) = [b for b in blocks if "RedshiftBackupPolicy(" in b]
    return block


def test_the_documented_example_registers_a_backup_policy_and_exports_its_outputs() -> None:
    source = example_program()
    run = run_program({"aws:region": "us-east-1"}, preview=False,
                      program=lambda: exec(compile(source, str(DOC), "exec"), {"__name__": "__main__"}))
    names = {r.name for r in run.registrations}
    assert {"orders", "orders-notifications", "orders-vault", "orders-vault-us-west-2", "orders-plan",
            "orders-selection-clusters", "orders-selection-tagged", "orders-notifications-email-dba@example.com",
            "us-west-2"} <= names
    assert "orders-provider-us-west-2" not in names  # the shared provider was used
    assert run.outputs["plan_id"] == "orders-plan-id"
    assert run.outputs["topic_arn"] == run.named("orders-notifications-topic").outputs["arn"]
    assert set(run.outputs) == {"vault_arn", "plan_id", "role_arn", "topic_arn"}
