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

# Our own restores as their dynamic providers' `check` hands them to the engine: the stack-config keys, the spec's
# defaults filled in, plus the provider's own keys (`__provider` is the pickled provider).
CLUSTER_RESTORE = "pulumi-python:dynamic/redshift-backup:RedshiftClusterRestore"
SNAPSHOT_SHARE = "pulumi-python:dynamic/redshift-backup:RedshiftSnapshotShare"
KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def restore(identifier: str = "analytics-drill", **props: Any) -> dict[str, Any]:
    """A cluster restore that passes every check: private, its retention and its KMS key stated (None: left out)."""
    base: dict[str, Any] = {
        "cluster_identifier": identifier, "source": {"snapshot_identifier": "analytics-nightly"},
        "publicly_accessible": False, "automated_snapshot_retention_days": 7, "kms_key_id": KMS_KEY, "tags": {},
        "skip_final_snapshot": False, "final_snapshot_retention_days": 7, "timeout_minutes": 75, "multi_az": False,
        "ownership_tag_value": f"redshift-backup/dev/{identifier}", "__provider": "gASV..."}
    base.update(props)
    return {k: v for k, v in base.items() if v is not None}


def share(*accounts: str, **props: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"snapshot_identifier": "analytics-nightly", "accounts_with_restore_access": list(accounts),
                            "ownership_tag_value": "redshift-backup/dev/share", "__provider": "gASV..."}
    base.update(props)
    return base
