"""Build the Pulumi CLI and the Python language host from Pulumi's Go modules, at the installed SDK's version.

`make engine` runs this with the project's venv. The version is the one of the `pulumi` Python package installed
there (one source of truth: requirements.txt's range, resolved by pip). Nothing is downloaded but Go modules, through
the plain `go` client and the module proxy.

`go install module@version` refuses modules whose go.mod has `replace` lines, and Pulumi's have them (the sibling
`../sdk` checkout, and forks of a few libraries). So for each binary this writes a small tools module under
`.engine/src/<name>/` whose go.mod is upstream's go.mod at that version with:
  - the module line renamed, and a `require` of the upstream module itself at the version;
  - each local replace (`=> ../sdk`, `=> ../../../../pkg`) pointed at the same Pulumi module at the same version;
  - every other replace (the forks) kept as upstream wrote it;
and whose go.sum starts as upstream's. The dependency graph is therefore upstream's own.

The result goes to `.engine/bin/` (git-ignored) with a VERSION file; a second run with the same version is a no-op.
The shims the release archive ships next to the binaries for Python dynamic providers and policy packs are written
there too, copied from the Python SDK's `dist/` folder of the same version (the Go module `sdk/v3` carries it).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import posixpath
import re
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_DIR = ROOT / ".engine"
BIN_DIR = ENGINE_DIR / "bin"
SRC_DIR = ENGINE_DIR / "src"
VERSION_FILE = BIN_DIR / "VERSION"
UNAVAILABLE = "UNAVAILABLE"
SDKGEN = "pulumi-sdkgen"

REPO = "github.com/pulumi/pulumi"
# Where each Pulumi Go module lives in the pulumi/pulumi repository, to resolve the local replace targets.
REPO_MODULES = {
    "sdk": f"{REPO}/sdk/v3",
    "pkg": f"{REPO}/pkg/v3",
    "sdk/python/cmd/pulumi-language-python": f"{REPO}/sdk/python/cmd/pulumi-language-python/v3",
}
VERSION_PKG = f"{REPO}/sdk/v3/go/common/version.Version"
# The shims of the release archive (pulumi-vX-linux-x64.tar.gz ships these next to `pulumi`), in sdk/python/dist/.
DYNAMIC_PROVIDER_SHIM = "pulumi-resource-pulumi-python"
POLICY_SHIM = "pulumi-analyzer-policy-python"
SHIMS = (DYNAMIC_PROVIDER_SHIM, POLICY_SHIM)
# pulumi/pulumi#21684 (2026-02-12, first released in v3.221.0) dropped the policy shim from sdk/python/dist/: Python
# policy packs run through the language host's RunPlugin since. The CLI still falls back to
# `pulumi-analyzer-policy-<runtime>` when it finds no language host for the pack's runtime, so where the language
# host cannot be built the shim is taken from the newest Go-proxy-served sdk/v3 that still ships it.
LAST_SDK_WITH_POLICY_SHIM = "3.219.0"


@dataclass(frozen=True)
class Binary:
    name: str
    module_dir: str  # the module's folder in the pulumi/pulumi repository
    package: str  # the main package to build

    @property
    def module(self) -> str:
        return REPO_MODULES[self.module_dir]


BINARIES = (
    Binary("pulumi", "pkg", f"{REPO}/pkg/v3/cmd/pulumi"),
    Binary(
        "pulumi-language-python",
        "sdk/python/cmd/pulumi-language-python",
        f"{REPO}/sdk/python/cmd/pulumi-language-python/v3",
    ),
)


class BuildError(Exception):
    """The engine could not be built; the message says which step and why."""


def sdk_version() -> str:
    return importlib.metadata.version("pulumi")


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.lstrip("v").split("-")[0].split("."))


def served_versions(module: str) -> list[str]:
    """The versions of `module` the module proxy lists (some versions of Pulumi's modules are not served)."""
    proc = subprocess.run(
        ["go", "list", "-m", "-versions", module], cwd=ENGINE_DIR, env=go_env(), text=True, capture_output=True
    )
    if proc.returncode != 0:
        raise BuildError(f"go list -m -versions {module} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return [v.lstrip("v") for v in proc.stdout.split()[1:] if "-" not in v]


def pick_cli_version(sdk: str, served: list[str]) -> str:
    """The SDK's version when the proxy serves pkg/v3 at it, else the next served one (a CLI supports older SDKs)."""
    if sdk in served:
        return sdk
    newer = sorted((v for v in served if _semver(v) > _semver(sdk)), key=_semver)
    if not newer:
        raise BuildError(f"the module proxy serves no {REPO_MODULES['pkg']} at v{sdk} or newer (it serves {served})")
    return newer[0]


def cli_version(sdk: str) -> str:
    version = pick_cli_version(sdk, served_versions(REPO_MODULES["pkg"]))
    if version != sdk:
        print(f"{REPO_MODULES['pkg']}@v{sdk} is not served by the module proxy; building the CLI at v{version}")
    return version


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    # The local toolchain only: a go.mod's `toolchain` line must not make go download another one.
    env["GOTOOLCHAIN"] = "local"
    env.setdefault("CGO_ENABLED", "0")
    env.pop("GOFLAGS", None)
    return env


def run(cmd: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=go_env(), text=True, capture_output=True)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def download(module: str, version: str) -> Path:
    """The module's source folder in the Go module cache (downloaded through the proxy if missing)."""
    # On failure `go mod download -json` exits 1 and says why in the JSON's Error, on stdout.
    proc = subprocess.run(["go", "mod", "download", "-json", f"{module}@v{version}"], cwd=ENGINE_DIR, env=go_env(),
                          text=True, capture_output=True)
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError:
        out = {"Error": proc.stderr.strip() or f"exit {proc.returncode}"}
    if out.get("Error") or proc.returncode != 0:
        raise BuildError(f"go mod download {module}@v{version}: {out.get('Error') or proc.stderr.strip()}")
    return Path(out["Dir"])


_REPLACE_LINE = re.compile(r"^(?P<lhs>\S+(?:\s+v\S+)?)\s*=>\s*(?P<rhs>\S+(?:\s+v\S+)?)\s*$")


def rewrite_go_mod(text: str, binary: Binary, version: str) -> str:
    """Upstream's go.mod as a tools module: renamed, requiring upstream, local replaces pointed at the version."""
    out: list[str] = []
    in_replace_block = False
    for line in text.splitlines():
        stripped = line.split("//", 1)[0].strip()
        if stripped.startswith("module "):
            out.append(f"module redshift-backup/engine/{binary.name}")
            continue
        if stripped == "replace (":
            in_replace_block = True
            out.append(line)
            continue
        if in_replace_block and stripped == ")":
            in_replace_block = False
            out.append(line)
            continue
        if stripped.startswith("replace "):
            body: str | None = stripped[len("replace ") :]
        else:
            body = stripped if in_replace_block else None
        if body:
            match = _REPLACE_LINE.match(body)
            if match is None:
                raise BuildError(f"unexpected replace line in {binary.module}'s go.mod: {line!r}")
            rhs = match["rhs"]
            if rhs.startswith("."):
                target_dir = posixpath.normpath(posixpath.join(binary.module_dir, rhs))
                if target_dir not in REPO_MODULES:
                    raise BuildError(f"{binary.module}'s go.mod replaces with {rhs!r}, not a known Pulumi module")
                prefix = "replace " if not in_replace_block else "\t"
                out.append(f"{prefix}{match['lhs']} => {REPO_MODULES[target_dir]} v{version}")
                continue
        out.append(line)
    out.append("")
    out.append(f"require {binary.module} v{version}")
    out.append("")
    return "\n".join(out)


def write_tools_module(binary: Binary, version: str) -> Path:
    upstream = download(binary.module, version)
    folder = SRC_DIR / binary.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "go.mod").write_text(rewrite_go_mod((upstream / "go.mod").read_text(), binary, version))
    upstream_sum = upstream / "go.sum"
    (folder / "go.sum").write_text(upstream_sum.read_text() if upstream_sum.exists() else "")
    # A blank import makes the main package part of the module's build list for `go mod` commands too.
    (folder / "tools.go").write_text(
        "//go:build tools\n\n"
        f"// Package tools pins {binary.package} at v{version} (see engine/build.py).\n"
        "package tools\n\n"
        f'import _ "{binary.package}"\n'
    )
    return folder


def build_binary(binary: Binary, version: str) -> None:
    folder = write_tools_module(binary, version)
    ldflags = f"-X {VERSION_PKG}=v{version}"
    # -mod=mod: go adds the go.sum lines of the modules the rewritten go.mod now names (checked against the sumdb).
    run(
        ["go", "build", "-mod=mod", "-trimpath", "-ldflags", ldflags, "-o", str(BIN_DIR / binary.name), binary.package],
        cwd=folder,
    )


def build_sdkgen(version: str) -> None:
    """engine/sdkgen (Pulumi's binder and TypeScript/Go code generators) in the CLI's tools module."""
    folder = SRC_DIR / "pulumi" / "sdkgen"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "engine" / "sdkgen" / "main.go", folder / "main.go")
    ldflags = f"-X {VERSION_PKG}=v{version}"
    run(["go", "build", "-mod=mod", "-trimpath", "-ldflags", ldflags, "-o", str(BIN_DIR / SDKGEN), "./sdkgen"],
        cwd=SRC_DIR / "pulumi")


def write_shim(shim: str, version: str) -> None:
    source = download(REPO_MODULES["sdk"], version) / "python" / "dist" / shim
    if not source.exists():
        raise BuildError(f"{shim} is not in {REPO_MODULES['sdk']}@v{version} (looked in {source})")
    target = BIN_DIR / shim
    shutil.copyfile(source, target)
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def already_built(name: str, version: str) -> bool:
    """`name` at `version` is in .engine/bin from an earlier run (one that was stopped, or built less)."""
    return (BIN_DIR / name).exists() and f"{name} {version}" in previous_record()


def previous_record() -> list[str]:
    path = BIN_DIR / "BUILT"
    return path.read_text().splitlines() if path.exists() else []


def remember(line: str) -> None:
    with (BIN_DIR / "BUILT").open("a") as built:
        built.write(line + "\n")


def is_built(sdk: str) -> bool:
    return (
        VERSION_FILE.exists()
        and VERSION_FILE.read_text().splitlines()[:1] == [f"sdk {sdk}"]
        and all((BIN_DIR / name).exists() for name in ("pulumi", SDKGEN, *SHIMS))
    )


def main() -> int:
    sdk = sdk_version()
    if is_built(sdk):
        print(f"engine for SDK v{sdk} already built in {BIN_DIR.relative_to(ROOT)}: {VERSION_FILE.read_text().strip()}")
        return 0
    ENGINE_DIR.mkdir(exist_ok=True)
    BIN_DIR.mkdir(exist_ok=True)
    VERSION_FILE.unlink(missing_ok=True)
    (BIN_DIR / UNAVAILABLE).unlink(missing_ok=True)
    started = time.monotonic()
    record = [f"sdk {sdk}"]
    unavailable: list[str] = []
    try:
        cli, language_host = BINARIES
        version = cli_version(sdk)
        if not already_built(cli.name, version):
            print(f"building {cli.name} v{version} ...", flush=True)
            build_binary(cli, version)
            remember(f"{cli.name} {version}")
        record.append(f"{cli.name} {version}")
        if not already_built(SDKGEN, version):
            print(f"building {SDKGEN} v{version} ...", flush=True)
            build_sdkgen(version)
            remember(f"{SDKGEN} {version}")
        record.append(f"{SDKGEN} {version}")
        print(f"building {language_host.name} v{sdk} ...", flush=True)
        try:
            build_binary(language_host, sdk)
            record.append(f"{language_host.name} {sdk}")
        except BuildError as exc:
            # Not faked: recorded, printed, and the e2e tests run without it (docs/engine.md says how).
            unavailable.append(f"{language_host.name} v{sdk}: {exc}")
        write_shim(DYNAMIC_PROVIDER_SHIM, sdk)
        record.append(f"{DYNAMIC_PROVIDER_SHIM} {sdk}")
        write_shim(POLICY_SHIM, LAST_SDK_WITH_POLICY_SHIM)
        record.append(f"{POLICY_SHIM} {LAST_SDK_WITH_POLICY_SHIM}")
    except BuildError as exc:
        print(f"engine build failed: {exc}", file=sys.stderr)
        return 1
    if unavailable:
        (BIN_DIR / UNAVAILABLE).write_text("\n".join(unavailable) + "\n")
        for line in unavailable:
            print(f"NOT BUILT: {line}", file=sys.stderr)
    record.append(f"build-seconds {time.monotonic() - started:.0f}")
    VERSION_FILE.write_text("\n".join(record) + "\n")
    print(f"engine built into {BIN_DIR.relative_to(ROOT)}: {', '.join(record)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
