"""The policy pack (policypack/) loaded by the real engine on the restores stack: `pulumi preview --policy-pack`.

The 3.274 CLI starts a pack folder only through its runtime's language host (RunPlugin), and the Python one cannot
be built here (docs/engine.md). It also accepts an executable as `--policy-pack` and launches it as an analyzer
plugin; the executable here is three lines that run the pack the way the release's shim did
(`pulumi-analyzer-policy-python`, from `make engine`: the pack's venv, `python -m pulumi.policy`, in the pack's
folder). The pack's `aws:*` checks cannot run under this engine (no AWS provider plugin); its checks on this
project's own restores can: a restore that makes its cluster public is refused, reported or let through as the
pack's config says, and what is asserted is what the engine itself reports (its exit, its policy events, its
output) and what reached moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from e2e.conftest import E2E
from e2e.engine import BIN_DIR, ROOT, Result, Workspace
from e2e.moto_server import REGION, MotoServer
from e2e.test_restores import RESTORED, SHARE, config, seed

PACK = ROOT / "policypack"
RESTORE_TYPE = "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore"
PUBLIC = "redshift-not-publicly-accessible"
PUBLIC_MESSAGE = ("publicly_accessible is true: set publicly_accessible to false (the default), and reach the "
                  "restored cluster from inside its VPC (a VPC endpoint, a bastion or a VPN)")
# What the engine reports: the policy's description, then the violation's message (each on its own line).
PUBLIC_REPORT = ("Redshift clusters (restored ones too) and Serverless workgroups are not publicly accessible.\n"
                 f"{PUBLIC_MESSAGE}\n")
KMS_KEY = f"arn:aws:kms:{REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def pack_plugin(folder: Path) -> Path:
    """An executable analyzer plugin for the pack (what the engine is given), its PulumiPolicy.yaml beside it."""
    folder.mkdir()
    (folder / "PulumiPolicy.yaml").write_text((PACK / "PulumiPolicy.yaml").read_text())
    plugin = folder / "pulumi-analyzer-policy-redshift-backup"
    # The engine passes its address; the shim wants `<address> . -virtualenv=<venv>` in the pack's folder.
    plugin.write_text(f'#!/bin/sh\ncd "{PACK}" || exit 1\n'
                      f'exec "{BIN_DIR / "pulumi-analyzer-policy-python"}" "$1" . -virtualenv=.venv\n')
    plugin.chmod(0o755)
    return plugin


def public_restore(**extra: Any) -> dict[str, Any]:
    """A stack of one cluster restore that makes its cluster publicly accessible (the only resource: nothing else
    can be created while it is refused)."""
    return {"aws:region": REGION, "redshift-backup:restores": [
        {"name": RESTORED, "source": {"snapshot_identifier": "analytics-nightly-1"}, "skip_final_snapshot": True,
         "timeout_minutes": 10, "publicly_accessible": True, **extra}]}


def with_pack(stack: Workspace, tmp_path: Path, command: str, pack_config: dict[str, Any], *args: str) -> Result:
    """`pulumi <command> --policy-pack <pack> --policy-pack-config <pack_config>`, its exit left to the caller."""
    path = tmp_path / f"pack-config-{len(list(tmp_path.glob('pack-config-*')))}.json"
    path.write_text(json.dumps(pack_config))
    plugin = tmp_path / "pack" / "pulumi-analyzer-policy-redshift-backup"
    if not plugin.exists():
        pack_plugin(tmp_path / "pack")
    return stack.run(command, *args, "--policy-pack", str(plugin), "--policy-pack-config", str(path), check=False)


def policy_events(result: Result) -> list[tuple[str, str, str, str]]:
    """(policy, enforcement level, resource name, message) of every policy violation the engine reported."""
    return [(e["policyEvent"]["policyName"], e["policyEvent"]["enforcementLevel"],
             e["policyEvent"].get("resourceUrn", "").rsplit("::", 1)[-1], e["policyEvent"]["message"])
            for e in result.events if "policyEvent" in e]


def test_the_engine_runs_the_example_config_and_reports_its_advisories(restores_stack: Workspace,
                                                                        moto: MotoServer, tmp_path: Path) -> None:
    # The restores stack's restore states neither its retention nor its KMS key: both advisory in the example
    # config; its share's account is in the example's allowedAccounts.
    seed(moto)
    restores_stack.set_config(config())
    preview = restores_stack.run("preview", "--policy-pack", str(pack_plugin(tmp_path / "pack")),
                                 "--policy-pack-config", str(PACK / "config.example.json"))
    assert "redshift-backup@v0.1.0" in preview.stdout, preview.output()
    assert sorted((policy, level, name) for policy, level, name, _ in policy_events(preview)) == [
        ("redshift-automated-snapshot-retention", "advisory", RESTORED),
        ("redshift-restore-encrypted", "advisory", RESTORED)], preview.output()
    assert preview.ops().keys() == {RESTORED, SHARE, "analytics-prod-retention"}


def test_a_mandatory_check_fails_preview_and_up_refuses_the_restore(restores_stack: Workspace, moto: MotoServer,
                                                                    tmp_path: Path) -> None:
    redshift = seed(moto)
    restores_stack.set_config(public_restore())
    mandatory = {"all": "disabled", PUBLIC: "mandatory"}

    preview = with_pack(restores_stack, tmp_path, "preview", mandatory)
    assert preview.returncode != 0, preview.output()
    [(policy, level, name, message)] = policy_events(preview)
    assert (policy, level, name) == (PUBLIC, "mandatory", RESTORED)
    assert message == PUBLIC_REPORT
    printed = preview.stdout + preview.stderr
    assert f"[mandatory]  {PUBLIC}" in printed and PUBLIC_MESSAGE in printed, preview.output()

    moto.clear_recording()
    up = with_pack(restores_stack, tmp_path, "up", mandatory, "--yes", "--skip-preview")
    assert up.returncode != 0, up.output()
    assert [(p, lvl, n) for p, lvl, n, _ in policy_events(up)] == [(PUBLIC, "mandatory", RESTORED)]
    assert up.steps() == []  # refused before its step: the engine did not even start the create
    assert moto.write_actions() == []  # the refused restore never reached AWS
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["analytics-prod"]
    assert restores_stack.resources() == {}


def test_an_advisory_check_reports_and_lets_the_preview_through(restores_stack: Workspace, moto: MotoServer,
                                                                tmp_path: Path) -> None:
    seed(moto)
    restores_stack.set_config(public_restore())
    preview = with_pack(restores_stack, tmp_path, "preview", {"all": "disabled", PUBLIC: "advisory"})
    assert preview.returncode == 0, preview.output()
    [(policy, level, name, message)] = policy_events(preview)
    assert (policy, level, name) == (PUBLIC, "advisory", RESTORED)
    assert message == PUBLIC_REPORT
    assert f"[advisory]  {PUBLIC}" in preview.stdout, preview.output()
    assert preview.ops() == {RESTORED: ["create"]}


def test_a_disabled_check_reports_nothing_while_every_other_check_is_mandatory(
        restores_stack: Workspace, moto: MotoServer, tmp_path: Path) -> None:
    # Every other check mandatory, and the restore satisfies each of them: the public one alone would speak.
    seed(moto)
    restores_stack.set_config(public_restore(automated_snapshot_retention_days=7, kms_key_id=KMS_KEY))
    preview = with_pack(restores_stack, tmp_path, "preview", {"all": "mandatory", PUBLIC: "disabled"})
    assert preview.returncode == 0, preview.output()
    assert policy_events(preview) == []
    assert PUBLIC_MESSAGE not in preview.stdout + preview.stderr
    assert preview.ops() == {RESTORED: ["create"]}


def test_the_component_form_is_judged_through_the_restore_it_wraps(tmp_path: Path, moto: MotoServer) -> None:
    # `redshift-backup:index:ClusterRestore` (the package's component, for other languages) registers no inputs of
    # its own: the pack judges the dynamic resource it wraps. Declared here from a Python program.
    seed(moto)
    stack = Workspace(tmp_path / "pulumi", E2E / "restores", E2E / "restores" / "component_program.py", moto.env())
    stack.init_stack()
    stack.set_config({"aws:region": REGION, "e2e:cluster_restore": {
        "source": {"snapshot_identifier": "analytics-nightly-1"}, "skip_final_snapshot": True,
        "publicly_accessible": True}})
    preview = with_pack(stack, tmp_path, "preview", {"all": "disabled", PUBLIC: "mandatory"})
    assert preview.returncode != 0, preview.output()
    [event] = [e["policyEvent"] for e in preview.events if "policyEvent" in e]
    assert (event["policyName"], event["message"]) == (PUBLIC, PUBLIC_REPORT)
    assert event["resourceUrn"].endswith(f"redshift-backup:index:ClusterRestore${RESTORE_TYPE}::drill")


def test_the_engine_refuses_a_pack_config_its_schema_rejects(restores_stack: Workspace, moto: MotoServer,
                                                            tmp_path: Path) -> None:
    seed(moto)
    restores_stack.set_config(config())
    refused = with_pack(restores_stack, tmp_path, "preview",
                        {"redshift-automated-snapshot-retention": {"minimumDays": "seven"}})
    assert refused.returncode != 0
    assert "minimumDays" in refused.stdout + refused.stderr, refused.output()

