"""The `redshift-backup` command line."""
