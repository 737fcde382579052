package clusters_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterGroupUnknownConfig: a label, an annotation and a selector
// value that come from another resource's output, unknown at plan time
// because that resource changes in the same run, are planned as an update
// and applied (not dropped as "no change").
func TestAccClusterGroupUnknownConfig(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster_group.fed"
	config := func(label, annotation, selector string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "terraform_data" "label" {
  input = %q
}
resource "terraform_data" "annotation" {
  input = %q
}
resource "terraform_data" "selector" {
  input = %q
}
resource "fleet_cluster_group" "fed" {
  name        = "fed"
  namespace   = %q
  labels      = { owner = terraform_data.label.output }
  annotations = { "example.com/note" = terraform_data.annotation.output }
  selector    = { match_labels = { env = terraform_data.selector.output } }
}
`, label, annotation, selector, ns)
	}
	// step changes the input that feeds changed; the group must be updated
	// to hold it.
	step := func(label, annotation, selector string, changed tfjsonpath.Path) resource.TestStep {
		return resource.TestStep{
			Config: config(label, annotation, selector),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(address, changed),
			}},
			Check: clusterGroupHolds(ns, "fed", label, annotation, selector),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("team-a", "first", "test"), Check: clusterGroupHolds(ns, "fed", "team-a", "first", "test")},
			step("team-b", "first", "test", tfjsonpath.New("labels").AtMapKey("owner")),
			step("team-b", "second", "test", tfjsonpath.New("annotations").AtMapKey("example.com/note")),
			step("team-b", "second", "prod", tfjsonpath.New("selector").AtMapKey("match_labels").AtMapKey("env")),
		},
	})
}

// clusterGroupHolds checks the ClusterGroup in the cluster.
func clusterGroupHolds(namespace, name, label, annotation, selector string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		env, _, _ := unstructured.NestedString(g.Object, "spec", "selector", "matchLabels", "env")
		got := [3]string{g.GetLabels()["owner"], g.GetAnnotations()["example.com/note"], env}
		if want := [3]string{label, annotation, selector}; got != want {
			return fmt.Errorf("ClusterGroup holds label, annotation, selector %q, want %q", got, want)
		}
		return nil
	}
}
