"""The pure core of redshift-backup: policy models, schedules, validation and planning (no pulumi, no boto3)."""
