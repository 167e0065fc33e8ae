"""Regions and partitions, from the endpoint data botocore ships (not a pattern): which regions exist, in which
partition, and which of them offer AWS Backup and Redshift.

The data is read as files (`botocore/data/endpoints.json` and `partitions.json`), so the pure core imports no
AWS SDK code. A region AWS adds reaches this list with a botocore upgrade, as it reaches boto3 itself.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Endpoint prefixes of the services whose regions matter here, and how people call them.
SERVICES = {"backup": "AWS Backup", "redshift": "Amazon Redshift", "redshift-serverless": "Redshift Serverless",
            "kms": "AWS KMS", "sns": "Amazon SNS"}


@dataclass(frozen=True)
class Partition:
    """One AWS partition: its regions, and the regions each service is offered in."""

    name: str
    regions: frozenset[str]
    services: dict[str, frozenset[str]]


def _data_dir() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - boto3 is a dependency
        raise RuntimeError("botocore is not installed: its endpoint data lists the AWS regions")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def partitions() -> dict[str, Partition]:
    """Every partition by name (aws, aws-cn, aws-us-gov, ...)."""
    base = _data_dir()
    endpoints: dict[str, Any] = json.loads((base / "endpoints.json").read_text(encoding="utf-8"))
    listed: dict[str, set[str]] = {}
    extra = base / "partitions.json"
    if extra.exists():
        for entry in json.loads(extra.read_text(encoding="utf-8")).get("partitions", []):
            listed.setdefault(entry["id"], set()).update(entry.get("regions", {}))
    out: dict[str, Partition] = {}
    for entry in endpoints["partitions"]:
        name = entry["partition"]
        # partitions.json also lists pseudo-regions of global endpoints (aws-global): not places to deploy to.
        regions = {r for r in set(entry.get("regions", {})) | listed.get(name, set()) if not r.endswith("-global")}
        services = {}
        for service in SERVICES:
            found = entry.get("services", {}).get(service, {})
            offered = {r for r in found.get("endpoints", {}) if r in regions}
            # A global-endpoint service (partitionEndpoint) is offered everywhere; none of ours is, but be exact.
            services[service] = frozenset(regions if found.get("isRegionalized") is False else offered)
        out[name] = Partition(name, frozenset(regions), services)
    return out


def partition_of(region: str) -> str | None:
    """The partition `region` belongs to, or None when it is not a region at all."""
    for partition in partitions().values():
        if region in partition.regions:
            return partition.name
    return None


def all_regions() -> list[str]:
    return sorted(r for p in partitions().values() for r in p.regions)


def region_problem(region: str, services: tuple[str, ...] = ()) -> str | None:
    """Why `region` cannot be used (not a region; or a region where one of `services` is not offered), or None."""
    partition = partition_of(region)
    if partition is None:
        close = difflib.get_close_matches(region.lower(), all_regions(), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else " (e.g. us-east-1)"
        return f"is not an AWS region in any partition (botocore's endpoint data){hint}"
    for service in services:
        if region not in partitions()[partition].services.get(service, frozenset()):
            return (f"is a region of partition {partition}, but {SERVICES.get(service, service)} is not offered "
                    "there (botocore's endpoint data)")
    return None


def _strings(value: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Every string leaf of a config value with its place (an explicit stack: configs can be large)."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        where, item = stack.pop()
        # Children pushed last first, so that they come off the stack in document order.
        if isinstance(item, dict):
            stack.extend(reversed([((*where, str(k)), v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([((*where, i), v) for i, v in enumerate(item)]))
        elif isinstance(item, str):
            out.append((where, item))
    return out


def placement_problems(raw: Any, stack_region: str | None) -> list[tuple[tuple[str | int, ...], str, str, str]]:
    """Every ARN and every region of a stack's config (any key, so new models are covered without code): an ARN's
    partition exists and is the stack's, its region exists in that partition and offers the service named in the
    ARN; a region value (a key naming `region`, or an item of
    such a list) is in the stack's partition (copies and restores never leave it).

    Returns (where, message, value, rule id) for each problem. Region values that are not regions at all are the models'
    to report (their own rule says which services the key needs).
    """
    home = partition_of(stack_region) if stack_region else None
    out: list[tuple[tuple[str | int, ...], str, str, str]] = []
    for where, value in _strings(raw):
        if value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) < 6:
                continue  # not ARN-shaped: the key's own rule says what it expects
            partition, service, region = parts[1], parts[2], parts[3]
            if partition not in partitions():
                out.append((where, f"names partition {partition!r}, which does not exist; expected one of "
                                   f"{', '.join(sorted(partitions()))}", value, "partition"))
                continue
            if home and partition != home:
                out.append((where, f"is in partition {partition}, but the stack's region {stack_region} is in "
                                   f"{home}: a stack's resources, copies and roles never leave its partition", value,
                            "partition"))
                continue
            if region and region not in partitions()[partition].regions:
                out.append((where, f"names region {region!r}, which is not a region of partition {partition} "
                                   "(botocore's endpoint data)", value, "region"))
            elif region and service in SERVICES and region not in partitions()[partition].services[service]:
                out.append((where, f"names region {region}, where {SERVICES[service]} is not offered "
                                   "(botocore's endpoint data)", value, "region"))
        elif home and "region" in next((k for k in reversed(where) if isinstance(k, str)), ""):
            # `destination_region`, and every item of `regions`, `regions_append`...
            other = partition_of(value)
            if other is not None and other != home:
                out.append((where, f"is in partition {other}, but the stack's region {stack_region} is in {home}: "
                                   "copies and restores never leave their partition", value, "partition"))
    return out
