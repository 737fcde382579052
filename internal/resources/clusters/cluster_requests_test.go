package clusters_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterCreateCost: a fleet_cluster without
// wait_for_ready is created with one GET (does it exist?) and one apply,
// however long Fleet takes, and its cluster_namespace is known at once and
// is the namespace Fleet then assigns. The names cover Fleet's three ways
// of naming it: whole, shortened at a letter, shortened at a dash.
func TestAccClusterCreateCost(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	provider, requests := acctest.CountingProvider(t)
	// Fleet names the namespace "cluster-<namespace>-<name>-<hash>" and cuts
	// a name of 64 characters or more after its 57th, or its 56th when the
	// 57th is no letter or digit.
	atDash := strings.Repeat("d", 56-len("cluster-"+ns+"-"))
	names := []string{"edge", "edge-" + strings.Repeat("x", 40), atDash}
	if whole := len("cluster-"+ns+"-edge-") + 12; whole >= 64 {
		t.Fatalf("namespace %s is too long for a name Fleet keeps whole", ns)
	}
	var config strings.Builder
	config.WriteString(provider)
	for i, name := range names {
		fmt.Fprintf(&config, `
resource "fleet_cluster" "c%d" {
  name        = %q
  namespace   = %q
  client_id   = "client-%[1]d"
  labels      = { env = "edge" }
  agent_proxy = { https_proxy = "http://proxy.example:3128" }
}
`, i, name, ns)
	}
	clustersPath := "/apis/" + fleet.Clusters.Group + "/" + fleet.Clusters.Version + "/namespaces/" + ns + "/clusters"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config.String(),
			Check: func(s *terraform.State) error {
				if sent := requests.Take(clustersPath); len(sent) > 2*len(names) {
					return fmt.Errorf("creating %d clusters sent %d requests, want at most 2 each: %v", len(names), len(sent), sent)
				}
				for i, name := range names {
					got := s.RootModule().Resources[fmt.Sprintf("fleet_cluster.c%d", i)].Primary.Attributes["cluster_namespace"]
					if want := fleetClusterNamespace(t, ns, name); got != want {
						return fmt.Errorf("cluster %s: cluster_namespace %q, Fleet assigned %q", name, got, want)
					}
				}
				return nil
			},
		}},
	})
}

// fleetClusterNamespace waits for the namespace Fleet assigns the Cluster.
func fleetClusterNamespace(t *testing.T, ns, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		assigned, _, _ := unstructured.NestedString(acctest.FleetCluster(t, ns, name).Object, "status", "namespace")
		if assigned != "" || ctx.Err() != nil {
			return assigned
		}
		time.Sleep(200 * time.Millisecond)
	}
}
