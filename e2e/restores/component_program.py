"""A program that declares a cluster restore through the package's component (`ClusterRestore`), as a program in
another language would through the component provider: `e2e:cluster_restore` holds its arguments."""

import pulumi

from components.multilang_restores import ClusterRestore

ClusterRestore("drill", pulumi.Config("e2e").require_object("cluster_restore"))
