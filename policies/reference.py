"""The policy reference (README.md, "Policy reference") as data: each key's default and meaning, by model.

The JSON Schema's descriptions come from here (`policies/schema.py`), so an editor shows what the README says;
tests/policies/test_schema.py keeps the entries of the README's tables equal to the README. Models the README
describes in a sentence rather than a table (`lock`, `reports`, `cross_region_copy`, tag conditions) follow the
generated ones; the restore models document their keys with attribute docstrings, which the schema reads.
"""

from __future__ import annotations

# model name -> key -> (default, meaning), markdown kept.
REFERENCE: dict[str, dict[str, tuple[str, str]]] = {
    'Policy': {
        'name': ('required',
            ('2-32 lowercase letters, digits, hyphens; starts with a letter. Names every resource of '
             'the policy (`<name>-vault`, ...): renaming replaces them. Unique in the stack. A name '
             'that would make one of those names illegal is refused, naming it (two hyphens in a row '
             'break the snapshot copy grant and event subscription names).')),
        'description': ('none',
            'Free text, shown in the plan.'),
        'tags': ('`{}`',
            ('Tags for every resource the policy creates (at most 50; keys may not start with `aws:` '
             'in any letter case). They land on the IAM role the policy creates, so their values use '
             "IAM's characters: letters, digits, spaces and `_ . : / = + - @`.")),
        'selection': ('required',
            'What to protect (below).'),
        'backup': ('none',
            'The AWS Backup layer (below).'),
        'snapshots': ('none',
            'The native Redshift snapshot layer (below).'),
        'notifications': ('none',
            'Who is told, for both layers (below).'),
        'audit': ('none',
            ('An AWS Backup Audit Manager framework whose controls mirror the policy, with compliance reports '
             '([Proving protection](docs/proving-protection.md)).')),
    },
    'Selection': {
        'clusters': ('`[]`',
            ("Cluster identifiers (`analytics-prod`) or ARNs, in the stack's region. A trailing `*` "
             'makes a prefix (`analytics-*`); a `*` anywhere else is an error. The identifier rule '
             '(1-63 lowercase letters, digits, hyphens; starts with a letter; no `--`, no trailing '
             '`-`) applies inside ARNs too. At most 500 entries, or 30 when any has a wildcard (AWS '
             "Backup's limits).")),
        'serverless_namespaces': ('`[]`',
            ("Redshift Serverless namespace ARNs in the stack's region, `*` only at the end (AWS "
             'Backup layer only).')),
        'conditions': ('none',
            ('Tag conditions, **all** of which must hold: `string_equals`, `string_not_equals`, '
             '`string_like`, `string_not_like`, each a list of `{key, value}`. Give the bare tag key; '
             '`aws:ResourceTag/` is added. Tag-selected resources are limited to Redshift clusters.')),
        'not_resources': ('`[]`',
            ('Clusters (identifier or ARN) or namespaces (ARN) to leave out; same wildcard and region '
             'rules. Excluding every cluster and namespace named, with no tag conditions, is an error '
             '(the selection would select nothing).')),
        'discover_tagged_clusters': ('`false`',
            ('The native layer needs cluster identifiers. When on, clusters matching `conditions` are '
             'looked up with boto3 **at preview time** (so the preview needs credentials and reflects '
             'the account at that moment).')),
    },
    'BackupLayer': {
        'preset': ('none',
            ('A plan preset: `daily_35_day_retention`, `daily_monthly_1_year_retention`, '
             '`daily_weekly_monthly_5_year_retention`, `daily_weekly_monthly_7_year_retention`. Its '
             'rules come before the rules written by hand.')),
        'rules': ('`[]`',
            'Backup rules (below). At least one rule, from a preset or by hand. Rule names are unique.'),
        'vault': ('a new vault',
            'Where recovery points live (below).'),
        'iam_role_arn': ('a new role',
            ('The role AWS Backup assumes. By default a role trusted by `backup.amazonaws.com` with '
             '`AWSBackupServiceRolePolicyForBackup` and `...ForRestores` is created.')),
        'restore_pass_role_arns': ('`[]`',
            ('Roles that restores attach to the restored cluster: the created role may `iam:PassRole` '
             'them (the managed restore policy does not). Only with the created role.')),
        'reports': ('none (off)',
            ('A report plan: `templates` (default all of `BACKUP_JOB_REPORT`, `COPY_JOB_REPORT`, '
             '`RESTORE_JOB_REPORT`), `formats` (default `[CSV]`; `CSV`, `JSON`), `s3_bucket_name` '
             '(default: a private, encrypted bucket the policy creates), `s3_key_prefix` (default '
             'none: no prefix is sent, and reports go where AWS Backup puts them in the bucket).')),
        'opt_in_region_settings': ('`false`',
            ('Opt Redshift (and Redshift Serverless, with namespaces) in to AWS Backup in this account'
             ' and region. Only those keys are changed, the values found are put back on delete, and '
             'the diff settles '
             '([details](docs/components.md#reports-and-the-redshift-opt-in-off-unless-asked)). Off by'
             ' default because it is a per-account-and-region singleton: two stacks managing it '
             'overwrite each other. Turn it on in exactly one stack per account and region.')),
    },
    'BackupRule': {
        'name': ("required (or the preset's)",
            ('1-50 letters, digits, `-`, `_`, `.`. A rule needs `name` or `preset` (the JSON Schema '
             'says the same).')),
        'preset': ('none',
            ('`daily` (`cron(0 5 * * ? *)`, 35 days), `weekly` (`cron(0 5 ? * SAT *)`, 90 days), '
             '`monthly_1_year` (`cron(0 5 1 * ? *)`, 365 days), `monthly_5_year` (1825 days), '
             '`monthly_7_year` (2555 days). Keys written next to it win. The numbers are the AWS '
             "CDK's, without cold storage.")),
        'schedule': ('`cron(0 5 ? * * *)`',
            ('AWS Backup cron, 6 fields: `cron(Minutes Hours Day-of-month Month Day-of-week Year)`; '
             'exactly one of the two day fields is `?`; `L`, `W`, `#` supported; at most once an hour.'
             ' A schedule whose Year field has no run left (`cron(0 5 ? * * 2020)`) is an error; '
             '"left" is judged against the current time when `check`, `plan`, `diff` or the Pulumi '
             'program runs, so such a stack becomes invalid once its last year is over.')),
        'schedule_timezone': ('`UTC`',
            ('IANA time zone in which the cron is read (`Europe/Berlin`), exactly as spelt in the tz '
             'database; `localtime`, `posixrules` and `Factory` are not zone names and are rejected.')),
        'start_window_minutes': ('`480`',
            ("AWS Backup's default. At least 60 (AWS rejects less at apply time), at most 52,560,000 "
             "(100 years, AWS Backup's documented maximum).")),
        'completion_window_minutes': ('`10080`',
            ("7 days, AWS Backup's default. At least 60 minutes more than the start window, at most "
             '52,560,000 (100 years: documented for `StartBackupJob`; botocore gives no maximum, so '
             'for rules it is *unverified*).')),
        'delete_after_days': ('`35`',
            '1-36500. Recovery points that never expire are not offered.'),
        'recovery_point_tags': ('`{}`',
            'Tags put on each recovery point.'),
        'copy_actions': ('`[]`',
            'Copies of each recovery point (below).'),
        'move_to_cold_storage_after_days': ('-',
            'Rejected with an explanation: Redshift recovery points support neither.'),
        'enable_continuous_backup': ('-',
            'Rejected with an explanation: Redshift recovery points support neither.'),
    },
    'CopyAction': {
        'destination_region': ('none',
            ('Another region. Without `destination_vault_arn`, a vault of the same name (and the same '
             'lock) is created there.')),
        'destination_account_id': ('none',
            ('Another account (12 digits, quoted). Needs `destination_vault_arn`: a vault there whose '
             'access policy allows `backup:CopyIntoBackupVault` from this account; see [what must be '
             'in place](#copies-to-another-account-what-must-be-in-place). Not with `vault.kms_key: '
             'aws_managed`.')),
        'destination_vault_arn': ('none',
            ('An existing destination vault; must agree with the region/account given. Alone, it '
             "counts as a vault of this account unless the stack's account is known (from a cluster or"
             ' namespace ARN in a selection, an `existing` vault ARN, `iam_role_arn` or '
             '`restore_pass_role_arns`) and differs: give `destination_account_id` for a copy to '
             'another account, so `plan` and `diff` call it one.')),
        'delete_after_days': ("the rule's",
            'Every copy action gets a lifecycle: a copy without one is kept for ever, and billed for ever.'),
    },
    'Vault': {
        'existing': ('none',
            ("The name or ARN of an existing vault in the stack's region (a plan backs up into a vault"
             ' of its own region): used as it is, nothing created; no other vault key may be given.')),
        'name': ('`<policy>-vault`',
            '2-50 letters, digits, `-`, `_`.'),
        'kms_key': ('`new`',
            ("`new`: a customer-managed key with rotation and an alias; `aws_managed`: AWS Backup's "
             "key (not with copies to another account); or a key ARN in the stack's region.")),
        'lock': ('none',
            ('Vault Lock: `mode` (`governance` or `compliance`), `min_retention_days`, '
             '`max_retention_days` (1-36500, min <= max), `changeable_for_days` (compliance only, at '
             "least 3, default 3: after that, the lock can never be removed). Every rule's and copy's "
             'retention must lie inside min..max.')),
        'deny_recovery_point_deletion': ('`true`',
            'An access policy that denies deleting recovery points and changing their lifecycle...'),
        'allowed_principals': ('`[]`',
            '...except to these IAM role/user ARNs (a break-glass role).'),
        'protect': ('`true`',
            'Pulumi `protect` on the vault and its key, so a config mistake cannot delete backups.'),
    },
    'SnapshotLayer': {
        'schedule': ("`[]` (Redshift's default cadence)",
            ('Snapshot schedule definitions in UTC: `cron(Minutes Hours Day-of-week)` (`cron(0 0,12 '
             '*)`, `cron(0 21 MON-FRI)`) or `rate(N hours)` with N 1-24, written `rate(1 hour)` for '
             'one hour and `rate(N hours)` (plural) for more. At most 24 values per field, at most '
             'hourly, and no two snapshot times of the whole schedule less than 1 hour apart. A '
             '`rate()` must stand alone (see below).')),
        'automated_snapshot_retention_days': ('unchanged',
            ('0-35 (0 turns automated snapshots off; RA3 needs at least 1). **Lowering it deletes '
             'older automated snapshots at once**: `plan`/`diff` flag it as a high risk. 0 next to a '
             '`schedule` or a `cross_region_copy` is an error: with automated snapshots off there is '
             'nothing to take or copy.')),
        'manual_snapshot_retention_days': ('unchanged',
            '-1 (for ever) or 1-3653.'),
        'cross_region_copy': ('none',
            ("`destination_region` (not the stack's), `retention_days` (1-35, default 7), "
             "`manual_snapshot_retention_days` (-1 or 1-3653; default: not sent, so Redshift's own "
             'default applies, which the plan shows as for ever, -1: *unverified*), and for '
             'KMS-encrypted clusters either `kms_key_id` (a key in the destination region: a snapshot '
             'copy grant is created) or `snapshot_copy_grant_name` (an existing grant).')),
    },
    'Notifications': {
        'sns_topic_arn': ('a new topic',
            ("An existing standard (not FIFO) topic in the stack's region and account (AWS Backup "
             'notifies no other); by default `<policy>-backup-events` is created with a policy that '
             'lets AWS Backup publish.')),
        'emails': ('`[]`',
            'Email subscriptions (each address must confirm).'),
        'backup_vault_events': ('`BACKUP_JOB_COMPLETED`, `COPY_JOB_FAILED`, `RESTORE_JOB_COMPLETED`',
            ('AWS Backup vault events. The deprecated `BACKUP_JOB_SUCCESSFUL/FAILED` and '
             '`RESTORE_JOB_SUCCESSFUL/FAILED` send nothing and are rejected, naming the replacement.')),
        'redshift_event_categories': ('`management`, `monitoring`',
            ('Redshift event categories: one subscription for the protected clusters (restores, '
             'failures) and one for snapshots (started, completed, failed), which covers every '
             'snapshot of the account and region because snapshot names are not known in advance '
             '([details](docs/native-snapshots.md#event-notifications)).')),
        'redshift_event_severity': ('unset',
            '`INFO` or `ERROR`; unset, pulumi-aws sends its own default, `INFO`.'),
    },
    # Not tables in the README: written here.
    'VaultLock': {
        'mode': ('required',
            ('`governance` or `compliance`. Compliance mode becomes immutable `changeable_for_days` '
             'after it is applied.')),
        'min_retention_days': ('required',
            ("1-36500 days, at most `max_retention_days`. Every rule's and copy's retention must lie "
             'inside min..max.')),
        'max_retention_days': ('required',
            '1-36500 days.'),
        'changeable_for_days': ('3 (compliance)',
            'Compliance only, at least 3: after that many days the lock can never be removed.'),
    },
    'ReportPlan': {
        'templates': ('all three',
            '`BACKUP_JOB_REPORT`, `COPY_JOB_REPORT`, `RESTORE_JOB_REPORT`.'),
        'formats': ('`[CSV]`',
            '`CSV`, `JSON`.'),
        's3_bucket_name': ('a new bucket',
            'A private, encrypted bucket the policy creates; a name given must follow the S3 bucket naming rules.'),
        's3_key_prefix': ('none',
            'No prefix is sent, and reports go where AWS Backup puts them in the bucket.'),
    },
    'CrossRegionCopy': {
        'destination_region': ('required',
            "Not the stack's region; a region where Redshift is offered, in the stack's partition."),
        'retention_days': ('7',
            'Days copied automated snapshots are kept, 1-35.'),
        'manual_snapshot_retention_days': ('not sent',
            '-1 (for ever) or 1-3653 days for copied manual snapshots.'),
        'kms_key_id': ('none',
            'A KMS key in the destination region: a snapshot copy grant is created (KMS-encrypted clusters).'),
        'snapshot_copy_grant_name': ('none',
            ('An existing snapshot copy grant in the destination region (1-63 lowercase letters, '
             'digits, hyphens; no `--`).')),
    },
    'Conditions': {
        'string_equals': ('`[]`',
            'Tag conditions `{key, value}`; all conditions must hold.'),
        'string_not_equals': ('`[]`',
            'Tag conditions `{key, value}`; all conditions must hold.'),
        'string_like': ('`[]`',
            'Tag conditions `{key, value}` (`*` wildcards); all conditions must hold.'),
        'string_not_like': ('`[]`',
            'Tag conditions `{key, value}` (`*` wildcards); all conditions must hold.'),
    },
    'TagCondition': {
        'key': ('required',
            'The bare tag key (`aws:ResourceTag/` is added).'),
        'value': ('required',
            'The tag value.'),
    },
    'StackConfig': {
        'policies': ('`[]`',
            'Backup policies (README: Policy reference).'),
        'restores': ('`[]`',
            'Restores declared as code (README: Restores as code).'),
    },
    # Restore keys without an attribute docstring in policies/restore_cluster.py.
    'ClusterRestoreSpec': {
        'kind': ('`cluster`', 'The kind of restore: `cluster`, `table` or `snapshot_share`.'),
        'source': ('required', 'Where the restore comes from: exactly one of `snapshot_identifier`, `snapshot_arn`, '
                   '`latest_snapshot_of`, `recovery_point_arn`, `latest_recovery_point_of`.'),
        'publicly_accessible': ('`false`', 'Whether the restored cluster gets a public address.'),
        'multi_az': ('`false`', 'Refused: a restore to a new location does not support Multi-AZ.'),
        'elastic_ip': ('none', 'Refused: a restore to a new location does not support an Elastic IP.'),
        'hsm_configuration_identifier': ('none', 'Refused: use `kms_key_id` (no HSM encryption on restore).'),
        'hsm_client_certificate_identifier': ('none', 'Refused: use `kms_key_id` (no HSM encryption on restore).'),
    },
    'TableRestoreSpec': {
        'name': ('required', 'The Pulumi resource name.'),
        'kind': ('required', '`table`.'),
        'source_database_name': ('required', 'The database of the table to restore.'),
        'source_schema_name': ('`public`', 'The schema of the table to restore.'),
        'source_table_name': ('required', 'The table to restore.'),
        'enable_case_sensitive_identifier': ('`false`', 'Whether names are case sensitive.'),
    },
    'SnapshotShareSpec': {
        'name': ('required', 'The Pulumi resource name.'),
        'kind': ('required', '`snapshot_share`.'),
        'snapshot_identifier': ('none', 'The manual snapshot to share, by name (exactly one of this and '
                                '`snapshot_arn`).'),
        'snapshot_arn': ('none', 'The manual snapshot to share, by ARN.'),
        'region': ('the provider\'s region', 'The snapshot\'s region.'),
    },
}
