"""The pull-request review run by `.github/workflows/redshift-backup-review.yml` (docs/review.md).

`python -m redshift_backup.review` (from the repository root): validate every stack file, diff each against the
target branch, plan each, write the whole review to `review.md`, post it (cut to GitHub's limit) as one comment
found again by its marker, and only then exit 1 if anything needs a second look. Environment: `BASE` (the git
ref to compare with, e.g. `origin/main`), `PR` (the pull request number), `GITHUB_REPOSITORY` (owner/name),
`POST_COMMENT` (`false` to skip posting, as for pull requests from forks), `FAIL_ON` (default `high`).

`python -m redshift_backup.review matrix` prints the `pulumi preview` job's matrix (a `stacks=` line for
`$GITHUB_OUTPUT`): one entry per stack file with its `aws:region`, optionally only the stacks named in
`PULUMI_PREVIEW_STACKS`.

Both run with the project installed (`make setup`), as the workflow does: stack files are recognised by the same
rule as `check`, `plan` and `diff` use (`policies.stack_file.stack_name_of_file`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policies.stack_file import stack_name_of_file

MARKER = "<!-- redshift-backup-review -->"
# GitHub refuses comments over 65536 characters; measured in UTF-8 bytes, which are never fewer.
COMMENT_LIMIT = 65000
ARTIFACT = "redshift-backup-review"


@dataclass(frozen=True)
class StackFile:
    """A top-level `Pulumi.<stack>.yaml` on the target branch, in the working tree, or both."""

    path: str
    at_base: bool
    in_tree: bool

    @property
    def state(self) -> str:
        if not self.in_tree:
            return "deleted"
        return "" if self.at_base else "added"


@dataclass
class Review:
    """The comment's parts, and why the job fails (empty: it passes)."""

    head: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def stack_files(base: str, root: Path = Path()) -> tuple[list[StackFile], str | None]:
    """Every stack file at `base` or in the working tree (a stack the pull request deletes is reviewed too), and
    git's error if `base` cannot be read (then only the working tree's files, whose diffs report the error)."""
    listed = subprocess.run(["git", "-C", str(root), "ls-tree", "--name-only", base], capture_output=True,
                            text=True, check=False)
    error = None if listed.returncode == 0 else f"git ls-tree {base} failed: {listed.stderr.strip()}"
    at_base = {name for name in listed.stdout.splitlines() if is_stack_file(name)} if error is None else set()
    in_tree = {p.name for p in root.glob("Pulumi.*") if is_stack_file(p.name)}
    return [StackFile(name, name in at_base, name in in_tree) for name in sorted(at_base | in_tree)], error


def is_stack_file(name: str) -> bool:
    """A top-level `Pulumi.<stack>.yaml` (or `.yml`): the rule `check`, `plan` and `diff` use."""
    return "/" not in name and stack_name_of_file(Path(name)) is not None


def cli() -> list[str]:
    """The `redshift-backup` command: the one installed beside this interpreter."""
    return [sys.executable, "-m", "redshift_backup"]


def check_args(paths: Sequence[str]) -> list[str]:
    return ["check", *paths]


def diff_args(base: str, path: str, fail_on: str) -> list[str]:
    return ["diff", "--base", base, path, "--format", "markdown", "--fail-on", fail_on]


def plan_args(path: str) -> list[str]:
    return ["plan", path, "--format", "markdown"]


def run(args: Sequence[str]) -> tuple[int, str, str]:
    done = subprocess.run([*cli(), *args], capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def fenced(text: str) -> list[str]:
    """Output that is not markdown (errors, `check`), verbatim in a code block."""
    fence = "````" if "```" in text else "```"
    return [f"{fence}text", *text.rstrip("\n").splitlines(), fence]


def review(base: str, fail_on: str, stacks: Sequence[StackFile], base_error: str | None = None) -> Review:
    """Run check, every diff, then every plan; diffs come first in the comment, plans after them."""
    out = Review()
    existing = [s.path for s in stacks if s.in_tree]
    out.head += [MARKER, f"## redshift-backup review against `{base}`", ""]
    body: list[str] = []
    if base_error:
        out.failures.append("the stack files of the target branch cannot be listed")
        body += [*fenced(base_error), ""]
    if existing:
        code, stdout, stderr = run(check_args(existing))
        if code != 0:
            out.failures.append(f"`check` found invalid stack files (exit {code})")
        body += ["**Validation** (`redshift-backup check`):", "", *fenced(stdout + stderr), ""]
    for stack in stacks:
        # A deleted stack file is compared with an empty stack: everything it protected is reported as removed.
        code, stdout, stderr = run(diff_args(base, stack.path, fail_on))
        if code != 0:
            out.failures.append(f"diff of `{stack.path}`: " + (
                f"a finding reached --fail-on {fail_on} or a file is invalid" if code == 1 else f"exit {code}"))
        state = f" ({stack.state} on this branch)" if stack.state else ""
        body += [f"**`{stack.path}`**{state}", ""]
        body += [stdout.rstrip("\n"), ""] if stdout.strip() else []
        body += [*fenced(stderr), ""] if stderr.strip() else []
    for stack in stacks:
        if not stack.in_tree:
            continue
        code, stdout, stderr = run(plan_args(stack.path))
        if code != 0:
            out.failures.append(f"plan of `{stack.path}` failed (exit {code})")
        out.plans += [f"<details><summary>Full plan of <code>{stack.path}</code></summary>", "", stdout.rstrip("\n"),
                      *(fenced(stderr) if stderr.strip() else []), "", "</details>", ""]
    if out.failures:
        verdict = ["**Result: needs a second look.** The job fails:", *(f"- {f}" for f in out.failures)]
    else:
        verdict = [f"**Result: OK.** Every stack file is valid, no finding reaches `--fail-on {fail_on}` and every "
                   "plan runs."]
    out.head += [*verdict, "", *body]
    return out


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def cut(lines: Sequence[str], budget: int) -> list[str]:
    """The longest run of whole lines that fits `budget` bytes, with any open code block and <details> closed."""
    kept: list[str] = []
    fence: str | None = None
    depth = 0
    reserve = 200  # room for the closing lines
    for text in "\n".join(lines).split("\n"):
        if _size(kept) + _size([text]) > budget - reserve:
            break
        kept.append(text)
        stripped = text.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped[:len(stripped) - len(stripped.lstrip("`"))]
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None:
            depth += text.count("<details") - text.count("</details>")
    return kept + ([fence] if fence else []) + ["", "</details>"] * max(depth, 0)


def comment_text(parts: Review, limit: int = COMMENT_LIMIT) -> str:
    """The whole review if it fits GitHub's limit; else the plans are cut (the diffs only if they alone do not
    fit), with a pointer to the artifact that holds the whole text."""
    whole = [*parts.head, *parts.plans]
    if _size(whole) <= limit:
        return "\n".join(whole).rstrip("\n") + "\n"
    note = ["", f"_Truncated to fit a comment: the whole review is in the job artifact `{ARTIFACT}`._"]
    budget = limit - _size(note)
    if _size(parts.head) <= budget:
        kept = [*parts.head, *cut(parts.plans, budget - _size(parts.head))]
    else:
        kept = cut(parts.head, budget)
    return "\n".join([*kept, *note]) + "\n"


def gh(args: Sequence[str], stdin: str | None = None) -> str:
    try:
        done = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SystemExit(f"cannot run gh (the GitHub CLI, preinstalled on GitHub's runners): {exc}") from None
    if done.returncode != 0:
        raise SystemExit(f"gh {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def json_values(text: str) -> list[object]:
    """Every JSON value in `text`, one after another (`gh api --paginate` prints one array per page)."""
    decoder = json.JSONDecoder()
    values: list[object] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


def review_comment_id(repo: str, pr: str) -> int | None:
    """The first bot comment on the pull request that starts with the marker (the preview job's comment does not)."""
    pages = json_values(gh(["api", "--paginate", f"repos/{repo}/issues/{pr}/comments?per_page=100"]))
    for page in pages:
        for item in page if isinstance(page, list) else [page]:
            if (isinstance(item, dict) and str(item.get("body", "")).startswith(MARKER)
                    and (item.get("user") or {}).get("type") == "Bot"):
                return int(item["id"])
    return None


def post(repo: str, pr: str, body: str) -> str:
    """Edit the review comment in place, or create it; returns what was done."""
    payload = json.dumps({"body": body})
    comment = review_comment_id(repo, pr)
    if comment is None:
        gh(["api", "--method", "POST", f"repos/{repo}/issues/{pr}/comments", "--input", "-"], payload)
        return "created the review comment"
    gh(["api", "--method", "PATCH", f"repos/{repo}/issues/comments/{comment}", "--input", "-"], payload)
    return f"updated review comment {comment}"


def main_review() -> int:
    base = os.environ["BASE"]
    fail_on = os.environ.get("FAIL_ON", "high")
    stacks, note = stack_files(base)
    parts = review(base, fail_on, stacks, note)
    Path("review.md").write_text("\n".join([*parts.head, *parts.plans]).rstrip("\n") + "\n", encoding="utf-8")
    comment = comment_text(parts)
    Path("comment.md").write_text(comment, encoding="utf-8")
    if os.environ.get("POST_COMMENT", "true") != "false":
        print(post(os.environ["GITHUB_REPOSITORY"], os.environ["PR"], comment))
    else:
        print(f"not posting (POST_COMMENT=false): the review is in review.md, the artifact `{ARTIFACT}`")
    for line in pr_annotations(base, stacks):
        print(line)
    for failure in parts.failures:
        print(f"::error::{failure}")
    return 1 if parts.failures else 0


def pr_annotations(base: str, stacks: Sequence[StackFile]) -> list[str]:
    """Workflow annotations on the pull request's files: `check` problems at their line, high-risk `diff` findings
    on the changed lines they are about (redshift_backup/annotations.py)."""
    from redshift_backup.annotations import check_annotations, diff_annotations, git_diff

    existing = [s.path for s in stacks if s.in_tree]
    out = check_annotations(run, existing)
    for path in existing:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        out += diff_annotations(run, base, path, text, git_diff(base, path))
    return out


def preview_matrix(root: Path = Path(), only: str = "") -> list[dict[str, str]]:
    """One `{stack, region}` per stack file with its `aws:region`, those in `only` if given.

    A file that is not a readable stack file with an `aws:region` gets no preview (a workflow warning says why):
    the review job reports what is wrong with it.
    """
    wanted = set(only.split())
    out = []
    for path in sorted(p for p in root.glob("Pulumi.*") if is_stack_file(p.name)):
        stack = stack_name_of_file(path)
        if stack is None or (wanted and stack not in wanted):
            continue
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            print(f"::warning::no preview of {path.name}: cannot read it ({exc})", file=sys.stderr)
            continue
        config = document.get("config") if isinstance(document, dict) else None
        region = config.get("aws:region") if isinstance(config, dict) else None
        if not isinstance(region, str) or not region:
            print(f"::warning::no preview of {path.name}: it has no aws:region", file=sys.stderr)
            continue
        out.append({"stack": stack, "region": region})
    return out


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["matrix"]:
        print("stacks=" + json.dumps(preview_matrix(only=os.environ.get("PULUMI_PREVIEW_STACKS", ""))))
        return 0
    if argv:
        print("usage: python -m redshift_backup.review [matrix]", file=sys.stderr)
        return 2
    return main_review()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
