package tenancy_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

func workspaceConfig(name, team string, forceDestroy bool) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_workspace" "test" {
  name          = %q
  labels        = { team = %q }
  annotations   = { "example.com/owner" = "platform" }
  force_destroy = %t
}
`, name, team, forceDestroy)
}

// workspaceName returns a fresh namespace name for a workspace test, and
// deletes the namespace when the test ends should the test leave it behind.
func workspaceName(t *testing.T) string {
	name := "tfacc-ws-" + rand.String(6)
	t.Cleanup(func() {
		err := acctest.Env.Upstream.Core.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Logf("delete namespace %s: %v", name, err)
		}
	})
	return name
}

// TestAccWorkspace covers create, import by name, labels others add (no
// Drift), a managed label edited out of band (drift), deletion out of band
// (re-created), a non-empty workspace refusing destroy with the listing, and
// force_destroy deleting it with its contents.
func TestAccWorkspace(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	name := workspaceName(t)
	namespaces := acctest.Env.Upstream.Core.CoreV1().Namespaces()
	const address = "fleet_workspace.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Destroy waits until the namespace is gone, not just terminating.
		CheckDestroy: func(*terraform.State) error {
			if _, err := namespaces.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("namespace %s still exists after destroy (err %v)", name, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: workspaceConfig(name, "a", false),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", name),
					resource.TestCheckResourceAttr(address, "labels.%", "1"),
					resource.TestCheckResourceAttr(address, "force_destroy", "false"),
					func(*terraform.State) error {
						ns, err := namespaces.Get(ctx, name, metav1.GetOptions{})
						if err != nil {
							return err
						}
						if ns.Labels["team"] != "a" || ns.Annotations["example.com/owner"] != "platform" {
							return fmt.Errorf("labels/annotations not written: %v %v", ns.Labels, ns.Annotations)
						}
						for _, f := range ns.ManagedFields {
							if f.Operation == metav1.ManagedFieldsOperationApply && f.Manager != framework.FieldManager {
								return fmt.Errorf("unexpected apply manager %q", f.Manager)
							}
						}
						return nil
					},
				),
			},
			{
				// Import by name takes the labels but not Kubernetes' own
				// kubernetes.io/metadata.name.
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"added-by":"someone-else"},"annotations":{"note":"x"}}}`
					if _, err := namespaces.Patch(ctx, name, k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   workspaceConfig(name, "a", false),
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"team":"tampered"}}}`
					if _, err := namespaces.Patch(ctx, name, k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             workspaceConfig(name, "a", false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Apply restores the label and updates in place.
				Config: workspaceConfig(name, "b", false),
				Check: func(*terraform.State) error {
					ns, err := namespaces.Get(ctx, name, metav1.GetOptions{})
					if err != nil {
						return err
					}
					if ns.Labels["team"] != "b" || ns.Labels["added-by"] != "someone-else" {
						return fmt.Errorf("labels = %v", ns.Labels)
					}
					return nil
				},
			},
			{
				// Deleted out of band: re-creation planned as soon as the
				// Namespace is terminating...
				PreConfig: func() {
					if err := namespaces.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             workspaceConfig(name, "b", false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...and create waits for the deletion before creating it anew.
				Config: workspaceConfig(name, "b", false),
				Check:  resource.TestCheckResourceAttr(address, "labels.team", "b"),
			},
			{
				// Fleet objects inside: destroy refuses and lists them.
				PreConfig: func() {
					acctest.CreateFleetCluster(t, name, "edge-1", map[string]string{"env": "test"})
					acctest.CreateClusterGroup(t, name, "edge", map[string]string{"env": "test"})
				},
				Config:      workspaceConfig(name, "b", false),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Workspace is not empty.*Cluster:\s+edge-1.*ClusterGroup:\s+edge.*force_destroy`),
			},
			{
				Config: workspaceConfig(name, "b", false),
				Check: func(*terraform.State) error {
					_, err := namespaces.Get(ctx, name, metav1.GetOptions{})
					return err // the refused destroy left it in place
				},
			},
			{
				// With force_destroy the final destroy deletes it with its
				// contents (CheckDestroy).
				Config: workspaceConfig(name, "b", true),
				Check:  resource.TestCheckResourceAttr(address, "force_destroy", "true"),
			},
		},
	})
}

// TestAccWorkspaceRefusesExisting checks that create does not adopt a
// Namespace it did not create, and points at import.
func TestAccWorkspaceRefusesExisting(t *testing.T) {
	acctest.PreCheck(t)
	existing := acctest.Namespace(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      workspaceConfig(existing, "a", false),
			ExpectError: regexp.MustCompile(`(?s)Namespace already exists.*terraform\s+import\s+<address>\s+` + existing),
		}},
	})
	ns, err := acctest.Env.Upstream.Core.CoreV1().Namespaces().Get(context.Background(), existing, metav1.GetOptions{})
	if err != nil || ns.DeletionTimestamp != nil || ns.Labels["team"] != "" {
		t.Fatalf("the existing namespace must be left alone: %v %v", err, ns)
	}
}

// TestWorkspaceReservedLabel checks offline that the label Kubernetes sets is
// refused, naming it.
func TestWorkspaceReservedLabel(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
resource "fleet_workspace" "bad" {
  name   = "team-a"
  labels = { "kubernetes.io/metadata.name" = "other" }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Reserved label.*kubernetes.io/metadata.name`),
		}},
	})
}

// TestPlanTenancyWithoutCluster proves that planning new workspaces,
// restrictions and mappings contacts no cluster: nothing listens on the host.
func TestPlanTenancyWithoutCluster(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  token = "unused"
}

resource "fleet_workspace" "team" {
  name = "team-a"
}

resource "fleet_gitrepo_restriction" "team" {
  name                  = "team-a"
  namespace             = fleet_workspace.team.name
  allowed_repo_patterns = ["^https://git\\.example\\.com/"]
}

resource "fleet_bundle_namespace_mapping" "team" {
  name               = "team-a"
  bundle_selector    = {}
  namespace_selector = { match_labels = { tenant = "a" } }
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
