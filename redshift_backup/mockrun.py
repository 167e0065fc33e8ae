"""Run the real Pulumi program under Pulumi's own mock runtime and record every resource it registers.

Used by `redshift-backup plan` (no AWS credentials, no Pulumi CLI) and by the component tests. The mocks answer
the few provider functions the program calls (caller identity, region, partition) with fixed, documented values
and fail on any call nobody expected, so a new data-source lookup cannot slip in unnoticed.
"""

from __future__ import annotations

import inspect
import json
import runpy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _sync_await

PROJECT = "redshift-backup"
MOCK_ACCOUNT_ID = "123456789012"
PROGRAM = Path(__file__).resolve().parent.parent / "__main__.py"


class UnexpectedCall(AssertionError):
    """The program called a provider function the mocks do not know."""


@dataclass
class Registration:
    """One resource the program registered: what `pulumi up` would create."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    protect: bool = False
    provider: str | None = None
    providers: dict[str, str] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)

    @property
    def parent_name(self) -> str | None:
        return self.parent.split("::")[-1] if self.parent else None


@dataclass
class ProgramRun:
    """Everything one evaluation registered, in registration order, and the stack outputs."""

    registrations: list[Registration]
    outputs: dict[str, Any]
    preview: bool
    region: str = "us-east-1"

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]


def provider_key(reference: str) -> tuple[str, str]:
    """A provider reference (`<urn>::<id>`) as (type, name), the way `new_resource` sees the provider itself."""
    urn = reference.rpartition("::")[0]
    qualified_type, _, name = urn.rpartition("::")
    return qualified_type.rpartition("::")[2].rpartition("$")[2], name


class RecordingMocks(pulumi.runtime.Mocks):
    """Resource mocks: a resource's outputs are its inputs plus an id and a plausible ARN.

    An ARN names the region the resource is created in: its own `region` input, else the region of the explicit
    provider it was given, else the stack's.
    """

    def __init__(self, region: str = "us-east-1", account_id: str = MOCK_ACCOUNT_ID,
                 calls: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] | None = None) -> None:
        self.region = region
        self.account_id = account_id
        self.calls: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _args: {
                "accountId": self.account_id, "arn": f"arn:aws:iam::{self.account_id}:user/mock",
                "userId": "MOCKUSER", "id": self.account_id},
            "aws:index/getRegion:getRegion": lambda args: {
                "name": args.get("region") or self.region, "region": args.get("region") or self.region,
                "id": self.region},
            "aws:index/getPartition:getPartition": lambda _args: {
                "partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
        }
        self.calls.update(calls or {})
        self.provider_regions: dict[tuple[str, str], str] = {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        handler = self.calls.get(args.token)
        if handler is None:
            raise UnexpectedCall(f"unexpected provider function call {args.token} with {args.args}")
        return handler(dict(args.args)), []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        resource_id = f"{args.name}-id"
        if args.typ == "pulumi:providers:aws" and isinstance(outputs.get("region"), str):
            self.provider_regions[(args.typ, args.name)] = outputs["region"]
        if args.typ.startswith("aws:") and "arn" not in outputs:
            service = args.typ.split(":")[1].split("/")[0]
            region = outputs.get("region") or self.resource_region(args.provider)
            outputs["arn"] = f"arn:aws:{service}:{region}:{self.account_id}:{args.name}"
        if args.typ == "aws:kms/key:Key":
            outputs.setdefault("keyId", resource_id)
        if args.typ == "aws:s3/bucket:Bucket":
            # The engine auto-names a bucket created without `bucket` (already in preview); the SDK mocks do not.
            outputs.setdefault("bucket", f"{args.name}-1a2b3c4")
        return resource_id, outputs

    def resource_region(self, provider: str | None) -> str:
        """The region of an explicit AWS provider (by its reference), else the stack's."""
        return self.provider_regions.get(provider_key(provider), self.region) if provider else self.region


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping each registration's parent and options, in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            outputs = rpc.deserialize_properties(response.object) if response.object else {}
            parent = request.parent or None
            if parent and parent.split("::")[-2].endswith("pulumi:pulumi:Stack"):
                parent = None
            self.registrations.append(Registration(
                type=request.type, name=request.name, urn=response.urn, parent=parent,
                custom=bool(request.custom), inputs=inputs, outputs=outputs, protect=bool(request.protect),
                provider=request.provider or None, providers=dict(request.providers),
                dependencies=list(request.dependencies)))
        return response


@contextmanager
def _stack_traces(enabled: bool) -> Iterator[None]:
    """Without stack traces, the SDK's per-registration capture (`pulumi.runtime.resource._get_stack_trace`,
    3.272) returns an empty trace for the duration; if the SDK no longer has it, nothing changes."""
    sdk = pulumi.runtime.resource
    capture = getattr(sdk, "_get_stack_trace", None)
    if enabled or capture is None:
        yield
        return
    sdk._get_stack_trace = lambda: source_pb2.StackTrace()
    try:
        yield
    finally:
        sdk._get_stack_trace = capture


def _holds_output(value: Any) -> bool:
    """Whether `value` is, or holds (in dicts, lists, tuples), something only the runtime can resolve."""
    if isinstance(value, dict):
        return any(_holds_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_output(v) for v in value)
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def config_strings(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file config values as the engine hands them to a program: strings, objects as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def run_program(config: Mapping[str, Any], *, preview: bool = True, stack: str = "dev",
                program: Callable[[], Any] | Path = PROGRAM, mocks: RecordingMocks | None = None,
                stack_traces: bool = True) -> ProgramRun:
    """Evaluate `program` (default: this repo's `__main__.py`) with `config` (full keys, e.g.
    `redshift-backup:policies`) under the mock runtime; return what it registered. Exceptions propagate.

    `stack_traces=False` skips the Python stack the SDK captures for every registration (for the engine's
    source positions, which the mocks drop): the largest single cost of a big stack under the mocks. The
    benchmark keeps them, as `pulumi preview` captures them.
    """
    configured = config.get("aws:region")
    region = configured if isinstance(configured, str) else "us-east-1"
    mocks = mocks or RecordingMocks(region=region)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.settings.ROOT.set(None)  # a fresh stack for every evaluation
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config_strings(config), [])

    def body() -> None:
        if callable(program):
            program()
        else:
            runpy.run_path(str(program), run_name="__main__")

    settings = pulumi.runtime.settings.SETTINGS
    settings.rpc_manager.clear()
    settings.outputs.clear()
    with _stack_traces(stack_traces):
        _sync_await(pulumi.runtime.stack.run_pulumi_func(body))
    # `pulumi.export` writes into the root stack's outputs; resolve them as the engine would show them
    # (values still unknown in a preview come back as None).
    root = pulumi.runtime.settings.get_root_resource()
    exports = dict(getattr(root, "outputs", {}) or {})
    # Only exports holding Outputs go through `Output.from_input`, which wraps every nested value in an Output of
    # its own: for a plain summary of 1,000 clusters that took longer than registering the stack's resources
    # (the engine itself serializes plain exports as they are).
    resolved = {name: _sync_await(pulumi.Output.from_input(value).future()) if _holds_output(value) else value
                for name, value in exports.items()}
    return ProgramRun(registrations=list(monitor.registrations), outputs=dict(resolved or {}), preview=preview,
                      region=mocks.region)
