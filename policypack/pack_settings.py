"""The pack's configuration, per policy: pydantic models with the project's error rules, and the organization's
policies read through the project's own validation (a stack file, or policies given inline).

Pure: no pulumi, no pulumi_policy. Keys are camelCase, as CrossGuard config keys are (`enforcementLevel`); the
inline `policies` keep the shape of `redshift-backup:policies` in a stack file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from policies.base import Issues, StrictModel, problems_from_validation_error
from policies.errors import ConfigError, Problem
from policies.restores import REDSHIFT_SUPPORT, ShareAccount
from policies.validation import Stack, load_stack_file, validate_config

# The pack's directory: where the engine starts it (its working directory), and what a relative stackFile is
# read against.
PACK_DIR = Path(__file__).resolve().parent

DEFAULT_MINIMUM_RETENTION_DAYS = 7
DEFAULT_PROD_NAME_PATTERN = r"(^|[-_.])(prod|production|prd)([-_.]|$)"
DEFAULT_PROD_TAG_KEYS = ["environment", "env", "stage"]
DEFAULT_PROD_TAG_VALUES = ["prod", "production", "prd"]


class PoliciesSource(StrictModel):
    """Where the organization's redshift-backup policies come from: a stack file, or the policies inline."""

    stackFile: str | None = None
    policies: list[Any] | None = None
    # The region the inline policies protect (a stack file names its own, `aws:region`).
    region: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PoliciesSource:
        issues = Issues()
        if self.stackFile is None and self.policies is None:
            issues.add((), "names no policies: give stackFile (a redshift-backup stack file, e.g. "
                       "/etc/redshift-backup/Pulumi.prod.yaml) or policies (the list under "
                       "redshift-backup:policies) with region", has_value=False)
        if self.stackFile is not None and self.policies is not None:
            issues.add("policies", "cannot be given together with stackFile: give one source", has_value=False)
        if self.stackFile is not None and self.region is not None:
            issues.add("region", "comes from the stack file's aws:region; leave it out with stackFile", self.region)
        if self.policies is not None and self.region is None:
            issues.add("region", "is required with inline policies: the AWS region they protect (e.g. us-east-1)",
                       has_value=False)
        issues.raise_if_any()
        return self


class RetentionSettings(StrictModel):
    """`redshift-automated-snapshot-retention`: the least automated snapshot retention a cluster may have."""

    minimumDays: int = Field(default=DEFAULT_MINIMUM_RETENTION_DAYS, ge=1, le=35)


class ShareAccountsSettings(StrictModel):
    """`redshift-snapshot-share-accounts`: the accounts a snapshot may be shared with (no default: required)."""

    allowedAccounts: list[ShareAccount]


class ProdVaultSettings(StrictModel):
    """`backup-prod-vault-locked`: what marks a vault as production (its name, or one of its tags)."""

    prodNamePattern: str = DEFAULT_PROD_NAME_PATTERN
    prodTagKeys: list[str] = DEFAULT_PROD_TAG_KEYS
    prodTagValues: list[str] = DEFAULT_PROD_TAG_VALUES

    @field_validator("prodNamePattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
        return value


class NoSettings(StrictModel):
    """A policy with nothing to configure but its enforcement level."""


def parse(model: type[StrictModel], raw: Mapping[str, Any] | None, policy: str) -> Any:
    """Validate one policy's config; a ConfigError lists every problem with its path under the policy's name."""
    try:
        return model.model_validate(dict(raw or {}))
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc, (policy,)), "the policy pack's config") from None


def load_policies(source: PoliciesSource, pack_dir: Path = PACK_DIR) -> Stack:
    """The organization's policies, validated by the project's own rules (ConfigError when they are invalid)."""
    if source.stackFile is not None:
        path = Path(os.path.expanduser(source.stackFile))
        path = path if path.is_absolute() else pack_dir / path
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            raise ConfigError([Problem("stackFile", f"cannot be read: {exc.strerror}", str(path))],
                              "the policy pack's config") from None
        return _load_file(str(path), stamp)
    return _load_inline(json.dumps(source.policies, sort_keys=True), source.region or "")


@lru_cache(maxsize=8)
def _load_file(path: str, _mtime_ns: int) -> Stack:
    # Keyed on the modification time too, so an edited file is read again by a long-running pack.
    return load_stack_file(path)


@lru_cache(maxsize=8)
def _load_inline(policies_json: str, region: str) -> Stack:
    return validate_config({"policies": json.loads(policies_json)}, region,
                           source="the policy pack's config (policies)")


# JSON Schemas of the config properties, for GetAnalyzerInfo (the engine and Pulumi Cloud validate against them
# and fill in the defaults). The models above stay the authority: they also refuse unknown keys.
SOURCE_SCHEMA: dict[str, dict[str, Any]] = {
    "stackFile": {"type": "string", "description": "A redshift-backup stack file (Pulumi.<stack>.yaml); a "
                  "relative path is read from the policy pack's directory."},
    "policies": {"type": "array", "items": {"type": "object"}, "description": "The organization's policies "
                 "inline, in the shape of redshift-backup:policies."},
    "region": {"type": "string", "description": "The AWS region the inline policies protect."},
}
RETENTION_SCHEMA: dict[str, dict[str, Any]] = {
    "minimumDays": {"type": "integer", "minimum": 1, "maximum": 35, "default": DEFAULT_MINIMUM_RETENTION_DAYS,
                    "description": "The least automatedSnapshotRetentionPeriod a cluster (a redshift-backup "
                    "restore: automated_snapshot_retention_days) may have, in days."},
}
SHARE_ACCOUNTS_SCHEMA: dict[str, dict[str, Any]] = {
    "allowedAccounts": {"type": "array", "items": {"type": "string"},
                        "description": "12-digit AWS account ids (or " + REDSHIFT_SUPPORT + ", AWS Support) that a "
                        "redshift-backup snapshot share may grant restore access to."},
}
PROD_VAULT_SCHEMA: dict[str, dict[str, Any]] = {
    "prodNamePattern": {"type": "string", "default": DEFAULT_PROD_NAME_PATTERN,
                        "description": "A regular expression; a vault whose name matches it is a prod vault."},
    "prodTagKeys": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_PROD_TAG_KEYS,
                    "description": "Tag keys (any case) that name an environment."},
    "prodTagValues": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_PROD_TAG_VALUES,
                      "description": "Values (any case) of those tags that mark a prod vault."},
}
