package workloads_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccGitRepoWaitTimeoutOnCreate: a create whose object is written but
// whose wait times out warns and keeps the GitRepo in the state, untainted:
// the next plan is an update that waits again (an update's failed wait is an
// error), never a replacement, which would make Fleet uninstall the
// GitRepo's workloads from every cluster.
func TestAccGitRepoWaitTimeoutOnCreate(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	repoURL, _, err := acctest.GitServer(t).CreateRepo("apps", map[string]string{"deploy/cm.yaml": fmt.Sprintf(e2eConfigMap, "slow", "blue")})
	if err != nil {
		t.Fatal(err)
	}
	const address = "fleet_gitrepo.slow"
	// The GitRepo deploys fine, to no cluster: no cluster group "nobody"
	// exists. Its wait runs into the timeout.
	config := func(wait bool) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_gitrepo" "slow" {
  name           = "slow"
  namespace      = %q
  repo           = %q
  branch         = "master"
  paths          = ["deploy"]
  targets        = [{ cluster_group = "nobody" }]
  wait_for_ready = %t
  timeouts {
    create = "10s"
    update = "10s"
  }
}
`, ns, repoURL, wait)
	}
	warnings, factories := acctest.RecordWarnings()
	var uid k8stypes.UID
	sameObject := func(*terraform.State) error {
		g, err := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns).Get(context.Background(), "slow", metav1.GetOptions{})
		switch {
		case err != nil:
			return err
		case uid == "":
			uid = g.GetUID()
		case g.GetUID() != uid:
			return fmt.Errorf("the GitRepo was re-created (UID %s, was %s)", g.GetUID(), uid)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config(true),
				Check: resource.ComposeAggregateTestCheckFunc(
					warnings.Check("Timed out waiting for the GitRepo to be ready", "GitRepo "+ns+"/slow is saved",
						"was created and is kept in the state, not tainted", "waits for it again"),
					resource.TestCheckResourceAttr(address, "id", ns+"/slow"),
					sameObject,
				),
				// The next plan is an update that waits again.
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(address, tfjsonpath.New("ready_clusters")),
				}},
				// An update is never tainted: its failed wait is an error.
				ExpectError: acctest.Fragments("Timed out waiting for the GitRepo to be ready", "GitRepo "+ns+"/slow is saved"),
			},
			{
				// Still pending, and not waiting any more: the update succeeds
				// on the same object, and the plan after it is empty.
				Config: config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: sameObject,
			},
		},
	})
}
