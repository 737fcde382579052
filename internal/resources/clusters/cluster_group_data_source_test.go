package clusters_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccClusterGroupDataSource reads a ClusterGroup made with client-go,
// through the provider's default_namespace, including the cluster counts the
// Fleet controller wrote; a missing group is an error.
func TestAccClusterGroupDataSource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.CreateFleetCluster(t, ns, "edge-1", map[string]string{"env": "test"})
	acctest.CreateFleetCluster(t, ns, "edge-2", map[string]string{"env": "prod"})
	acctest.CreateClusterGroup(t, ns, "edge", map[string]string{"env": "test"})
	acctest.WaitForGroupStatus(t, ns, "edge", 1, 1)
	provider := fmt.Sprintf("provider \"fleet\" {\n  config_path       = %q\n  default_namespace = %q\n}\n", acctest.Env.Upstream.Kubeconfig, ns)
	const address = "data.fleet_cluster_group.edge"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + `
data "fleet_cluster_group" "edge" {
  name = "edge"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/edge"),
					resource.TestCheckResourceAttr(address, "namespace", ns),
					resource.TestCheckResourceAttr(address, "labels.team", "platform"),
					resource.TestCheckResourceAttr(address, "selector.match_labels.env", "test"),
					resource.TestCheckNoResourceAttr(address, "selector.match_expressions"),
					resource.TestCheckResourceAttr(address, "cluster_count", "1"),
					resource.TestCheckResourceAttr(address, "non_ready_cluster_count", "1"),
					resource.TestCheckResourceAttr(address, "non_ready_clusters.#", "1"),
					resource.TestCheckResourceAttr(address, "non_ready_clusters.0", "edge-1"),
				),
			},
			{
				Config: provider + `
data "fleet_cluster_group" "missing" {
  name      = "missing"
  namespace = "` + ns + `"
}
`,
				ExpectError: regexp.MustCompile(`(?s)ClusterGroup not found.*There is no Fleet ClusterGroup ` + ns + `/missing`),
			},
		},
	})
}
