package workloads_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccGitRepoFieldKeptByAnotherManager: a GitRepo made with kubectl and
// imported; a field dropped from the configuration that kubectl owns too
// stays on the server (server-side apply removes only what the provider
// alone owns). The apply says so, naming kubectl, and the plan keeps
// showing the removal instead of going quiet while the field stays.
func TestAccGitRepoFieldKeptByAnotherManager(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	repos := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns)
	made := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fleet.APIVersion, "kind": fleet.KindGitRepo,
		"metadata": map[string]any{"name": "handmade", "namespace": ns},
		"spec":     map[string]any{"repo": "https://git.example.com/apps", "branch": "main", "paths": []any{"deploy"}},
	}}
	if _, err := repos.Create(context.Background(), made, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}); err != nil {
		t.Fatal(err)
	}
	const address = "fleet_gitrepo.handmade"
	config := func(paths string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_gitrepo" "handmade" {
  name      = "handmade"
  namespace = %q
  repo      = "https://git.example.com/apps"
  branch    = "main"
  %s
}
`, ns, paths)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             config(`paths = ["deploy"]`),
				ResourceName:       address,
				ImportState:        true,
				ImportStateId:      ns + "/handmade",
				ImportStatePersist: true,
			},
			{
				Config:      config(""),
				ExpectError: acctest.Fragments("Removed from the configuration, but still set on the GitRepo", "no longer sets paths", "kubectl-client-side-apply"),
			},
			{
				// The state still holds the paths: the plan shows their removal.
				Config:             config(""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
