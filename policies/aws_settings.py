"""The stack's `aws:*` settings, checked as the Pulumi program checks them, so that `check` refuses what `pulumi up`
would: a key pulumi-aws does not know (pulumi-aws 6's `aws:assumeRole`), an `aws:assumeRoles` entry without a
role ARN.

`PROVIDER_KEYS` is the pulumi-aws provider's configuration keys; the program reads them from the installed
pulumi_aws (`components.providers.provider_arguments`) and tests/components/test_stack_aws_config.py keeps this
list equal to them, so both refuse the same keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from policies.errors import Problem
from policies.model_fields import IAM_TAG_VALUE, TAG_KEY

PROVIDER_KEYS = frozenset({
    "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle",
    "defaultTags", "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints",
    "forbiddenAccountIds", "httpProxy", "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy",
    "profile", "region", "retryMode", "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey",
    "sharedConfigFiles", "sharedCredentialsFiles", "skipCredentialsValidation", "skipMetadataApiCheck",
    "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "tagPolicyCompliance", "token",
    "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
})


def aws_setting_problems(settings: Mapping[str, Any], known: frozenset[str] = PROVIDER_KEYS) -> list[Problem]:
    """Problems with the `aws:*` keys (without the prefix) of a stack's config."""
    problems: list[Problem] = []
    for key, value in settings.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
            hint = (f"did you mean aws:{close[0]}?" if close else "check its spelling against the provider's "
                    "configuration reference (e.g. aws:assumeRoles, aws:defaultTags, aws:allowedAccountIds)")
            problems.append(Problem(f"aws:{key}", "is not a setting of the pulumi-aws provider, so it cannot be "
                                    f"carried over to the explicit providers of other regions; {hint}",
                                    has_value=False, rule="aws-provider-setting"))
        elif key == "defaultTags" and isinstance(value, dict) and isinstance(value.get("tags"), dict):
            problems.extend(_default_tag_problems(value["tags"]))
        elif key == "assumeRoles" and value is not None and not isinstance(value, list):
            problems.append(Problem("aws:assumeRoles", "expected a list of objects with a roleArn", value,
                                    rule="aws-provider-setting"))
        elif key == "assumeRoles" and isinstance(value, list):
            for i, entry in enumerate(value):
                if not isinstance(entry, dict) or not isinstance(entry.get("roleArn"), str):
                    problems.append(Problem(f"aws:assumeRoles[{i}]", "expected an object with a roleArn", entry,
                                            rule="aws-provider-setting"))
    return problems


def _default_tag_problems(tags: dict[Any, Any]) -> list[Problem]:
    """`aws:defaultTags` land on every resource, the IAM role included: AWS's key rule and IAM's characters."""
    problems: list[Problem] = []
    for key, value in tags.items():
        where = f"aws:defaultTags.tags.{key}"
        if not isinstance(key, str) or not TAG_KEY.match(key):
            problems.append(Problem(where, "is not a tag key AWS accepts: 1-128 letters, digits, spaces and "
                                    "_ . : / = + - @, not starting with 'aws:' in any letter case", key,
                                    rule="tag"))
        elif not isinstance(value, str) or not IAM_TAG_VALUE.match(value):
            problems.append(Problem(where, "default tags land on every resource, IAM roles included: use IAM's "
                                    "characters (letters, digits, spaces and _ . : / = + - @), at most 256",
                                    value, rule="tag"))
    return problems
