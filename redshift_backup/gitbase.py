"""`diff --base REF`: read a stack file as it was at a git ref (`git show REF:./path`) and validate it."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.errors import ConfigError, RedshiftBackupError
from policies.stack_file import stack_name_of_file
from policies.validation import Stack, load_stack_file, validate_config
from redshift_backup.plan import stack_file_config


class GitError(RedshiftBackupError):
    """git is missing, the file is not in a git work tree, or the ref does not exist."""


@dataclass(frozen=True)
class BaseVersion:
    """A stack file at a git ref: its validated stack, or None when the file is not in that ref."""

    stack: Stack | None
    # `REF:path/from/the/repository/root`, what the diff shows as the old side.
    label: str
    # The file's `config:` map as written (what the Pulumi program receives), for the resource view.
    raw_config: dict[str, Any] | None = None


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; --base needs it") from exc


def _existing_directory(path: Path) -> tuple[Path, str]:
    """The nearest existing directory holding `path`, and `path` relative to it (a deleted file's directory may
    be gone too)."""
    full = path.resolve()
    directory = full.parent
    while not directory.is_dir() and directory != directory.parent:
        directory = directory.parent
    return directory, full.relative_to(directory).as_posix()


def stack_at_ref(path: Path, ref: str) -> BaseVersion:
    """The stack file `path` as it was at `ref`, validated; `stack` is None if it did not exist there.

    `path` need not exist in the working tree (a pull request that deletes a stack file).
    """
    directory, relative = _existing_directory(path)
    inside = _git(directory, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise GitError(f"{path} is not inside a git work tree: {inside.stderr.strip()}")
    if _git(directory, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise GitError(f"git ref {ref!r} does not exist (in CI, fetch it first, e.g. `git fetch origin main` "
                       "or actions/checkout with fetch-depth: 0)")
    prefix = _git(directory, "rev-parse", "--show-prefix").stdout.strip()
    label = f"{ref}:{prefix}{relative}"
    spec = f"{ref}:./{relative}"
    if _git(directory, "cat-file", "-e", spec).returncode != 0:
        return BaseVersion(None, label)
    try:
        # Bytes, not text: the file is decoded (and a file that is not UTF-8 reported) by load_stack_file.
        shown = subprocess.run(["git", "-C", str(directory), "show", spec], capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; --base needs it") from exc
    if shown.returncode != 0:
        raise GitError(f"git show {spec} failed: {shown.stderr.decode(errors='replace').strip()}")
    with tempfile.TemporaryDirectory(prefix="redshift-backup-base-") as tmp:
        copy = Path(tmp) / path.name  # same file name, so the stack name comes out the same
        copy.write_bytes(shown.stdout)
        try:
            stack = load_stack_file(copy)
        except ConfigError as exc:
            raise ConfigError(exc.problems, label) from None
        raw = stack_file_config(copy)
    return BaseVersion(Stack(config=stack.config, region=stack.region, source=label, name=stack.name), label, raw)


def empty_stack(region: str, source: str, path: Path) -> Stack:
    """The side of a diff where the stack file does not exist: no policies, no restores."""
    return validate_config({}, region, source=source, name=stack_name_of_file(path))
