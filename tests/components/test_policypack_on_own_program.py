"""The CrossGuard pack's AWS Backup checks (policypack/redshift_checks.py, pure) pass on what this project's own
program registers: its plans, copy actions and prod vaults satisfy them by construction."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from redshift_backup.mockrun import Registration, run_program

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "policypack"))

import pack_settings  # noqa: E402
import redshift_checks as checks  # noqa: E402


def registrations(stack: str) -> list[Registration]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return run_program(config, preview=False).registrations


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_programs_plans_and_vaults_pass_the_packs_backup_checks(stack: str) -> None:
    regs = registrations(stack)
    plans = [r for r in regs if r.type == checks.PLAN]
    assert plans
    for plan in plans:
        assert checks.plan_lifecycle_problems(plan.type, plan.inputs) == []
        assert checks.copy_lifecycle_problems(plan.type, plan.inputs) == []
    resources = [checks.StackResource(r.urn, r.type, r.outputs) for r in regs]
    assert checks.prod_vault_lock_problems(resources, pack_settings.ProdVaultSettings()) == []


def test_the_prod_program_has_prod_vaults_and_their_locks() -> None:
    # Guards the test above against passing vacuously: the prod stack's vaults are prod vaults, and locked.
    regs = registrations("prod")
    vaults: list[dict[str, Any]] = [r.outputs for r in regs if r.type == checks.VAULT]
    settings = pack_settings.ProdVaultSettings()
    assert [v["name"] for v in vaults if checks.is_prod_vault(v["name"], v.get("tags") or {}, settings)]
    locks = [r.inputs["backupVaultName"] for r in regs if r.type == checks.VAULT_LOCK]
    assert {v["name"] for v in vaults} <= set(locks)
