"""Explicit AWS providers for other regions (copy vaults, snapshot copy grants)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def region_provider(name: str, region: str, opts: pulumi.ResourceOptions | None = None) -> aws.Provider:
    """An explicit provider for another region, with the stack's credentials profile.

    Explicit providers do not read the stack's `aws:*` config; the profile is carried over so that resources in
    other regions are created with the same credentials as everything else. Share one per region: each provider
    is a plugin process.
    """
    return aws.Provider(name, region=region, profile=pulumi.Config("aws").get("profile"), opts=opts)
