package install_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestInstallValidation: what fleet_install refuses at plan time, offline
// (the provider points at nothing that answers), naming the attribute.
func TestInstallValidation(t *testing.T) {
	const provider = `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  token = "unused"
}
`
	cases := map[string]struct{ config, want string }{
		"no chart source":   {`chart = {}`, `Missing chart source`},
		"two chart sources": {`chart = { path = "/charts", repository = "https://charts.example" }`, `Conflicting chart sources`},
		"two proxy URLs": {`
  chart = { path = "/charts" }
  proxy = { http_proxy = "http://a.invalid:3128", https_proxy = "http://b.invalid:3128" }`, `Two proxy URLs(.|\n)*proxy.http_proxy`},
		"proxy twice": {`
  chart     = { path = "/charts" }
  proxy     = { https_proxy = "http://a.invalid:3128" }
  extra_env = { HTTPS_PROXY = "http://a.invalid:3128" }`, `Proxy set twice(.|\n)*extra_env = \{ HTTPS_PROXY`},
		"value of an attribute": {`
  chart  = { path = "/charts" }
  values = yamlencode({ global = { cattle = { systemDefaultRegistry = "r.corp" } } })`, `global.cattle.systemDefaultRegistry is set by the resource`},
		"pull secret names": {`
  chart              = { path = "/charts" }
  image_pull_secrets = ["Not_A_Name"]`, `image_pull_secrets`},
		"namespace": {`
  chart     = { path = "/charts" }
  namespace = "Fleet"`, `namespace`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      provider + "resource \"fleet_install\" \"this\" {\n  " + c.config + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}
