"""A sample program's resources, as the engine hands them to the pack (pulumi-aws 7 wire names), and the config."""

from __future__ import annotations

from typing import Any

from conftest import REPO_ROOT

PROD_STACK_FILE = str(REPO_ROOT / "Pulumi.prod.yaml")
SOURCE = {"stackFile": PROD_STACK_FILE}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's wire form of a value unknown during preview
NS_ARN = "arn:aws:redshift-serverless:us-east-1:111122223333:namespace/3f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::team-x::{type_}::{name}"


def cluster(identifier: str, **props: Any) -> dict[str, Any]:
    """A cluster that passes every check but coverage (which depends on its identifier and tags)."""
    base: dict[str, Any] = {"clusterIdentifier": identifier, "nodeType": "ra3.xlplus", "encrypted": "true",
                            "automatedSnapshotRetentionPeriod": 7, "publiclyAccessible": False}
    base.update(props)
    return base


COVERED_BY_NAME = cluster("analytics-prod")
COVERED_BY_TAG = cluster("reporting", tags={"tier": "1"})
UNCOVERED = cluster("team-x-warehouse", tags={"team": "x"})

UNCOVERED_MESSAGE = (
    f"cluster 'team-x-warehouse' is not protected by any redshift-backup policy in {PROD_STACK_FILE} (us-east-1): "
    "no policy names it in selection.clusters, and its tags (team=x) match no policy's selection.conditions (or it "
    "is listed in selection.not_resources). Tag it to match a policy, or add it to a policy's selection.clusters. "
    "Policies that select by tag: prod-analytics: tag tier = 1 and tag backup != none.")

PLAN_WITHOUT_LIFECYCLES: dict[str, Any] = {
    "name": "team-x-plan",
    "rules": [{
        "ruleName": "nightly", "targetVaultName": "team-x-prod", "schedule": "cron(0 3 * * ? *)",
        "copyActions": [{"destinationVaultArn": "arn:aws:backup:us-west-2:111122223333:backup-vault:dr"}],
    }],
}
PLAN_WITH_LIFECYCLES: dict[str, Any] = {
    "name": "team-x-plan",
    "rules": [{
        "ruleName": "nightly", "targetVaultName": "team-x-prod", "schedule": "cron(0 3 * * ? *)",
        "lifecycle": {"deleteAfter": 35},
        "copyActions": [{"destinationVaultArn": "arn:aws:backup:us-west-2:111122223333:backup-vault:dr",
                         "lifecycle": {"deleteAfter": 35}}],
    }],
}
