package agent_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccIdentityAgent: fleet_agent stores the Fleet Cluster it registers as
// identity, and imports by it (Terraform >= 1.12).
func TestAccIdentityAgent(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down, _ := startAgentDownstream(t, "agent-identity")
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	acctest.TestIdentity(t, agentConfig(ns, down.Kubeconfig, chart, ""), acctest.Identity{
		Address: agentAddress, Values: map[string]string{"cluster": ns + "/edge"}, ImportID: ns + "/edge",
		// As in TestAccAgent: the chart's source is recorded nowhere, values
		// read back in Helm's spelling, and the connection is write-only.
		VerifyIgnore:  []string{"chart.path", "chart.version", "values"},
		ImportUpdates: true,
	})
}
