"""The replace table (policies/replacements.py) against the installed pulumi_aws package and our providers."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from policies.replacements import REGION_INPUT, REPLACE, REPLACEMENTS, UNKNOWN, UPDATE, input_effect
from redshift_backup import mockrun
from redshift_backup.plan import stack_file_config

ROOT = Path(__file__).resolve().parents[2]
AWS_TYPES = sorted(t for t in REPLACEMENTS if t.startswith("aws:"))
# How pulumi_aws docstrings say that an input replaces the resource (the phrasings found in the package).
FORCES_NEW = re.compile(r"forces? (a )?new resource|forces replacement|create (a )?new resource|"
                        r"requires creating a new resource|force recreation|recreate the resource", re.IGNORECASE)


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def args_class(token: str) -> type:
    """`aws:backup/vault:Vault` -> pulumi_aws.backup.VaultArgs."""
    module, _, name = token.split(":")[1].partition("/")
    return getattr(importlib.import_module(f"pulumi_aws.{module}"), token.rsplit(":", 1)[1] + "Args")


def inputs_of(token: str) -> dict[str, str]:
    """Each input of the installed package's Args class (Pulumi name) with its docstring."""
    cls = args_class(token)
    return {camel(name): (prop.__doc__ or "") for name, prop in vars(cls).items() if isinstance(prop, property)}


@pytest.mark.parametrize("token", AWS_TYPES)
def test_every_listed_input_is_an_input_of_the_installed_package(token: str) -> None:
    assert REPLACEMENTS[token].replaces <= set(inputs_of(token)), token


@pytest.mark.parametrize("token", AWS_TYPES)
def test_every_input_the_docstrings_say_replaces_is_listed(token: str) -> None:
    forced = {key for key, doc in inputs_of(token).items() if FORCES_NEW.search(doc) and key != REGION_INPUT}
    assert forced <= REPLACEMENTS[token].replaces, token


def test_the_docstring_phrase_is_found_where_the_package_uses_it() -> None:
    """The check above can fail: the package marks inputs this way where the upstream docs do (not for any type
    this project uses, which is why the table cites the Terraform provider's schema)."""
    docs = inputs_of("aws:cloudfront/trustStore:TrustStore")
    assert {k for k, doc in docs.items() if FORCES_NEW.search(doc)} == {"name"}


def test_dynamic_providers_replace_what_the_table_says() -> None:
    from components import region_opt_in, restore_cluster, restore_table, retention, snapshot_share

    prefix = "pulumi-python:dynamic/redshift-backup:"
    assert REPLACEMENTS[prefix + "SnapshotRetention"].replaces == set(retention.IDENTITY)
    assert REPLACEMENTS[prefix + "BackupRegionOptIn"].replaces == {"region", region_opt_in.CREDENTIALS}
    assert REPLACEMENTS[prefix + "RedshiftSnapshotShare"].replaces == set(snapshot_share.IDENTITY_KEYS)
    assert REPLACEMENTS[prefix + "RedshiftClusterRestore"].replaces == set(restore_cluster.REPLACE_KEYS)
    assert REPLACEMENTS[prefix + "RedshiftTableRestore"].replaces == (
        set(restore_table.INPUT_KEYS) - set(restore_table.STATE_ONLY_KEYS))
    # And the providers' own diff agrees (the retention provider, by calling it).
    provider = retention.SnapshotRetentionProvider()
    old = {"cluster_identifier": "a", "region": "us-east-1", "automated_snapshot_retention_days": 7}
    assert provider.diff("id", old, {**old, "cluster_identifier": "b"}).replaces == ["cluster_identifier"]
    assert provider.diff("id", old, {**old, "automated_snapshot_retention_days": 8}).replaces == []


def test_every_type_the_example_stacks_register_is_known_or_said_unknown() -> None:
    """Types not in the table are reported as "update or replace"; this pins which those are."""
    seen: set[str] = set()
    for stack in ("dev", "prod", "drill"):
        run = mockrun.run_program(stack_file_config(ROOT / f"Pulumi.{stack}.yaml"), stack=stack)
        seen |= {r.type for r in run.registrations if r.custom and not r.type.startswith("pulumi:providers:")}
    unknown = sorted(seen - set(REPLACEMENTS))
    assert unknown == [
        "aws:backup/framework:Framework", "aws:backup/reportPlan:ReportPlan", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy",
        "aws:kms/alias:Alias", "aws:kms/key:Key", "aws:s3/bucket:Bucket",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning", "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"]


def test_input_effect() -> None:
    assert input_effect("aws:backup/vault:Vault", "kmsKeyArn") == REPLACE
    assert input_effect("aws:backup/vault:Vault", "tags") == UPDATE
    assert input_effect("aws:backup/vault:Vault", "region") == UNKNOWN
    assert input_effect("aws:sns/topicSubscription:TopicSubscription", "protocol") == UNKNOWN
    assert input_effect("aws:sns/topic:Topic", "name") == UNKNOWN
    assert input_effect("pulumi-python:dynamic/redshift-backup:SnapshotRetention", "region") == REPLACE
