package clusters_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterWaitNamesALostNamespace: when Fleet's namespace of a cluster
// is gone while the cluster registers (Fleet's cleanup race before v0.16,
// which the test plays by deleting it), wait_for_ready's timeout says so,
// with the issue and the remedy, rather than only that the agent did not
// check in. No agent runs, so the wait cannot end otherwise.
func TestAccClusterWaitNamesALostNamespace(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	down, err := acctest.Env.StartDownstream(ctx, "lostns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	// Fleet creates the namespace again whenever the Cluster changes, as it
	// may while the create waits: the test deletes it whenever it is there,
	// as a cleanup controller that keeps losing the race would.
	var deletions atomic.Int32
	deleteClusterNamespace := func() {
		go func() {
			clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns)
			namespaces := acctest.Env.Upstream.Core.CoreV1().Namespaces()
			_ = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
				cluster, err := clusters.Get(ctx, "edge", metav1.GetOptions{})
				if err != nil {
					return false, nil
				}
				name, _, _ := unstructured.NestedString(cluster.Object, "status", "namespace")
				if n, err := namespaces.Get(ctx, name, metav1.GetOptions{}); err == nil && n.DeletionTimestamp == nil {
					if namespaces.Delete(ctx, name, metav1.DeleteOptions{}) == nil {
						deletions.Add(1)
					}
				}
				return false, nil
			})
		}()
	}
	warnings, factories := acctest.RecordWarnings()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			PreConfig: deleteClusterNamespace,
			Config: acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name                  = "edge"
  namespace             = %q
  kubeconfig_wo         = file(%q)
  kubeconfig_wo_version = 1
  wait_for_ready        = true
  timeouts {
    create = "30s"
  }
}
`, ns, down.Kubeconfig),
			// A create's wait that times out is a warning (the Cluster is
			// kept); the next plan is an update that waits again.
			ExpectNonEmptyPlan: true,
			Check: func(*terraform.State) error {
				if deletions.Load() == 0 {
					return errors.New("the cluster's namespace was never deleted")
				}
				return warnings.Contains("the agent did not check in before the timeout",
					"Fleet's namespace of this cluster, cluster-"+ns+"-edge-", "has been deleted, so Fleet cannot grant the agent's registration",
					"rancher/fleet#3830", "kubectl -n "+ns+" annotate --overwrite clusters.fleet.cattle.io edge fleet-retry=1")
			},
		}},
	})
}
