"""`check --format json|sarif`: every problem of every stack file, with its rule id and its place in the file.

JSON (version 1, documented in docs/check.md):
`{"version": 1, "valid": bool, "files": [{"file", "valid", "region", "policies", "restores", "problems": [
{"rule", "path", "line", "column", "value", "has_value", "expected", "message"}]}]}`; `line`/`column` are 1-based
or null (a problem about the whole file), `expected` is what is wrong and what is allowed, `message` the line the
text output prints.

SARIF 2.1.0 as GitHub code scanning reads it: one run, every rule of the catalog in `tool.driver.rules` (stable
ids and indexes), one `error` result per problem with its physical location (line 1 for a whole-file problem).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from policies.errors import Problem
from policies.rules import catalog

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass
class FileResult:
    """One stack file's outcome: valid (with what it declares) or its problems."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    region: str | None = None
    policies: int = 0
    restores: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


def _value(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"rule": problem.rule, "path": problem.path, "line": problem.line, "column": problem.column,
            "value": _value(problem.value) if problem.has_value else None, "has_value": problem.has_value,
            "expected": problem.message, "message": problem.render()}


def to_json(results: list[FileResult]) -> str:
    document = {"version": 1, "valid": all(r.valid for r in results), "files": [
        {"file": str(r.path), "valid": r.valid, "region": r.region, "policies": r.policies, "restores": r.restores,
         "problems": [problem_json(p) for p in r.problems]} for r in results]}
    return json.dumps(document, indent=2) + "\n"


def _tool_version() -> str:
    try:
        return version("redshift-backup")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout that is not installed
        return "0"


def _uri(path: Path) -> str:
    """The file as a repository-relative URI when it is under the working directory (what code scanning maps)."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.as_posix()
    return relative.as_posix()


def to_sarif(results: list[FileResult]) -> str:
    rules = list(catalog().values())
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "redshift-backup",
        "version": _tool_version(),
        "rules": [{"id": r.id, "name": "".join(w.capitalize() for w in r.id.split("-")),
                   "shortDescription": {"text": r.title}, "fullDescription": {"text": f"{r.title}. {r.help}"},
                   "help": {"text": f"{r.help} AWS source: {r.source}.",
                            "markdown": f"{r.help}\n\nAWS source: {r.source}."},
                   "defaultConfiguration": {"level": "error"}, "properties": {"source": r.source}}
                  for r in rules],
    }
    out: list[dict[str, Any]] = []
    for result in results:
        for problem in result.problems:
            rule_id = problem.rule if problem.rule in index else "config"
            region = {"startLine": problem.line or 1}
            if problem.column:
                region["startColumn"] = problem.column
            entry: dict[str, Any] = {
                "ruleId": rule_id, "ruleIndex": index[rule_id], "level": "error",
                "message": {"text": problem.render()},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result.path)},
                                                    "region": region}}],
            }
            if problem.path:
                entry["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": problem.path,
                                                              "kind": "member"}]
            out.append(entry)
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
                "runs": [{"tool": {"driver": driver}, "results": out, "columnKind": "unicodeCodePoints"}]}
    return json.dumps(document, indent=2) + "\n"
