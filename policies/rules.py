"""Every rule `check` applies, by stable id, with its help text and the AWS source it comes from.

A problem names its rule (`Problem.rule`); `check --format json|sarif` and docs/rules.md use this catalog. Ids
never change meaning: tools suppress problems by id. The cross-field rules of each model carry the model's id
(`backup-rule`, `vault`, ...; see `StrictModel.own_rule_id`), so a model another issue adds has a rule id, a
title (its docstring) and an entry in docs/rules.md without code of its own; give it a source in
`MODEL_SOURCES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policies.base import StrictModel


@dataclass(frozen=True)
class Rule:
    """One rule: its id, what it says, how to fix a problem with it, and where AWS states it."""

    id: str
    title: str
    help: str
    source: str


_RULES = [
    # --- the file and its shape
    Rule("yaml-syntax", "The stack file is YAML that parses", "Fix the YAML at the line and column given.",
         "Pulumi: stack settings files (Pulumi.<stack>.yaml) are YAML"),
    Rule("duplicate-key", "A key appears once in a mapping",
         "YAML keeps only the last of two equal keys: remove one.", "YAML 1.2 §3.2.1.1: mapping keys are unique"),
    Rule("namespace", "Config keys use the redshift-backup namespace",
         "Spell the namespace redshift-backup: keys of another namespace are not read.",
         "Pulumi: project configuration keys are <namespace>:<key>"),
    Rule("secret-value", "redshift-backup config holds no Pulumi secret",
         "Set the value as plain text (pulumi config set --path, without --secret).",
         "Pulumi: secrets are encrypted in the stack file and cannot be checked offline"),
    Rule("unknown-key", "Every key is a known key",
         "A misspelt key would be ignored: use the key the message suggests, or see the policy reference.",
         "This project's policy reference (README); AWS ignores nothing it is sent, so neither do we"),
    Rule("required-key", "Required keys are given", "Add the key named in the message.",
         "This project's policy reference (README)"),
    Rule("type", "A value has the type its key expects", "Give a value of the expected type.",
         "This project's policy reference (README)"),
    Rule("yaml-type", "YAML reads the value as text",
         "YAML reads unquoted account ids, dates and yes/no as numbers, dates and booleans (and a leading 0 as "
         "octal): quote the value.", "YAML 1.1 core schema (PyYAML, Pulumi)"),
    Rule("range", "A number or list is inside its bounds", "Give a value inside the bounds the message states.",
         "The AWS API reference of the parameter the key becomes"),
    Rule("allowed-values", "A value is one of the allowed values", "Use one of the values listed.",
         "The AWS API reference of the parameter the key becomes"),
    # --- families AWS rejects at `pulumi up`
    Rule("region", "A region exists in its partition and offers the service",
         "Use a region name from the partition's list; the service (AWS Backup, Redshift) must be offered there.",
         "botocore endpoints data (partitions and service endpoints), as shipped with boto3"),
    Rule("partition", "Every ARN is in the stack's partition",
         "ARNs of aws, aws-cn, aws-us-gov... cannot be mixed: use ARNs of the partition of aws:region; copies "
         "never leave their partition.", "AWS General Reference: Amazon Resource Names (ARNs), partition"),
    Rule("derived-name", "Names AWS derives from the policy name are legal",
         "The policy name becomes part of AWS resource names (vault, copy grant, event subscription, topic, "
         "report plan, role, key alias): choose a policy name that keeps every one of them legal.",
         "The AWS API reference of each resource (see policies/names.py)"),
    Rule("resource-name", "Names given directly follow their AWS rule",
         "Give a name that follows the rule of the AWS resource it names.",
         "Redshift CreateSnapshotCopyGrant, Amazon S3 bucket naming rules, AWS Backup CreateBackupVault"),
    Rule("tag", "Tags follow AWS's tagging rules",
         "Keys 1-128 and values 0-256 characters, no key starting with aws: (any letter case); tags that land on "
         "an IAM role use IAM's character set.", "AWS Tagging Best Practices; IAM User Guide: tagging IAM "
         "resources (TagRole)"),
    Rule("notification-topic", "AWS Backup can notify the topic",
         "AWS Backup notifies a standard (not FIFO) SNS topic in the vault's account and region only.",
         "AWS Backup Developer Guide: notification options (PutBackupVaultNotifications)"),
    Rule("restore", "A restore's parameters are ones Redshift accepts",
         "Maintenance window of at least 30 minutes; KMS keys and availability zones in the restore's region; at "
         "most 50 IAM roles.", "Redshift API reference: RestoreFromClusterSnapshot, ModifyClusterIamRoles"),
    Rule("aws-provider-setting", "aws:* settings are pulumi-aws provider settings",
         "Check the key against the pulumi-aws provider's configuration reference (e.g. aws:assumeRoles).",
         "pulumi-aws provider configuration (ProviderArgs)"),
    Rule("cross-policy", "Policies of one stack do not contradict each other",
         "Unique policy and vault names, one owner per native setting of a cluster, one RegionSettings opt-in.",
         "AWS Backup RegionSettings and Redshift cluster settings are one per account, region and cluster"),
    Rule("config", "A rule of the configuration", "See the message.", "This project's policy reference (README)"),
]

# The AWS source of each model's own cross-field rules (ids from `StrictModel.own_rule_id`).
MODEL_SOURCES = {
    "stack-config": "This project's policy reference (README)",
    "policy": "This project's policy reference (README)",
    "selection": "AWS Backup API: BackupSelection (Resources, NotResources, Conditions)",
    "conditions": "AWS Backup API: Conditions",
    "tag-condition": "AWS Backup API: ConditionParameter",
    "backup-layer": "AWS Backup API: CreateBackupPlan; AWS Backup Vault Lock",
    "backup-rule": "AWS Backup API: BackupRuleInput",
    "copy-action": "AWS Backup API: CopyAction; AWS Backup Developer Guide: cross-account copy",
    "vault": "AWS Backup API: CreateBackupVault, PutBackupVaultAccessPolicy",
    "vault-lock": "AWS Backup API: PutBackupVaultLockConfiguration",
    "report-plan": "AWS Backup API: CreateReportPlan",
    "notifications": "AWS Backup API: PutBackupVaultNotifications; Redshift API: CreateEventSubscription",
    "snapshot-layer": "Redshift API: CreateSnapshotSchedule, ModifyCluster",
    "cross-region-copy": "Redshift API: EnableSnapshotCopy, CreateSnapshotCopyGrant",
    "cluster-restore-source": "Redshift API: RestoreFromClusterSnapshot; AWS Backup API: StartRestoreJob",
    "cluster-restore-spec": "Redshift API: RestoreFromClusterSnapshot",
    "table-restore-spec": "Redshift API: RestoreTableFromClusterSnapshot",
    "snapshot-share-spec": "Redshift API: AuthorizeSnapshotAccess",
    "audit": "AWS Backup API: CreateFramework (ControlInputParameter, ControlScope); AWS Backup Audit Manager controls",
    "audit-reports": "AWS Backup API: CreateReportPlan (ReportDeliveryChannel, ReportSetting)",
    "scope-tag": "AWS Backup API: ControlScope (Tags: one tag per control)",
    "organization-config": "AWS Organizations: backup policies; AWS CloudFormation: StackSets (service-managed)",
    "org-target": "AWS Organizations API: AttachPolicy (root, OU and account ids)",
    "org-policy": "AWS Organizations User Guide: backup policy syntax and limits",
    "policy-override": "AWS Organizations User Guide: inheritance operators (@@assign, @@append, @@remove)",
    "rule-override": "AWS Organizations User Guide: backup policy syntax (rules)",
}


def _models() -> Iterator[type[StrictModel]]:
    pending = list(StrictModel.__subclasses__())
    while pending:
        model = pending.pop(0)
        pending.extend(model.__subclasses__())
        yield model


def catalog() -> dict[str, Rule]:
    """Every rule by id: the families above, then one per model (its cross-field rules), sorted by id."""
    # Importing them registers every model (the restore models, the policy models and whatever they use, the
    # organization path's models).
    import policies.models  # noqa: F401
    import policies.organization  # noqa: F401

    rules = {r.id: r for r in _RULES}
    for model in _models():
        rule_id = model.own_rule_id()
        # Only the project's models: a test or a user's program may derive models of its own.
        if rule_id in rules or not model.__module__.startswith("policies."):
            continue
        title = (model.__doc__ or rule_id).strip().splitlines()[0]
        rules[rule_id] = Rule(rule_id, title, "The message names the keys involved and what they allow.",
                              MODEL_SOURCES.get(rule_id, "This project's policy reference (README)"))
    return dict(sorted(rules.items()))


def rules_markdown() -> str:
    """docs/rules.md: every rule once, with its AWS source (tests/policies/test_rules.py keeps the file equal)."""
    lines = ["# Rules `redshift-backup check` applies", "",
             "Each problem `check` reports names one of these rule ids (`--format json` and `--format sarif` carry "
             "it). Generated from `policies/rules.py` by `python -m policies.rules > docs/rules.md`.", "",
             "| id | rule | what to do | AWS source |", "| --- | --- | --- | --- |"]
    for item in catalog().values():
        cells = [f"`{item.id}`", item.title, item.help, item.source]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(rules_markdown(), end="")
