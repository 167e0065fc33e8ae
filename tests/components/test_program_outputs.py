"""The program's stack output `protection`: per target, what covers it, stable from one preview to the next."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redshift_backup.mockrun import run_program

ROOT = Path(__file__).resolve().parents[2]


def stack_config(name: str) -> dict[str, object]:
    return yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text(encoding="utf-8"))["config"]


def test_dev_protection_output_shows_the_tag_selector() -> None:
    outputs = run_program(stack_config("dev"), preview=True).outputs
    assert outputs["protection"] == {
        "tag backup = daily": {
            "policies": ["dev-daily"], "layers": ["AWS Backup"], "rpo_hours": 24.0,
            "longest_retention_days": 35, "copy_regions": [], "copy_accounts": [],
            "vault_locks": ["dev-daily-vault: none"],
        },
    }


@pytest.mark.parametrize("preview", [True, False])
def test_prod_protection_output_shows_both_layers_and_the_combined_rpo(preview: bool) -> None:
    protection = run_program(stack_config("prod"), preview=preview, stack="prod").outputs["protection"]
    analytics = protection["analytics-prod"]
    assert analytics["layers"] == ["AWS Backup", "native snapshots"]
    assert analytics["rpo_hours"] == 12.0  # native snapshots at 00:00 and 12:00 beat the daily backup
    assert analytics["longest_retention_days"] == 2555
    assert analytics["copy_regions"] == ["us-west-2"] and analytics["copy_accounts"] == ["444455556666"]
    selector = protection["tag tier = 1 and tag backup != none, except analytics-prod-scratch"]
    assert selector["layers"] == ["AWS Backup"] and selector["rpo_hours"] == 24.0



def test_prod_shares_one_explicit_provider_per_copy_region_across_layers() -> None:
    run = run_program(stack_config("prod"), preview=True, stack="prod")
    providers = run.by_type("pulumi:providers:aws")
    assert [(p.name, p.inputs["region"]) for p in providers] == [("aws-us-west-2", "us-west-2")]
    urn = providers[0].urn
    users = sorted(r.name for r in run.registrations if r.provider and r.provider.startswith(urn + "::"))
    assert "prod-analytics-snapshots-copy-grant" in users
    assert "prod-analytics-vault-us-west-2" in users
