"""Entry point of the redshift-backup component provider (see ../README.md, "Other Pulumi languages")."""

from pulumi.provider.experimental import component_provider_host

from components.multilang import RedshiftBackup
from components.multilang_restores import ClusterRestore, SnapshotShare, TableRestore

COMPONENTS = [RedshiftBackup, ClusterRestore, TableRestore, SnapshotShare]

if __name__ == "__main__":
    component_provider_host(name="redshift-backup", components=COMPONENTS)
