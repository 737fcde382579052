package clusters_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterRegistrationToken: create waits for the values Fleet writes
// (kube-controller-manager must run for the Secret to appear), the TTL's
// spelling never diffs, a ttl of "0" never expires, import and destroy.
func TestAccClusterRegistrationToken(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster_registration_token.test"
	config := func(ttl string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster_registration_token" "test" {
  name      = "edge-token"
  namespace = %q
  ttl       = %q
}
`, ns, ttl)
	}
	tokens := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := tokens.Get(context.Background(), "edge-token", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("token still exists")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// "1h" is stored as "1h0m0s": no diff (the step's re-plan is empty).
				Config: config("1h"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "ttl", "1h"),
					resource.TestCheckResourceAttrWith(address, "secret_name", acctest.NonEmpty),
					resource.TestCheckResourceAttrWith(address, "expires", acctest.NonEmpty),
					resource.TestMatchResourceAttr(address, "values", regexp.MustCompile(`(?s)apiServerURL: .*token: `)),
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/edge-token",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "ttl"}, // import reads Fleet's spelling, "1h0m0s"
			},
			{
				Config: config("2h"),
				Check:  resource.TestCheckResourceAttr(address, "ttl", "2h"),
			},
			{
				// "0" never expires, though Fleet sets status.expires to the creation time.
				Config: config("0"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "ttl", "0"),
					resource.TestCheckResourceAttr(address, "expires", ""),
				),
			},
		},
	})
}

// TestInvalidRegistrationTokenTTL: Fleet's CEL rule, enforced at plan.
func TestInvalidRegistrationTokenTTL(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
resource "fleet_cluster_registration_token" "bad" {
  name = "bad"
  ttl  = "7d"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)ttl.*7d|(?s)7d.*ttl|days`),
		}},
	})
}
