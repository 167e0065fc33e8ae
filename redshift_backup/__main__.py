"""`python -m redshift_backup` is the same as the `redshift-backup` command."""

from redshift_backup.cli import main

main()
