"""The JSON Schema of a stack file's `redshift-backup:` config, for editor completion and validation."""

from __future__ import annotations

from typing import Any

from policies.models import StackConfig
from policies.organization import ORGANIZATION_KEY, OrganizationConfig
from policies.regions import all_regions
from policies.schema_details import describe
from policies.validation import NAMESPACE


def config_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for `Pulumi.<stack>.yaml` files: our keys in full, other namespaces open."""
    inner = StackConfig.model_json_schema()
    defs = inner.pop("$defs", {})
    # `redshift-backup:organization` is validated on its own (policies/organization.py), so it is added here; the
    # models it shares with the policies (BackupLayer, Selection...) are the same definitions.
    organization = OrganizationConfig.model_json_schema()
    for name, definition in organization.pop("$defs", {}).items():
        defs.setdefault(name, definition)
    defs[OrganizationConfig.__name__] = organization
    # Descriptions from the policy reference, patterns, bounds, enums, and digit strings where numbers go.
    describe(defs, inner)
    properties = {f"{NAMESPACE}:{key}": value for key, value in inner.get("properties", {}).items()}
    properties[f"{NAMESPACE}:{ORGANIZATION_KEY}"] = {"$ref": f"#/$defs/{OrganizationConfig.__name__}"}
    properties["aws:region"] = {"type": "string", "description": "The stack's AWS region, e.g. us-east-1.",
                                "enum": all_regions()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "redshift-backup stack file",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "required": ["aws:region"],
                # Unknown keys of our namespace are errors (a typo is never ignored); keys of other namespaces
                # (pulumi:, aws:...) are the business of their own owners.
                "propertyNames": {"anyOf": [{"enum": sorted(properties)},
                                            {"not": {"pattern": f"^{NAMESPACE}:"}}]},
                "additionalProperties": True,
            },
        },
        "$defs": defs,
    }
