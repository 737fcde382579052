package kubesphere

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
)

// Fuzz target over both directions of fleet_kubesphere_cluster
// (fuzzmodel.Object). `go test` runs the seeds.

func FuzzKubeSphereCluster(f *testing.F) {
	fuzzmodel.Object[ks.Cluster, clusterModel](f, NewClusterResource(), func(from, to *ks.Cluster) { to.Status = from.Status })
}
