"""`RedshiftClusterRestore`: a dynamic resource restoring a snapshot or recovery point into a new cluster.

This module holds the resource and its provider's class, which Pulumi pickles by reference to this module (stack
state names `components.restore_cluster.ClusterRestoreProvider`), so both stay here. The provider's work lives in
modules named by what they do: `restore_cluster_create` (restore, adopt an interrupted create, wait),
`restore_cluster_update` (refresh and in-place updates), `restore_cluster_delete` (delete, final snapshot),
`restore_cluster_source` (which snapshot or recovery point), `restore_cluster_parameters` (what the restore sends:
inputs, inheritance from the source cluster, node configuration check), `restore_cluster_ownership` (ownership tag
and the record of a restore under way), `restore_cluster_status` (the cluster as AWS reports it, the waits) and
`restore_cluster_inputs` (which input changes in place and which replaces).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components.aws import Credentials
from components.dynamic_resource import DynamicResource
from components.restore_cluster_create import create_cluster
from components.restore_cluster_delete import delete_cluster
from components.restore_cluster_inputs import EXTRA_KEYS, INPUT_KEYS, OUTPUT_KEYS, REPLACE_KEYS, effective_changes
from components.restore_cluster_status import eta_text, progress_line
from components.restore_cluster_update import read_cluster, update_cluster
from components.restore_common import CREDENTIALS, SpecProvider, credentials_changed, credentials_prop, validate_now
from policies.restore_cluster import ClusterRestoreSpec

# Importable from here as before the split (tests and other modules name them through this module).
__all__ = [
    "EXTRA_KEYS",
    "INPUT_KEYS",
    "OUTPUT_KEYS",
    "REPLACE_KEYS",
    "ClusterRestoreProvider",
    "RedshiftClusterRestore",
    "eta_text",
    "progress_line",
]


class ClusterRestoreProvider(SpecProvider[ClusterRestoreSpec]):
    """Restore, wait, tag and report; delete only what it created. No boto3 client is kept on `self`."""

    spec_model = ClusterRestoreSpec
    extra_keys = EXTRA_KEYS

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        # The spec's `name` is the Pulumi name; the resource always passes `cluster_identifier`, which stands in.
        return {**props, "name": props.get("cluster_identifier") or "unnamed"}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = effective_changes(olds, news)
        replaces = [k for k in changed if k in REPLACE_KEYS]
        # Same identifier on both sides: the old cluster must go first, two clusters cannot share a name.
        same_name = olds.get("cluster_identifier") == news.get("cluster_identifier")
        return DiffResult(
            changes=bool(changed) or credentials_changed(olds, news), replaces=replaces,
            delete_before_replace=bool(replaces) and same_name
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        return create_cluster(self.poller, self.spec(props), props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return read_cluster(id_, props)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return update_cluster(self.poller, id_, self.spec(news), olds, news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        delete_cluster(self.poller, id_, props)


class RedshiftClusterRestore(DynamicResource, module="redshift-backup", name="RedshiftClusterRestore"):
    """A cluster restored from a snapshot or recovery point; keyword arguments are the stack-config keys.

    `credentials` (a profile and/or roles to assume, not secrets) say who boto3 acts as; default: the stack's
    `aws:profile` and `aws:assumeRoles`, `{}` for boto3's default chain.
    """

    cluster_identifier: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    endpoint_address: pulumi.Output[str]
    endpoint_port: pulumi.Output[int]
    resolved_snapshot_identifier: pulumi.Output[str | None]
    resolved_snapshot_arn: pulumi.Output[str | None]
    resolved_recovery_point_arn: pulumi.Output[str | None]
    source_cluster_identifier: pulumi.Output[str | None]
    value_sources: pulumi.Output[dict[str, str]]
    actual_node_type: pulumi.Output[str]
    actual_number_of_nodes: pulumi.Output[int]
    cluster_status: pulumi.Output[str]
    effective_settings: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider: ClusterRestoreProvider | None = None,
        credentials: pulumi.Input[Credentials] | None = None,
        **args: Any,
    ) -> None:
        props = {k: v for k, v in {**args, CREDENTIALS: credentials_prop(credentials)}.items() if v is not None}
        props.setdefault("cluster_identifier", resource_name)
        props.setdefault("ownership_tag_value", f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}")
        validate_now(ClusterRestoreSpec, {**props, "name": resource_name}, EXTRA_KEYS)
        super().__init__(
            provider or ClusterRestoreProvider(),
            resource_name,
            {**props, **{k: None for k in OUTPUT_KEYS}},
            opts,
        )

    @classmethod
    def from_spec(
        cls, spec: ClusterRestoreSpec, opts: pulumi.ResourceOptions | None = None,
        credentials: pulumi.Input[Credentials] | None = None,
    ) -> RedshiftClusterRestore:
        # `cluster_identifier` is in the dump when the config gives one; `name` stands in when it does not.
        args = {**spec.model_dump(exclude={"name", "kind"}, exclude_none=True),
                "cluster_identifier": spec.target_identifier}
        return cls(spec.name, opts, credentials=credentials, **args)
