"""The resource view of `diff`: run the program on both sides under Pulumi's mock runtime, offline, and compare.

Resources are matched by URN (type, name and parent chain), as Pulumi matches them. Each one created (`+`),
deleted (`-`), updated in place (`~`) or replaced (`+-`) is listed with its changed inputs old -> new, grouped under
the policy and the component that own it; unchanged resources are counted. Whether a changed input replaces the
resource comes from `policies.replacements` (cited per type); where that is not known, "update or replace".

Pulumi is imported (through `redshift_backup.plan`) only when a side is run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from policies.replacements import REPLACE, UNKNOWN, input_effect
from redshift_backup.plan import ProgramFailed, _plain, resource_regions, run_for_review, tree_order, value_text

if TYPE_CHECKING:
    from redshift_backup.mockrun import Registration

CREATE, DELETE, UPDATE, REPLACE_OP, UPDATE_OR_REPLACE = "create", "delete", "update", "replace", "update_or_replace"
SYMBOLS = {CREATE: "+", DELETE: "-", UPDATE: "~", REPLACE_OP: "+-", UPDATE_OR_REPLACE: "~"}
OP_WORDS = {CREATE: "to create", DELETE: "to delete", UPDATE: "to update", REPLACE_OP: "to replace",
            UPDATE_OR_REPLACE: "to update or replace"}
# Keys by which a list of objects names its items (plan rules, policy statements).
_ITEM_KEYS = ("ruleName", "name", "Sid")
_HIDDEN = {"__provider"}


@dataclass(frozen=True)
class InputChange:
    """One changed input: where (`rules[daily].lifecycle.deleteAfter`), both values as text, and its effect."""

    path: str
    old: str
    new: str
    effect: str  # policies.replacements: replace, update, or "update or replace"
    removed: tuple[str, ...] = ()  # for a list of values: the items gone and the items added
    added: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.describe()

    def describe(self, code: Callable[[str], str] = str, marks: Mapping[str, str] | None = None) -> str:
        """`path: old -> new` (or what a list lost and gained), each value through `code` (markdown: inline code),
        then the effect's mark (default: `  (replaces)`, `  (update or replace)`)."""
        if self.removed or self.added:
            words = [f"removed {', '.join(map(code, self.removed))}"] * bool(self.removed)
            words += [f"added {', '.join(map(code, self.added))}"] * bool(self.added)
            body = f"{code(self.path)}: {'; '.join(words)}"
        else:
            body = f"{code(self.path)}: {code(self.old)} -> {code(self.new)}"
        return body + (TEXT_MARKS if marks is None else marks).get(self.effect, "")


TEXT_MARKS = {REPLACE: "  (replaces)", UNKNOWN: "  (update or replace)"}


@dataclass(frozen=True)
class ResourceChange:
    """One resource that `pulumi up` would create, delete, update or replace."""

    op: str
    type: str
    name: str
    region: str
    policy: str | None  # the policy that owns it; None for what belongs to the stack (providers, restores)
    component: str | None  # the component it sits in (its parent), None at the top
    protect: bool
    custom: bool
    inputs: tuple[InputChange, ...] = ()

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.op]


@dataclass(frozen=True)
class ResourceDiff:
    """Every resource change between the two sides, and what could not be computed."""

    changes: tuple[ResourceChange, ...]
    unchanged: int
    old_error: str | None = None
    new_error: str | None = None
    component_types: dict[str, str] = field(default_factory=dict)  # component name -> type token

    def counts(self) -> dict[str, int]:
        return op_counts(self.changes)

    def groups(self) -> list[tuple[str | None, list[tuple[str | None, list[ResourceChange]]]]]:
        """Changes by policy (None last), then by component, in the order they come (tree order)."""
        policies: dict[str | None, dict[str | None, list[ResourceChange]]] = {}
        for change in self.changes:
            policies.setdefault(change.policy, {}).setdefault(change.component, []).append(change)
        order = sorted(policies, key=lambda p: (p is None, p or ""))
        return [(p, list(policies[p].items())) for p in order]


# --- running both sides --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    registrations: dict[str, Registration]
    regions: dict[str, str]
    error: str | None


def _run(config: Mapping[str, Any] | None, stack: str, account: str) -> _Side:
    if config is None:
        return _Side({}, {}, None)
    try:
        run = run_for_review(config, stack=stack, account=account)
    except ProgramFailed as exc:
        return _Side({}, {}, str(exc))
    ordered = [r for r, _ in tree_order(run.registrations)]
    return _Side({r.urn: r for r in ordered}, resource_regions(ordered, run.region), None)


def resource_diff(old_config: Mapping[str, Any] | None, new_config: Mapping[str, Any] | None, *, stack: str,
                  account: str, policies: Sequence[str]) -> ResourceDiff:
    """Run the program with each side's stack config (None: the side does not exist) and compare.

    `account` is the one account both sides run as (`redshift_backup.assumptions.account_of`); `policies` are the
    policy names of both sides, which own the resources named after them.
    """
    old, new = _run(old_config, stack, account), _run(new_config, stack, account)
    if old.error or new.error:
        return ResourceDiff((), 0, old.error, new.error)
    return compare(old.registrations, new.registrations, {**old.regions, **new.regions}, policies)


def compare(old: Mapping[str, Registration], new: Mapping[str, Registration], regions: Mapping[str, str],
            policies: Sequence[str]) -> ResourceDiff:
    """The changes between two sets of registrations by URN, in tree order (each parent before its children,
    siblings by name and type; a deleted resource where it stood)."""
    names = {**{r.urn: r.name for r in old.values()}, **{r.urn: r.name for r in new.values()}}
    component_types = {r.name: r.type for side in (old, new) for r in side.values() if not r.custom}
    urns = list(new) + [u for u in old if u not in new]
    changes: list[ResourceChange] = []
    unchanged = 0
    for urn in sorted(urns, key=lambda u: _chain(u, old, new)):
        before, after = old.get(urn), new.get(urn)
        r = after or before
        assert r is not None
        owner = _owner(urn, old, new, policies)
        parent = names.get(r.parent or "")
        change = ResourceChange(CREATE, type=r.type, name=r.name, region=regions.get(urn, "-"), policy=owner,
                                component=parent, protect=r.protect, custom=r.custom)
        if before is None:
            changes.append(change)
        elif after is None:
            changes.append(replace(change, op=DELETE))
        else:
            inputs = tuple(input_changes(r.type, _visible(before.inputs), _visible(after.inputs)))
            if not inputs:
                unchanged += 1
                continue
            effects = {i.effect for i in inputs}
            op = REPLACE_OP if REPLACE in effects else UPDATE_OR_REPLACE if UNKNOWN in effects else UPDATE
            changes.append(replace(change, op=op, inputs=inputs))
    return ResourceDiff(tuple(changes), unchanged, component_types=component_types)


def op_counts(changes: Sequence[ResourceChange]) -> dict[str, int]:
    """How many changes of each kind (`OP_WORDS` order)."""
    return {op: sum(1 for c in changes if c.op == op) for op in OP_WORDS}


def _chain(urn: str, *sides: Mapping[str, Registration]) -> tuple[tuple[str, str], ...]:
    out = []
    current: str | None = urn
    while current:
        r = next((side[current] for side in sides if current in side), None)
        if r is None:
            break
        out.append((r.name, r.type))
        current = r.parent
    return tuple(reversed(out))


def _owner(urn: str, old: Mapping[str, Registration], new: Mapping[str, Registration],
           policies: Sequence[str]) -> str | None:
    """The policy a resource belongs to: its top-level component is named after it (`<policy>`,
    `<policy>-snapshots`, `<policy>-notifications`)."""
    top = _chain(urn, new, old)[0][0]
    matches = [p for p in policies if top == p or top.startswith(p + "-")]
    return max(matches, key=len) if matches else None


def _visible(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in inputs.items() if k not in _HIDDEN}


# --- which inputs changed --------------------------------------------------------------------------------------------


def input_changes(type_: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[InputChange]:
    """Every changed input of one resource, as deep as it helps to read (rules by name, JSON documents parsed)."""
    out: list[InputChange] = []
    for key in sorted(set(old) | set(new)):
        effect = input_effect(type_, key)
        out += [InputChange(path, _text(a), _text(b), effect, removed, added)
                for path, a, b, removed, added in _walk(old.get(key), new.get(key), key)]
    return out


_Walked = tuple[str, Any, Any, tuple[str, ...], tuple[str, ...]]


def _walk(old: Any, new: Any, path: str) -> list[_Walked]:
    old, new = _parsed(old), _parsed(new)
    if old == new:
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return [w for key in sorted(set(old) | set(new), key=str)
                for w in _walk(old.get(key), new.get(key), f"{path}.{key}")]
    if isinstance(old, list) and isinstance(new, list):
        key = _item_key(old + new)
        if key is not None:
            olds = {item[key]: item for item in old}
            news = {item[key]: item for item in new}
            return [w for name in [*olds, *(n for n in news if n not in olds)]
                    for w in _walk(olds.get(name), news.get(name), f"{path}[{name}]")]
        if all(not isinstance(v, (Mapping, list)) for v in old + new):
            if sorted(map(_text, old)) == sorted(map(_text, new)):
                return []  # the same values in another order: these lists are sets to AWS
            removed = tuple(_text(v) for v in old if v not in new)
            added = tuple(_text(v) for v in new if v not in old)
            return [(path, old, new, removed, added)]
        if _canonical(old) == _canonical(new):
            return []
    return [(path, old, new, (), ())]


def _item_key(items: list[Any]) -> str | None:
    for key in _ITEM_KEYS:
        if items and all(isinstance(i, Mapping) and isinstance(i.get(key), str) for i in items):
            return key
    return None


def _parsed(value: Any) -> Any:
    """A JSON document given as a string (a policy), parsed, so that its changes can be named."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _canonical(items: list[Any]) -> list[str]:
    return sorted(json.dumps(i, sort_keys=True, default=str) for i in items)


def _text(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, list) and not value:
        return "[]"
    return value_text(value)
