"""Tag discovery against a moto server: the boto3 lookup alone, and through the component at preview time."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.discovery import discover_tagged_clusters
from components.snapshot_policy import RedshiftSnapshotPolicy
from policies.errors import ProviderError
from policies.selection import Conditions
from redshift_backup import mockrun
from tests.components.test_program_validation import run_expecting_error
from tests.providers.conftest import REGION, seed_cluster


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@pytest.fixture
def fleet(redshift: Any) -> Any:
    """Five clusters with tags that the conditions below tell apart."""
    seed_cluster(redshift, "tier1-a", Tags=_tags(tier="1", backup="daily"))
    seed_cluster(redshift, "tier1-b", Tags=_tags(tier="1"))
    seed_cluster(redshift, "tier1-optout", Tags=_tags(tier="1", backup="none"))
    seed_cluster(redshift, "tier2", Tags=_tags(tier="2", backup="daily"))
    seed_cluster(redshift, "untagged")
    return redshift


def test_string_equals_and_not_equals_are_anded(fleet: Any) -> None:
    conditions = Conditions.model_validate({"string_equals": [{"key": "tier", "value": "1"}],
                                            "string_not_equals": [{"key": "backup", "value": "none"}]})
    assert discover_tagged_clusters(conditions, REGION) == ["tier1-a", "tier1-b"]


def test_string_like_needs_the_tag(fleet: Any) -> None:
    conditions = Conditions.model_validate({"string_like": [{"key": "backup", "value": "da*"}]})
    assert discover_tagged_clusters(conditions, REGION) == ["tier1-a", "tier2"]


def test_discovery_without_credentials_fails_with_an_explanation(aws_env: str, tmp_path: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    conditions = Conditions.model_validate({"string_equals": [{"key": "tier", "value": "1"}]})
    with pytest.raises(ProviderError, match="needs AWS credentials at preview time"):
        discover_tagged_clusters(conditions, REGION)


def test_the_component_covers_named_and_discovered_clusters(fleet: Any) -> None:
    policy = {
        "name": "tier1",
        "selection": {"clusters": ["named-one"], "not_resources": ["tier1-b"], "discover_tagged_clusters": True,
                      "conditions": {"string_equals": [{"key": "tier", "value": "1"}]}},
        "snapshots": {"automated_snapshot_retention_days": 5},
    }

    def program() -> None:
        component = RedshiftSnapshotPolicy("tier1-snapshots", policy=policy, region=REGION)
        pulumi.export("clusters", component.cluster_identifiers)

    run = mockrun.run_program({"aws:region": REGION}, preview=True, program=program)
    assert run.outputs["clusters"] == ["named-one", "tier1-a", "tier1-optout"]
    retained = sorted(r.inputs["cluster_identifier"] for r in run.registrations if r.name.endswith("-retention"))
    assert retained == ["named-one", "tier1-a", "tier1-optout"]


def test_the_stack_refuses_a_discovered_cluster_that_another_policy_names(fleet: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # tier1-a is named by the first policy and found by the second's tag discovery: two retention resources on one
    # cluster would undo each other, so the program stops before registering anything.
    policies = [
        {"name": "named", "selection": {"clusters": ["tier1-a"]}, "snapshots": {"automated_snapshot_retention_days": 7}},
        {"name": "tagged", "selection": {"discover_tagged_clusters": True,
                                         "conditions": {"string_equals": [{"key": "backup", "value": "daily"}]}},
         "snapshots": {"automated_snapshot_retention_days": 3}},
    ]
    error, registered = run_expecting_error({"aws:region": REGION, "redshift-backup:policies": policies},
                                            monkeypatch)
    assert [p.render() for p in error.problems] == [
        "policies[1].snapshots.automated_snapshot_retention_days: cluster 'tier1-a' (found by this policy's tag "
        "discovery) already gets its automated_snapshot_retention_days from "
        "policies[0].snapshots.automated_snapshot_retention_days (7); a cluster has one snapshot "
        "schedule, one retention and one copy destination, so only one policy may set each: leave it out of one of "
        "them with selection.not_resources, or change its tags (received 'tier1-a')"]
    assert registered == []
