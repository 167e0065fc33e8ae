// The components of the redshift-backup package declared from Go, through the SDK generated from its schema.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	redshiftbackup "example.com/redshift-backup/sdk/go/redshiftbackup"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		backup, err := redshiftbackup.NewRedshiftBackup(ctx, "analytics", &redshiftbackup.RedshiftBackupArgs{
			Region: pulumi.String("us-east-1"),
			Policy: redshiftbackup.PolicyArgs{
				Name:      "analytics",
				Selection: redshiftbackup.SelectionArgs{Clusters: []string{"analytics-prod"}},
				Snapshots: &redshiftbackup.SnapshotLayerArgs{AutomatedSnapshotRetentionDays: pulumi.IntRef(7)},
			},
		})
		if err != nil {
			return err
		}
		restore, err := redshiftbackup.NewClusterRestore(ctx, "analytics-drill", &redshiftbackup.ClusterRestoreArgs{
			Source:            redshiftbackup.ClusterRestoreSourceArgs{SnapshotIdentifier: pulumi.StringRef("analytics-nightly")},
			NumberOfNodes:     pulumi.IntRef(2),
			SkipFinalSnapshot: pulumi.BoolRef(true),
		})
		if err != nil {
			return err
		}
		ctx.Export("vaultArn", backup.VaultArn)
		ctx.Export("endpoint", restore.EndpointAddress)
		return nil
	})
}
