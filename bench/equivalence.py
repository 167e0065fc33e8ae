"""Before any timing: do the project's program and the raw baseline register the same resources?

Compared per resource (type, name): the inputs (after the engine's own serialization, `__provider` included) and
the options that change what `pulumi up` does (protect, provider, dependencies, replaceOnChanges,
deleteBeforeReplace, ignoreChanges, additionalSecretOutputs, retainOnDelete, deletedWith). Parents are not
compared: the project's resources have components as parents and the baseline has none, which changes their URNs
but not what is created. Resources are named in dependencies and provider references by (type, name), not URN.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from redshift_backup import mockrun

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PROGRAM = ROOT / "__main__.py"
RAW_PROGRAM = ROOT / "bench" / "raw_program.py"


def _urn_key(urn: str) -> str:
    """`urn:pulumi:stack::project::a$b$aws:kms/key:Key::name` -> `aws:kms/key:Key::name`."""
    qualified, _, name = urn.rpartition("::")
    return f"{qualified.rpartition('::')[2].rpartition('$')[2]}::{name}"


def _ref_key(reference: str) -> str:
    """A provider reference `<urn>::<id>` -> `pulumi:providers:aws::name`."""
    return _urn_key(reference.rpartition("::")[0]) if reference else ""


class OptionsMonitor(mockrun.RecordingMonitor):
    """The recording monitor, also keeping every custom resource's comparable shape."""

    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.shapes: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.custom:
            key = f"{request.type}::{request.name}"
            self.shapes[key] = {
                "inputs": rpc.deserialize_properties(request.object),
                "protect": bool(request.protect),
                "provider": _ref_key(request.provider),
                "dependencies": sorted(_urn_key(d) for d in request.dependencies),
                "replace_on_changes": sorted(request.replaceOnChanges),
                "delete_before_replace": bool(request.deleteBeforeReplace),
                "ignore_changes": sorted(request.ignoreChanges),
                "additional_secret_outputs": sorted(request.additionalSecretOutputs),
                "retain_on_delete": bool(request.retainOnDelete),
                "deleted_with": _urn_key(request.deletedWith) if request.deletedWith else "",
            }
        return response


def registered(program: Path, config: Mapping[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    """Every custom resource `program` registers under the mock runtime, by `type::name`."""
    monitors: list[OptionsMonitor] = []
    original = mockrun.RecordingMonitor

    class Capture(OptionsMonitor):
        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            monitors.append(self)

    mockrun.RecordingMonitor = Capture  # type: ignore[misc]
    try:
        mockrun.run_program(config, preview=True, stack=stack, program=program)
    finally:
        mockrun.RecordingMonitor = original  # type: ignore[misc]
    return monitors[0].shapes


def differences(project: Mapping[str, dict[str, Any]], raw: Mapping[str, dict[str, Any]],
                limit: int = 10) -> list[str]:
    """What differs, in words; empty when both register the same resources."""
    out = [f"only the project registers {k}" for k in sorted(set(project) - set(raw))]
    out += [f"only the baseline registers {k}" for k in sorted(set(raw) - set(project))]
    for key in sorted(set(project) & set(raw)):
        for field in project[key]:
            if project[key][field] != raw[key].get(field):
                out.append(f"{key}: {field} differs: project {_short(project[key][field])} "
                           f"vs baseline {_short(raw[key].get(field))}")
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:297] + "..."


def check(config: Mapping[str, Any], stack: str) -> tuple[int, list[str]]:
    """(resources compared, differences) for one stack config."""
    project = registered(PROJECT_PROGRAM, config, stack)
    raw = registered(RAW_PROGRAM, config, stack)
    return len(project), differences(project, raw)
