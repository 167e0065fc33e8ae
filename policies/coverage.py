"""Which policy protects a given cluster or Serverless namespace, by the selection rules AWS Backup applies.

Used where a resource is judged from outside the stack that protects it (the CrossGuard pack in policypack/):
a cluster identifier and its tags in, the policies and layers that cover it out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from policies.model_fields import NAMESPACE_ARN, arn_region
from policies.models import Policy
from policies.native_plan import tags_match
from policies.selection import cluster_identifier_of

Layer = Literal["backup", "snapshots"]


@dataclass(frozen=True)
class Coverage:
    """One policy protecting one resource through one layer, and why (for messages)."""

    policy: str
    layer: Layer
    reason: str


def ref_matches_cluster(ref: str, identifier: str, region: str | None = None) -> bool:
    """Whether a selection entry (identifier, cluster ARN, either ending in the `*` wildcard) names `identifier`.

    An ARN of another region than `region` (when known) names another cluster, whatever its identifier.
    """
    named = cluster_identifier_of(ref)
    if named is None:
        return False
    if region and ref.startswith("arn:") and arn_region(ref) != region:
        return False
    if named.endswith("*"):
        return identifier.startswith(named[:-1])
    return named == identifier


def namespace_ref_matches(ref: str, arn: str) -> bool:
    """Whether a `serverless_namespaces` / `not_resources` entry names the namespace `arn` (`*` at the end only)."""
    if not NAMESPACE_ARN.match(ref):
        return False
    return arn.startswith(ref[:-1]) if ref.endswith("*") else ref == arn


def cluster_coverage(policies: Iterable[Policy], identifier: str, tags: Mapping[str, str],
                     region: str | None = None) -> list[Coverage]:
    """Every (policy, layer) that protects cluster `identifier` with `tags`, in policy order.

    AWS Backup: named in `selection.clusters` or matching `selection.conditions` (its tag selection covers every
    cluster of the account and region), and not named in `not_resources`. Native snapshots: named clusters, and
    tag-matching ones only with `discover_tagged_clusters`, since the native layer needs identifiers.
    """
    out: list[Coverage] = []
    for policy in policies:
        selection = policy.selection
        if any(ref_matches_cluster(ref, identifier, region) for ref in selection.not_resources):
            continue
        named = next((ref for ref in selection.clusters if ref_matches_cluster(ref, identifier, region)), None)
        by_tags = selection.conditions is not None and tags_match(tags, selection.conditions)
        reason = (f"named in selection.clusters ({named})" if named is not None
                  else "its tags match selection.conditions")
        if policy.backup and (named is not None or by_tags):
            out.append(Coverage(policy.name, "backup", reason))
        if policy.snapshots and (named is not None or (by_tags and selection.discover_tagged_clusters)):
            out.append(Coverage(policy.name, "snapshots", reason))
    return out


def namespace_coverage(policies: Iterable[Policy], arn: str | None) -> list[Coverage]:
    """Every policy whose AWS Backup layer protects the namespace `arn`.

    Selections name namespaces by ARN only. `arn` None means not known yet (a namespace not created): then only
    an entry ending in `namespace/*` can already name it, and no exclusion can be checked against it.
    """
    out: list[Coverage] = []
    for policy in policies:
        selection = policy.selection
        if policy.backup is None:
            continue
        if arn is not None and any(namespace_ref_matches(ref, arn) for ref in selection.not_resources):
            continue
        for ref in selection.serverless_namespaces:
            if arn is not None and namespace_ref_matches(ref, arn) or arn is None and ref.endswith("namespace/*"):
                out.append(Coverage(policy.name, "backup", f"named in selection.serverless_namespaces ({ref})"))
                break
    return out
