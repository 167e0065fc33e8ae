"""The benchmark's equivalence check: the baseline registers what the project does, and a mismatch is refused.

No timing here (timing belongs in `bench/run.py`); small stacks only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import equivalence  # noqa: E402
import run  # noqa: E402
from fleet import write_stack  # noqa: E402

from redshift_backup.plan import stack_file_config  # noqa: E402


@pytest.mark.parametrize("native, retention", [(False, False), (True, True)])
def test_the_baseline_registers_what_the_project_does(tmp_path: Path, native: bool, retention: bool) -> None:
    stack_file = write_stack(tmp_path, 2, 5, native=native, retention=retention)
    count, problems = equivalence.check(stack_file_config(stack_file), "bench")
    assert problems == []
    assert count == (39 if not native else 60)


def test_a_baseline_that_differs_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same baseline, but its vault locks are not protected and one resource is missing.
    source = equivalence.RAW_PROGRAM.read_text()
    tampered = source.replace("max_retention_days=lock[\"max_retention_days\"], opts=kept)",
                              "max_retention_days=lock[\"max_retention_days\"], opts=opts)")
    tampered = tampered.replace("    aws.backup.VaultPolicy(", "    0 and aws.backup.VaultPolicy(")
    assert tampered.count("opts=opts)") > source.count("opts=opts)") and "0 and aws" in tampered
    raw = tmp_path / "raw_program.py"
    raw.write_text(tampered)
    monkeypatch.setattr(equivalence, "RAW_PROGRAM", raw)
    stack_file = write_stack(tmp_path, 1, 2, native=False)
    _, problems = equivalence.check(stack_file_config(stack_file), "bench")
    assert "only the project registers aws:backup/vaultPolicy:VaultPolicy::p00-vault-policy" in problems
    assert ("aws:backup/vaultLockConfiguration:VaultLockConfiguration::p00-vault-lock: protect differs: "
            "project True vs baseline False") in problems

    # And the runner reports no ratio for it.
    monkeypatch.setattr(run, "equivalence", lambda _file: (1, problems))
    monkeypatch.setattr(run, "interleaved", lambda *_: pytest.fail("measured a non-equivalent baseline"))
    with pytest.raises(run.NotEquivalent, match="no ratio reported"):
        run.program_rows(["1x10"], 1, tmp_path)


def test_differences_name_inputs_and_options() -> None:
    shape = {"inputs": {"name": "v"}, "protect": True}
    assert equivalence.differences({"t::a": shape}, {"t::a": {**shape, "inputs": {"name": "w"}}}) == [
        "t::a: inputs differs: project {'name': 'v'} vs baseline {'name': 'w'}"]


def test_the_bench_starts_as_make_bench_starts_it() -> None:
    """`python bench/run.py` puts bench/ first on sys.path: a module there named like one the standard library
    probes for (`org`, which `copy` tries to import) broke every run before it measured anything."""
    import subprocess

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "--repeats" in done.stdout
