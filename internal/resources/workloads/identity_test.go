package workloads_test

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccIdentityWorkloads: fleet_gitrepo and fleet_helmop store their
// namespace and name as identity, and import by it (Terraform >= 1.12).
func TestAccIdentityWorkloads(t *testing.T) {
	acctest.PreCheck(t)
	t.Run("fleet_gitrepo", func(t *testing.T) {
		ns := acctest.Namespace(t)
		acctest.TestIdentity(t, gitRepoConfig(ns, `paths = ["manifests"]`), acctest.Identity{
			Address: "fleet_gitrepo.test", Values: map[string]string{"namespace": ns, "name": "apps"}, ImportID: ns + "/apps",
		})
	})
	t.Run("fleet_helmop", func(t *testing.T) {
		ns := acctest.Namespace(t)
		acctest.TestIdentity(t, helmOpConfig(ns, `version = "1.0.0"`, ""), acctest.Identity{
			Address: "fleet_helmop.test", Values: map[string]string{"namespace": ns, "name": "web"}, ImportID: ns + "/web",
			VerifyIgnore: []string{"helm_credentials", "helm.values"},
		})
	})
}
