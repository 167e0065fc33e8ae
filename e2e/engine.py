"""Drive the real Pulumi CLI built by `make engine`: one temporary workspace per test, a file backend, a passphrase.

Every command runs with `--event-log`, and the engine's own events say which steps it planned or performed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN_DIR = ROOT / ".engine" / "bin"
PULUMI = BIN_DIR / "pulumi"
VENV_BIN = Path(sys.executable).parent
PASSPHRASE = "e2e-passphrase-not-a-real-secret"
STACK = "e2e"
# How long one engine command may take before the test fails (a hung engine must not hang CI).
COMMAND_TIMEOUT_SECONDS = 600


class EngineNotBuilt(RuntimeError):
    pass


def engine_env(home: Path, state: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of every engine process: isolated home and state, no network, our venv's Python."""
    if not PULUMI.exists():
        raise EngineNotBuilt(f"{PULUMI} is missing: run `make engine` first (docs/engine.md)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AWS_"))}
    env.update({
        "PATH": f"{BIN_DIR}{os.pathsep}{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        # `--event-log` (the engine events the tests read) is a debug-commands flag, as the Automation API sets it.
        "PULUMI_DEBUG_COMMANDS": "true",
        # The dynamic-provider shim (pulumi-resource-pulumi-python) runs `$PULUMI_PYTHON_CMD -m pulumi.dynamic`.
        "PULUMI_PYTHON_CMD": sys.executable,
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


@dataclass
class Step:
    """One resource step the engine reported: its operation and the resource's name and type."""

    op: str
    name: str
    type: str


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def steps(self) -> list[Step]:
        """Every resource step but the stack's and the default providers', in the order the engine reported them."""
        found = []
        for event in self.events:
            pre = event.get("resourcePreEvent")
            if pre is None:
                continue
            meta = pre["metadata"]
            if meta["type"] == "pulumi:pulumi:Stack" or meta["type"].startswith("pulumi:providers:"):
                continue
            found.append(Step(meta["op"], meta["urn"].rsplit("::", 1)[-1], meta["type"]))
        return found

    def ops(self) -> dict[str, list[str]]:
        """resource name -> the operations on it (a replacement is several)."""
        out: dict[str, list[str]] = {}
        for step in self.steps():
            out.setdefault(step.name, []).append(step.op)
        return out

    def summary(self) -> dict[str, int]:
        for event in self.events:
            if "summaryEvent" in event:
                return dict(event["summaryEvent"].get("resourceChanges") or {})
        raise AssertionError(f"no summary event from `pulumi {' '.join(self.args)}`")

    def diagnostics(self) -> list[str]:
        return [e["diagnosticEvent"]["message"] for e in self.events if "diagnosticEvent" in e]

    def output(self) -> str:
        return f"$ pulumi {' '.join(self.args)}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class Workspace:
    """A Pulumi project copied into a temporary folder, with its own PULUMI_HOME and file backend."""

    root: Path
    project_source: Path
    program: Path
    extra_env: dict[str, str]

    def __post_init__(self) -> None:
        self.home = self.root / "pulumi-home"
        self.state = self.root / "state"
        self.project = self.root / "project"
        for folder in (self.home, self.state, self.project):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.project_source / "Pulumi.yaml", self.project / "Pulumi.yaml")
        self.env = engine_env(self.home, self.state, self.extra_env)
        self._event_logs = 0

    # ---- commands -----------------------------------------------------------------------------------------
    def cli(self, *args: str, check: bool = True) -> Result:
        """A CLI command that runs no program (stack init, export, ...)."""
        proc = subprocess.run([str(PULUMI), *args], cwd=self.project, env=self.env, text=True,
                              capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        result = Result(list(args), proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"engine command failed (exit {proc.returncode})\n{result.output()}")
        return result

    @contextmanager
    def language_host(self) -> Iterator[str]:
        """The program's language runtime for one command (e2e/langhost.py); yields its address."""
        host = subprocess.Popen([sys.executable, "-m", "e2e.langhost", str(self.program)], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=open(self.root / "langhost.log", "a"), text=True)
        try:
            assert host.stdout is not None
            port = host.stdout.readline().strip()
            if not port.isdigit():
                raise AssertionError(f"the language host did not start: {(self.root / 'langhost.log').read_text()}")
            yield f"127.0.0.1:{port}"
        finally:
            host.kill()
            host.wait()

    def _program_args(self, command: str, args: tuple[str, ...], address: str) -> tuple[list[str], Path]:
        self._event_logs += 1
        log = self.root / f"events-{self._event_logs}-{command}.jsonl"
        full = [command, "--stack", STACK, "--non-interactive", "--color", "never", "--event-log", str(log),
                f"--client={address}", "--exec-kind", "auto.inline", *args]
        return full, log

    def run(self, command: str, *args: str, check: bool = True) -> Result:
        """preview / up / refresh / destroy with the program's language runtime, to completion."""
        with self.language_host() as address:
            full, log = self._program_args(command, args, address)
            proc = subprocess.run([str(PULUMI), *full], cwd=self.project, env=self.env, text=True,
                                  capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        result = Result(full, proc.returncode, proc.stdout, proc.stderr, read_events(log))
        if check and proc.returncode != 0:
            raise AssertionError(f"engine command failed (exit {proc.returncode})\n{result.output()}")
        return result

    @contextmanager
    def running(self, command: str, *args: str) -> Iterator[subprocess.Popen[str]]:
        """A command started in its own process group, for a test that kills it (with every plugin it started)."""
        with self.language_host() as address:
            full, _ = self._program_args(command, args, address)
            proc = subprocess.Popen([str(PULUMI), *full], cwd=self.project, env=self.env, text=True,
                                    stdout=open(self.root / f"{command}-killed.out", "w"), stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                yield proc
            finally:
                kill_tree(proc)

    # ---- stack and state ----------------------------------------------------------------------------------
    def init_stack(self) -> None:
        self.cli("stack", "init", STACK)

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the stack's config (Pulumi.e2e.yaml keeps the salt `stack init` wrote)."""
        path = self.project / f"Pulumi.{STACK}.yaml"
        document = yaml.safe_load(path.read_text()) or {}
        document["config"] = config
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def state_file(self) -> Path:
        found = list((self.state / ".pulumi" / "stacks").rglob(f"{STACK}.json"))
        assert len(found) == 1, f"expected one state file for stack {STACK}, found {found}"
        return found[0]

    def checkpoint(self) -> dict[str, Any]:
        return dict(json.loads(self.state_file().read_text()))

    def resources(self) -> dict[str, dict[str, Any]]:
        """The state file's resources by name (the stack itself left out)."""
        deployment = self.checkpoint()["checkpoint"]["latest"] or {}
        return {r["urn"].rsplit("::", 1)[-1]: r for r in deployment.get("resources") or []
                if r["type"] != "pulumi:pulumi:Stack" and not r["type"].startswith("pulumi:providers:")}

    def stack_outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.cli("stack", "output", "--stack", STACK, "--json").stdout))


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc). The engine starts each plugin in a process group of its own, so
    killing the engine's group leaves them running: a test that kills the engine collects them first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a killed process may linger as a zombie until its new parent reaps it)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def kill_tree(process: subprocess.Popen[str]) -> None:
    """SIGKILL the engine and every process it started (its plugins), at once, as a lost machine would."""
    below = descendants(process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid in below:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def read_events(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
