package clusters_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestClusterWaitNeedsFleetToDeployTheAgent: fleet_cluster's wait_for_ready
// without kubeconfig_wo or kube_config_secret waits for an agent that only a
// fleet_agent applied after it would install: refused at plan time,
// offline, pointing at fleet_agent. With either, Fleet deploys the agent
// and the plan goes through.
func TestClusterWaitNeedsFleetToDeployTheAgent(t *testing.T) {
	cluster := func(body string) string {
		return acctest.OfflineProvider + "resource \"fleet_cluster\" \"edge\" {\n  name = \"edge\"\n  namespace = \"fleet-default\"\n" + body + "\n}\n"
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   cluster(`  wait_for_ready = true`),
				PlanOnly: true,
				ExpectError: acctest.Fragments("wait_for_ready would never end", "with fleet_cluster.edge", "wait_for_ready = true",
					"Fleet does not deploy the agent", "Set wait_for_ready = false here and let fleet_agent wait for the registration."),
			},
			{
				Config:             cluster("  wait_for_ready = true\n  kube_config_secret = \"edge-kubeconfig\""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:             cluster("  wait_for_ready = true\n  kubeconfig_wo_version = 1\n  kubeconfig_wo = <<-EOT\n" + downstreamKubeconfig + "  EOT"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:             cluster(`  wait_for_ready = false`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// downstreamKubeconfig is a well-formed kubeconfig (no cluster answers it).
const downstreamKubeconfig = `    apiVersion: v1
    kind: Config
    clusters: [{ name: edge, cluster: { server: "https://127.0.0.1:1" } }]
    users: [{ name: edge, user: { token: unused } }]
    contexts: [{ name: edge, context: { cluster: edge, user: edge } }]
    current-context: edge
`
