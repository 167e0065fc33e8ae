"""`diff --base REF`: read a stack file as it was at a git ref (`git show REF:./path`) and validate it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from policies.errors import ConfigError, RedshiftBackupError
from policies.validation import Stack, load_stack_file, validate_config


class GitError(RedshiftBackupError):
    """git is missing, the file is not in a git work tree, or the ref does not exist."""


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; --base needs it") from exc


def stack_at_ref(path: Path, ref: str, *, region: str) -> Stack:
    """The stack file `path` as it was at `ref`, validated; an empty stack (in `region`) if it did not exist.

    A stack file that a pull request adds has no old version: everything in it is then reported as added.
    """
    directory = path.resolve().parent
    inside = _git(directory, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise GitError(f"{path} is not inside a git work tree: {inside.stderr.strip()}")
    if _git(directory, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise GitError(f"git ref {ref!r} does not exist (in CI, fetch it first, e.g. `git fetch origin main` "
                       "or actions/checkout with fetch-depth: 0)")
    source = f"{ref}:{path.name}"
    spec = f"{ref}:./{path.name}"
    if _git(directory, "cat-file", "-e", spec).returncode != 0:
        return validate_config({}, region, source=f"{source} (not in {ref})", name=_stack_name(path))
    shown = _git(directory, "show", spec)
    if shown.returncode != 0:
        raise GitError(f"git show {spec} failed: {shown.stderr.strip()}")
    with tempfile.TemporaryDirectory(prefix="redshift-backup-base-") as tmp:
        copy = Path(tmp) / path.name  # same file name, so the stack name comes out the same
        copy.write_text(shown.stdout, encoding="utf-8")
        try:
            stack = load_stack_file(copy)
        except ConfigError as exc:
            raise ConfigError(exc.problems, source) from None
    return Stack(config=stack.config, region=stack.region, source=source, name=stack.name)


def _stack_name(path: Path) -> str | None:
    name = path.name
    return name[len("Pulumi."):-len(".yaml")] if name.startswith("Pulumi.") and name.endswith(".yaml") else None
