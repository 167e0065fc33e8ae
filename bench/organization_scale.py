"""Benchmark: the organization path at scale, offline.

An organization of 1,000 accounts in 100 OUs with 20 policies: validation (which generates and checks every
document), the effective policy of every account, and the program under the mock runtime. Prints the registered
resource count next to the formula it must follow (policies, attachments, regions; never accounts). Run
`python bench/organization_scale.py` (add `--accounts 10000` to see the account count change nothing but the
effective pass).
A separate script from bench/run.py, which benchmarks the single-account components.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.organization import RedshiftBackupOrganization  # noqa: E402
from policies.org_effective import account_effective  # noqa: E402
from policies.org_grammar import document_text  # noqa: E402
from policies.org_policy_document import documents  # noqa: E402
from policies.validation import validate_config  # noqa: E402
from redshift_backup.mockrun import run_program  # noqa: E402

REGION = "us-east-1"
REGIONS = ["us-east-1", "eu-west-1"]


def organization(policies: int, ous: int) -> dict[str, Any]:
    """Two policies at the root, one of the others at each OU (the same shape as the component test)."""
    rules = [{"name": "daily"}, {"name": "monthly", "preset": "monthly_1_year"}]
    return {
        "regions": REGIONS,
        "policies": [{"name": f"p{i:02d}",
                      "selection": {"conditions": {"string_equals": [{"key": "backup", "value": f"p{i:02d}"}]}},
                      "backup": {"rules": rules, "vault": {"name": f"vault-p{i:02d}"}}}
                     for i in range(policies)],
        "targets": [{"id": "r-ab12", "policies": ["p00", "p01"]}] + [
            {"id": f"ou-ab12-{i:08d}", "policies": [f"p{2 + i % (policies - 2):02d}"]} for i in range(ous)],
    }


def timed(label: str, func: Any) -> Any:
    start = time.perf_counter()
    result = func()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--ous", type=int, default=100)
    parser.add_argument("--policies", type=int, default=20)
    args = parser.parse_args()
    raw = organization(args.policies, args.ous)
    stack = timed("validate (documents generated and checked)",
                  lambda: validate_config({"organization": raw}, REGION))
    config = stack.organization
    docs = documents(config, REGION)
    accounts = {f"{100000000000 + i}": f"ou-ab12-{i % args.ous:08d}" for i in range(args.accounts)}
    plans = timed(f"effective policy of {args.accounts} accounts", lambda: Counter(
        len(account_effective(config, a, ou, REGION, docs).document["plans"]) for a, ou in accounts.items()))
    run = timed("program under the mock runtime",
                lambda: run_program({"aws:region": REGION},
                                    program=lambda: RedshiftBackupOrganization("org", config, REGION)))
    attachments = sum(len(t.policies) for t in config.targets)
    formula = 1 + len(config.policies) * 3 + attachments * (2 + len(REGIONS))
    print(f"plans per account: {dict(plans)}")
    print(f"resources registered: {len(run.registrations)} (1 + 3 x {len(config.policies)} policies + "
          f"{attachments} attachments x (2 + {len(REGIONS)} regions) = {formula}); accounts: {args.accounts}")
    print(f"largest document: {max(len(document_text(d)) for d in docs.values())} characters (limit 10,000)")


if __name__ == "__main__":
    main()
