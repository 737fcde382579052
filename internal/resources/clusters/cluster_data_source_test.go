package clusters_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccClusterDataSource reads a Cluster made with client-go through the
// provider's default_namespace, with the namespace the Fleet controller
// assigned it; a missing cluster is an error. (TestAccAgent reads a
// registered one.)
func TestAccClusterDataSource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.CreateFleetCluster(t, ns, "edge-1", map[string]string{"env": "test"})
	provider := fmt.Sprintf("provider \"fleet\" {\n  config_path       = %q\n  default_namespace = %q\n}\n", acctest.Env.Upstream.Kubeconfig, ns)
	const address = "data.fleet_cluster.edge"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + `
data "fleet_cluster" "edge" {
  name = "edge-1"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/edge-1"),
					resource.TestCheckResourceAttr(address, "namespace", ns),
					resource.TestCheckResourceAttr(address, "labels.env", "test"),
					resource.TestCheckResourceAttr(address, "agent_last_seen", ""),
					resource.TestCheckNoResourceAttr(address, "agent_proxy"),
					resource.TestCheckNoResourceAttr(address, "kubeconfig_wo"),
				),
			},
			{
				Config: provider + `
data "fleet_cluster" "missing" {
  name = "missing"
}
`,
				ExpectError: acctest.Fragments("Cluster not found", "There is no Fleet Cluster "+ns+"/missing."),
			},
		},
	})
}
