"""Redshift node types and the node counts each allows, so `check` and `pulumi preview` refuse what AWS would.

Source: the Amazon Redshift Management Guide, "Amazon Redshift provisioned clusters" > "Node type details" (the
RA3 and DC2 tables, column "Node range"), https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html
botocore has no such list (`NodeType` is a plain string in the service model, and the API reference names the
types only in prose), so it is kept here. Transcribed 2026-12; not re-read against the live page from this
machine, which has no access to it (see docs/node-types.md).

How to update: when AWS adds a node type or changes a range, edit `NODE_TYPES` (the largest count reachable with
a restore or an elastic resize, not only the console's create range) and the table in docs/node-types.md, then
run `pytest tests/components/test_node_types.py`. At create, the restore provider still asks AWS
(`DescribeNodeConfigurationOptions`), which stays the final word: this table only refuses early what is
certainly wrong (an unknown type, a count no cluster of that type can have).
"""

from __future__ import annotations

from dataclasses import dataclass

# Any cluster: one node (single-node) up to 128 (the largest multi-node range of any type).
MAX_NODES = 128


@dataclass(frozen=True)
class NodeType:
    """One node type: whether it runs as a single-node cluster, and its multi-node range (inclusive)."""

    name: str
    single_node: bool
    multi_node_min: int
    multi_node_max: int

    def counts(self) -> str:
        """The allowed counts in words: `1 (single-node) or 2..32`, `2..128`."""
        multi = f"{self.multi_node_min}..{self.multi_node_max}"
        return f"1 (single-node) or {multi}" if self.single_node else multi

    def allows(self, number_of_nodes: int) -> bool:
        if number_of_nodes == 1:
            return self.single_node
        return self.multi_node_min <= number_of_nodes <= self.multi_node_max


NODE_TYPES: dict[str, NodeType] = {t.name: t for t in (
    NodeType("ra3.large", single_node=True, multi_node_min=2, multi_node_max=16),
    NodeType("ra3.xlplus", single_node=True, multi_node_min=2, multi_node_max=32),
    NodeType("ra3.4xlarge", single_node=False, multi_node_min=2, multi_node_max=64),
    NodeType("ra3.16xlarge", single_node=False, multi_node_min=2, multi_node_max=128),
    NodeType("dc2.large", single_node=True, multi_node_min=2, multi_node_max=32),
    NodeType("dc2.8xlarge", single_node=False, multi_node_min=2, multi_node_max=128),
)}


def node_type_problem(node_type: str | None, number_of_nodes: int | None) -> str | None:
    """Why this node type and count cannot make a cluster, or None. Either may be None (not given: the
    snapshot's, unknown until create), and then only what is given is judged.

    The message names neither value, so that it reads after a field path with the value received:
    `restores[0].node_type: is not a Redshift node type; ... (received 'ra3.huge')`. The field at fault is
    `node_type` when the type is unknown (`node_type not in NODE_TYPES`), else `number_of_nodes`.
    """
    known = NODE_TYPES.get(node_type) if node_type is not None else None
    if node_type is not None and known is None:
        return (f"is not a Redshift node type; expected one of {', '.join(NODE_TYPES)} "
                "(the table in policies/node_types.py, from the Redshift Management Guide)")
    if number_of_nodes is None:
        return None
    if known is None:
        return None if 1 <= number_of_nodes <= MAX_NODES else f"a cluster has 1..{MAX_NODES} nodes"
    if known.allows(number_of_nodes):
        return None
    if number_of_nodes == 1:
        return f"{known.name} does not run as a single-node cluster; it allows {known.counts()} nodes"
    return f"is outside the range of {known.name}, which allows {known.counts()} nodes"
