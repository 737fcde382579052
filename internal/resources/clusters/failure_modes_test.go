package clusters_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccFleetNotInstalled: a provider connected to a cluster without
// Fleet's CRDs (a bare downstream cluster) says so, on create and on import,
// instead of a raw 404 or a resource dropped from the state.
func TestAccFleetNotInstalled(t *testing.T) {
	acctest.PreCheck(t)
	bare := acctest.StartDownstream(t, "no-fleet")
	provider := fmt.Sprintf("provider \"fleet\" {\n  config_path = %q\n}\n", bare.Kubeconfig)
	config := provider + `resource "fleet_cluster_group" "g" {
  name      = "edge"
  namespace = "fleet-default"
}
`
	notInstalled := acctest.Fragments("Fleet is not installed on this cluster (no fleet.cattle.io API)")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ExpectError: notInstalled},
			{Config: config, ResourceName: "fleet_cluster_group.g", ImportState: true, ImportStateId: "fleet-default/edge", ExpectError: notInstalled},
		},
	})
}

// TestAccClusterRancherOwnedRefused: fleet_cluster neither takes over nor
// imports the Fleet Cluster Rancher created for one of its clusters; it points
// to fleet_rancher_cluster. A Cluster created by hand still gets the usual
// "already exists, import it".
func TestAccClusterRancherOwnedRefused(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.CreateFleetCluster(t, ns, "c-m-rancher", map[string]string{"management.cattle.io/cluster-name": "c-m-rancher"})
	acctest.CreateFleetCluster(t, ns, "by-hand", nil)
	config := func(name string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`resource "fleet_cluster" "c" {
  name      = %q
  namespace = %q
}
`, name, ns)
	}
	refused := acctest.Fragments("is not Terraform's to manage", "Rancher created this Fleet Cluster for its cluster c-m-rancher",
		"fleet_rancher_cluster")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("c-m-rancher"), ExpectError: refused},
			{Config: config("c-m-rancher"), ResourceName: "fleet_cluster.c", ImportState: true, ImportStateId: ns + "/c-m-rancher", ExpectError: refused},
			{Config: config("by-hand"), ExpectError: acctest.Fragments("Cluster already exists", "import it")},
		},
	})
}
