"""Tag discovery for the native layer: the clusters whose tags satisfy a policy's conditions, read with boto3.

It runs inside the Pulumi program, so at preview time, and only for policies that opt in with
`selection.discover_tagged_clusters: true`: it makes a preview depend on the live account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from components import aws
from policies.errors import ProviderError
from policies.native_plan import matching_clusters
from policies.selection import Conditions


def discover_tagged_clusters(conditions: Conditions, region: str,
                             credentials: Mapping[str, Any] | None = None) -> list[str]:
    """Identifiers of the clusters in `region` whose tags satisfy `conditions` (AWS Backup semantics), sorted.

    `credentials` (the stack's aws:profile and aws:assumeRoles, see components/providers.py) say whose clusters:
    without them, boto3's default chain, which may be another account than the stack's provider.
    """
    found: list[tuple[str, dict[str, str]]] = []
    try:
        # DescribeClusters returns each cluster's tags; its TagKeys filter ORs keys, so matching is done here.
        redshift = aws.client("redshift", region, credentials)
        for page in redshift.get_paginator("describe_clusters").paginate():
            for cluster in page["Clusters"]:
                tags = {tag["Key"]: tag["Value"] for tag in cluster.get("Tags", [])}
                found.append((cluster["ClusterIdentifier"], tags))
    except (ClientError, BotoCoreError) as exc:
        raise ProviderError(f"cannot list Redshift clusters in {region} for tag discovery "
                            f"(selection.discover_tagged_clusters needs AWS credentials at preview time): {exc}"
                            ) from exc
    return matching_clusters(found, conditions)
