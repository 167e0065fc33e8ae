"""Fixtures of the e2e tests: a moto server and a Pulumi workspace per test, both in the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.engine import Workspace
from e2e.moto_server import MotoServer

E2E = Path(__file__).resolve().parent


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[MotoServer]:
    server = MotoServer.start(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def restores_stack(tmp_path: Path, moto: MotoServer) -> Workspace:
    """The e2e/restores project in a fresh workspace, its stack initialised, talking to `moto`."""
    workspace = Workspace(tmp_path / "pulumi", E2E / "restores", E2E / "restores" / "program.py", moto.env())
    workspace.init_stack()
    return workspace
