"""`redshift-backup audit` output: text for a terminal, markdown for a report, stable JSON for other tools.

The JSON document (`format: redshift-backup/audit`, `version: 1`) is the contract; text and markdown may change
wording between versions.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from policies.diff_findings import LEVELS
from policies.live_audit import ResourceAudit, fails
from policies.summary_words import duration_text
from redshift_backup.render import md_cell

AUDIT_FORMAT = "redshift-backup/audit"
FORMAT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _age(value: datetime | None, now: datetime) -> str:
    return f"{duration_text(now - value)} ago" if value else "never"


def _counts(resources: tuple[ResourceAudit, ...]) -> dict[str, int]:
    return {level: sum(1 for r in resources for g in r.gaps if g.level == level) for level in LEVELS}


def _summary_line(report: Any, fail_on: str) -> str:
    counts = _counts(report.resources)
    verdict = "FAIL" if fails(report.resources, fail_on) else "PASS"
    return (f"{verdict} (--fail-on {fail_on}): {counts['high']} high, {counts['medium']} medium, {counts['info']} "
            f"info gaps in {len(report.resources)} resources")


def _native(r: ResourceAudit) -> str:
    f = r.facts
    if f.kind != "cluster":
        return "-"
    parts = [f"retention {f.automated_retention_days if f.automated_retention_days is not None else '?'}d"]
    parts.append(f"schedule {', '.join(f.snapshot_schedule)}" if f.snapshot_schedule else "default schedule")
    if f.native_copy_region:
        parts.append(f"copy to {f.native_copy_region} ({f.native_copy_retention_days}d)")
    return "; ".join(parts)


def _lines(r: ResourceAudit, now: datetime) -> list[tuple[str, str]]:
    f, p = r.facts, r.promise
    return [
        ("policies", ", ".join(p.policies) or "none"),
        ("AWS Backup", ", ".join(f.backup_selections) or "no selection covers it"),
        ("vaults", ", ".join(f"{v} (locked)" if v in f.locked_vaults else v for v in f.backup_vaults) or "-"),
        ("native", _native(r)),
        ("newest recovery point", _age(f.newest_recovery_point, now)),
        ("newest snapshot", _age(f.newest_snapshot, now) if f.kind == "cluster" else "-"),
        ("promised RPO", duration_text(p.rpo) if p.rpo else "-"),
    ]


def audit_text(report: Any, fail_on: str) -> str:
    out = [f"Audit of {report.account} {report.region} against stack {report.stack} at "
           f"{report.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC", ""]
    for r in report.resources:
        mark = "OK" if not r.gaps else max((g.level for g in r.gaps), key=LEVELS[::-1].index).upper()
        out.append(f"[{mark}] {r.facts.kind} {r.facts.identifier}")
        out += [f"    {key}: {value}" for key, value in _lines(r, report.now)]
        out += [f"    gap ({g.level}, {g.kind}): {g.message}" for g in r.gaps]
    if not report.resources:
        out.append("No Redshift cluster or Serverless namespace in this account and region.")
    out += [f"warning: the stack names cluster {c}, which does not exist in this account and region"
            for c in report.missing]
    out += [f"warning: {w}" for w in report.warnings]
    out += ["", _summary_line(report, fail_on)]
    return "\n".join(out) + "\n"


def audit_markdown(report: Any, fail_on: str) -> str:
    out = [f"## Redshift protection audit: {report.account} {report.region}", "",
           f"Stack `{report.stack}`, scanned {report.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC. "
           f"**{_summary_line(report, fail_on)}**", "",
           "| resource | policies | AWS Backup | native | newest recovery point | newest snapshot | gaps |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in report.resources:
        lines = dict(_lines(r, report.now))
        gaps = "<br>".join(f"**{g.level}** {md_cell(g.message)}" for g in r.gaps) or "none"
        out.append(f"| {r.facts.kind} `{r.facts.identifier}` | {md_cell(lines['policies'])} "
                   f"| {md_cell(lines['AWS Backup'])} | {md_cell(lines['native'])} "
                   f"| {lines['newest recovery point']} | {lines['newest snapshot']} | {gaps} |")
    warnings = [f"the stack names cluster `{c}`, which does not exist here" for c in report.missing]
    warnings += list(report.warnings)
    if warnings:
        out += ["", "Warnings:", ""] + [f"- {md_cell(w)}" for w in warnings]
    return "\n".join(out) + "\n"


def audit_document(report: Any, fail_on: str) -> dict[str, Any]:
    return {
        "format": AUDIT_FORMAT,
        "version": FORMAT_VERSION,
        "stack": report.stack,
        "account": report.account,
        "region": report.region,
        "now": _time(report.now),
        "fail_on": fail_on,
        "fails": fails(report.resources, fail_on),
        "gap_counts": _counts(report.resources),
        "resources": [{
            "kind": r.facts.kind,
            "identifier": r.facts.identifier,
            "arn": r.facts.arn,
            "policies": list(r.promise.policies),
            "promised_rpo_minutes": int(r.promise.rpo.total_seconds() // 60) if r.promise.rpo else None,
            "backup_selections": list(r.facts.backup_selections),
            "backup_vaults": list(r.facts.backup_vaults),
            "locked_vaults": list(r.facts.locked_vaults),
            "automated_retention_days": r.facts.automated_retention_days,
            "snapshot_schedule": list(r.facts.snapshot_schedule),
            "native_copy_region": r.facts.native_copy_region,
            "newest_recovery_point": _time(r.facts.newest_recovery_point),
            "newest_snapshot": _time(r.facts.newest_snapshot),
            "gaps": [{"kind": g.kind, "level": g.level, "message": g.message} for g in r.gaps],
        } for r in report.resources],
        "missing_clusters": list(report.missing),
        "warnings": list(report.warnings),
    }


def render(report: Any, fmt: str, fail_on: str) -> str:
    if fmt == "json":
        return json.dumps(audit_document(report, fail_on), indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        return audit_markdown(report, fail_on)
    return audit_text(report, fail_on)
