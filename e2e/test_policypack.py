"""The policy pack (policypack/) loaded by the real engine on the restores stack: `pulumi preview --policy-pack`.

The 3.274 CLI starts a pack folder only through its runtime's language host (RunPlugin), and the Python one cannot
be built here (docs/engine.md). It also accepts an executable as `--policy-pack` and launches it as an analyzer
plugin; the executable here is three lines that run the pack the way the release's shim did
(`pulumi-analyzer-policy-python`, from `make engine`: the pack's venv, `python -m pulumi.policy`, in the pack's
folder). Every check of the pack judges `aws:*` resources, which cannot run under this engine (no AWS provider
plugin), so on this stack the pack runs and finds nothing: what is asserted is that the engine started it,
configured it from `--policy-pack-config` (validated against the pack's own schemas) and ran it on every step.
"""

from __future__ import annotations

import json
from pathlib import Path

from e2e.engine import BIN_DIR, ROOT, Workspace
from e2e.moto_server import MotoServer
from e2e.test_restores import config, seed

PACK = ROOT / "policypack"


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


def test_the_engine_runs_the_pack_with_its_config(restores_stack: Workspace, moto: MotoServer,
                                                  tmp_path: Path) -> None:
    seed(moto)
    restores_stack.set_config(config())
    preview = restores_stack.run("preview", "--policy-pack", str(pack_plugin(tmp_path / "pack")),
                                 "--policy-pack-config", str(PACK / "config.example.json"))
    assert "redshift-backup@v0.1.0" in preview.stdout, preview.output()
    assert not [e for e in preview.events if "policyEvent" in e]
    assert preview.ops().keys() == {"analytics-restored", "analytics-share", "analytics-prod-retention"}


def test_the_engine_refuses_a_pack_config_its_schema_rejects(restores_stack: Workspace, moto: MotoServer,
                                                            tmp_path: Path) -> None:
    seed(moto)
    restores_stack.set_config(config())
    bad = tmp_path / "pack-config.json"
    bad.write_text(json.dumps({"redshift-automated-snapshot-retention": {"minimumDays": "seven"}}))
    refused = restores_stack.run("preview", "--policy-pack", str(pack_plugin(tmp_path / "pack")),
                                 "--policy-pack-config", str(bad),
                                 check=False)
    assert refused.returncode != 0
    assert "minimumDays" in refused.stdout + refused.stderr, refused.output()
