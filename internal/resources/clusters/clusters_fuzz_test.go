package clusters

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// Fuzz targets over both directions of fleet_cluster (agent customization
// and agent_proxy included), fleet_cluster_group and
// fleet_cluster_registration_token (fuzzmodel.Object). `go test` runs the
// seeds.

func FuzzCluster(f *testing.F) {
	fuzzmodel.Object[fleet.Cluster, clusterModel](f, NewClusterResource(), func(from, to *fleet.Cluster) { to.Status = from.Status })
}

func FuzzClusterGroup(f *testing.F) {
	fuzzmodel.Object[fleet.ClusterGroup, clusterGroupModel](f, NewClusterGroupResource(), func(from, to *fleet.ClusterGroup) { to.Status = from.Status })
}

func FuzzClusterRegistrationToken(f *testing.F) {
	fuzzmodel.Object[fleet.ClusterRegistrationToken, registrationTokenModel](f, NewClusterRegistrationTokenResource(),
		func(from, to *fleet.ClusterRegistrationToken) { to.Status = from.Status })
}
