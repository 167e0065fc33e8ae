"""Faults in a cluster restore on moto, via botocore hooks: throttling, failure, timeout, a vanished cluster."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from components.restore_cluster import ClusterRestoreProvider
from policies.errors import ProviderError
from tests.providers.conftest import REGION, seed_cluster, seed_snapshot
from tests.providers.restore_support import (  # noqa: F401
    ClientHooks,
    FakeClock,
    client_hooks_fixture,
    fast_poller,
    stderr_log_fixture,
)

THROTTLED = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
             b"</Error><RequestId>r-1</RequestId></ErrorResponse>")


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> ClusterRestoreProvider:
    return ClusterRestoreProvider(fast_poller(clock))


@pytest.fixture(autouse=True)
def prod(redshift: Any) -> None:
    seed_cluster(redshift, "analytics-prod")
    seed_snapshot(redshift, "analytics-prod", "nightly")


def props(**extra: Any) -> dict[str, Any]:
    return {"cluster_identifier": "drill", "ownership_tag_value": "p/s/drill",
            "source": {"snapshot_identifier": "nightly"}, **extra}


def drill_status(status: str, restore: str) -> Any:
    """An after-call hook that makes moto's instantly restored `drill` look `status` / `restore`."""
    def handler(parsed: dict[str, Any], **_: Any) -> None:
        for cluster in parsed.get("Clusters", []):
            if cluster["ClusterIdentifier"] == "drill":
                cluster["ClusterStatus"] = status
                cluster["RestoreStatus"] = {"Status": restore, "SnapshotSizeInMegaBytes": 2048,
                                            "ProgressInMegaBytes": 512,
                                            "CurrentRestoreRateInMegaBytesPerSecond": 12.5,
                                            "EstimatedTimeToCompletionInSeconds": 600}
    return handler


def cluster_ids(redshift: Any) -> list[str]:
    return [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]]


def test_throttling_is_retried_by_botocore_then_succeeds(provider: ClusterRestoreProvider, redshift: Any,
                                                         client_hooks: ClientHooks,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Retry delays and the adaptive rate limiter wait in real time; the retry itself is what is under test.
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0)
    monkeypatch.setattr("botocore.retries.bucket.TokenBucket.acquire", lambda self, amount=1, block=True: True)
    attempts: list[str] = []

    def throttle_twice(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append("sent")
        if len(attempts) <= 2:
            return AWSResponse(request.url, 400, {}, _Body(THROTTLED))
        return None

    client_hooks.on("before-send.redshift.RestoreFromClusterSnapshot", throttle_twice)
    created = provider.create(props())
    assert len(attempts) == 3  # two throttled sends, then the one moto answered
    assert len(client_hooks.sent("RestoreFromClusterSnapshot")) == 1  # one API call, retried inside botocore
    assert created.id == "drill" and "drill" in cluster_ids(redshift)


def test_a_failed_restore_deletes_the_half_made_cluster_and_names_the_reason(
        provider: ClusterRestoreProvider, redshift: Any, client_hooks: ClientHooks) -> None:
    client_hooks.on("after-call.redshift.DescribeClusters", drill_status("incompatible-restore", "failed"))
    with pytest.raises(ProviderError) as info:
        provider.create(props())
    message = str(info.value)
    assert "AWS reports cluster status 'incompatible-restore', restore status 'failed'" in message
    assert "the half-made cluster drill was deleted" in message
    assert cluster_ids(redshift) == ["analytics-prod"]
    assert client_hooks.sent("DeleteCluster") == [{"ClusterIdentifier": "drill", "SkipFinalClusterSnapshot": True}]


def test_a_timeout_deletes_the_half_made_cluster(provider: ClusterRestoreProvider, redshift: Any,
                                                 client_hooks: ClientHooks, clock: FakeClock,
                                                 capsys: pytest.CaptureFixture[str], stderr_log: None) -> None:
    client_hooks.on("after-call.redshift.DescribeClusters", drill_status("creating", "restoring"))
    start = clock.now
    with pytest.raises(ProviderError) as info:
        provider.create(props(timeout_minutes=2))
    message = str(info.value)
    assert message.startswith("restore of cluster drill did not finish within 2 minutes (last status: cluster "
                              "drill: creating, restore restoring, 512 of 2048 MB, 12.5 MB/s, ETA 10 min)")
    assert message.endswith("the half-made cluster drill was deleted")
    assert cluster_ids(redshift) == ["analytics-prod"]
    # Backoff 10, 20, 40, then capped at 60 and at the deadline; never past it.
    assert clock.sleeps == [10, 20, 40, 50]
    assert clock.now - start == 120
    assert "ETA 10 min" in capsys.readouterr().err  # progress goes to stderr


def test_a_cluster_deleted_by_someone_else_mid_wait(provider: ClusterRestoreProvider, redshift: Any,
                                                    client_hooks: ClientHooks) -> None:
    other = boto3.client("redshift", region_name=REGION)  # not hooked: "someone else"
    restoring = drill_status("creating", "restoring")

    def delete_behind_our_back(parsed: dict[str, Any], **kwargs: Any) -> None:
        if any(c["ClusterIdentifier"] == "drill" for c in parsed.get("Clusters", [])):
            other.delete_cluster(ClusterIdentifier="drill", SkipFinalClusterSnapshot=True)
            restoring(parsed)

    client_hooks.on("after-call.redshift.DescribeClusters", delete_behind_our_back)
    with pytest.raises(ProviderError, match="cluster drill was deleted by someone else while we waited"):
        provider.create(props())
    assert client_hooks.sent("DeleteCluster") == []  # nothing of ours left to clean up
    assert cluster_ids(redshift) == ["analytics-prod"]


def test_a_refused_restore_names_aws_reason(provider: ClusterRestoreProvider, client_hooks: ClientHooks,
                                            redshift: Any) -> None:
    quota = (b"<ErrorResponse><Error><Type>Sender</Type><Code>ClusterQuotaExceeded</Code>"
             b"<Message>Cluster quota reached</Message></Error><RequestId>r-2</RequestId></ErrorResponse>")
    client_hooks.on("before-send.redshift.RestoreFromClusterSnapshot",
                    lambda request, **_: AWSResponse(request.url, 400, {}, _Body(quota)))
    with pytest.raises(ProviderError, match="restore of cluster drill refused: ClusterQuotaExceeded: "
                                            "Cluster quota reached"):
        provider.create(props())
    assert cluster_ids(redshift) == ["analytics-prod"]
