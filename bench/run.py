"""Benchmark: the project's real program against a hand-written pulumi-aws program, as `pulumi preview` runs them.

For each size (policies x clusters, with and without the native layer, and with per-cluster retention):
  1. write the stack file (bench/fleet.py);
  2. check that both programs register the same resources: type, name, inputs, options (bench/equivalence.py),
     and refuse to report a ratio otherwise;
  3. run each program in a fresh process per measurement (bench/child.py), cold, alternating the two, and read
     the child's CPU time (user + system) and peak RSS from `os.wait4`.
Then `redshift-backup plan` / `check` against `python -c "import pulumi_aws"`, the same way.

CPU time, not wall time: the machine may be shared. Ratios are of medians of interleaved runs. Before measuring,
the project's modules are byte-compiled (`compileall`), as pip does for pulumi_aws and as Python does on a
user's first run; with PYTHONDONTWRITEBYTECODE set they would be compiled from source in every process.

    python bench/run.py                      # every size, 5 runs each
    python bench/run.py --sizes 1x10 --repeats 3 --markdown
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHILD = ROOT / "bench" / "child.py"
CLI = [PYTHON, "-m", "redshift_backup"]

# (policies, clusters, native, retention)
SIZES = {
    "1x10": (1, 10, False, False),
    "1x10-native": (1, 10, True, False),
    "10x100": (10, 100, False, False),
    "10x100-native": (10, 100, True, False),
    "50x1000": (50, 1000, False, False),
    "50x1000-native": (50, 1000, True, False),
    "10x100-retention": (10, 100, True, True),
}


class NotEquivalent(SystemExit):
    """The baseline does not register what the project does: a ratio would compare different work."""


@dataclass
class Sample:
    cpu: float
    peak_mb: float


def measure(command: list[str]) -> Sample:
    """Run `command` in a fresh process; its own CPU seconds (user + system) and peak RSS."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-2000:]}")
    return Sample(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def interleaved(commands: dict[str, list[str]], repeats: int) -> dict[str, list[Sample]]:
    """Each command `repeats` times, alternating (and alternating which goes first), so that a busy phase of
    the machine does not land on one side only."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    names = list(commands)
    for i in range(repeats):
        for name in names if i % 2 == 0 else reversed(names):
            samples[name].append(measure(commands[name]))
    return samples


def median_cpu(samples: list[Sample]) -> float:
    return statistics.median(s.cpu for s in samples)


def equivalence(stack_file: Path) -> tuple[int, list[str]]:
    """Run the equivalence check in its own process (at the measured size) and return its verdict."""
    code = ("import json, sys; sys.path[:0] = ['bench', '.']; from pathlib import Path; "
            "from equivalence import check; from redshift_backup.plan import stack_file_config; "
            f"p = Path({str(stack_file)!r}); print(json.dumps(check(stack_file_config(p), p.name.split('.')[1])))")
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    count, problems = json.loads(out.strip().splitlines()[-1])
    return int(count), list(problems)


def program_rows(sizes: list[str], repeats: int, directory: Path) -> list[dict[str, object]]:
    from fleet import write_stack

    rows: list[dict[str, object]] = []
    for size in sizes:
        policies, clusters, native, retention = SIZES[size]
        stack_file = write_stack(directory, policies, clusters, native=native, retention=retention)
        count, problems = equivalence(stack_file)
        if problems:
            raise NotEquivalent(f"{size}: the baseline does not register what the project does; no ratio "
                                "reported:\n  " + "\n  ".join(problems))
        samples = interleaved({"project": [PYTHON, str(CHILD), "project", str(stack_file)],
                               "raw": [PYTHON, str(CHILD), "raw", str(stack_file)]}, repeats)
        project, raw = samples["project"], samples["raw"]
        row = {
            "size": size, "resources": count,
            "project_cpu": median_cpu(project), "raw_cpu": median_cpu(raw),
            "cpu_ratio": median_cpu(project) / median_cpu(raw),
            "project_peak_mb": max(s.peak_mb for s in project), "raw_peak_mb": max(s.peak_mb for s in raw),
        }
        row["peak_ratio"] = float(row["project_peak_mb"]) / float(row["raw_peak_mb"])  # type: ignore[arg-type]
        rows.append(row)
        print(f"{size:18} {count:6} resources  project {row['project_cpu']:.2f} s  raw {row['raw_cpu']:.2f} s  "
              f"ratio {row['cpu_ratio']:.2f}  peak {row['project_peak_mb']:.0f} / {row['raw_peak_mb']:.0f} MB",
              file=sys.stderr)
    return rows


def cli_rows(repeats: int) -> list[dict[str, object]]:
    commands = {
        "import pulumi_aws": [PYTHON, "-c", "import pulumi_aws"],
        "redshift-backup check (prod)": [*CLI, "check", "Pulumi.prod.yaml"],
        "redshift-backup plan (dev)": [*CLI, "plan", "Pulumi.dev.yaml"],
        "redshift-backup plan (prod)": [*CLI, "plan", "Pulumi.prod.yaml"],
    }
    samples = interleaved(commands, repeats)
    base = median_cpu(samples["import pulumi_aws"])
    rows = []
    for name, runs in samples.items():
        rows.append({"command": name, "cpu": median_cpu(runs), "ratio": median_cpu(runs) / base})
        print(f"{name:32} {median_cpu(runs):.2f} s CPU  x{median_cpu(runs) / base:.2f}", file=sys.stderr)
    return rows


def markdown(programs: list[dict[str, object]], cli: list[dict[str, object]]) -> str:
    lines = ["| stack | custom resources | project CPU s | raw CPU s | CPU ratio (goal <= 1.2) "
             "| peak MB project / raw | peak ratio (goal <= 1.15) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in programs:
        lines.append(f"| {r['size']} | {r['resources']} | {r['project_cpu']:.2f} | {r['raw_cpu']:.2f} "
                     f"| {r['cpu_ratio']:.2f} | {r['project_peak_mb']:.0f} / {r['raw_peak_mb']:.0f} "
                     f"| {r['peak_ratio']:.2f} |")
    if cli:
        lines += ["", "| command | CPU s | / `import pulumi_aws` (goal <= 1.5) |", "|---|---:|---:|"]
        lines += [f"| {r['command']} | {r['cpu']:.2f} | {r['ratio']:.2f} |" for r in cli]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-cli", action="store_true", help="skip plan/check against import pulumi_aws")
    parser.add_argument("--markdown", action="store_true", help="print the README's table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    for package in ("components", "policies", "redshift_backup", "bench"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        programs = program_rows(args.sizes.split(","), args.repeats, Path(tmp))
    cli = [] if args.no_cli else cli_rows(args.repeats)
    if args.markdown:
        print(markdown(programs, cli))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
