"""The AWS Organizations BACKUP_POLICY documents of the organization path (checked by `policies.org_grammar`).

Generated from the same validated `Policy` model as the single-account path. Every value sits under an
inheritance operator; numbers are strings, as in every example of [SYNTAX]; `$account` stands for each member
account in the role and same-account vault ARNs ([SYNTAX], copy_actions and iam_role_arn). Documents are
serialized compactly: AWS counts every character of a document saved through the API ([QUOTAS] note on the
maximum size), and the limit is 10,000 characters for a backup policy ([POLICIES]).

Sources: see `policies.organization` ([SYNTAX], [INHERIT], [POLICIES], [QUOTAS]).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.backup_plan import partition_of
from policies.org_grammar import APPEND, ASSIGN, CHILD_CONTROL, REMOVE, VALUE_OPERATORS, document_problems
from policies.organization import LOCK_PARTS, OrganizationConfig, OrgPolicy, OrgTarget, PolicyOverride, org_names

# [SYNTAX] "Supported resource types": the two Redshift entries.
REDSHIFT_CLUSTER_TYPE = "arn:aws:redshift:*:*:cluster:*"
CONDITION_OPERATORS = {"string_equals": "string_equals", "string_not_equals": "string_not_equals",
                       "string_like": "string_like", "string_not_like": "string_not_like"}


def _v(value: Any) -> dict[str, Any]:
    return {ASSIGN: value}


def _n(number: int) -> dict[str, Any]:
    # Every number in [SYNTAX]'s examples is a string ("480").
    return {ASSIGN: str(number)}


def role_arn(policy: OrgPolicy, region: str) -> str:
    return f"arn:{partition_of(region)}:iam::$account:role/{org_names(policy.name)['role']}"


def vault_name(policy: OrgPolicy) -> str:
    return policy.vault_name or f"{policy.name}-vault"


def copy_vault_arn(policy: OrgPolicy, region: str, account_id: str | None, given_arn: str | None) -> str:
    """A copy's destination: a central account's vault as given, or the same account's vault in another region."""
    if given_arn is not None:
        return given_arn
    account = account_id or "$account"
    return f"arn:{partition_of(region)}:backup:{region}:{account}:backup-vault:{vault_name(policy)}"


def policy_document(config: OrganizationConfig, policy: OrgPolicy, home_region: str) -> dict[str, Any]:
    """The complete backup policy of one `OrgPolicy` (what its targets get), locks included."""
    backup = policy.backup
    assert backup is not None
    rules: dict[str, Any] = {}
    for rule in sorted(backup.rules, key=lambda r: r.name):
        body: dict[str, Any] = {
            "schedule_expression": _v(rule.schedule),
            "start_backup_window_minutes": _n(rule.start_window_minutes),
            "complete_backup_window_minutes": _n(rule.completion_window_minutes),
            "target_backup_vault_name": _v(vault_name(policy)),
            "lifecycle": {"delete_after_days": _n(rule.delete_after_days)},
        }
        tags = {**policy.tags, **rule.recovery_point_tags}
        if tags:
            body["recovery_point_tags"] = {k: {"tag_key": _v(k), "tag_value": _v(v)} for k, v in sorted(tags.items())}
        copies: dict[str, Any] = {}
        for copy in rule.copy_actions:
            arn = copy_vault_arn(policy, copy.region or home_region, copy.destination_account_id,
                                 copy.destination_vault_arn)
            # Always a lifecycle: a copy without one is kept for ever (FACTS.md).
            copies[arn] = {"target_backup_vault_arn": _v(arn),
                           "lifecycle": {"delete_after_days": _n(rule.copy_delete_after_days(copy))}}
        if copies:
            body["copy_actions"] = dict(sorted(copies.items()))
        rules[rule.name] = body
    plan: dict[str, Any] = {
        "regions": _v(config.regions_of(policy)),
        "rules": rules,
        "selections": {"resources": {org_names(policy.name)["selection"]: _selection(policy, home_region)}},
    }
    if policy.tags:
        plan["backup_plan_tags"] = {k: {"tag_key": _v(k), "tag_value": _v(v)} for k, v in sorted(policy.tags.items())}
    for part in policy.lock:
        plan[part] = _locked(plan.get(part, {}))
    if set(policy.lock) == set(LOCK_PARTS):
        # Everything locked: children may not add keys to the plan either ([SYNTAX] example 3).
        plan[CHILD_CONTROL] = ["@@none"]
    return {"plans": {org_names(policy.name)["plan"]: plan}}


def _selection(policy: OrgPolicy, home_region: str) -> dict[str, Any]:
    conditions: dict[str, dict[str, Any]] = {}
    assert policy.selection.conditions is not None
    for op, condition in policy.selection.conditions.all():
        name = f"{condition.key}={condition.value}"
        conditions.setdefault(CONDITION_OPERATORS[op], {})[name] = {
            "condition_key": _v(f"aws:ResourceTag/{condition.key}"), "condition_value": _v(condition.value)}
    partition = partition_of(home_region)
    return {
        "iam_role_arn": _v(role_arn(policy, home_region)),
        # Redshift clusters only: a tag condition never backs up another resource type (as the single-account
        # path's tag selection, policies/backup_plan.selection_specs).
        "resource_types": _v([REDSHIFT_CLUSTER_TYPE.replace("arn:aws:", f"arn:{partition}:")]),
        "conditions": {op: dict(sorted(items.items())) for op, items in sorted(conditions.items())},
    }


def _locked(node: Any) -> Any:
    """`node` with `@@none` child control at every node of it ([SYNTAX] example 3 puts it at every node)."""
    if isinstance(node, dict):
        out = {k: (v if k in VALUE_OPERATORS else _locked(v)) for k, v in node.items() if k != CHILD_CONTROL}
        out[CHILD_CONTROL] = ["@@none"]
        return out
    return node


def override_document(config: OrganizationConfig, override: PolicyOverride) -> dict[str, Any]:
    """A child policy: only the settings that differ, with `@@assign`, `@@append` or `@@remove` ([SYNTAX] ex. 5)."""
    policy = config.policy(override.policy)
    plan: dict[str, Any] = {}
    if override.regions_append:
        plan["regions"] = {APPEND: sorted(override.regions_append)}
    elif override.regions_remove:
        plan["regions"] = {REMOVE: sorted(override.regions_remove)}
    rules: dict[str, Any] = {}
    for rule in override.rules:
        body: dict[str, Any] = {}
        if rule.schedule is not None:
            body["schedule_expression"] = _v(rule.schedule)
        if rule.start_window_minutes is not None:
            body["start_backup_window_minutes"] = _n(rule.start_window_minutes)
        if rule.completion_window_minutes is not None:
            body["complete_backup_window_minutes"] = _n(rule.completion_window_minutes)
        if rule.delete_after_days is not None:
            body["lifecycle"] = {"delete_after_days": _n(rule.delete_after_days)}
        rules[rule.name] = body
    if rules:
        plan["rules"] = rules
    return {"plans": {org_names(policy.name)["plan"]: plan}}


def documents(config: OrganizationConfig, home_region: str) -> dict[str, dict[str, Any]]:
    """Every document this config attaches, by Organizations policy name."""
    out = {org_names(p.name)["org_policy"]: policy_document(config, p, home_region) for p in config.policies}
    for target in config.targets:
        for override in target.overrides:
            out[override_name(override, target)] = override_document(config, override)
    return out


def override_name(override: PolicyOverride, target: OrgTarget) -> str:
    return org_names(override.policy, target.id)["override_policy"]


def config_document_problems(config: OrganizationConfig, home_region: str) -> Iterator[
        tuple[tuple[str | int, ...], str, Any]]:
    """Every document the config would attach, checked: problems at the config path that produced them."""
    for i, policy in enumerate(config.policies):
        for where, message in document_problems(policy_document(config, policy, home_region), complete=True):
            yield (("policies", i), f"the backup policy document AWS would receive is refused: {where or '<root>'}: "
                   f"{message}", None)
    for t, target in enumerate(config.targets):
        for o, override in enumerate(target.overrides):
            for where, message in document_problems(override_document(config, override), complete=False):
                yield (("targets", t, "overrides", o), "the override document AWS would receive is refused: "
                       f"{where or '<root>'}: {message}", None)
