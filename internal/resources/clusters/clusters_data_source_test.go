package clusters_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClustersDataSource lists clusters made with client-go, with and
// without selectors, and reports readiness and state as Fleet does, for the
// test's clusters (no agent: not ready) and the local cluster (ready).
func TestAccClustersDataSource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.CreateFleetCluster(t, ns, "edge-b", map[string]string{"env": "dev", "region": "eu"})
	acctest.CreateFleetCluster(t, ns, "edge-a", map[string]string{"env": "prod", "region": "eu"})
	acctest.CreateFleetCluster(t, ns, "edge-c", map[string]string{"env": "prod"})
	// Compare with settled statuses, not ones Fleet is still writing.
	for _, name := range []string{"edge-a", "edge-b", "edge-c"} {
		waitForClusterReadyCondition(t, ns, name)
	}
	config := acctest.ProviderConfig() + fmt.Sprintf(`
data "fleet_clusters" "all" {
  namespace = %[1]q
}

data "fleet_clusters" "prod" {
  namespace = %[1]q
  selector  = { match_labels = { env = "prod" } }
}

data "fleet_clusters" "prod_in_region" {
  namespace = %[1]q
  selector = {
    match_labels      = { env = "prod" }
    match_expressions = [{ key = "region", operator = "Exists" }]
  }
}

data "fleet_clusters" "none" {
  namespace = %[1]q
  selector  = { match_expressions = [{ key = "env", operator = "In", values = ["staging"] }] }
}

data "fleet_clusters" "local" {
  namespace = "fleet-local"
}
`, ns)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.#", "3"),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.0.name", "edge-a"),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.1.name", "edge-b"),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.2.name", "edge-c"),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.0.namespace", ns),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.0.labels.env", "prod"),
				// No agent ever checks in for these.
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.0.ready", "false"),
				resource.TestCheckResourceAttr("data.fleet_clusters.all", "clusters.0.state", "WaitCheckIn"),
				resource.TestCheckResourceAttr("data.fleet_clusters.prod", "clusters.#", "2"),
				resource.TestCheckResourceAttr("data.fleet_clusters.prod", "clusters.0.name", "edge-a"),
				resource.TestCheckResourceAttr("data.fleet_clusters.prod", "clusters.1.name", "edge-c"),
				resource.TestCheckResourceAttr("data.fleet_clusters.prod_in_region", "clusters.#", "1"),
				resource.TestCheckResourceAttr("data.fleet_clusters.prod_in_region", "clusters.0.name", "edge-a"),
				resource.TestCheckResourceAttr("data.fleet_clusters.none", "clusters.#", "0"),
				clustersMatchFleet("data.fleet_clusters.all", ns),
				clustersMatchFleet("data.fleet_clusters.local", "fleet-local"),
				resource.TestCheckTypeSetElemNestedAttrs("data.fleet_clusters.local", "clusters.*",
					map[string]string{"name": "local", "namespace": "fleet-local", "ready": "true"}),
			),
		}},
	})
}

// clustersMatchFleet checks every listed cluster's ready and state against
// the Cluster's status as Fleet wrote it.
func clustersMatchFleet(address, namespace string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[address].Primary.Attributes
		list, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(namespace).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return err
		}
		if fmt.Sprint(len(list.Items)) != attrs["clusters.#"] {
			return fmt.Errorf("%s lists %s clusters, Fleet has %d", address, attrs["clusters.#"], len(list.Items))
		}
		for i, c := range list.Items { // the API lists by name, as the data source does
			ready := "false"
			conditions, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
			for _, cond := range conditions {
				cond, _ := cond.(map[string]any)
				if cond["type"] == "Ready" && cond["status"] == "True" {
					ready = "true"
				}
			}
			state, _, _ := unstructured.NestedString(c.Object, "status", "display", "state")
			prefix := fmt.Sprintf("clusters.%d.", i)
			if attrs[prefix+"name"] != c.GetName() || attrs[prefix+"ready"] != ready || attrs[prefix+"state"] != state {
				return fmt.Errorf("%s: cluster %d = %s ready=%s state=%q; Fleet: %s ready=%s state=%q", address, i,
					attrs[prefix+"name"], attrs[prefix+"ready"], attrs[prefix+"state"], c.GetName(), ready, state)
			}
		}
		return nil
	}
}

// waitForClusterReadyCondition waits until the Fleet controller has given a
// Cluster its Ready condition and display state.
func waitForClusterReadyCondition(t *testing.T, namespace, name string) {
	t.Helper()
	clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(namespace)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		c, err := clusters.Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			state, _, _ := unstructured.NestedString(c.Object, "status", "display", "state")
			conditions, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
			for _, cond := range conditions {
				if cond, _ := cond.(map[string]any); cond["type"] == "Ready" && state != "" {
					return
				}
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("the Fleet controller did not report on Cluster %s/%s", namespace, name)
}
