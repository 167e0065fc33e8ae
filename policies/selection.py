"""What a policy protects: clusters and serverless namespaces by identifier or ARN, tag conditions, exclusions."""

from __future__ import annotations

from pydantic import ValidationInfo, field_validator, model_validator

from policies.base import Issues, RuleViolation, StrictModel, skip_if_invalid
from policies.model_fields import (
    CLUSTER_ARN,
    CLUSTER_ID,
    NAMESPACE_ARN,
    TAG_KEY,
    arn_region,
    report_duplicates,
)

MAX_SELECTION_ARNS = 500
MAX_SELECTION_ARNS_WITH_WILDCARD = 30


class TagCondition(StrictModel):
    """One condition on a resource tag; the component prefixes the key with `aws:ResourceTag/`."""

    key: str
    value: str

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if value.startswith("aws:ResourceTag/"):
            raise ValueError("give the bare tag key (e.g. backup); the aws:ResourceTag/ prefix is added for you")
        if not TAG_KEY.match(value):
            raise RuleViolation("tag", "expected a tag key of 1-128 characters, not starting with 'aws:' in any "
                                "letter case")
        return value


class Conditions(StrictModel):
    """Tag conditions, ANDed together (AWS Backup `Conditions`): every listed condition must hold."""

    string_equals: list[TagCondition] = []
    string_not_equals: list[TagCondition] = []
    string_like: list[TagCondition] = []
    string_not_like: list[TagCondition] = []

    def all(self) -> list[tuple[str, TagCondition]]:
        return [(op, c) for op in ("string_equals", "string_not_equals", "string_like", "string_not_like")
                for c in getattr(self, op)]

    @model_validator(mode="after")
    def _not_only_negative(self) -> Conditions:
        if not self.all():
            issues = Issues()
            issues.add((), "no condition given; list at least one under string_equals, string_not_equals, "
                       "string_like or string_not_like, or leave out conditions", has_value=False)
            issues.raise_if_any()
        return self


def is_wildcard(ref: str) -> bool:
    """Whether `ref` is a prefix (`analytics-*`), AWS Backup's only wildcard."""
    return "*" in ref


class Selection(StrictModel):
    """What a policy protects. Clusters are named by identifier or ARN; tag conditions select the rest.

    Every list is optional, but together they must select something. `not_resources` excludes clusters (by
    identifier or ARN) or namespaces (by ARN) that the rest would select.
    """

    clusters: list[str] = []
    serverless_namespaces: list[str] = []
    conditions: Conditions | None = None
    not_resources: list[str] = []
    # The native layer needs cluster identifiers; clusters chosen only by tag are looked up with boto3 at
    # preview time when this is on (off by default: it makes `pulumi preview` depend on the live account).
    discover_tagged_clusters: bool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Selection:
        issues = Issues()
        region = (info.context or {}).get("region")
        # Each block reads its own fields: one whose field is invalid is skipped alone (one-pass validation).
        with skip_if_invalid():
            if not (self.clusters or self.serverless_namespaces or self.conditions):
                issues.add((), "selects nothing; name clusters, serverless_namespaces or tag conditions",
                           has_value=False)
        for field in ("clusters", "not_resources"):
            with skip_if_invalid():
                refs: list[str] = getattr(self, field)
                for i, ref in enumerate(refs):
                    problem = _resource_ref_problem(ref, allow_namespace=field == "not_resources")
                    if problem:
                        issues.add((field, i), problem, ref)
                    elif region and ref.startswith("arn:") and arn_region(ref) != region:
                        issues.add((field, i), f"is in region {arn_region(ref)}, but a stack protects resources "
                                   f"of its own region ({region}) only: declare it in a stack of that region", ref)
                report_duplicates(issues, field, refs)
                wild = [r for r in refs if is_wildcard(r)]
                limit = MAX_SELECTION_ARNS_WITH_WILDCARD if wild else MAX_SELECTION_ARNS
                if len(refs) > limit:
                    issues.add(field, f"{len(refs)} entries; AWS Backup allows at most {limit}"
                               + (" when any entry has a wildcard" if wild else ""), has_value=False)
        with skip_if_invalid():
            for i, ref in enumerate(self.serverless_namespaces):
                if not NAMESPACE_ARN.match(ref):
                    issues.add(("serverless_namespaces", i), "expected a Redshift Serverless namespace ARN, "
                               "arn:aws:redshift-serverless:<region>:<account>:namespace/<uuid>", ref)
                elif "*" in ref[:-1]:
                    issues.add(("serverless_namespaces", i), "a wildcard '*' is only allowed at the end", ref)
                elif region and arn_region(ref) != region:
                    issues.add(("serverless_namespaces", i), f"is in region {arn_region(ref)}, but a stack "
                               f"protects resources of its own region ({region}) only", ref)
            report_duplicates(issues, "serverless_namespaces", self.serverless_namespaces)
        with skip_if_invalid():
            excluded = {cluster_identifier_of(r) or r for r in self.not_resources}
            left = [r for r in self.clusters if is_wildcard(r) or (cluster_identifier_of(r) or r) not in excluded]
            left += [r for r in self.serverless_namespaces if r not in excluded]
            if (self.clusters or self.serverless_namespaces) and not (left or self.conditions):
                issues.add("not_resources", "excludes every cluster and namespace that clusters and "
                           "serverless_namespaces name, so the selection selects nothing; remove the exclusions or "
                           "the policy", self.not_resources)
        with skip_if_invalid():
            if self.discover_tagged_clusters and not self.conditions:
                issues.add("discover_tagged_clusters", "is on but no tag conditions are given; there is nothing to "
                           "discover", True)
        issues.raise_if_any()
        return self

    def cluster_identifiers(self) -> list[str]:
        """The named clusters' identifiers (ARNs reduced to their identifier), wildcards left out."""
        excluded = self.excluded_identifiers()
        idents = (cluster_identifier_of(ref) for ref in self.clusters)
        return [i for i in idents if i and not is_wildcard(i) and i not in excluded]

    def excluded_identifiers(self) -> set[str]:
        return {i for i in (cluster_identifier_of(r) for r in self.not_resources) if i}


def cluster_identifier_of(ref: str) -> str | None:
    """`analytics` -> `analytics`; a cluster ARN -> its identifier; anything else -> None."""
    m = CLUSTER_ARN.match(ref)
    if m:
        return m.group(3)
    return ref if not ref.startswith("arn:") else None


CLUSTER_ID_RULE = ("1-63 lowercase letters, digits and hyphens, starting with a letter, no '--', no trailing "
                   "'-'")


def _resource_ref_problem(ref: str, allow_namespace: bool) -> str | None:
    if ref.startswith("arn:"):
        if "*" in ref[:-1]:
            return "a wildcard '*' is only allowed at the end of an ARN"
        cluster = CLUSTER_ARN.match(ref)
        if cluster:
            if _cluster_id_problem(cluster.group(3)):
                return (f"the cluster identifier in this ARN, {cluster.group(3)!r}, is invalid: expected "
                        f"{CLUSTER_ID_RULE}, or a prefix of one followed by '*'")
            return None
        if allow_namespace and NAMESPACE_ARN.match(ref):
            return None
        kinds = "a cluster ARN arn:aws:redshift:<region>:<account>:cluster:<id>"
        if allow_namespace:
            kinds += " or a namespace ARN arn:aws:redshift-serverless:<region>:<account>:namespace/<uuid>"
        return f"expected a cluster identifier or {kinds}"
    return _cluster_id_problem(ref)


def _cluster_id_problem(ident: str) -> str | None:
    """The identifier rule, where a trailing `*` makes a prefix (AWS Backup's only wildcard)."""
    if "*" in ident[:-1]:
        return "a wildcard '*' is only allowed at the end (e.g. analytics-*)"
    # A prefix may end in '-' (analytics-*): check it as if completed.
    if ident.endswith("*") and CLUSTER_ID.match(ident[:-1] + "x"):
        return None
    if not CLUSTER_ID.match(ident):
        return f"expected a cluster identifier ({CLUSTER_ID_RULE}) or a cluster ARN"
    return None
