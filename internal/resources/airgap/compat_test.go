package airgap_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestAccCompatRegistry: a registry's lifecycle on every Fleet release; its
// destroy checks the workspace's Clusters, GitRepos and HelmOps, a kind
// v0.12 does not serve.
func TestAccCompatRegistry(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_registry.corp"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(corev1.SchemeGroupVersion.WithResource("secrets"), ns, "corp-registry"),
		Steps: acctest.LifecycleSteps(registryConfig(ns, acctest.TestCertificatePEM(t), "s3cret", 1), address, ns+"/corp-registry",
			resource.TestCheckResourceAttr(address, "data_in_sync", "true"), "password_wo_version"),
	})
}
