"""The semantic diff of two stack configs: what changes for each policy, cluster and restore, and how risky it is.

Every finding has a level (`high`, `medium`, `info`) and a stable rule id; docs/review.md lists the rules.
RPO and retention are compared on the protection matrix (`policies.protection_matrix`), so a change counts by its effect
on a cluster: shortening a rule that another, longer rule outlives is flagged on the policy but not the cluster.
RPOs and schedules are compared over COMPARE_YEARS years from `now` (plan's week would make the verdict depend on
the day), and every changed setting that no specific finding speaks for is still listed (`settings-changed`).

The work is split by what it does: `diff_findings` (levels, findings, the result), `diff_match` (matching the two
sides by meaning), `diff_policy` (per-policy findings); this module compares clusters, restores and the stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from policies.diff_findings import FAIL_ON, LEVELS, RANK, SCOPES, Collector, Finding, StackDiff, retention_key
from policies.diff_match import (
    COMPARE_PERIOD,
    COMPARE_YEARS,
    Rpo,
    change_text,
    changed_paths,
    changes,
    compare_rpo,
    match_rows,
    rpo_of,
    selector_parts,
)
from policies.diff_policy import Sides, policy_findings
from policies.models import Policy, stack_account
from policies.org_diff import organization_findings
from policies.policy_summary import summarize_policy
from policies.protection_matrix import ProtectionRow, matrix_parts, protection_matrix
from policies.schedule_words import days_text
from policies.summary import restore_source
from policies.summary_parts import policy_targets
from policies.validation import Stack

__all__ = ["COMPARE_PERIOD", "COMPARE_YEARS", "FAIL_ON", "LEVELS", "Finding", "StackDiff", "changed_paths", "changes",
           "diff_stacks"]

# --- per cluster --------------------------------------------------------------------------------------------------


def _coverage_text(row: ProtectionRow) -> str:
    return ", ".join(f"{c.policy} ({' + '.join(c.layers)})" for c in row.coverage)


def _row_findings(old: ProtectionRow | None, new: ProtectionRow | None, rpos: tuple[Rpo, Rpo],
                  now: datetime) -> list[Finding]:
    target = (new or old)
    assert target is not None
    c = Collector(_row_scope(target), target.target.label)
    if new is None:
        assert old is not None
        c.add("high", "coverage-lost", f"no longer covered by any policy (was {_coverage_text(old)})")
        return c.items
    if old is None:
        c.add("info", "coverage-added", f"now covered by {_coverage_text(new)}")
        return c.items
    lost = [layer for layer in old.layers if layer not in new.layers]
    gained = [layer for layer in new.layers if layer not in old.layers]
    if lost:
        c.add("high", "layer-removed", f"no longer protected by {' and '.join(lost)}")
    if gained:
        c.add("info", "layer-added", f"now also protected by {' and '.join(gained)}")
    left = [p for p in old.policies if p not in new.policies]
    joined = [p for p in new.policies if p not in old.policies]
    if left and joined:
        c.add("medium", "coverage-moved", f"covered by {_coverage_text(new)} instead of {_coverage_text(old)}")
    elif left:
        c.add("medium", "coverage-reduced", f"no longer covered by {', '.join(left)} (its vault, lock and "
              f"notifications no longer apply here); still covered by {_coverage_text(new)}")
    elif joined:
        c.add("info", "coverage-added", f"now also covered by {', '.join(joined)}")
    compare_rpo(c, *rpos, now)
    o, n = old.longest_retention_days, new.longest_retention_days
    if retention_key(n) < retention_key(o):
        c.add("high", "retention-shortened", f"longest retention from {_days(o)} to {_days(n)}")
    elif retention_key(n) > retention_key(o):
        c.add("info", "retention-longer", f"longest retention from {_days(o)} to {_days(n)}")
    for label, before, after in (("region", old.copy_regions, new.copy_regions),
                                 ("account", old.copy_accounts, new.copy_accounts)):
        gone = [x for x in before if x not in after]
        came = [x for x in after if x not in before]
        if gone:
            c.add("high", "copy-removed", f"no more copies to {label} {', '.join(gone)}")
        if came:
            c.add("info", "copy-added", f"now copied to {label} {', '.join(came)}")
    return c.items


def _exclusion_findings(old: ProtectionRow, new: ProtectionRow, rows: dict[str, ProtectionRow]) -> list[Finding]:
    """A tag selection whose exclusions changed: the clusters it stops or starts backing up."""
    c = Collector(_row_scope(new), new.target.label)
    before, after = (set(selector_parts(r.target.label)[1]) for r in (old, new))
    for cluster in sorted(after - before):
        if f"cluster:{cluster}" in rows:
            c.add("medium", "coverage-reduced", f"{cluster} excluded from this selection; still covered by "
                  f"{_coverage_text(rows[f'cluster:{cluster}'])}")
        else:
            c.add("high", "coverage-lost", f"{cluster} excluded: no longer backed up by this selection (if it carries "
                  "the tags) nor by any other policy")
    for cluster in sorted(before - after):
        c.add("info", "coverage-added", f"{cluster} no longer excluded: backed up by this selection if it carries "
              "the tags")
    return c.items


def _row_scope(row: ProtectionRow) -> str:
    return {"cluster": "cluster", "cluster_pattern": "selector", "tag_selector": "selector",
            "namespace": "serverless"}.get(row.target.kind, "cluster")


def _days(days: int | None) -> str:
    return "nothing kept" if days is None else days_text(days)


# --- the whole stack ------------------------------------------------------------------------------------------------


def _restore_findings(old: Stack, new: Stack) -> list[Finding]:
    old_specs = {s.name: s for s in old.config.restores}
    new_specs = {s.name: s for s in new.config.restores}
    out: list[Finding] = []
    for name, spec in old_specs.items():
        c = Collector("restore", name)
        if name not in new_specs:
            effect = {"cluster": "`pulumi up` deletes the restored cluster (taking a final snapshot unless "
                                 "skip_final_snapshot)",
                      "table": "the restored table stays in place",
                      "snapshot_share": "the snapshot access is revoked"}.get(spec.kind, "")
            c.add("medium", "restore-removed", f"restore removed: {effect}")
        else:
            other = new_specs[name]
            if restore_source(spec) != restore_source(other) or spec.kind != other.kind:
                c.add("medium", "restore-source-changed", f"restore source changed from {restore_source(spec)} "
                      f"to {restore_source(other)}")
            else:
                rest = changes(spec.model_dump(), other.model_dump())
                if rest:
                    c.add("info", "restore-changed", "; ".join(change_text(change) for change in rest))
        out += c.items
    for name, spec in new_specs.items():
        if name not in old_specs:
            c = Collector("restore", name)
            c.add("info", "restore-added", f"restore added from {restore_source(spec)}")
            out += c.items
    return out


def _by_key(rows: Iterable[ProtectionRow]) -> dict[str, ProtectionRow]:
    return {r.target.key: r for r in rows}


def _row_keys(policy: Policy) -> set[str]:
    return {target.key for target in policy_targets(policy)[0]}


def stack_place(stack: Stack) -> str:
    """Where a stack-wide finding is: `prod (eu-west-1)`, or the region alone for a stack without a name (never
    "stack stack")."""
    return f"{stack.name} ({stack.region})" if stack.name else stack.region


def diff_stacks(old: Stack, new: Stack, now: datetime, *, old_source: str | None = None,
                new_source: str | None = None) -> StackDiff:
    """Compare two validated stacks at `now` (RPOs and schedules over the COMPARE_YEARS years from `now`)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    findings: list[Finding] = []
    if old.region != new.region:
        findings.append(Finding("high", "region-changed", "stack", stack_place(new),
                                f"stack region changed from {old.region} to {new.region}: every resource is "
                                "created anew in the new region and the old ones are deleted"))
    old_rows = _by_key(protection_matrix(old.policies, old.region, now))
    new_rows = _by_key(protection_matrix(new.policies, new.region, now))
    old_parts, new_parts = matrix_parts(old.policies), matrix_parts(new.policies)
    row_findings: list[Finding] = []
    changed_rows: set[str] = set()
    for old_key, new_key in match_rows(old_rows, new_rows):
        rpos = (rpo_of(old_parts[old_key][1] if old_key in old_parts else [], now),
                rpo_of(new_parts[new_key][1] if new_key in new_parts else [], now))
        found = _row_findings(old_rows.get(old_key or ""), new_rows.get(new_key or ""), rpos, now)
        if old_key and new_key and old_key != new_key:
            found += _exclusion_findings(old_rows[old_key], new_rows[new_key], new_rows)
        if found:
            changed_rows.update(k for k in (old_key, new_key) if k)
        row_findings += found
    sides = Sides(old.region, new.region, stack_account(old.policies), stack_account(new.policies), now)
    old_policies = {p.name: p for p in old.policies}
    new_policies = {p.name: p for p in new.policies}
    for name, policy in old_policies.items():
        if name not in new_policies:
            findings.append(Finding("high", "policy-removed", "policy", name, "policy removed: its backup plan, "
                                    "selections and snapshot settings are deleted" +
                                    (f"; Pulumi tries to delete vault {policy.vault_name}"
                                     if policy.backup and not policy.backup.vault.existing else "")))
        else:
            other = new_policies[name]
            touched = bool((_row_keys(policy) | _row_keys(other)) & changed_rows)
            findings += policy_findings(policy, other, sides, touched)
    for name, policy in new_policies.items():
        if name not in old_policies:
            layers = summarize_policy(policy, new.region, now).layers
            findings.append(Finding("info", "policy-added", "policy", name,
                                    f"policy added ({' + '.join(layers)})"))
    findings += row_findings
    findings += _restore_findings(old, new)
    findings += organization_findings(old, new, now)
    order = sorted(range(len(findings)), key=lambda i: (-RANK[findings[i].level],
                                                        SCOPES.index(findings[i].scope), i))
    return StackDiff(old_source=old_source or old.source or "old", new_source=new_source or new.source or "new",
                     now=now, findings=tuple(findings[i] for i in order))
