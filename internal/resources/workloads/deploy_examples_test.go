package workloads_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestDeployExamplesPlanOffline plans the fleet_gitrepo and fleet_helmop
// examples as they are, with an unreachable management cluster: they are
// valid, and plan offline.
func TestDeployExamplesPlanOffline(t *testing.T) {
	cases := map[string]struct{ address, variable string }{
		"fleet_gitrepo": {"fleet_gitrepo.apps", "git_token"},
		"fleet_helmop":  {"fleet_helmop.ingress", "chart_repo_password"},
	}
	for example, c := range cases {
		t.Run(example, func(t *testing.T) {
			dir := t.TempDir()
			example, err := os.ReadFile(filepath.Join("../../../examples/resources", example, "resource.tf"))
			if err != nil {
				t.Fatal(err)
			}
			acctest.WriteFile(t, filepath.Join(dir, "resource.tf"), string(example))
			acctest.WriteFile(t, filepath.Join(dir, "provider.tf"), acctest.OfflineProvider)
			resource.UnitTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					// A configuration directory takes its providers at the step level.
					ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
					ConfigDirectory:          config.StaticDirectory(dir),
					ConfigVariables:          config.Variables{c.variable: config.StringVariable("s3cret")},
					PlanOnly:                 true,
					ExpectNonEmptyPlan:       true,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(c.address, plancheck.ResourceActionCreate),
					}},
				}},
			})
		})
	}
}
