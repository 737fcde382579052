package airgap_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAirGappedExamplePlansOffline plans examples/air-gapped as it is, with
// the management cluster unreachable: everything validates offline, and the
// images to mirror and the nodes' registries.yaml are known at plan time,
// before anything can be applied.
func TestAirGappedExamplePlansOffline(t *testing.T) {
	// The example names its provider fleetform/fleet, as users write it.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "fleetform")
	ca, kubeconfig := acctest.OfflineSiteFiles(t)
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// With a terraform block in the configuration, the testing
			// framework takes the providers at the step level only.
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../../../examples/air-gapped"),
			ConfigVariables: config.Variables{
				"fleet_host":        config.StringVariable("https://127.0.0.1:1"),
				"fleet_token":       config.StringVariable("unused"),
				"registry_password": config.StringVariable("s3cret"),
				"site_ca_file":      config.StringVariable(ca),
				"line_a_kubeconfig": config.StringVariable(kubeconfig),
				"line_b_kubeconfig": config.StringVariable(kubeconfig),
			},
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("fleet_registry.site", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_cluster.line_a", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_agent.line_b", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_gitrepo.workloads", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownOutputValue("agent_image",
					knownvalue.StringExact("registry.plant.internal:5000/mirror/rancher/fleet-agent:v0.16.0")),
				plancheck.ExpectKnownOutputValue("images_to_mirror", knownvalue.StringRegexp(regexp.MustCompile(
					`(?m)^rancher/fleet-agent:v0\.16\.0 registry\.plant\.internal:5000/mirror/rancher/fleet-agent:v0\.16\.0$`))),
			}},
		}},
	})
}
