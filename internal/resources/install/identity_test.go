package install_test

import (
	"fmt"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccIdentityInstall: fleet_install stores its namespace as identity,
// and imports by it (Terraform >= 1.12).
func TestAccIdentityInstall(t *testing.T) {
	acctest.PreCheck(t)
	acctest.SkipBelowIdentityCLI(t) // before starting a control plane for nothing
	bare := bareControlPlane(t)
	charts := t.TempDir()
	if err := testenv.WriteReleaseCharts(bare.BinDir, charts); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
provider "fleet" {
  config_path = %q
}

resource "fleet_install" "this" {
  chart  = { path = %q }
  values = %s
}
`, bare.Upstream.Kubeconfig, charts, noMigrationJobs)
	acctest.TestIdentity(t, config, acctest.Identity{
		Address: "fleet_install.this", Values: map[string]string{"namespace": "cattle-fleet-system"}, ImportID: "cattle-fleet-system",
		// The charts' source is recorded nowhere, and values read back in
		// Helm's spelling: the import's plan records the configuration's.
		VerifyIgnore:  []string{"chart", "values"},
		ImportUpdates: true,
	})
}
