package tenancy_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

const sharedBundles = `{
    match_labels = { shared = "true" }
  }`

func bundleNamespaceMappingConfig(namespace, tenant, bundleSelector string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_bundle_namespace_mapping" "test" {
  name      = "shared-apps"
  namespace = %q
  bundle_selector = %s
  namespace_selector = {
    match_expressions = [{ key = "tenant", operator = "In", values = [%q] }]
  }
}
`, namespace, bundleSelector, tenant)
}

// TestAccBundleNamespaceMapping covers create (top-level selectors), import,
// Drift (edited and deleted out of band), update and destroy.
func TestAccBundleNamespaceMapping(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	mappings := acctest.Env.Upstream.Dynamic.Resource(fleet.BundleNamespaceMappings).Namespace(ns)
	const address = "fleet_bundle_namespace_mapping.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := mappings.Get(ctx, "shared-apps", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("BundleNamespaceMapping %s/shared-apps still exists after destroy", ns)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: bundleNamespaceMappingConfig(ns, "a", sharedBundles),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/shared-apps"),
					resource.TestCheckResourceAttr(address, "bundle_selector.match_labels.shared", "true"),
					resource.TestCheckResourceAttr(address, "namespace_selector.match_expressions.0.values.0", "a"),
					func(*terraform.State) error {
						u, err := mappings.Get(ctx, "shared-apps", metav1.GetOptions{})
						if err != nil {
							return err
						}
						got := fmt.Sprint(u.Object["bundleSelector"], " ", u.Object["namespaceSelector"])
						want := "map[matchLabels:map[shared:true]] map[matchExpressions:[map[key:tenant operator:In values:[a]]]]"
						if got != want {
							return fmt.Errorf("top-level selectors = %s, want %s", got, want)
						}
						return acctest.SoleApplyManagerIsProvider(u)
					},
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/shared-apps",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				PreConfig: func() {
					patch := `{"namespaceSelector":{"matchExpressions":null,"matchLabels":{"tenant":"tampered"}}}`
					if _, err := mappings.Patch(ctx, "shared-apps", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             bundleNamespaceMappingConfig(ns, "a", sharedBundles),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: bundleNamespaceMappingConfig(ns, "a", sharedBundles),
				Check:  resource.TestCheckNoResourceAttr(address, "namespace_selector.match_labels"),
			},
			{
				PreConfig: func() {
					if err := mappings.Delete(ctx, "shared-apps", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             bundleNamespaceMappingConfig(ns, "a", sharedBundles),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Re-created, then updated in place.
				Config: bundleNamespaceMappingConfig(ns, "a", sharedBundles),
			},
			{
				// An empty selector (all bundles) is kept as such, not as unset.
				Config: bundleNamespaceMappingConfig(ns, "b", "{}"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "namespace_selector.match_expressions.0.values.0", "b"),
					resource.TestCheckNoResourceAttr(address, "bundle_selector.match_labels"),
					func(*terraform.State) error {
						u, err := mappings.Get(ctx, "shared-apps", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if got := fmt.Sprint(u.Object["bundleSelector"]); got != "map[]" {
							return fmt.Errorf("bundleSelector = %s, want an empty selector", got)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestBundleNamespaceMappingNeedsBothSelectors checks offline that a mapping
// Fleet would ignore (a selector missing) is refused at plan time.
func TestBundleNamespaceMappingNeedsBothSelectors(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
resource "fleet_bundle_namespace_mapping" "bad" {
  name            = "bad"
  bundle_selector = {}
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing required argument.*"namespace_selector" is required`),
		}},
	})
}
