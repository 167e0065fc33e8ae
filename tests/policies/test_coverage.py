"""Which policy covers a cluster or namespace seen from outside the stack (used by the CrossGuard pack)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.coverage import (
    Coverage,
    cluster_coverage,
    namespace_coverage,
    namespace_ref_matches,
    ref_matches_cluster,
)
from policies.models import Policy
from policies.validation import load_stack_file, validate_policy

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
NS = "arn:aws:redshift-serverless:us-east-1:111122223333:namespace/"


def policy(selection: dict[str, Any], backup: bool = True, snapshots: bool = False) -> Policy:
    raw: dict[str, Any] = {"name": "pol", "selection": selection}
    if backup:
        raw["backup"] = {"preset": "daily_35_day_retention"}
    if snapshots:
        raw["snapshots"] = {"automated_snapshot_retention_days": 7}
    return validate_policy(raw, REGION)


@pytest.mark.parametrize("ref, identifier, expected", [
    ("analytics", "analytics", True),
    ("analytics", "analytics-2", False),
    ("analytics-*", "analytics-2", True),
    ("analytics-*", "finance", False),
    ("arn:aws:redshift:us-east-1:111122223333:cluster:analytics", "analytics", True),
    ("arn:aws:redshift:eu-west-1:111122223333:cluster:analytics", "analytics", False),  # another region's cluster
    ("arn:aws:redshift:us-east-1:111122223333:cluster:an*", "analytics", True),
    (NS + "*", "analytics", False),
])
def test_a_selection_entry_names_a_cluster(ref: str, identifier: str, expected: bool) -> None:
    assert ref_matches_cluster(ref, identifier, REGION) is expected


def test_namespace_entries_match_by_arn_or_trailing_wildcard() -> None:
    assert namespace_ref_matches(NS + "abc", NS + "abc")
    assert not namespace_ref_matches(NS + "abc", NS + "abd")
    assert namespace_ref_matches(NS + "*", NS + "abd")
    assert not namespace_ref_matches("analytics", NS + "abd")


def test_the_prod_stack_covers_named_and_tagged_clusters_and_not_the_excluded_one() -> None:
    prod = load_stack_file(ROOT / "Pulumi.prod.yaml").policies
    assert cluster_coverage(prod, "analytics-prod", {}, REGION) == [
        Coverage("prod-analytics", "backup", "named in selection.clusters (analytics-prod)"),
        Coverage("prod-analytics", "snapshots", "named in selection.clusters (analytics-prod)"),
    ]
    # Tagged: AWS Backup's tag selection covers it; the native layer does not (no tag discovery in prod).
    assert cluster_coverage(prod, "reporting", {"tier": "1"}, REGION) == [
        Coverage("prod-analytics", "backup", "its tags match selection.conditions")]
    assert cluster_coverage(prod, "reporting", {"tier": "1", "backup": "none"}, REGION) == []
    assert cluster_coverage(prod, "reporting", {"tier": "2"}, REGION) == []
    # Excluded by not_resources even though its tags match.
    assert cluster_coverage(prod, "analytics-prod-scratch", {"tier": "1"}, REGION) == []


def test_tag_discovery_extends_the_native_layer_to_tagged_clusters() -> None:
    selection = {"conditions": {"string_equals": [{"key": "team", "value": "bi"}]},
                 "discover_tagged_clusters": True}
    found = cluster_coverage([policy(selection, backup=False, snapshots=True)], "bi-1", {"team": "bi"})
    assert found == [Coverage("pol", "snapshots", "its tags match selection.conditions")]


def test_a_wildcard_covers_every_cluster_with_that_prefix_except_the_excluded() -> None:
    only = [policy({"clusters": ["etl-*"], "not_resources": ["etl-sandbox"]})]
    assert [c.policy for c in cluster_coverage(only, "etl-nightly", {})] == ["pol"]
    assert cluster_coverage(only, "etl-sandbox", {}) == []


def test_namespaces_are_covered_by_arn_and_a_new_one_only_by_a_wildcard() -> None:
    named = [policy({"serverless_namespaces": [NS + "0a1b"]})]
    assert namespace_coverage(named, NS + "0a1b") == [
        Coverage("pol", "backup", f"named in selection.serverless_namespaces ({NS}0a1b)")]
    assert namespace_coverage(named, NS + "ffff") == []
    assert namespace_coverage(named, None) == []  # not created yet: its ARN cannot be named
    every = [policy({"serverless_namespaces": [NS + "*"], "not_resources": [NS + "dead"]})]
    assert [c.policy for c in namespace_coverage(every, None)] == ["pol"]
    assert namespace_coverage(every, NS + "dead") == []
