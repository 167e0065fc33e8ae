"""GitHub workflow annotations for the pull-request review: each `check` problem at its line, and each high-risk
`diff` finding on the changed lines of the policy, restore or cluster it is about.

GitHub shows `::error file=...,line=...,col=...::message` lines of a step's output on the pull request's files
at that line (docs: "Workflow commands for GitHub Actions", `error`).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import yaml

from policies.stack_file import NAMESPACE

Runner = Callable[[Sequence[str]], tuple[int, str, str]]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, *, file: str, line: int | None = None, col: int | None = None,
            title: str | None = None) -> str:
    """One workflow command line, escaped as GitHub's toolkit escapes it."""
    props = [f"file={_escape_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title:
        props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def check_annotations(run: Runner, paths: Sequence[str]) -> list[str]:
    """`check --format json` over `paths`: one `::error` per problem, at its line and column."""
    if not paths:
        return []
    _code, stdout, _stderr = run(["check", "--format", "json", *paths])
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        return []
    out = []
    for entry in document.get("files", []):
        for problem in entry.get("problems", []):
            out.append(command("error", problem["message"], file=entry["file"], line=problem.get("line"),
                               col=problem.get("column"), title=f"redshift-backup check ({problem['rule']})"))
    return out


@dataclass(frozen=True)
class Span:
    """Lines (1-based, inclusive) of one part of a stack file."""

    first: int
    last: int


def changed_lines(diff_text: str) -> set[int]:
    """The new file's lines that a `git diff -U0` added or changed."""
    lines: set[int] = set()
    for match in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", diff_text, re.MULTILINE):
        start, count = int(match.group(1)), int(match.group(2) or "1")
        lines.update(range(start, start + count))
    return lines


def _span(node: yaml.Node) -> Span:
    last = node.end_mark.line + (0 if node.end_mark.column else -1)
    return Span(node.start_mark.line + 1, max(node.start_mark.line, last) + 1)


def _config_list(root: yaml.Node, key: str) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for k, v in root.value:
        if k.value == "config" and isinstance(v, yaml.MappingNode):
            for ck, cv in v.value:
                if ck.value in (f"{NAMESPACE}:{key}", key) and isinstance(cv, yaml.SequenceNode):
                    return list(cv.value)
    return []


def _named(items: Iterable[yaml.Node], name: str) -> list[Span]:
    spans = []
    for item in items:
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if k.value == "name" and isinstance(v, yaml.ScalarNode) and v.value == name:
                    spans.append(_span(item))
    return spans


def _cluster(policies: Iterable[yaml.Node], label: str) -> list[Span]:
    spans = []
    for policy in policies:
        if not isinstance(policy, yaml.MappingNode):
            continue
        for k, v in policy.value:
            if k.value == "selection" and isinstance(v, yaml.MappingNode):
                for sk, sv in v.value:
                    if sk.value in ("clusters", "serverless_namespaces") and isinstance(sv, yaml.SequenceNode):
                        spans += [_span(n) for n in sv.value if isinstance(n, yaml.ScalarNode)
                                  and (n.value == label or n.value.endswith((f":cluster:{label}", f"/{label}")))]
    return spans


def compose(text: str) -> yaml.Node | None:
    """The stack file's node tree (None when it is not YAML): parsed once, searched for every finding."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def finding_spans(root: yaml.Node | None, scope: str, subject: str) -> list[Span]:
    """Where in a stack file (its `compose` tree) a diff finding is: its policy, its restore, the clusters it
    names, or aws:region."""
    if root is None:
        return []
    if scope == "policy":
        return _named(_config_list(root, "policies"), subject)
    if scope == "restore":
        return _named(_config_list(root, "restores"), subject)
    if scope == "stack" and isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "config" and isinstance(v, yaml.MappingNode):
                return [_span(ck) for ck, _ in v.value if ck.value == "aws:region"]
        return []
    return _cluster(_config_list(root, "policies"), subject)


def diff_annotations(run: Runner, base: str, path: str, text: str, diff_text: str,
                     levels: Sequence[str] = ("high",)) -> list[str]:
    """`diff --format json` of `path` against `base`: one `::error` per finding at `levels` whose policy, restore
    or cluster has a changed line, at the first changed line inside it."""
    # Only the findings are read: the resource view (two runs of the program under the mocks) is left out.
    _code, stdout, _stderr = run(["diff", "--base", base, path, "--format", "json", "--fail-on", "never",
                                  "--no-resources"])
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        return []
    changed = changed_lines(diff_text)
    root = compose(text)
    out = []
    for finding in document.get("findings", []):
        if finding.get("level") not in levels:
            continue
        for span in finding_spans(root, finding.get("scope", ""), finding.get("subject", "")):
            hit = sorted(line for line in changed if span.first <= line <= span.last)
            if hit:
                out.append(command("error", finding["message"], file=path, line=hit[0],
                                   title=f"redshift-backup diff: {finding['level']} risk ({finding['rule']})"))
                break
    return out


def git_diff(base: str, path: str) -> str:
    """`git diff -U0 base -- path` (empty when git fails: no changed lines, so no diff annotations)."""
    done = subprocess.run(["git", "diff", "-U0", base, "--", path], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""
