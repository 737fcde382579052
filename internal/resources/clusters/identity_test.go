package clusters_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccIdentityClusters: fleet_cluster, fleet_cluster_group and
// fleet_cluster_registration_token store their namespace and name as
// identity, and import by it (Terraform >= 1.12).
func TestAccIdentityClusters(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	token := fmt.Sprintf(`
resource "fleet_cluster_registration_token" "test" {
  name      = "edge-token"
  namespace = %q
  ttl       = "1h"
}
`, ns)
	identity := func(address, name string, ignore ...string) acctest.Identity {
		return acctest.Identity{Address: address, Values: map[string]string{"namespace": ns, "name": name}, ImportID: ns + "/" + name, VerifyIgnore: ignore}
	}
	// One configuration: each resource's own, with one provider block.
	config := clusterConfig(ns, "") + strings.TrimPrefix(clusterGroupConfig(ns, "test"), acctest.ProviderConfig()) + token
	acctest.TestIdentity(t, config,
		identity("fleet_cluster.test", "edge-eu-1", "state", "ready_bundles", "ready", "agent_last_seen", "agent_resources.limits.cpu"),
		identity("fleet_cluster_group.test", "edge"),
		identity("fleet_cluster_registration_token.test", "edge-token", "ttl"),
	)
}
