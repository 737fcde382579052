package clusters_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

func clusterGroupConfig(namespace, env string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster_group" "test" {
  name      = "edge"
  namespace = %q
  labels    = { team = "platform" }
  selector = {
    match_labels = { env = %q }
    match_expressions = [{ key = "region", operator = "Exists" }]
  }
}
`, namespace, env)
}

// TestAccClusterGroup covers create, the controller-written cluster count,
// import, drift (edited and deleted out of band), update and destroy.
func TestAccClusterGroup(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	groups := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace(ns)
	acctest.CreateFleetCluster(t, ns, "edge-1", map[string]string{"env": "test", "region": "eu"})
	acctest.CreateFleetCluster(t, ns, "edge-2", map[string]string{"env": "prod", "region": "eu"})
	const address = "fleet_cluster_group.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := groups.Get(ctx, "edge", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("ClusterGroup %s/edge still exists after destroy", ns)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: clusterGroupConfig(ns, "test"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/edge"),
					resource.TestCheckResourceAttr(address, "selector.match_labels.env", "test"),
					resource.TestCheckResourceAttr(address, "selector.match_expressions.0.operator", "Exists"),
					// Create waits for the real Fleet controller to count the group.
					// (Whether the new cluster already counts as not ready depends
					// on how far Fleet got with it: that is checked below.)
					resource.TestCheckResourceAttr(address, "cluster_count", "1"),
					func(*terraform.State) error {
						g, err := groups.Get(ctx, "edge", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if g.GetLabels()["team"] != "platform" {
							return fmt.Errorf("label team not written: %v", g.GetLabels())
						}
						for _, f := range g.GetManagedFields() {
							if f.Operation == metav1.ManagedFieldsOperationApply && f.Manager != framework.FieldManager {
								return fmt.Errorf("unexpected apply manager %q", f.Manager)
							}
						}
						return nil
					},
				),
			},
			{
				// A new matching cluster: the controller recounts, a refresh
				// shows it, and status changes are no diff.
				PreConfig: func() {
					acctest.CreateFleetCluster(t, ns, "edge-3", map[string]string{"env": "test", "region": "us"})
					acctest.WaitForGroupStatus(t, ns, "edge", 2, 2)
				},
				Config: clusterGroupConfig(ns, "test"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "cluster_count", "2"),
					resource.TestCheckResourceAttr(address, "non_ready_cluster_count", "2"),
					resource.TestCheckTypeSetElemAttr(address, "non_ready_clusters.*", "edge-1"),
					resource.TestCheckTypeSetElemAttr(address, "non_ready_clusters.*", "edge-3"),
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/edge",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A plan right after import (an import block) changes nothing.
				Config:          clusterGroupConfig(ns, "test"),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/edge",
			},
			{
				// Labels and annotations others add are not drift.
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"added-by":"someone-else"},"annotations":{"note":"x"}}}`
					if _, err := groups.Patch(ctx, "edge", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   clusterGroupConfig(ns, "test"),
				PlanOnly: true,
			},
			{
				// A managed field edited out of band is drift, and apply restores it.
				PreConfig: func() {
					patch := `{"spec":{"selector":{"matchLabels":{"env":"tampered"}}}}`
					if _, err := groups.Patch(ctx, "edge", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             clusterGroupConfig(ns, "test"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: clusterGroupConfig(ns, "test"),
				Check:  resource.TestCheckResourceAttr(address, "selector.match_labels.env", "test"),
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: func() {
					if err := groups.Delete(ctx, "edge", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             clusterGroupConfig(ns, "test"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Re-created, then updated in place to select the other cluster.
				Config: clusterGroupConfig(ns, "prod"),
				Check:  resource.TestCheckResourceAttr(address, "selector.match_labels.env", "prod"),
			},
		},
	})
}

// TestAccClusterGroupRefusesExisting checks that create does not adopt an
// object it did not create.
func TestAccClusterGroupRefusesExisting(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	existing := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fleet.APIVersion, "kind": "ClusterGroup",
		"metadata": map[string]any{"name": "edge", "namespace": ns},
		"spec":     map[string]any{},
	}}
	groups := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace(ns)
	if _, err := groups.Create(context.Background(), existing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      clusterGroupConfig(ns, "test"),
			ExpectError: regexp.MustCompile(`ClusterGroup already exists`),
		}},
	})
	if _, err := groups.Get(context.Background(), "edge", metav1.GetOptions{}); err != nil {
		t.Fatalf("the existing ClusterGroup must survive: %v", err)
	}
}
