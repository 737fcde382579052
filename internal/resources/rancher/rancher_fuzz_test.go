package rancher

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
)

// Fuzz target over both directions of fleet_rancher_cluster, its agent
// customization included (fuzzmodel.Object). `go test` runs the seeds.

func FuzzRancherCluster(f *testing.F) {
	fuzzmodel.Object[rancherapi.Cluster, clusterModel](f, NewClusterResource(), func(from, to *rancherapi.Cluster) { to.Status = from.Status })
}
