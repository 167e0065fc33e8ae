"""Golden files under tests/cli/golden/: compare, or rewrite them with REDSHIFT_BACKUP_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_VARIABLE = "REDSHIFT_BACKUP_UPDATE_GOLDEN"


def check_golden(name: str, actual: str) -> None:
    """Assert `actual` equals tests/cli/golden/<name>; with REDSHIFT_BACKUP_UPDATE_GOLDEN=1 write it first."""
    path = GOLDEN / name
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run `{UPDATE_VARIABLE}=1 pytest tests/cli` to create it"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if the change is intended, rerun with {UPDATE_VARIABLE}=1 and "
        "review the diff of tests/cli/golden/")
