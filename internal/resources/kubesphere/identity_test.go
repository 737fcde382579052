package kubesphere_test

import (
	"fmt"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccIdentityKubeSphere: fleet_kubesphere_cluster stores its name as
// identity, fleet_kubesphere_agent the cluster it joins, and each imports by
// it (Terraform >= 1.12).
func TestAccIdentityKubeSphere(t *testing.T) {
	acctest.PreCheck(t)
	member := acctest.StartDownstream(t, "ks-identity")
	startKubeSphere(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test", Members: []*testenv.Cluster{member}})
	acctest.TestIdentity(t, memberConfig("ks-member-1", fmt.Sprintf("config_path = %q", member.Kubeconfig), ""),
		acctest.Identity{
			Address: "fleet_kubesphere_cluster.member", Values: map[string]string{"name": "ks-member-1"}, ImportID: "ks-member-1",
			// The member joins after the cluster's create: the import reads the status it has since.
			VerifyIgnore: []string{"conditions", "kubernetes_version", "kubesphere_version", "ready", "uid"},
		},
		acctest.Identity{
			Address: "fleet_kubesphere_agent.member", Values: map[string]string{"cluster": "ks-member-1"}, ImportID: "ks-member-1",
			VerifyIgnore: []string{"kubernetes", "applied_objects", "proxy_server", "image", "replicas",
				"resources", "tolerations", "agent_proxy", "kubesphere_major_version"},
			ImportUpdates: true, // as in TestAccKubeSphereAgent: rendered from the configuration and its connection
		},
	)
}
