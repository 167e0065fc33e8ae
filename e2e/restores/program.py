"""The e2e stack's program: the project's own restores wiring (`redshift-backup:restores`), plus retention.

Restores go through `components.stack` exactly as in the project's stacks (config read, validated, built);
retention is declared directly from `e2e:retention`, because in the project's stacks it comes with a policy's
native layer, whose other resources are `aws:*` (which stay under mocks: docs/engine.md).
"""

import pulumi

from components.providers import stack_credentials
from components.retention import SnapshotRetention
from components.stack import build_stack, load_stack

build_stack(load_stack())
retention = pulumi.Config("e2e").get_object("retention")
if retention:
    SnapshotRetention(f"{retention['cluster_identifier']}-retention", credentials=stack_credentials(), **retention)
