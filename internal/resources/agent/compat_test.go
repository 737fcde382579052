package agent_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCompatAgent: agent-initiated registration with the real agent and
// the agent chart of every Fleet release, then a re-plan, import and destroy.
// The registration values differ by release (tokenName only since v0.16,
// whose chart requires it; older charts get none); the v0.12 chart has no
// proxy value, so agent_proxy is refused there before anything is written.
// On v0.12 only that refusal runs: its chart's post-install hook, the Job
// patch-fleet-sa, waits for a kubelet, which the environment does not have.
func TestAccCompatAgent(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down, agent := startAgentDownstream(t, "agent-compat")
	t.Cleanup(agent.stop) // v0.12's agent holds machine-wide ports until it exits
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	config := agentConfig(ns, down.Kubeconfig, chart, "")
	if !acctest.Env.Fleet.AtLeast("v0.15.0") {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      agentConfig(ns, down.Kubeconfig, chart, proxyBlock("http://proxy.corp:3128")),
				ExpectError: acctest.Fragments("The chart cannot set a proxy", "has no proxy value"),
			}},
		})
		return
	}
	steps := []resource.TestStep{{
		Config: config,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
			func(*terraform.State) error {
				_, has := agentRelease(t, down).Config["tokenName"]
				if want := acctest.Env.Fleet.AtLeast("v0.16.0"); has != want {
					return fmt.Errorf("Fleet %s: tokenName in the release's values: %v, want %v", acctest.Env.Fleet.Version, has, want)
				}
				return nil
			},
		),
	},
		{Config: config, PlanOnly: true},
		{
			ResourceName: agentAddress, ImportState: true, ImportStateId: ns + "/edge", ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"timeouts", "chart.path", "chart.version", "values"},
		},
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.Clusters, ns, "edge"),
		Steps:                    steps,
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}
