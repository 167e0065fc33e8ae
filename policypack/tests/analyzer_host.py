"""Start the pack as the engine does and call its Analyzer gRPC service (the pulumi protos of the pack's venv).

The engine (3.221 and later, through pulumi-language-python's RunPlugin) runs `python -u -m pulumi.policy
<engine address> <pack directory>` with the pack directory as working directory and the stack's identity in
PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_ORGANIZATION / PULUMI_CONFIG; the pack prints its port on
the first stdout line. Earlier engines ran the same command through the `pulumi-analyzer-policy-python` shim.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

PACK_DIR = Path(__file__).resolve().parents[1]
# Generous bounds so a broken pack fails the test instead of hanging it; never used to assert timing.
START_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 60.0
# Nothing listens here: the Python policy runtime never calls the engine back unless the pack logs through it.
ENGINE_ADDRESS = "127.0.0.1:1"


def struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    json_format.ParseDict(dict(props), out)
    return out


class AnalyzerHost:
    """The pack's process plus an Analyzer stub; a context manager. `stderr_text()` holds what it printed."""

    def __init__(self, env: Mapping[str, str] | None = None, pack_dir: Path = PACK_DIR) -> None:
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        child_env.update({"PULUMI_PROJECT": "team-x", "PULUMI_STACK": "dev", "PULUMI_DRY_RUN": "true",
                          "PULUMI_ORGANIZATION": "acme", "PULUMI_CONFIG": json.dumps({"aws:region": "us-east-1"})})
        child_env.update(env or {})
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(pack_dir)],
            cwd=pack_dir, env=child_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stderr: list[str] = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self._channel: grpc.Channel | None = None
        try:
            self.port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
            grpc.channel_ready_future(self._channel).result(timeout=START_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for raw in iter(self._process.stderr.readline, b""):
            self._stderr.append(raw.decode("utf-8", "replace"))

    def _read_port(self) -> int:
        """The first stdout line, read by a thread so a pack that never prints fails after the bound."""
        stdout = self._process.stdout
        assert stdout is not None
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_SECONDS)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            self.stop()
            raise RuntimeError(f"the policy pack printed no port (got {text!r}); stderr:\n{self.stderr_text()}")
        return int(text)

    def __enter__(self) -> AnalyzerHost:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGINT, which PolicyPack's serving loop handles by stopping the server, then kill if it lingers."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._stderr_thread.join()
        for pipe in (self._process.stdout, self._process.stderr):
            if pipe is not None:
                pipe.close()

    def stderr_text(self) -> str:
        return "".join(self._stderr)

    # --- the engine's calls, in the engine's order ----------------------------------------------------------------

    def configure_stack(self, tags: Mapping[str, str] | None = None) -> None:
        self.stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack="dev", project="team-x", organization="acme", dry_run=True, tags=dict(tags or {})),
            timeout=CALL_TIMEOUT_SECONDS)

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT_SECONDS)
        return info

    def plugin_info(self) -> plugin_pb2.PluginInfo:
        info: plugin_pb2.PluginInfo = self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT_SECONDS)
        return info

    def configure(self, config: Mapping[str, tuple[Any, Mapping[str, Any]]]) -> None:
        """Configure: policy name -> (enforcement level, properties), as the engine sends the reconciled config."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in config.items():
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(enforcementLevel=level,
                                                                          properties=struct(props)))
        self.stub.Configure(request, timeout=CALL_TIMEOUT_SECONDS)

    def analyze(self, type_: str, name: str, props: Mapping[str, Any],
                provider_props: Mapping[str, Any] | None = None) -> analyzer_pb2.AnalyzeResponse:
        request = analyzer_pb2.AnalyzeRequest(
            type=type_, name=name, urn=urn(type_, name), properties=struct(props),
            options=analyzer_pb2.AnalyzerResourceOptions(),
            provider=analyzer_pb2.AnalyzerProviderResource(
                type="pulumi:providers:aws", name="default", urn=urn("pulumi:providers:aws", "default"),
                properties=struct(provider_props or {"region": "us-east-1"})))
        response: analyzer_pb2.AnalyzeResponse = self.stub.Analyze(request, timeout=CALL_TIMEOUT_SECONDS)
        return response

    def analyze_stack(self, resources: list[analyzer_pb2.AnalyzerResource]) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self.stub.AnalyzeStack(
            analyzer_pb2.AnalyzeStackRequest(resources=resources), timeout=CALL_TIMEOUT_SECONDS)
        return response


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::team-x::{type_}::{name}"


def stack_resource(type_: str, name: str, props: Mapping[str, Any],
                   property_dependencies: Mapping[str, list[str]] | None = None) -> analyzer_pb2.AnalyzerResource:
    """One resource of AnalyzeStack: its outputs, and which resources each property was taken from."""
    deps = {k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v) for k, v in (property_dependencies or {}).items()}
    return analyzer_pb2.AnalyzerResource(
        type=type_, name=name, urn=urn(type_, name), properties=struct(props),
        options=analyzer_pb2.AnalyzerResourceOptions(), propertyDependencies=deps,
        dependencies=sorted({u for v in (property_dependencies or {}).values() for u in v}))
