"""The benchmark's stacks: `policies` policies sharing `clusters` named clusters, as a user's stack file holds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
COPY_REGION = "us-west-2"
EMAIL = "dba-oncall@example.com"


def fleet_policies(policies: int, clusters: int, *, native: bool, retention: bool = False) -> list[dict[str, Any]]:
    """Every policy: AWS Backup (daily with a cross-region copy, weekly) in a governance-locked vault, email
    notifications; with `native`, Redshift's own schedule and cross-region copy; with `retention`, automated
    snapshot retention set on every cluster (one dynamic resource per cluster)."""
    out = []
    for i in range(policies):
        name = f"p{i:02d}"
        policy: dict[str, Any] = {
            "name": name,
            "tags": {"team": "data"},
            "selection": {"clusters": [f"c{c:05d}" for c in range(i, clusters, policies)]},
            "backup": {
                "rules": [
                    {"name": "daily", "delete_after_days": 35,
                     "copy_actions": [{"destination_region": COPY_REGION}]},
                    {"name": "weekly", "schedule": "cron(0 5 ? * SAT *)", "delete_after_days": 90},
                ],
                "vault": {"lock": {"mode": "governance", "min_retention_days": 7, "max_retention_days": 365}},
            },
            "notifications": {"emails": [EMAIL]},
        }
        if native or retention:
            snapshots: dict[str, Any] = {
                "schedule": ["cron(0 0,12 *)"],
                "cross_region_copy": {"destination_region": COPY_REGION, "retention_days": 7},
            }
            if retention:
                snapshots["automated_snapshot_retention_days"] = 7
            policy["snapshots"] = snapshots
        out.append(policy)
    return out


def write_stack(directory: Path, policies: int, clusters: int, *, native: bool, retention: bool = False) -> Path:
    """`Pulumi.<stack>.yaml` for this size; the stack name says the size."""
    stack = f"p{policies}x{clusters}{'-native' if native else ''}{'-retention' if retention else ''}"
    path = directory / f"Pulumi.{stack}.yaml"
    config = {"aws:region": REGION,
              "redshift-backup:policies": fleet_policies(policies, clusters, native=native, retention=retention)}
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path
