"""The policy models, validation, schedules, summary and restores live in modules named for what they do;
`policies.models`, `policies.validation`, `policies.schedules`, `policies.summary` and `policies.restores` still
offer every name they offered before the split."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

import policies.models
import policies.restores
import policies.schedules
import policies.summary
import policies.validation
from policies import (
    backup_cron,
    backup_layer,
    backup_runs,
    cron_fields,
    cross_policy,
    model_fields,
    notifications,
    policy_summary,
    protection_matrix,
    restore_cluster,
    restore_fields,
    restore_table,
    rpo,
    schedule_words,
    selection,
    snapshot_cron,
    snapshot_layer,
    snapshot_runs,
    snapshot_share,
    snapshot_spacing,
    stack_file,
    summary_parts,
    summary_words,
)
from policies.base import StrictModel
from policies.schema import config_schema

# Every model, pattern, limit, field type and function `policies/models.py` defined before it was split by layer:
# users' programs import them from there.
NAMES_BEFORE_THE_SPLIT = """
ACCOUNT_ID ARN CLUSTER_ARN CLUSTER_ID CLUSTER_ID_RULE EMAIL IAM_ROLE_ARN IAM_TAG_VALUE KMS_KEY_ARN
MAX_DELETE_AFTER_DAYS MAX_SELECTION_ARNS MAX_SELECTION_ARNS_WITH_WILDCARD MAX_WINDOW_MINUTES NAMESPACE_ARN
POLICY_NAME REGION RULE_NAME SNS_TOPIC_ARN TAG_KEY VAULT_ARN VAULT_NAME
AccountId BackupRegionName ClusterIdentifier DeleteAfterDays Email IamRoleArn KmsKeyArn PolicyName
RedshiftRegionName RegionName RuleName SnsTopicArn Tags Timezone VaultName
BackupVaultEvent DEPRECATED_EVENTS RedshiftEventCategory
BackupLayer BackupRule Conditions CopyAction CrossRegionCopy Notifications Policy ReportPlan Selection
SnapshotLayer StackConfig TagCondition Vault VaultLock Audit RestoreSpec StrictModel
arn_account arn_region cluster_identifier_of stack_account vault_arn_problem
""".split()

LAYERS = (model_fields, selection, backup_layer, snapshot_layer, notifications)


@pytest.mark.parametrize("name", NAMES_BEFORE_THE_SPLIT)
def test_policies_models_still_exports_every_name_it_had(name: str) -> None:
    assert name in policies.models.__all__  # mypy's strict mode reads `__all__` as the module's exports
    assert getattr(policies.models, name) is not None


def test_every_re_export_is_the_object_of_its_new_home() -> None:
    homes = {name: layer for layer in LAYERS for name in vars(layer) if not name.startswith("_")}
    moved = [name for name in policies.models.__all__ if name in homes]
    assert len(moved) > 40
    for name in moved:
        assert getattr(policies.models, name) is getattr(homes[name], name), name


def test_each_model_lives_in_the_module_named_for_what_it_models() -> None:
    expected = {
        "selection": {"TagCondition", "Conditions", "Selection"},
        "backup_layer": {"CopyAction", "BackupRule", "VaultLock", "Vault", "ReportPlan", "BackupLayer"},
        "snapshot_layer": {"CrossRegionCopy", "SnapshotLayer"},
        "notifications": {"Notifications"},
        "models": {"Policy", "StackConfig"},
    }
    for module, models in expected.items():
        found = {name for name, obj in vars(importlib.import_module(f"policies.{module}")).items()
                 if isinstance(obj, type) and issubclass(obj, StrictModel) and obj.__module__ == f"policies.{module}"}
        assert found == models, module


def test_the_policy_is_built_from_the_layers_classes() -> None:
    fields = policies.models.Policy.model_fields
    assert fields["selection"].annotation is selection.Selection
    assert fields["backup"].annotation == backup_layer.BackupLayer | None
    assert fields["snapshots"].annotation == snapshot_layer.SnapshotLayer | None
    assert fields["notifications"].annotation == notifications.Notifications | None


# The public names of `policies/validation.py` before reading the stack file and the cross-policy rules moved out.
VALIDATION_NAMES = {
    "NAMESPACE": stack_file, "split_stack_config": stack_file, "stack_name_of_file": stack_file,
    "NativeOwners": cross_policy, "cross_policy_problems": cross_policy, "discovered_native_problems": cross_policy,
    "Stack": policies.validation, "load_stack_file": policies.validation, "validate_config": policies.validation,
    "validate_policy": policies.validation,
}


def test_policies_validation_still_exports_every_name_it_had() -> None:
    assert set(policies.validation.__all__) == set(VALIDATION_NAMES)
    for name, home in VALIDATION_NAMES.items():
        assert getattr(policies.validation, name) is getattr(home, name), name


# The public names of `policies/schedules.py` before it was split by what each part does, with their new homes.
SCHEDULE_HOMES = {
    backup_cron: "BackupCron DayRule parse_backup_schedule validate_backup_schedule",
    backup_runs: "backup_times_between iana_timezones is_timezone last_backup_time_if_ended next_backup_times "
                 "validate_timezone",
    cron_fields: "ScheduleError BACKUP_EXAMPLE BACKUP_FIELDS DAY_NAMES MONTH_NAMES SNAPSHOT_EXAMPLE SNAPSHOT_FIELDS",
    rpo: "combined_rpo last_run worst_case_rpo",
    schedule_words: "FOREVER days_text describe_backup_schedule describe_snapshot_definition",
    snapshot_cron: "SnapshotCron SnapshotDefinition SnapshotRate parse_snapshot_definition",
    snapshot_runs: "next_snapshot_times snapshot_times_between",
    snapshot_spacing: "SnapshotConflict snapshot_conflicts snapshot_definition_problems",
}


def test_a_schedule_cache_is_one_cache_whichever_module_it_is_called_through() -> None:
    expression = "cron(17 3 ? * MON *)"
    before = backup_cron.parse_backup_schedule.cache_info()
    policies.schedules.parse_backup_schedule(expression)
    backup_cron.parse_backup_schedule(expression)
    after = backup_cron.parse_backup_schedule.cache_info()
    assert after.hits + after.misses - before.hits - before.misses == 2
    assert after.currsize <= before.currsize + 1
    assert policies.schedules.validate_timezone is backup_runs.validate_timezone
    assert policies.schedules.iana_timezones.cache_info() == backup_runs.iana_timezones.cache_info()


# The public names of `policies/summary.py` before its parts were split out, with their homes now.
SUMMARY_HOMES = {
    summary_words: "AUTOMATED_OFF DEFAULT_NATIVE_SCHEDULE RATE_START copy_text duration_text kept_text "
                   "manual_snapshot_caveat selector_text",
    summary_parts: "LAYER_BACKUP LAYER_NATIVE NEXT_COUNT Part Target Upcoming longest policy_targets rpo_schedules",
    policy_summary: "CopySummary NativeSummary NotificationSummary PolicySummary RuleSummary VaultSummary "
                    "summarize_native summarize_policy summarize_rule vault_summary",
    protection_matrix: "Coverage ProtectionRow matrix_parts protection_matrix",
    schedule_words: "FOREVER days_text",
    policies.summary: "RestoreSpecs RestoreSummary StackSummary restore_source summarize",
}


# The public names of `policies/restores.py` before each kind of restore moved to a module of its own.
RESTORE_HOMES = {
    restore_fields: "ANY_NODE_PORTS DEFAULT_FINAL_SNAPSHOT_RETENTION_DAYS DEFAULT_TIMEOUT_MINUTES MAX_IAM_ROLES "
                    "MAX_SHARED_ACCOUNTS MAX_TAGS MAX_TIMEOUT_MINUTES MIN_MAINTENANCE_MINUTES OWNERSHIP_TAG RA3_PORTS "
                    "REDSHIFT_SUPPORT AccountId Arn ClusterIdentifier ManualRetentionDays NodeType Region ResourceName "
                    "ShareAccount SqlName Tags TimeoutMinutes cluster_identifier_problem port_problem",
    restore_cluster: "SOURCE_KEYS ClusterRestoreSource ClusterRestoreSpec",
    restore_table: "TableRestoreSpec",
    snapshot_share: "SnapshotShareSpec",
    policies.restores: "KINDS RestoreSpec describe_restore restore_list_problems",
}


def test_each_restore_model_is_complete_and_documented_from_its_new_source() -> None:
    defs = config_schema()["$defs"]
    for model, home in ((restore_cluster.ClusterRestoreSource, restore_cluster),
                        (restore_cluster.ClusterRestoreSpec, restore_cluster),
                        (restore_table.TableRestoreSpec, restore_table), (snapshot_share.SnapshotShareSpec, snapshot_share)):
        assert model.__pydantic_complete__, model.__name__
        assert model.__module__ == home.__name__
        # The schema's descriptions are the attribute docstrings read from the class's source file.
        described = [key for key, prop in defs[model.__name__]["properties"].items() if prop.get("description")]
        assert len(described) >= 3, model.__name__
    timeout = defs["ClusterRestoreSpec"]["properties"]["timeout_minutes"]["description"]
    assert timeout == "How long create waits for the restore before it deletes the half-made cluster. Default: 75."


@pytest.mark.parametrize(("old", "homes"), [(policies.schedules, SCHEDULE_HOMES), (policies.summary, SUMMARY_HOMES),
                                            (policies.restores, RESTORE_HOMES)], ids=["schedules", "summary", "restores"])
def test_a_split_module_still_exports_every_name_it_had(old: ModuleType, homes: dict[ModuleType, str]) -> None:
    expected = {name: home for home, names in homes.items() for name in names.split()}
    assert set(old.__all__) == set(expected)
    for name, home in expected.items():
        assert getattr(old, name) is getattr(home, name), name


def test_no_policies_module_imports_a_private_name_of_another() -> None:
    # Splitting a module along a seam made the helpers both sides use public; a private import across modules
    # would hide such a seam.
    found = []
    for path in sorted(Path(policies.models.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("policies"):
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert found == []
