package fleetversion_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/compat"
)

// TestAccCompatVersionDataSource: against every release, fleet_version reads
// the release from the controller's image, the fields from the published CRD
// schemas, and says of every gated feature what its minimum release says (the
// table acctest.FleetHas and the other compatibility tests rely on).
func TestAccCompatVersionDataSource(t *testing.T) {
	acctest.PreCheck(t)
	const address = "data.fleet_version.this"
	checks := []resource.TestCheckFunc{
		resource.TestCheckResourceAttr(address, "version", acctest.Env.Fleet.Version),
		resource.TestCheckResourceAttr(address, "version_source", compat.SourceControllerImage),
		resource.TestCheckResourceAttr(address, "features_source", compat.SourceSchemas),
		resource.TestCheckTypeSetElemAttr(address, "kinds.*", "GitRepo"),
		resource.TestCheckResourceAttr(address, "features.%", strconv.Itoa(len(compat.Features))),
	}
	for _, f := range compat.Features {
		checks = append(checks, resource.TestCheckResourceAttr(address, "features."+f.Name(), strconv.FormatBool(acctest.FleetHas(f))))
	}
	helmOp := "HelmApp" // v0.12's experimental predecessor
	if acctest.FleetHas(compat.Lookup("fleet_helmop", "")) {
		helmOp = "HelmOp"
	}
	checks = append(checks, resource.TestCheckTypeSetElemAttr(address, "kinds.*", helmOp))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig() + "data \"fleet_version\" \"this\" {}\n",
			Check:  resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

// TestAccVersionDataSourceWithoutFleet: a cluster without Fleet is an error
// that says so, not an empty answer. The downstream cluster serves no Fleet
// API.
func TestAccVersionDataSourceWithoutFleet(t *testing.T) {
	acctest.PreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"fleet\" {\n  config_path = %q\n}\n\ndata \"fleet_version\" \"this\" {}\n",
				acctest.Env.Downstream.Kubeconfig),
			ExpectError: acctest.Fragments("Fleet is not installed", "does not serve fleet.cattle.io/v1alpha1"),
		}},
	})
}
