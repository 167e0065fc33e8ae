"""A moto server on 127.0.0.1 for provider tests: boto3 reaches it through AWS_ENDPOINT_URL, no test hooks needed."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from tests.support import moto_server

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server for the whole session, with the project's extensions of moto (`tests/support/`); tests
    isolate themselves with unique identifiers or `moto_reset`."""
    server, endpoint = moto_server.start()
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point boto3 (in this process and in any child it starts) at the moto server, with fake credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield moto_endpoint
    # Each test starts from an empty account: moto's reset endpoint drops every backend's state.
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).read()


@pytest.fixture
def redshift(aws_env: str):  # type: ignore[no-untyped-def]
    """A boto3 Redshift client on the moto server, for seeding and for asserting through describe_* calls."""
    return boto3.client("redshift", region_name=REGION)


def seed_cluster(client, identifier: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    """Create a small cluster on moto (as moto's own tests do) and return its description."""
    params = {
        "ClusterIdentifier": identifier,
        "NodeType": "ra3.xlplus",
        "MasterUsername": "admin",
        "MasterUserPassword": "Password1234",
        "ClusterType": "single-node",
    }
    params.update(extra)
    return client.create_cluster(**params)["Cluster"]


def seed_snapshot(client, cluster: str, snapshot: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    """Create a manual snapshot of `cluster` on moto and return its description."""
    return client.create_cluster_snapshot(SnapshotIdentifier=snapshot, ClusterIdentifier=cluster, **extra)["Snapshot"]


# The real dynamic-provider host, for tests that drive providers the way the engine does (fixture `dynamic_host`).
from tests.providers.dynamic_host import dynamic_host_fixture  # noqa: E402,F401
