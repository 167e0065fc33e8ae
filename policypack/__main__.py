"""The redshift-backup CrossGuard policy pack: `pulumi preview --policy-pack policypack` on any Pulumi stack.

The engine runs this file with `python -u -m pulumi.policy <engine address> <this directory>`; PolicyPack serves
the Analyzer gRPC service and prints its port. The checks are in redshift_checks.py, the SDK glue in
redshift_pack.py.
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("policies") is None:
    # Run from this repository: the project's pure core (`policies/`) is beside this directory. A published pack
    # carries its own copy of `policies/` in this directory instead (README.md, "Publishing").
    sys.path.append(str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402
from redshift_pack import PACK_NAME, POLICIES  # noqa: E402

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
