"""The moto fixture itself: boto3 with no explicit endpoint reaches the local server, and state is reset per test."""

from tests.providers.conftest import seed_cluster


def test_boto3_reaches_moto_through_the_environment(redshift) -> None:
    seed_cluster(redshift, "fixture-check")
    clusters = redshift.describe_clusters()["Clusters"]
    assert [c["ClusterIdentifier"] for c in clusters] == ["fixture-check"]
    assert redshift.meta.endpoint_url.startswith("http://127.0.0.1:")


def test_state_does_not_leak_between_tests(redshift) -> None:
    assert redshift.describe_clusters()["Clusters"] == []
