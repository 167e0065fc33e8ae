"""The findings of `diff`: their levels, their collection per subject, and the result of a stack diff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from policies.schedule_words import FOREVER

LEVELS = ("high", "medium", "info")
RANK = {"info": 1, "medium": 2, "high": 3}
FAIL_ON = ("high", "medium", "never")
SCOPES = ("stack", "policy", "cluster", "selector", "serverless", "restore", "target")


@dataclass(frozen=True)
class Finding:
    """One semantic change: its risk level, its rule id, where it is and what it means."""

    level: str
    rule: str
    scope: str
    subject: str
    message: str


@dataclass(frozen=True)
class StackDiff:
    """Every finding between two stack configs, most severe first."""

    old_source: str
    new_source: str
    now: datetime
    findings: tuple[Finding, ...]

    @property
    def highest(self) -> str | None:
        """The most severe level found, or None when nothing changed."""
        return max((f.level for f in self.findings), key=RANK.__getitem__, default=None)

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for f in self.findings if f.level == level) for level in LEVELS}

    def fails(self, fail_on: str) -> bool:
        """Whether a finding reaches `fail_on` (`high`, `medium` or `never`)."""
        return reaches((f.level for f in self.findings), fail_on)


def reaches(levels: Iterable[str], fail_on: str) -> bool:
    """Whether any of `levels` is at `fail_on` (`high`, `medium`) or above; never for `never`. The one threshold
    rule of `diff --fail-on` and `audit --fail-on`."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    if fail_on == "never":
        return False
    return any(RANK[level] >= RANK[fail_on] for level in levels)


class Collector:
    """Findings for one subject, and the config paths they speak for."""

    def __init__(self, scope: str, subject: str) -> None:
        self.scope = scope
        self.subject = subject
        self.items: list[Finding] = []
        self.covered: set[str] = set()

    def add(self, level: str, rule: str, message: str, *paths: str) -> None:
        self.items.append(Finding(level, rule, self.scope, self.subject, message))
        self.cover(*paths)

    def cover(self, *paths: str) -> None:
        """Mark config paths (and everything below them) as spoken for by a finding, or as no change at all."""
        self.covered.update(paths)

    def covers(self, path: str) -> bool:
        return any(path == p or path.startswith((p + ".", p + "[")) for p in self.covered)


def retention_key(days: int | None) -> float:
    """Retention as a comparable number: None (not kept) lowest, -1 (for ever) highest."""
    if days is None:
        return -1.0
    return float("inf") if days == FOREVER else float(days)
