"""The component package from other languages: the real CLI reads and binds the provider's schema; TypeScript and
Go SDKs generated from it by Pulumi's own code generators; a TypeScript program compiles with `tsc` against it and
`@pulumi/pulumi` from npm, a Go program with `go build` against it and the Go SDK from the module proxy.

`pulumi package gen-sdk` itself needs pulumi-language-nodejs / pulumi-language-go, Go modules the proxy does not
serve: `pulumi-sdkgen` (engine/sdkgen) calls the same binder and generators (docs/engine.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.engine import BIN_DIR, PULUMI, ROOT, engine_env

CONSUMERS = Path(__file__).resolve().parent / "consumers"
# npm packages of the TypeScript consumer, installed once per package.json into the git-ignored engine folder.
NPM_DIR = ROOT / ".engine" / "npm"
GO_SDK_MODULE = "example.com/redshift-backup/sdk/go"
TOKENS = {f"redshift-backup:index:{name}" for name in
          ("RedshiftBackup", "ClusterRestore", "TableRestore", "SnapshotShare")}
TOOL_SECONDS = 1200


def run(cmd: list[str], cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, timeout=TOOL_SECONDS,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"$ {' '.join(cmd)} (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("pulumi")
    (root / "home").mkdir()
    return engine_env(root / "home", root / "state", {})


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """`pulumi package get-schema` on the component provider, launched as a provider binary.

    The folder form (`./provider`, PulumiPlugin.yaml `runtime: python`) needs the Python language host, which
    cannot be built here; the same provider/__main__.py, started by a two-line executable, is what the CLI runs.
    """
    folder = tmp_path_factory.mktemp("plugin") / "redshift-backup"
    folder.mkdir()
    plugin = folder / "pulumi-resource-redshift-backup"
    plugin.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "provider" / "__main__.py"}" "$@"\n')
    plugin.chmod(0o755)
    got = run([str(PULUMI), "package", "get-schema", str(plugin)], folder, env)
    path = folder / "schema.json"
    path.write_text(got.stdout)
    return path


def test_the_cli_gets_and_binds_the_schema_with_every_input_typed(schema_file: Path) -> None:
    schema = json.loads(schema_file.read_text())
    assert schema["name"] == "redshift-backup"
    assert set(schema["resources"]) == TOKENS
    assert all(r["isComponent"] for r in schema["resources"].values())
    assert "pulumi.json#/Any" not in schema_file.read_text()
    policy = schema["resources"]["redshift-backup:index:RedshiftBackup"]["inputProperties"]["policy"]
    assert policy["$ref"] == "#/types/redshift-backup:index:Policy"
    rule = schema["types"]["redshift-backup:index:BackupRule"]["properties"]
    assert rule["deleteAfterDays"]["type"] == "integer"


def test_the_binder_refuses_a_broken_schema(schema_file: Path, env: dict[str, str], tmp_path: Path) -> None:
    # The other half of the test above: get-schema's binder does judge what it reads.
    schema = json.loads(schema_file.read_text())
    schema["resources"]["redshift-backup:index:ClusterRestore"]["inputProperties"]["numberOfNodes"]["type"] = "integr"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(schema))
    refused = run([str(PULUMI), "package", "get-schema", str(broken)], tmp_path, env, check=False)
    assert refused.returncode != 0
    assert "failed to bind schema" in refused.stderr and "unknown type kind integr" in refused.stderr


def generate(schema_file: Path, language: str, out: Path, env: dict[str, str], **language_options: Any) -> None:
    schema = json.loads(schema_file.read_text())
    schema.setdefault("language", {}).setdefault(language, {}).update(language_options)
    spec = out.parent / f"schema-{language}.json"
    spec.write_text(json.dumps(schema))
    run([str(BIN_DIR / "pulumi-sdkgen"), str(spec), language, str(out)], out.parent, env)


@pytest.fixture(scope="module")
def node_modules(env: dict[str, str]) -> Path:
    """@pulumi/pulumi and typescript from npm (the npm cache and this folder make later runs offline-fast)."""
    wanted = (CONSUMERS / "typescript" / "package.json").read_text()
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    installed = NPM_DIR / "package.json"
    tsc = NPM_DIR / "node_modules" / ".bin" / "tsc"
    if not (installed.exists() and installed.read_text() == wanted and tsc.exists()):
        shutil.rmtree(NPM_DIR / "node_modules", ignore_errors=True)
        installed.write_text(wanted)
        run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], NPM_DIR, env)
    return NPM_DIR / "node_modules"


@pytest.fixture
def typescript_consumer(tmp_path: Path, schema_file: Path, node_modules: Path, env: dict[str, str]) -> Iterator[Path]:
    consumer = tmp_path / "consumer"
    shutil.copytree(CONSUMERS / "typescript", consumer)
    generate(schema_file, "nodejs", consumer / "sdk", env)
    (consumer / "node_modules").symlink_to(node_modules)
    yield consumer


def test_a_typescript_program_compiles_against_the_generated_sdk(typescript_consumer: Path,
                                                                  env: dict[str, str]) -> None:
    tsc = str(typescript_consumer / "node_modules" / ".bin" / "tsc")
    run([tsc, "-p", "."], typescript_consumer, env)
    # The same program with a misspelt key and a string for a number does not: the inputs are typed.
    wrong = (typescript_consumer / "index.ts").read_text().replace("numberOfNodes: 2,", 'numberOfNodes: "two",')
    wrong = wrong.replace("{ snapshotIdentifier:", "{ snapshotIdentifer:")
    (typescript_consumer / "index.ts").write_text(wrong)
    refused = run([tsc, "-p", "."], typescript_consumer, env, check=False)
    assert refused.returncode != 0
    assert "'snapshotIdentifer' does not exist in type 'ClusterRestoreSourceArgs'" in refused.stdout
    assert "Type 'string' is not assignable to type 'number'" in refused.stdout


def cli_version() -> str:
    record = dict(line.split(" ", 1) for line in (BIN_DIR / "VERSION").read_text().splitlines())
    return record["pulumi"]


def test_a_go_program_builds_against_the_generated_sdk(tmp_path: Path, schema_file: Path,
                                                      env: dict[str, str]) -> None:
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    shutil.copy(CONSUMERS / "go" / "main.go", consumer / "main.go")
    # The Go SDK at the CLI's version: the proxy serves it with every module it needs (3.272.0 needs a
    # pulumi-cloud-sdk version the proxy does not serve).
    version = cli_version()
    (consumer / "go.mod").write_text((CONSUMERS / "go" / "go.mod.in").read_text().replace("@SDK_VERSION@", version))
    sdk = consumer / "sdk"
    generate(schema_file, "go", sdk, env, importBasePath=f"{GO_SDK_MODULE}/redshiftbackup")
    (sdk / "go.mod").write_text(
        f"module {GO_SDK_MODULE}\n\ngo 1.24\n\nrequire github.com/pulumi/pulumi/sdk/v3 v{version}\n")
    go_env = {**env, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "HOME": os.environ.get("HOME", "/root")}
    run(["go", "mod", "tidy"], consumer, go_env)
    run(["go", "build", "-o", str(tmp_path / "consumer-bin"), "."], consumer, go_env)
    assert (tmp_path / "consumer-bin").exists()
