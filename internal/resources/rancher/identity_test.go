package rancher_test

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccIdentityRancher: fleet_rancher_cluster stores its workspace and name
// as identity, fleet_rancher_agent the cluster it imports, fleet_rancher_setting
// its name, and each imports by it (Terraform >= 1.12).
func TestAccIdentityRancher(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down := acctest.StartDownstream(t, "rancher-identity")
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
	createRancherSetting(t, "system-default-registry")
	acctest.TestIdentity(t, rancherImportConfig(ns, "test", down.Kubeconfig, string(standIn.CAPEM)),
		acctest.Identity{
			Address: "fleet_rancher_cluster.edge", Values: map[string]string{"namespace": ns, "name": "edge-1"}, ImportID: ns + "/edge-1",
			VerifyIgnore: []string{"ready"}, // the agent, applied after the cluster, makes it ready
		},
		acctest.Identity{
			Address: "fleet_rancher_agent.edge", Values: map[string]string{"cluster": ns + "/edge-1"}, ImportID: ns + "/edge-1",
			VerifyIgnore:  []string{"kubernetes", "rancher_ca", "applied_objects", "downstream_uid"},
			ImportUpdates: true, // as in TestAccRancherImport: the connection comes from the configuration
		},
		acctest.Identity{
			Address: "fleet_rancher_setting.registry", Values: map[string]string{"name": "system-default-registry"}, ImportID: "system-default-registry",
		},
	)
}
