"""Effective backup policies, offline: how AWS Organizations merges the policies of the root, the OUs on the path
and the account ([INHERIT]), with provenance for every value, and what each target's accounts end up with.

The merge, as [INHERIT] and [SYNTAX] document it:
- Levels merge from the root down; at each level a policy's `@@assign` overwrites what is inherited, `@@append`
  adds to an inherited array, `@@remove` removes values from it ("Inheritance operators").
- `@@operators_allowed_for_child_policies` at a node restricts the value-setting operators that policies at lower
  levels may use at that node; a restriction cannot be reversed below ("Child control operators", note). Several
  policies at one level: the intersection of their allowed operators applies ([INHERIT] example 5).
- At a node whose operators are restricted, a lower level may add a new key only when `@@append` (or `@@assign`)
  is allowed there: `@@none` at `plans` stops child policies from adding plans, `@@append` lets them
  ([SYNTAX] examples 3 and 4).
- Policies attached to the same entity are evaluated in the order they were attached; a value set by the first is
  kept ([INHERIT] example 6). Pulumi does not control that order, so the config refuses two policies at one target
  that set the same value (`policies.organization`); the model still implements the documented rule.
- A restriction applies at the node where it is written ([SYNTAX] example 3 writes `@@none` at every node of the
  plan to lock all of it); the documents we generate lock every node of a locked part, so they mean the same
  under a reading where a restriction would also cover the nodes below.
- The effective policy shows values without operators, and an array emptied by `@@remove` is left out
  ([INHERIT] example 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from policies.org_grammar import APPEND, ASSIGN, CHILD_CONTROL, MAX_PLANS_PER_ACCOUNT_REGION, REMOVE, VALUE_OPERATORS
from policies.org_policy_document import documents, override_name
from policies.organization import OrganizationConfig, OrgTarget, org_names
from policies.rpo import combined_rpo
from policies.summary_words import duration_text

ALL = frozenset(VALUE_OPERATORS)
_MISSING = object()


def allowed_set(values: Sequence[str]) -> frozenset[str]:
    """`@@operators_allowed_for_child_policies` as a set of value-setting operators."""
    if "@@all" in values:
        return ALL
    if "@@none" in values:
        return frozenset()
    return frozenset(v for v in values if v in ALL)


@dataclass
class _Node:
    value: Any = _MISSING
    children: dict[str, _Node] = field(default_factory=dict)
    allowed: frozenset[str] = ALL  # for policies at levels below the ones already merged
    level: int = -1  # the level that last set `value`
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ignored:
    """A change a lower policy tried to make and AWS ignores, because a higher policy restricted it."""

    path: str
    operator: str
    source: str


@dataclass(frozen=True)
class Effective:
    """An effective policy: the document as AWS shows it, who set each value, and what was ignored."""

    document: dict[str, Any]
    sources: dict[str, tuple[str, ...]]
    ignored: tuple[Ignored, ...]


def merge(levels: Sequence[Sequence[tuple[str, dict[str, Any]]]]) -> Effective:
    """Merge `levels` (root first; each a list of `(label, document)` in attachment order) into an effective policy."""
    root = _Node()
    ignored: list[Ignored] = []
    for level, policies in enumerate(levels):
        pending: dict[int, tuple[_Node, frozenset[str]]] = {}
        for label, document in policies:
            _apply(root, document, level, label, "", pending, ignored)
        for node, allowed in pending.values():
            node.allowed = node.allowed & allowed
    sources: dict[str, tuple[str, ...]] = {}
    return Effective(_render(root, "", sources) or {}, sources, tuple(ignored))


def _apply(node: _Node, document: dict[str, Any], level: int, label: str, path: str,
           pending: dict[int, tuple[_Node, frozenset[str]]], ignored: list[Ignored]) -> None:
    for key, value in document.items():
        if key == CHILD_CONTROL:
            _, before = pending.get(id(node), (node, ALL))
            pending[id(node)] = (node, before & allowed_set(value))
        elif key in VALUE_OPERATORS:
            if key not in node.allowed:
                ignored.append(Ignored(path, key, label))
                continue
            _set(node, key, value, level, label, path, ignored)
        elif isinstance(value, dict):
            child = node.children.get(key)
            if child is None:
                if not node.allowed & {ASSIGN, APPEND}:
                    ignored.append(Ignored(f"{path}.{key}" if path else key, "new key", label))
                    continue
                child = node.children[key] = _Node()
            _apply(child, value, level, label, f"{path}.{key}" if path else key, pending, ignored)


def _set(node: _Node, op: str, value: Any, level: int, label: str, path: str, ignored: list[Ignored]) -> None:
    if op == ASSIGN:
        if node.level == level and node.value is not _MISSING and label not in node.sources:
            # Same entity, attached later: the first attached policy's value is kept ([INHERIT] example 6).
            ignored.append(Ignored(path, "@@assign (same level, attached later)", label))
            return
        node.value, node.sources = value, [label]
    elif op == APPEND:
        current = list(node.value) if isinstance(node.value, list) else []
        node.value = current + [v for v in value if v not in current]
        node.sources = [*node.sources, label] if current else [label]
    elif op == REMOVE and isinstance(node.value, list):
        node.value = [v for v in node.value if v not in value]
        node.sources = [*node.sources, f"{label} (removed {', '.join(map(str, value))})"]
    node.level = level


def _render(node: _Node, path: str, sources: dict[str, tuple[str, ...]]) -> Any:
    if node.children and (node.value is _MISSING or node.value == []):
        out = {}
        for key, child in node.children.items():
            rendered = _render(child, f"{path}.{key}" if path else key, sources)
            if rendered is not None:
                out[key] = rendered
        return out or None
    if node.value is _MISSING or node.value == []:
        return None
    sources[path] = tuple(node.sources)
    return node.value


# --- what a target's accounts get -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    """One rule of an effective plan, with where each value comes from."""

    name: str
    schedule: str | None
    delete_after_days: int | None
    start_window_minutes: int | None
    completion_window_minutes: int | None
    vault: str | None
    copies: tuple[tuple[str, int | None], ...]
    sources: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class EffectivePlan:
    """One plan AWS Backup creates in every account (and region) of a target."""

    name: str
    regions: tuple[str, ...]
    rules: tuple[EffectiveRule, ...]
    locked: tuple[str, ...]
    sources: dict[str, tuple[str, ...]]

    @property
    def longest_retention_days(self) -> int | None:
        days = [d for r in self.rules for d in [r.delete_after_days, *(c[1] for c in r.copies)] if d is not None]
        return max(days, default=None)


@dataclass(frozen=True)
class TargetView:
    """A target's effective policy in words: plans, RPO, retention, copies, and what was ignored."""

    target: OrgTarget
    path: tuple[str, ...]
    plans: tuple[EffectivePlan, ...]
    rpo: timedelta | None
    ignored: tuple[Ignored, ...]
    effective: Effective
    problems: tuple[str, ...] = ()


def attached_documents(config: OrganizationConfig, target: OrgTarget, home_region: str,
                       cache: dict[str, dict[str, Any]] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The documents attached to `target`, in config order, labelled `policy at target`."""
    docs = cache if cache is not None else documents(config, home_region)
    out = [(f"{name} at {target.label}", docs[org_names(name)["org_policy"]]) for name in target.policies]
    out += [(f"override of {o.policy} at {target.label}", docs[override_name(o, target)]) for o in target.overrides]
    return out


def target_view(config: OrganizationConfig, target: OrgTarget, home_region: str, now: datetime,
                cache: dict[str, dict[str, Any]] | None = None) -> TargetView:
    """The effective policy of an account directly under `target` with nothing attached of its own."""
    chain = config.chain(target.id)
    docs = cache if cache is not None else documents(config, home_region)
    effective = merge([attached_documents(config, t, home_region, docs) for t in chain])
    plans = tuple(_plan(name, body, effective.sources, config)
                  for name, body in sorted((effective.document.get("plans") or {}).items()))
    rules = sorted({(r.schedule, "UTC") for p in plans for r in p.rules if r.schedule})
    rpo = combined_rpo(rules, [], now) if rules else None
    problems = []
    if len(plans) > MAX_PLANS_PER_ACCOUNT_REGION:
        problems.append(f"{len(plans)} plans; AWS Backup allows {MAX_PLANS_PER_ACCOUNT_REGION} per account and region")
    for plan in plans:
        for rule in plan.rules:
            if rule.schedule is None or rule.vault is None:
                problems.append(f"plan {plan.name}, rule {rule.name}: no schedule or vault after the merge")
    return TargetView(target, tuple(t.label for t in chain), plans, rpo, effective.ignored, effective,
                      tuple(problems))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _plan(name: str, body: dict[str, Any], sources: dict[str, tuple[str, ...]],
          config: OrganizationConfig) -> EffectivePlan:
    prefix = f"plans.{name}"
    rules = []
    for rule_name, rule in sorted((body.get("rules") or {}).items()):
        rp = f"{prefix}.rules.{rule_name}"
        copies = tuple(sorted((arn, _int((c.get("lifecycle") or {}).get("delete_after_days")))
                              for arn, c in (rule.get("copy_actions") or {}).items()))
        rules.append(EffectiveRule(
            name=rule_name, schedule=rule.get("schedule_expression"),
            delete_after_days=_int((rule.get("lifecycle") or {}).get("delete_after_days")),
            start_window_minutes=_int(rule.get("start_backup_window_minutes")),
            completion_window_minutes=_int(rule.get("complete_backup_window_minutes")),
            vault=rule.get("target_backup_vault_name"), copies=copies,
            sources={k[len(rp) + 1:]: v for k, v in sources.items() if k.startswith(rp + ".")}))
    policy = next((p for p in config.policies if org_names(p.name)["plan"] == name), None)
    return EffectivePlan(name=name, regions=tuple(body.get("regions") or ()), rules=tuple(rules),
                         locked=tuple(policy.lock) if policy else (),
                         sources={k[len(prefix) + 1:]: v for k, v in sources.items() if k.startswith(prefix + ".")})


def target_views(config: OrganizationConfig, home_region: str, now: datetime) -> list[TargetView]:
    docs = documents(config, home_region)
    return [target_view(config, t, home_region, now, docs) for t in config.targets]


def account_effective(config: OrganizationConfig, account_id: str, parent_id: str, home_region: str,
                      cache: dict[str, dict[str, Any]] | None = None) -> Effective:
    """The effective policy of any account, given the listed target it sits under (its OU, or the root).

    An account listed as a target adds what is attached to it; any other account gets its parent's merge. Either
    way the cost is the length of its path, and no resource is created per account.
    """
    docs = cache if cache is not None else documents(config, home_region)
    chain = config.chain(parent_id)
    levels = [attached_documents(config, t, home_region, docs) for t in chain]
    own = next((t for t in config.targets if t.id == account_id), None)
    if own is not None and own.id != parent_id:
        levels.append(attached_documents(config, own, home_region, docs))
    return merge(levels)


def protection_rows(views: list[TargetView]) -> list[dict[str, Any]]:
    """One protection-matrix row per target (plan, stack outputs): plans, RPO, longest retention, copies."""
    rows = []
    for view in views:
        plans = view.plans
        longest = max((p.longest_retention_days or 0 for p in plans), default=0) or None
        rows.append({
            "target": view.target.label,
            "path": " > ".join(view.path),
            "plans": [p.name for p in plans],
            "rpo": duration_text(view.rpo),
            "longest_retention_days": longest,
            "copies": sorted({c for p in plans for c in _plan_copies(p)}),
            "regions": sorted({r for p in plans for r in p.regions}),
            "ignored": [f"{i.source}: {i.operator} at {i.path}" for i in view.ignored],
            "problems": list(view.problems),
        })
    return rows


def _plan_copies(plan: EffectivePlan) -> list[str]:
    return sorted({f"{arn} ({days} days)" for r in plan.rules for arn, days in r.copies})
