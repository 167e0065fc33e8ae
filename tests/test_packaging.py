"""Packaging invariants: the dependency ranges pyproject.toml declares are those requirements.txt pins."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def test_pyproject_dependencies_equal_requirements_txt() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert declared == requirement_lines(ROOT / "requirements.txt")


def test_requirements_install_the_project_itself_for_the_dynamic_provider_process() -> None:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e ." in lines


def test_component_provider_plugin_hosts_redshift_backup(monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    import pulumi.provider.experimental as experimental
    from pulumi.provider.experimental.component import ComponentProvider

    hosted: dict[str, Any] = {}
    monkeypatch.setattr(experimental, "component_provider_host", lambda **kwargs: hosted.update(kwargs))
    runpy.run_path(str(ROOT / "provider" / "__main__.py"), run_name="__main__")
    assert hosted["name"] == "redshift-backup"
    schema = json.loads(ComponentProvider(hosted["components"], hosted["name"]).schema)
    assert list(schema["resources"]) == [f"redshift-backup:index:{name}" for name in
                                         ("RedshiftBackup", "ClusterRestore", "TableRestore", "SnapshotShare")]
    assert "runtime: python" in (ROOT / "provider" / "PulumiPlugin.yaml").read_text(encoding="utf-8")
    # Pulumi runs pip in the plugin directory: the repository is installed from there, with its dependencies.
    assert (ROOT / "provider" / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == "-e .."
