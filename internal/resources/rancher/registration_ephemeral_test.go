package rancher_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccRancherClusterRegistrationEphemeral: with token_in_state = false
// manifest_url and registration_command are null in the state, and the
// ephemeral fleet_rancher_cluster_registration hands them to a consumer (a
// local-exec provisioner, as a user importing the cluster by hand would
// run) without the token reaching the state. Flipping token_in_state
// updates in place.
func TestAccRancherClusterRegistrationEphemeral(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	startRancher(t, testenv.RancherStandInOptions{Namespace: ns})
	const address = "fleet_rancher_cluster.edge"
	handOver := acctest.NewHandOver(t)
	config := func(inState bool) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_cluster" "edge" {
  name           = "edge-1"
  namespace      = %q
  token_in_state = %t
}

ephemeral "fleet_rancher_cluster_registration" "edge" {
  cluster = fleet_rancher_cluster.edge.id
}

`, ns, inState) + handOver.Resource("import", map[string]string{
			"cluster_id":           "ephemeral.fleet_rancher_cluster_registration.edge.cluster_id",
			"manifest_url":         "ephemeral.fleet_rancher_cluster_registration.edge.manifest_url",
			"registration_command": "ephemeral.fleet_rancher_cluster_registration.edge.registration_command",
		})
	}
	tokenNeverInState := func(s *terraform.State) error {
		clusterID := s.RootModule().Resources[address].Primary.Attributes["cluster_id"]
		return acctest.StateNeverContains(registrationToken(t, clusterID))(s)
	}
	consumerGotRegistration := func(s *terraform.State) error {
		got, err := handOver.Read()
		if err != nil {
			return err
		}
		clusterID := s.RootModule().Resources[address].Primary.Attributes["cluster_id"]
		if got["cluster_id"] != clusterID {
			return fmt.Errorf("cluster_id %q, want %q", got["cluster_id"], clusterID)
		}
		want := fmt.Sprintf("/v3/import/%s_%s.yaml", registrationToken(t, clusterID), clusterID)
		if !strings.HasPrefix(got["manifest_url"], "https://") || !strings.HasSuffix(got["manifest_url"], want) {
			return fmt.Errorf("manifest_url does not end in the import path with the token")
		}
		if got["registration_command"] != "kubectl apply -f "+got["manifest_url"] {
			return fmt.Errorf("registration_command is not kubectl apply -f <manifest_url>")
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Each step's re-plan is empty (the framework checks it).
				Config: config(false),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "token_in_state", "false"),
					resource.TestCheckNoResourceAttr(address, "manifest_url"),
					resource.TestCheckNoResourceAttr(address, "registration_command"),
					consumerGotRegistration,
					tokenNeverInState,
				),
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(address, "manifest_url", regexp.MustCompile(`^https://.*/v3/import/`)),
					resource.TestMatchResourceAttr(address, "registration_command", regexp.MustCompile(`^kubectl apply -f https://`)),
				),
			},
			{
				Config: config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(address, "manifest_url"),
					tokenNeverInState,
				),
			},
		},
	})
}
