package fleet

// Kind names (the kind field) of the Fleet objects the provider manages.
const (
	KindGitRepo                  = "GitRepo"
	KindCluster                  = "Cluster"
	KindClusterGroup             = "ClusterGroup"
	KindClusterRegistrationToken = "ClusterRegistrationToken"
	KindHelmOp                   = "HelmOp"
	KindGitRepoRestriction       = "GitRepoRestriction"
	KindBundleNamespaceMapping   = "BundleNamespaceMapping"
	KindPolicy                   = "Policy"
)
