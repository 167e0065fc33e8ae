"""The field rules of restore declarations: limits, defaults, patterns, small validator functions and the
annotated field types the restore models are built from (`restore_cluster`, `restore_table`, `snapshot_share`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

from policies import names
from policies.base import RuleViolation
from policies.model_fields import ACCOUNT_ID
from policies.node_types import node_type_problem
from policies.regions import region_problem

DEFAULT_TIMEOUT_MINUTES = 75
MAX_TIMEOUT_MINUTES = 24 * 60
DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS = 7
MAX_SHARED_ACCOUNTS = 20
MAX_TAGS = 50
# Redshift: a cluster has at most 50 IAM roles (RestoreFromClusterSnapshot / ModifyClusterIamRoles).
MAX_IAM_ROLES = 50
# Redshift's maintenance window is at least 30 minutes (PreferredMaintenanceWindow).
MIN_MAINTENANCE_MINUTES = 30
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The account name AuthorizeSnapshotAccess takes to share a snapshot with AWS Support.
REDSHIFT_SUPPORT = "amazon-redshift-support"
# The key this project puts on every cluster it restores; its value names the owning Pulumi resource.
OWNERSHIP_TAG = "redshift-backup:restored-by"

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_NODE_TYPE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+$")
_SQL_NAME = re.compile(r"^[^\x00-\x1f]{1,127}$")
_MAINTENANCE_WINDOW = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-"
                                 r"(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$")

# Ports a cluster may listen on (AWS docs, RestoreFromClusterSnapshot `Port`).
ANY_NODE_PORTS = (1150, 65535)
RA3_PORTS = ((5431, 5455), (8191, 8215))


def cluster_identifier_problem(value: str) -> str | None:
    """Why `value` is not a valid Redshift cluster identifier, or None."""
    if not _IDENTIFIER.match(value) or "--" in value or value.endswith("-"):
        return ("must be 1-63 lowercase letters, digits and hyphens, start with a letter, "
                "with no '--' and no trailing '-' (example: 'analytics-drill')")
    return None


def _cluster_identifier(value: str) -> str:
    problem = cluster_identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _account(value: str) -> str:
    if not ACCOUNT_ID.match(value):
        raise ValueError("must be a 12-digit AWS account id (example: '123456789012')")
    return value


def _arn(value: str) -> str:
    if not value.startswith("arn:aws") or value.count(":") < 5:
        raise ValueError("must be an ARN (example: "
                         "'arn:aws:redshift:us-east-1:123456789012:snapshot:prod/nightly')")
    return value


def _node_type(value: str) -> str:
    if not _NODE_TYPE.match(value):
        raise ValueError("must be a node type such as 'ra3.xlplus' or 'ra3.4xlarge'")
    problem = node_type_problem(value, None)
    if problem:
        raise ValueError(problem)
    return value


def _share_account(value: str) -> str:
    # AuthorizeSnapshotAccess: "AccountWithRestoreAccess ... To share a snapshot with Amazon Web Services
    # Support, specify amazon-redshift-support."
    if value != REDSHIFT_SUPPORT and not ACCOUNT_ID.match(value):
        raise ValueError(f"must be a 12-digit AWS account id (example: '123456789012') or {REDSHIFT_SUPPORT!r} "
                         "(AWS Support)")
    return value


def _region(value: str) -> str:
    problem = region_problem(value, ("redshift",))
    if problem:
        raise RuleViolation("region", problem)
    return value


def _sql_name(value: str) -> str:
    if not _SQL_NAME.match(value):
        raise ValueError("must be 1-127 characters without control characters")
    return value


def _manual_retention(value: int) -> int:
    if value != -1 and not 1 <= value <= 3653:
        raise ValueError("must be -1 (keep for ever) or 1..3653 days")
    return value


def _maintenance_window(value: str) -> str:
    match = _MAINTENANCE_WINDOW.match(value.lower())
    if not match:
        raise ValueError("must be 'ddd:hh24:mi-ddd:hh24:mi' in UTC (example: 'sun:05:00-sun:05:30')")
    start, end = (_week_minute(part) for part in value.lower().split("-"))
    if start is None or end is None:
        raise ValueError("hours must be 00-23 (example: 'sun:05:00-sun:05:30')")
    length = (end - start) % (7 * 24 * 60)
    if length < MIN_MAINTENANCE_MINUTES:
        raise RuleViolation("restore", f"is {length} minutes long; Redshift needs a maintenance window of at least "
                            f"{MIN_MAINTENANCE_MINUTES} minutes (example: 'sun:05:00-sun:05:30')")
    return value


def _week_minute(text: str) -> int | None:
    day, hour, minute = text.split(":")
    if int(hour) > 23:
        return None
    return (_DAYS.index(day) * 24 + int(hour)) * 60 + int(minute)


def _iam_roles(value: list[str]) -> list[str]:
    if len(value) > MAX_IAM_ROLES:
        raise RuleViolation("restore", f"{len(value)} roles; a Redshift cluster can have at most {MAX_IAM_ROLES} IAM "
                            "roles")
    return value


def _vault_name(value: str) -> str:
    problem = names.BACKUP_VAULT.problem(value)
    if problem:
        raise RuleViolation("resource-name", f"expected a legal name: {problem}")
    return value


def _tags(value: dict[str, str]) -> dict[str, str]:
    # One tag slot is ours (ownership); Redshift allows 50 per resource.
    if len(value) > MAX_TAGS - 1:
        raise ValueError(f"at most {MAX_TAGS - 1} tags (Redshift allows {MAX_TAGS}, one is for ownership)")
    for key, text in value.items():
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            raise ValueError(f"tag key {key!r} must be 1-128 characters and must not start with 'aws:'")
        if key == OWNERSHIP_TAG:
            raise ValueError(f"tag key {key!r} is reserved for the ownership tag this project sets")
        if len(text) > 256:
            raise ValueError(f"tag {key!r}: value must be at most 256 characters")
    return value


def _refuse_multi_az(value: bool) -> bool:
    if value:
        raise ValueError("a restore to a new location does not support Multi-AZ; restore single-AZ, "
                         "then turn Multi-AZ on with ModifyCluster")
    return value


_HSM = "HSM encryption (use kms_key_id)"


def _refuse(what: str) -> Callable[[str], str]:
    def rule(value: str) -> str:
        raise ValueError(f"a restore to a new location does not support {what}")
    return rule


def port_problem(port: int, node_type: str | None) -> str | None:
    """Why `port` is not allowed for `node_type` (None when the node type is not known yet), or None."""
    if node_type and node_type.startswith("ra3."):
        if not any(low <= port <= high for low, high in RA3_PORTS):
            return "RA3 clusters listen on 5431-5455 or 8191-8215"
        return None
    if not ANY_NODE_PORTS[0] <= port <= ANY_NODE_PORTS[1]:
        return "must be 1150-65535 (RA3: 5431-5455 or 8191-8215)"
    return None


def _port(value: int) -> int:
    problem = port_problem(value, None)
    if problem:
        raise ValueError(problem)
    return value


ClusterIdentifier = Annotated[str, AfterValidator(_cluster_identifier)]
AccountId = Annotated[str, AfterValidator(_account)]
ShareAccount = Annotated[str, AfterValidator(_share_account)]
Arn = Annotated[str, AfterValidator(_arn)]
NodeType = Annotated[str, AfterValidator(_node_type)]
Region = Annotated[str, AfterValidator(_region)]
SqlName = Annotated[str, AfterValidator(_sql_name)]
ManualRetentionDays = Annotated[int, AfterValidator(_manual_retention)]
Tags = Annotated[dict[str, str], AfterValidator(_tags)]
TimeoutMinutes = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_MINUTES)]
ResourceName = Annotated[str, Field(min_length=1, max_length=200)]


# Field types of the cluster restore alone, named so that its model reads as a list of keys.
BackupVaultName = Annotated[str, AfterValidator(_vault_name)]
IamRoles = Annotated[list[Arn], AfterValidator(_iam_roles)]
Port = Annotated[int, AfterValidator(_port)]
MaintenanceWindow = Annotated[str, AfterValidator(_maintenance_window)]
# Accepted only to refuse them with a clear reason: a restore to a new location does not support them.
RefusedMultiAz = Annotated[bool, AfterValidator(_refuse_multi_az)]
RefusedElasticIp = Annotated[str, AfterValidator(_refuse("an Elastic IP"))]
RefusedHsm = Annotated[str, AfterValidator(_refuse(_HSM))]
