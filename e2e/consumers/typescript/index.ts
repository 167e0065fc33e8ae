// The components of the redshift-backup package declared from TypeScript, through the SDK generated from its schema.
import * as pulumi from "@pulumi/pulumi";
import * as redshiftBackup from "./sdk";

const backup = new redshiftBackup.RedshiftBackup("analytics", {
    region: "us-east-1",
    policy: {
        name: "analytics",
        selection: { clusters: ["analytics-prod"] },
        backup: { rules: [{ name: "daily", schedule: "cron(0 5 * * ? *)", deleteAfterDays: 35 }] },
        snapshots: { automatedSnapshotRetentionDays: 7, crossRegionCopy: { destinationRegion: "us-west-2" } },
        tags: { team: "data" },
    },
});

const restore = new redshiftBackup.ClusterRestore("analytics-drill", {
    source: { snapshotIdentifier: "analytics-nightly" },
    nodeType: "ra3.xlplus",
    numberOfNodes: 2,
    skipFinalSnapshot: true,
    tags: { purpose: "restore-drill" },
});

new redshiftBackup.SnapshotShare("analytics-share", {
    snapshotIdentifier: "analytics-nightly",
    accountsWithRestoreAccess: ["222222222222"],
});

new redshiftBackup.TableRestore("orders-restore", {
    clusterIdentifier: "analytics-prod",
    sourceDatabaseName: "sales",
    sourceTableName: "orders",
    newTableName: "orders_restored",
});

export const vaultArn: pulumi.Output<string | undefined> = backup.vaultArn;
export const endpoint: pulumi.Output<string> = restore.endpointAddress;
