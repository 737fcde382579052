package airgap_test

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccIdentityRegistry: fleet_registry stores its Secret's namespace and
// name as identity, and imports by it (Terraform >= 1.12).
func TestAccIdentityRegistry(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.TestIdentity(t, registryConfig(ns, acctest.TestCertificatePEM(t), "s3cret", 1), acctest.Identity{
		Address: "fleet_registry.corp", Values: map[string]string{"namespace": ns, "name": "corp-registry"}, ImportID: ns + "/corp-registry",
	})
}
