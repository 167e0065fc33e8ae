"""The README's IAM policy for restores lists exactly the Redshift, Backup and STS calls the providers make.

The calls are read from the providers' source (every `<client>.<method>(...)` and `paged(<client>, "<method>")`),
so a new call without its IAM action, or an action nothing calls any more, fails here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = sorted((ROOT / "components").glob("restore*.py")) + [ROOT / "components" / "snapshot_share.py",
                                                                  ROOT / "components" / "provider_records.py"]
SERVICES = ("redshift", "backup", "sts", "ssm")
# Not called by the providers, needed by what they call: DeleteCluster with a final snapshot (AWS's docs).
DOCUMENTED_EXTRA = {"redshift:CreateClusterSnapshot"}


def _service_of(receiver: ast.expr) -> str | None:
    """`redshift` / `backup` (the providers' names for their clients), or `aws.client("sts", ...)`."""
    if isinstance(receiver, ast.Name) and receiver.id in SERVICES:
        return receiver.id
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) \
            and receiver.func.attr == "client" and receiver.args and isinstance(receiver.args[0], ast.Constant):
        return str(receiver.args[0].value)
    return None


def client_calls(path: Path) -> set[tuple[str, str]]:
    calls: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute):
            service = _service_of(node.func.value)
            if service:
                calls.add((service, node.func.attr))
        elif isinstance(node.func, ast.Name) and node.func.id == "paged":
            service = _service_of(node.args[0])
            method = node.args[1]
            assert service and isinstance(method, ast.Constant), f"{path.name}: paged() with a client we cannot name"
            calls.add((service, str(method.value)))
    return calls


def iam_actions(calls: set[tuple[str, str]]) -> set[str]:
    """`redshift:DescribeClusters` for ("redshift", "describe_clusters"): the action is the API operation's name."""
    actions = set()
    for service, method in calls:
        mapping = boto3.client(service, region_name="us-east-1", aws_access_key_id="x",
                               aws_secret_access_key="x").meta.method_to_api_mapping
        assert method in mapping, f"{service}.{method} is not an API call"
        actions.add(f"{service}:{mapping[method]}")
    return actions


def readme_actions() -> set[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### IAM permissions for restores", 1)[1]
    match = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert match, "no JSON policy under 'IAM permissions for restores'"
    actions: set[str] = set()
    for statement in json.loads(match.group(1))["Statement"]:
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return {a for a in actions if a.split(":")[0] in SERVICES}


def test_the_scan_sees_the_providers_calls() -> None:
    calls = set().union(*(client_calls(p) for p in PROVIDERS))
    # The scan itself, on calls every kind of restore makes (a direct call, a paged one, an inline client).
    assert {("redshift", "restore_from_cluster_snapshot"), ("redshift", "describe_node_configuration_options"),
            ("backup", "start_restore_job"), ("sts", "get_caller_identity"),
            ("redshift", "authorize_snapshot_access"), ("redshift", "describe_table_restore_status")} <= calls


def test_the_readme_policy_matches_the_calls_the_providers_make() -> None:
    called = iam_actions(set().union(*(client_calls(p) for p in PROVIDERS)))
    listed = readme_actions()
    assert sorted(called - listed) == [], "called but not in the README's IAM policy"
    assert sorted(listed - called - DOCUMENTED_EXTRA) == [], "in the README's IAM policy but never called"
