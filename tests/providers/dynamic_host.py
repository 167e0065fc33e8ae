"""Drive the real Pulumi dynamic-provider host (`python -m pulumi.dynamic`) over gRPC, as the engine does."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_KEY = "__provider"
# What `pulumi.dynamic.Resource` registers when no `module`/`name` is given to `__init_subclass__`.
DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
# The engine's placeholder for a value not known during preview; send it inside `news` to test previews.
# Inside the host, check and diff see it as a `pulumi.output.Unknown` instance, not as this string.
UNKNOWN = rpc.UNKNOWN
# Fixture identity for the default URN; only the type token matters to the host.
STACK = "test"
PROJECT = "redshift-backup"
# Generous bounds so a broken host fails the test instead of hanging it; never used to assert timing.
START_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 120.0
STDERR_TIMEOUT_SECONDS = 30.0
REGION = "us-east-1"


def resource_urn(
    name: str = "res", type_: str = DYNAMIC_TYPE, stack: str = STACK, project: str = PROJECT
) -> str:
    """The engine's URN shape for a top-level resource: `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


DEFAULT_URN = resource_urn()


class ProviderCallError(Exception):
    """A gRPC call to the host failed: `code` is the status, `message` the provider's own error line."""

    def __init__(
        self,
        method: str,
        code: grpc.StatusCode,
        details: str,
        init_failed: proto.ErrorResourceInitFailed | None,
    ) -> None:
        self.method = method
        self.code = code
        # The host aborts with `traceback.format_exc()`: the whole traceback, the exception's line last.
        self.details = details
        lines = [line for line in details.strip().splitlines() if line.strip()]
        self.message = lines[-1] if lines else ""
        self.init_failed = init_failed
        super().__init__(f"{method} failed with {code.name}: {self.message}")


@dataclass(frozen=True)
class DiffReply:
    """A DiffResponse in plain Python; `changes` is None when the provider said DIFF_UNKNOWN."""

    changes: bool | None
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    diffs: list[str] = field(default_factory=list)
    detailed_diff: dict[str, str] = field(default_factory=dict)


def secret(value: Any) -> Any:
    """Mark an input value secret the way it travels on the wire (use inside props passed to the host)."""
    return rpc.wrap_rpc_secret(value)


def _strip_secrets(value: Any) -> Any:
    """What the engine does for a provider that answered Configure with `acceptSecrets: false`."""
    if rpc.is_rpc_secret(value):
        return _strip_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _strip_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_secrets(v) for v in value]
    return value


def _to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Marshal with the SDK's own serializer, so secrets and unknowns take the wire shape the engine uses."""
    # A private loop, as the host itself does: `asyncio.run` would reset the thread's current loop, which
    # Pulumi mock tests running later in the same session rely on.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def _unknowns_as_sentinel(value: Any) -> Any:
    """The SDK reads the wire sentinel as `pulumi.output.Unknown()`; tests get the string back."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _unknowns_as_sentinel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns_as_sentinel(v) for v in value]
    return value


def _from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    """Unmarshal a reply and drop `__provider`, which the host echoes back into every output bag."""
    props = dict(rpc.deserialize_properties(struct, keep_unknowns))
    props.pop(PROVIDER_KEY, None)
    return _unknowns_as_sentinel(props)  # type: ignore[no-any-return]


def _init_failed(err: grpc.RpcError) -> proto.ErrorResourceInitFailed | None:
    """`ErrorResourceInitFailed` from the status details, if the host sent one (Python's host never does)."""
    # Pulumi's own copy of google.rpc.Status: the SDK's provider servers load it, and loading googleapis' copy
    # after it fails with "duplicate symbol 'google.rpc.Status'" (both define the same message).
    from pulumi.runtime.proto import status_pb2

    for key, value in err.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            failure = proto.ErrorResourceInitFailed()
            if detail.Unpack(failure):
                return failure
    return None


def host_env(endpoint: str, region: str = REGION) -> dict[str, str]:
    """The environment a host needs to reach the moto server at `endpoint` with fake credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


class DynamicProviderHost:
    """The host process plus a gRPC stub; a context manager. `stderr_text()` holds what the host printed."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        # What this process has (a real profile, a monkeypatched endpoint) must not leak into the host.
        child_env.update(env or {})
        # The host writes its port without flushing; an unbuffered child is how the port line reaches a pipe.
        child_env["PYTHONUNBUFFERED"] = "1"
        # The host names the project from this (default "project"); `Config.get("x")` reads `<project>:x`.
        child_env.setdefault("PULUMI_PROJECT", PROJECT)
        # A provider class is pickled by reference (`tests.providers.x`): the host imports from the repo.
        child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), child_env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=REPO_ROOT,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._stderr: list[str] = []
        # Notified by the drain thread on every line, so a test can wait for a line instead of sleeping.
        self._stderr_changed = threading.Condition()
        self._stderr_closed = False
        # Drained continuously: a host that logs a lot would otherwise block on a full pipe.
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self._channel: grpc.Channel | None = None
        self.accept_secrets = False
        try:
            self.port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
            grpc.channel_ready_future(self._channel).result(timeout=START_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for raw in iter(self._process.stderr.readline, b""):
            with self._stderr_changed:
                self._stderr.append(raw.decode("utf-8", "replace"))
                self._stderr_changed.notify_all()
        with self._stderr_changed:
            self._stderr_closed = True
            self._stderr_changed.notify_all()

    def _read_port(self) -> int:
        """Wait for the first stdout line (the port); a host that dies first fails with its stderr."""
        assert self._process.stdout is not None
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT_SECONDS)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            self.stop()
            raise RuntimeError(
                f"dynamic provider host printed no port (got {text!r}); stderr:\n{self.stderr_text()}"
            )
        return int(text)

    def __enter__(self) -> DynamicProviderHost:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """The host's process id (a provider running inside it sees this as `os.getpid()`)."""
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the host process is still alive."""
        return self._process.poll() is None

    def stop(self) -> None:
        """Stop the host (SIGINT, as its main loop expects, then kill) and collect its stderr."""
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
        """Everything the host wrote to stderr so far (`pulumi.log` lines, tracebacks)."""
        with self._stderr_changed:
            return "".join(self._stderr)

    def wait_for_stderr(self, text: str, timeout: float = STDERR_TIMEOUT_SECONDS) -> str:
        """Wait until the host's stderr contains `text` and return all of it; fail with what it holds after `timeout`.

        The host answers a call before the drain thread has necessarily read what the provider logged during it,
        so a test that checks a log line waits for it (woken by each new line, never by polling).
        """
        with self._stderr_changed:
            found = self._stderr_changed.wait_for(
                lambda: text in "".join(self._stderr) or self._stderr_closed, timeout=timeout)
            collected = "".join(self._stderr)
        if not found or text not in collected:
            raise AssertionError(f"{text!r} did not appear on the host's stderr within {timeout:g} s; it holds:\n"
                                 f"{collected}")
        return collected

    # --- the engine's calls -------------------------------------------------------------------------------

    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        try:
            return getattr(self._stub, method)(request, timeout=timeout or CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as err:
            raise ProviderCallError(method, err.code(), err.details() or "", _init_failed(err)) from err

    def _with_provider(self, provider: ResourceProvider | str, props: Mapping[str, Any]) -> struct_pb2.Struct:
        """`props` plus `__provider`, serialized by the SDK function `pulumi.dynamic.Resource` uses."""
        if PROVIDER_KEY in props:
            raise ValueError("pass the provider separately; props must not carry __provider")
        serialized = provider if isinstance(provider, str) else serialize_provider(provider)
        # `pulumi.dynamic.Resource` makes `__provider` a secret; like any secret it reaches the Python host
        # as a plain string, because the host declines secrets in Configure.
        bag = {**props, PROVIDER_KEY: serialized}
        return _to_struct(bag if self.accept_secrets else _strip_secrets(bag))

    def check_config(self, config: Mapping[str, Any] | None = None, urn: str = DEFAULT_URN) -> dict[str, Any]:
        """CheckConfig; the Python host does not implement it, so this raises with UNIMPLEMENTED."""
        struct = _to_struct(config or {})
        reply = self._call("CheckConfig", proto.CheckRequest(urn=urn, olds=struct, news=struct))
        return _from_struct(reply.inputs)

    def configure(self, config: Mapping[str, Any] | None = None) -> None:
        """Configure, as the engine does before any resource call; `config` reaches `provider.configure`."""
        config = dict(config or {})
        # The engine sends both shapes: flat `project:key` strings and the structured args the host reads.
        variables = {k: v for k, v in config.items() if isinstance(v, str)}
        request = proto.ConfigureRequest(
            variables=variables, args=_to_struct(config), acceptSecrets=True, acceptResources=True
        )
        reply = self._call("Configure", request)
        # The engine strips secrets from later requests when the provider declines them.
        self.accept_secrets = reply.acceptSecrets

    def check(
        self,
        provider: ResourceProvider | str,
        olds: dict[str, Any],
        news: dict[str, Any],
        urn: str = DEFAULT_URN,
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Check: old and new inputs in, (checked inputs, [(property, reason)]) out."""
        # On a first create the engine has no old inputs, so it sends an empty bag without `__provider`.
        olds_struct = self._with_provider(provider, olds) if olds else _to_struct({})
        request = proto.CheckRequest(urn=urn, olds=olds_struct, news=self._with_provider(provider, news))
        reply = self._call("Check", request)
        return _from_struct(reply.inputs, keep_unknowns=True), [
            (f.property, f.reason) for f in reply.failures
        ]

    def diff(
        self,
        provider: ResourceProvider | str,
        id: str,
        olds: dict[str, Any],
        news: dict[str, Any],
        urn: str = DEFAULT_URN,
    ) -> DiffReply:
        """Diff: olds are the resource's current outputs, news the checked inputs."""
        request = proto.DiffRequest(
            id=id, urn=urn, olds=self._with_provider(provider, olds), news=self._with_provider(provider, news)
        )
        reply = self._call("Diff", request)
        changes = {proto.DiffResponse.DIFF_SOME: True, proto.DiffResponse.DIFF_NONE: False}.get(reply.changes)
        return DiffReply(
            changes=changes,
            replaces=list(reply.replaces),
            delete_before_replace=reply.deleteBeforeReplace,
            diffs=list(reply.diffs),
            detailed_diff={k: proto.PropertyDiff.Kind.Name(v.kind) for k, v in reply.detailedDiff.items()},
        )

    def create(
        self,
        provider: ResourceProvider | str,
        props: dict[str, Any],
        urn: str = DEFAULT_URN,
        timeout: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Create: checked inputs in, (id, outputs) out; `timeout` goes where customTimeouts.create would."""
        request = proto.CreateRequest(
            urn=urn, properties=self._with_provider(provider, props), timeout=timeout or 0
        )
        reply = self._call("Create", request, timeout=timeout)
        return reply.id, _from_struct(reply.properties)

    def read(
        self,
        provider: ResourceProvider | str,
        id: str,
        props: dict[str, Any],
        urn: str = DEFAULT_URN,
    ) -> tuple[str | None, dict[str, Any]]:
        """Read (refresh): current outputs in, (id or None when gone, live outputs) out."""
        state = self._with_provider(provider, props)
        reply = self._call("Read", proto.ReadRequest(id=id, urn=urn, properties=state, inputs=state))
        return reply.id or None, _from_struct(reply.properties)

    def update(
        self,
        provider: ResourceProvider | str,
        id: str,
        olds: dict[str, Any],
        news: dict[str, Any],
        urn: str = DEFAULT_URN,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Update: current outputs and new inputs in, new outputs out."""
        request = proto.UpdateRequest(
            id=id,
            urn=urn,
            olds=self._with_provider(provider, olds),
            news=self._with_provider(provider, news),
            timeout=timeout or 0,
        )
        return _from_struct(self._call("Update", request, timeout=timeout).properties)

    def delete(
        self,
        provider: ResourceProvider | str,
        id: str,
        props: dict[str, Any],
        urn: str = DEFAULT_URN,
        timeout: float | None = None,
    ) -> None:
        """Delete: the resource's current outputs in."""
        request = proto.DeleteRequest(
            id=id, urn=urn, properties=self._with_provider(provider, props), timeout=timeout or 0
        )
        self._call("Delete", request, timeout=timeout)


# Registered as `dynamic_host`; the function has another name so that importing it into a test module
# (`from tests.providers.dynamic_host import dynamic_host_fixture`, with noqa F401) does not trip ruff's F811
# on every test that takes `dynamic_host` as a parameter.
@pytest.fixture(scope="module", name="dynamic_host")
def dynamic_host_fixture(moto_endpoint: str) -> Iterator[DynamicProviderHost]:
    """One configured host per test module, pointed at the session's moto server with fake credentials."""
    # Built from `moto_endpoint`, not from `aws_env`: that fixture is function-scoped and patches only this
    # process, while the host outlives single tests and needs the endpoint in its own environment.
    with DynamicProviderHost(host_env(moto_endpoint)) as host:
        host.configure()
        yield host
