package clusters_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterRegistrationTokenEphemeral: with token_in_state = false the
// token's values are null in the state, and the ephemeral
// fleet_cluster_registration_token hands them to a consumer (a local-exec
// provisioner, as a user installing the agent by hand would run) without the
// token reaching the state. Flipping token_in_state updates in place.
func TestAccClusterRegistrationTokenEphemeral(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster_registration_token.edge"
	handOver := acctest.NewHandOver(t)
	config := func(inState bool) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster_registration_token" "edge" {
  name           = "edge-token"
  namespace      = %q
  ttl            = "1h"
  token_in_state = %t
}

ephemeral "fleet_cluster_registration_token" "edge" {
  registration_token = fleet_cluster_registration_token.edge.id
}

`, ns, inState) + handOver.Resource("install", map[string]string{
			"values":         "ephemeral.fleet_cluster_registration_token.edge.values",
			"token":          "ephemeral.fleet_cluster_registration_token.edge.token",
			"api_server_url": "ephemeral.fleet_cluster_registration_token.edge.api_server_url",
			"api_server_ca":  "ephemeral.fleet_cluster_registration_token.edge.api_server_ca",
			"expires":        "ephemeral.fleet_cluster_registration_token.edge.expires",
		})
	}
	// fleetValues reads the values Fleet wrote, through the API.
	fleetValues := func() (values, token string) {
		t.Helper()
		ctx := context.Background()
		crt, err := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns).Get(ctx, "edge-token", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		secretName := crt.Object["status"].(map[string]any)["secretName"].(string)
		secret, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, secretName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			Token string `json:"token"`
		}
		if err := yaml.Unmarshal(secret.Data["values"], &parsed); err != nil || len(parsed.Token) < 20 {
			t.Fatalf("Fleet's registration values hold no plausible token (%v)", err)
		}
		return string(secret.Data["values"]), parsed.Token
	}
	tokenNeverInState := func(s *terraform.State) error {
		_, token := fleetValues()
		return acctest.StateNeverContains(token)(s)
	}
	consumerGotValues := func(*terraform.State) error {
		got, err := handOver.Read()
		if err != nil {
			return err
		}
		values, token := fleetValues()
		if got["values"] != values || got["token"] != token {
			return fmt.Errorf("the consumer did not get Fleet's registration values and token")
		}
		if !strings.HasPrefix(got["api_server_url"], "https://") || !strings.Contains(got["api_server_ca"], "BEGIN CERTIFICATE") {
			return fmt.Errorf("api_server_url %q or api_server_ca are not the management cluster's", got["api_server_url"])
		}
		if got["expires"] == "" {
			return fmt.Errorf("a token with a ttl has no expiry")
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
					resource.TestCheckNoResourceAttr(address, "values"),
					consumerGotValues,
					tokenNeverInState,
				),
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestMatchResourceAttr(address, "values", regexp.MustCompile(`(?s)apiServerURL: .*token: `)),
			},
			{
				Config: config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(address, "values"),
					tokenNeverInState,
				),
			},
		},
	})
}

// TestInvalidRegistrationTokenEphemeral: the reference is checked offline,
// at plan, on the attribute.
func TestInvalidRegistrationTokenEphemeral(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
ephemeral "fleet_cluster_registration_token" "bad" {
  registration_token = "no-namespace"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)registration_token.*namespace`),
		}},
	})
}

// TestRegistrationTokenEphemeralExamplePlansOffline plans the documented
// example with no API server: the ephemeral resource waits for the token's
// id, known only once the token exists, so the plan needs no API access.
func TestRegistrationTokenEphemeralExamplePlansOffline(t *testing.T) {
	example, err := os.ReadFile("../../../examples/ephemeral-resources/fleet_cluster_registration_token/ephemeral-resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             "provider \"fleet\" {\n  host = \"https://127.0.0.1:1\"\n}\n" + string(example),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
