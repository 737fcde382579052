package tenancy_test

import (
	"strings"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccIdentityTenancy: the namespaced tenancy resources store their
// namespace and name as identity, fleet_workspace its name, and each imports
// by it (Terraform >= 1.12).
func TestAccIdentityTenancy(t *testing.T) {
	acctest.PreCheck(t)
	namespaced := []struct {
		address, name string
		config        func(ns string) string
	}{
		{"fleet_gitrepo_restriction.test", "tenant-a", func(ns string) string { return gitRepoRestrictionConfig(ns, restrictionSmaller) }},
		{"fleet_policy.test", "team-a", func(ns string) string { return policyConfig(ns, policySmaller) }},
		{"fleet_bundle_namespace_mapping.test", "shared-apps", func(ns string) string {
			return bundleNamespaceMappingConfig(ns, "a", sharedBundles)
		}},
	}
	for _, c := range namespaced {
		// Subtests named by type: acctest.Namespace builds a namespace name from them (no dots).
		t.Run(strings.TrimSuffix(c.address, ".test"), func(t *testing.T) {
			ns := acctest.Namespace(t)
			acctest.TestIdentity(t, c.config(ns), acctest.Identity{
				Address: c.address, Values: map[string]string{"namespace": ns, "name": c.name}, ImportID: ns + "/" + c.name,
			})
		})
	}
	t.Run("fleet_workspace", func(t *testing.T) {
		name := workspaceName(t)
		acctest.TestIdentity(t, workspaceConfig(name, "platform", false), acctest.Identity{
			Address: "fleet_workspace.test", Values: map[string]string{"name": name}, ImportID: name,
		})
	})
}
