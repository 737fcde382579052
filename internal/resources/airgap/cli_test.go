package airgap_test

import (
	"encoding/base64"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccCLIRegistry is the registry of the CLI compatibility subset
// (TestAccCLI*, which `make test` runs again under every CLI built under
// tools/, OpenTofu included): password_wo reaches the registry Secret and
// never the state file the CLI wrote, the next plan is empty, the registry
// imports (ImportStateVerify, password_wo_version read back from the Secret,
// and an import block with an empty plan) and destroy removes its Secret.
func TestAccCLIRegistry(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	workDir := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", workDir)
	ca := acctest.TestCertificatePEM(t)
	const address, password = "fleet_registry.corp", "cli-subset-registry-pass-7301"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.SecretGone(ns, "corp-registry"),
		Steps: acctest.LifecycleSteps(registryConfig(ns, ca, password, 1), address, ns+"/corp-registry", resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckNoResourceAttr(address, "password_wo"),
			checkRegistrySecret(t, ns, "registry.corp:5000", "puller", password, ca),
			acctest.StateFileLacks(workDir, "fleet_registry", password, base64.StdEncoding.EncodeToString([]byte("puller:"+password))),
		)),
	})
}
