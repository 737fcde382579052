package agent_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCompatAgent: agent-initiated registration with the real agent and
// the agent chart of every Fleet release, then a re-plan, import and destroy.
// The registration values differ by release (tokenName only since v0.16,
// whose chart requires it; older charts get none); the v0.12 chart has no
// proxy value, so agent_proxy is refused there before anything is written.
// The v0.12 chart's post-install hook Job patch-fleet-sa runs through the
// environment's stand-in (testenv's runAgentChartHook).
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
			func(*terraform.State) error { // the effect of the v0.12 chart's hook Job
				if !acctest.Env.Fleet.AgentChartHook {
					return nil
				}
				sa, err := down.Core.CoreV1().ServiceAccounts("cattle-fleet-system").Get(context.Background(), "default", metav1.GetOptions{})
				if err != nil {
					return err
				}
				if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
					return fmt.Errorf("Fleet %s: the default ServiceAccount still automounts its token after the chart's hook", acctest.Env.Fleet.Version)
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
