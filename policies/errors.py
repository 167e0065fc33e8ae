"""The project's one exception hierarchy, and the `Problem` that every validation error is made of."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


class RedshiftBackupError(Exception):
    """Root of every error this project raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, what was received, what is allowed."""

    path: str
    message: str
    value: Any = None
    has_value: bool = True
    # The rule's stable id (policies/rules.py): how a problem is looked up, and suppressed by tools.
    rule: str = "config"
    # Where in a stack file (1-based), when the problem comes from one (`policies.locations`).
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        received = f" (received {format_value(self.value)})" if self.has_value else ""
        where = self.path or "<root>"
        return f"{where}: {self.message}{received}"

    def render_at(self, source: str | None) -> str:
        """`Pulumi.prod.yaml:42:15: policies[0].name: ...`: the form editors and terminals make clickable."""
        if self.line is None or source is None:
            return self.render()
        return f"{source}:{self.line}:{self.column or 1}: {self.render()}"


def format_value(value: Any) -> str:
    """Show a received value the way the user wrote it, shortened when it is long."""
    text = repr(value) if isinstance(value, str) else _compact(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _compact(value: Any) -> str:
    import json

    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def join_path(*parts: str | int) -> str:
    """`join_path("policies", 1, "rules", 0, "schedule")` -> `policies[1].rules[0].schedule`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part:
            out += f".{part}" if out else part
    return out


class ConfigError(RedshiftBackupError):
    """A stack config (or component argument) is invalid. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        head += f" in {self.source}" if self.source else " in the configuration"
        # A problem placed in its file starts its line with `file:line:column:`, which editors make a link of.
        lines = (p.render_at(self.source) if p.line is not None else f"  - {p.render()}" for p in self.problems)
        return head + ":\n" + "\n".join(lines)

    @classmethod
    def collect(cls, problems: Iterable[Problem], source: str | None = None) -> None:
        """Raise once with every problem, or return when there is none."""
        found = list(problems)
        if found:
            raise cls(found, source)


class ProviderError(RedshiftBackupError):
    """A dynamic provider could not do what was asked; the message says why, with AWS's own reason."""
