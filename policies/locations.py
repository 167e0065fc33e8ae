"""Where each problem is in its stack file: `file:line:column` from the YAML parser's node marks, document order.

Problems are found on parsed values and named by path (`policies[0].backup.rules[1].name`); this module maps
those paths back to the nodes they came from. It knows nothing of the models: a key another model adds gets its
place the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from policies.errors import Problem, join_path
from policies.presets import PLAN_PRESETS

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class Place:
    """A value's node and its key's node (None for a list item or the document), as 1-based line and column."""

    line: int
    column: int
    key_line: int | None
    key_column: int | None
    # The text the user wrote, for a plain (unquoted) scalar: the digits of a number YAML read as octal.
    text: str | None
    tag: str


class Locations:
    """Path (as problems name it) -> `Place`, for one stack file's node tree."""

    def __init__(self, root: yaml.Node, document_path: Callable[[tuple[str | int, ...]], str]) -> None:
        self._places: dict[str, Place] = {}
        self._document_path = document_path
        self._walk(root, (), None)

    def _walk(self, node: yaml.Node, where: tuple[str | int, ...], key: yaml.Node | None) -> None:
        path = self._document_path(where)
        text = node.value if isinstance(node, yaml.ScalarNode) and node.style is None else None
        place = Place(node.start_mark.line + 1, node.start_mark.column + 1,
                      key.start_mark.line + 1 if key else None, key.start_mark.column + 1 if key else None,
                      text, node.tag)
        self._places.setdefault(path, place)
        if isinstance(node, yaml.MappingNode):
            for k, value in node.value:
                self._walk(value, (*where, str(k.value)), k)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*where, i), None)

    def find(self, path: str) -> tuple[Place | None, bool]:
        """The place of `path`, else of its nearest ancestor in the file; and whether it is `path`'s own."""
        current = path
        while True:
            place = self._places.get(current)
            if place is not None:
                return place, current == path
            parent = _parent(current)
            if parent is None:
                return None, False
            current = parent

    def locate(self, problem: Problem) -> Problem:
        """`problem` with its line and column (the key's for an unknown key or a problem without a value, the
        nearest enclosing value's for a missing key), and a YAML number hint that shows the digits the user wrote."""
        place, own = self.find(problem.path)
        if place is None or problem.line is not None:
            return problem
        line, column = place.line, place.column
        # An unknown key, and a problem about a key rather than its value (has_value false), point at the key.
        if own and (problem.rule == "unknown-key" or not problem.has_value) and place.key_line is not None:
            line, column = place.key_line, place.key_column or 1
        message = problem.message
        if own and place.text is not None and place.tag in (INT_TAG, FLOAT_TAG):
            message = _number_hint(message, problem, place.text)
        return dataclasses.replace(problem, line=line, column=column, message=message)


def _number_hint(message: str, problem: Problem, text: str) -> str:
    """YAML 1.1 reads an unquoted `012345678901` as the octal number 1402433...: show what was written."""
    hint = f"YAML read this as a number: quote it ('{problem.value}')"
    if hint not in message:
        return message
    octal = re.fullmatch(r"[-+]?0[0-7_]+", text) is not None
    how = f" (a leading 0 makes it octal: {problem.value})" if octal else f" ({problem.value})"
    better = f"YAML read {text} as a number{how}: quote it ('{text}')"
    return message.replace(hint, better)


_LAST = re.compile(r"(\[\d+\]|\.[^.\[\]]+)$")


def _parent(path: str) -> str | None:
    if not path:
        return None
    match = _LAST.search(path)
    return path[:match.start()] if match else ""


def in_document_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems without a place (about the whole file) first, then by line and column; ties keep their order."""
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0, p.column or 0))


def located(problems: Iterable[Problem], locations: Locations | None) -> list[Problem]:
    if locations is None:
        return list(problems)
    return in_document_order(locations.locate(p) for p in problems)


_PRESET_RULE = re.compile(r"^((?:policies\[(\d+)\]|policy)\.backup)\.rules\[(\d+)\](.*)$")


def as_written(problems: list[Problem], raw: Mapping[str, Any], *, policy: Any = None) -> list[Problem]:
    """Paths as the file has them: a plan preset's rules come before the hand-written ones in the model, so
    `rules[k]` of a policy whose preset has k rules is the file's `rules[0]`; a preset rule's own problem is
    the preset's. `policy` is the one policy a component was given (paths `policy.backup...`)."""
    policies = raw.get("policies")
    policies = policies if isinstance(policies, list) else []
    out = []
    for problem in problems:
        match = _PRESET_RULE.match(problem.path)
        if match is None:
            out.append(problem)
            continue
        count = _preset_rule_count([policy] if match.group(2) is None else policies, int(match.group(2) or 0))
        if count:
            index = int(match.group(3))
            if index >= count:
                problem = dataclasses.replace(problem, path=f"{match.group(1)}.rules[{index - count}]"
                                                            f"{match.group(4)}")
            else:
                problem = dataclasses.replace(problem, path=f"{match.group(1)}.preset", message=(
                    f"its rule {index + 1} of {count} ({match.group(4).lstrip('.') or 'the rule'}): "
                    f"{problem.message}"))
        out.append(problem)
    return out


def _preset_rule_count(policies: list[Any], index: int) -> int:
    policy = policies[index] if index < len(policies) else None
    backup = policy.get("backup") if isinstance(policy, dict) else None
    preset = backup.get("preset") if isinstance(backup, dict) else None
    return len(PLAN_PRESETS.get(preset, ())) if isinstance(preset, str) else 0


__all__ = ["Locations", "Place", "as_written", "in_document_order", "join_path", "located"]
