"""The CrossGuard pack's packaging: its own venv installs what the pure core imports, and it imports nothing else.

The pack's behaviour is tested in its own venv (policypack/tests, `make policypack-test`); these checks only read
files, so they run in the main suite.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import yaml

from tests.test_packaging import requirement_lines

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policypack"
# What the pure core may import beyond the standard library, and the distribution that provides it.
CORE_DISTRIBUTIONS = {"pydantic": "pydantic", "pydantic_core": "pydantic", "yaml": "PyYAML"}
PACK_MODULES = {"pack_settings", "redshift_checks", "redshift_pack"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def third_party(roots: set[str]) -> set[str]:
    return {r for r in roots if r not in sys.stdlib_module_names and r != "__future__"}


def test_the_pure_core_needs_only_what_the_packs_venv_installs() -> None:
    used = set().union(*(third_party(imported_roots(p)) for p in (ROOT / "policies").glob("*.py")))
    assert used - {"policies"} <= set(CORE_DISTRIBUTIONS)
    pack = {line.split(">")[0].split("<")[0].split("=")[0] for line in requirement_lines(PACK / "requirements.txt")}
    # tzdata is read by zoneinfo and botocore's endpoint data by policies/regions.py (found, not imported).
    assert {CORE_DISTRIBUTIONS[m] for m in used - {"policies"}} | {"tzdata", "botocore", "pulumi-policy"} == pack


def test_the_packs_core_dependencies_have_the_projects_ranges() -> None:
    project = {line.split(">")[0]: line for line in requirement_lines(ROOT / "requirements.txt")}
    for line in requirement_lines(PACK / "requirements.txt"):
        name = line.split(">")[0]
        if name != "pulumi-policy":
            assert project[name] == line


def test_the_pack_imports_neither_components_nor_the_aws_sdks() -> None:
    for path in PACK.glob("*.py"):
        roots = third_party(imported_roots(path))
        assert not roots & {"components", "redshift_backup", "pulumi_aws", "boto3"}, path.name
        if path.stem in {"pack_settings", "redshift_checks"}:  # the pure half: testable without the SDK
            assert roots <= {"policies", "pydantic"} | PACK_MODULES, path.name


def test_the_engine_runs_the_pack_with_python_from_its_own_venv() -> None:
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": ".venv"}}
    assert (PACK / "__main__.py").is_file()
