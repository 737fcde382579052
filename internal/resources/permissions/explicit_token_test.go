package permissions_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccExplicitTokenOutranksTheEnvironmentKubeconfig: with KUBE_CONFIG_PATH
// naming an admin kubeconfig, whose user has a client certificate, a
// provider block with a token acts as the token's ServiceAccount, not as the
// admin. That ServiceAccount has no roles here, so the create is forbidden.
func TestAccExplicitTokenOutranksTheEnvironmentKubeconfig(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv("KUBE_CONFIG_PATH", acctest.Env.Upstream.Kubeconfig)
	ns := acctest.Namespace(t)
	config := restrictedProvider(t, ns, nil) + fmt.Sprintf(`
resource "fleet_cluster_group" "edge" {
  name      = "edge"
  namespace = %q
}
`, ns)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf(`"system:serviceaccount:%s:%s"`, ns, serviceAccount)) + `\s+cannot`),
		}},
	})
}
