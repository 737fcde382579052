package workloads_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccGitRepoDataSource reads a GitRepo that the same configuration
// manages: the data source shows what the resource wrote, durations and
// correct_drift included, and all labels.
func TestAccGitRepoDataSource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	config := gitRepoConfig(ns, `
  branch           = "main"
  paths            = ["manifests"]
  polling_interval = "5m"
  correct_drift    = { enabled = true }
  targets          = [{ cluster_group = "edge" }]
`) + `
data "fleet_gitrepo" "read" {
  namespace = fleet_gitrepo.test.namespace
  name      = fleet_gitrepo.test.name
}
`
	const address = "data.fleet_gitrepo.read"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/apps"),
					resource.TestCheckResourceAttr(address, "repo", unreachableRepo),
					resource.TestCheckResourceAttr(address, "branch", "main"),
					resource.TestCheckResourceAttr(address, "paths.0", "manifests"),
					resource.TestCheckResourceAttr(address, "polling_interval", "5m"),
					resource.TestCheckResourceAttr(address, "correct_drift.enabled", "true"),
					resource.TestCheckResourceAttr(address, "targets.0.cluster_group", "edge"),
					resource.TestCheckResourceAttr(address, "labels.team", "platform"),
					resource.TestCheckResourceAttr(address, "ready_clusters", "0"),
					resource.TestCheckResourceAttrSet(address, "summary.ready"),
				),
			},
			{
				Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "fleet_gitrepo" "missing" {
  namespace = %q
  name      = "nothing-here"
}
`, ns),
				ExpectError: regexp.MustCompile(`There is no Fleet GitRepo .*/nothing-here`),
			},
		},
	})
}
