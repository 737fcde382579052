package kubesphere_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestKubeSpherePlanWithoutCluster: the plan of new KubeSphere resources
// needs no host (nothing listens on the provider's host).
func TestKubeSpherePlanWithoutCluster(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + `
resource "fleet_kubesphere_cluster" "a" {
  name           = "edge-1"
  labels         = { "cluster.kubesphere.io/group" = "production" }
  ks_core_values = "console:\n  enabled: false\n"
}

resource "fleet_kubesphere_agent" "a" {
  cluster      = fleet_kubesphere_cluster.a.name
  proxy_server = "https://tower.example.com:8080"
  agent_proxy  = { https_proxy = "http://proxy.corp:3128" }
  kubernetes   = { config_path = "/nonexistent/kubeconfig" }
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestInvalidKubeSphereInput: bad input fails offline, naming the attribute.
func TestInvalidKubeSphereInput(t *testing.T) {
	cases := map[string]struct {
		config string
		want   []string
	}{
		"cluster name": {`resource "fleet_kubesphere_cluster" "bad" { name = "Edge_1" }`, []string{"Invalid cluster name", `name = "Edge_1"`, "lowercase RFC 1123 label"}},
		"description twice": {`resource "fleet_kubesphere_cluster" "bad" {
  name        = "edge"
  annotations = { "kubesphere.io/description" = "x" }
}`, []string{`annotations`, `kubesphere.io/description`}},
		"ks-core values": {`resource "fleet_kubesphere_cluster" "bad" {
  name           = "edge"
  ks_core_values = "- a list"
}`, []string{"Invalid YAML mapping", "ks_core_values"}},
		"proxy server without scheme": {`resource "fleet_kubesphere_agent" "bad" {
  cluster      = "edge"
  proxy_server = "139.198.120.120:30721"
  kubernetes   = { config_path = "/k" }
}`, []string{"Invalid address", `proxy_server = "139.198.120.120:30721"`, "has no http:// or https:// scheme"}},
		"proxy server without port": {`resource "fleet_kubesphere_agent" "bad" {
  cluster      = "edge"
  proxy_server = "http://tower.example.com"
  kubernetes   = { config_path = "/k" }
}`, []string{"Invalid address", "proxy_server", "has no explicit port"}},
		"agent proxy": {`resource "fleet_kubesphere_agent" "bad" {
  cluster     = "edge"
  agent_proxy = { https_proxy = "proxy.corp:3128" }
  kubernetes  = { config_path = "/k" }
}`, []string{"Invalid proxy URL", "the proxy URL has no scheme"}},
		"replicas": {`resource "fleet_kubesphere_agent" "bad" {
  cluster    = "edge"
  replicas   = 0
  kubernetes = { config_path = "/k" }
}`, []string{"replicas", "between 1 and 10"}},
		"kubeconfig_wo without version": {`resource "fleet_kubesphere_agent" "bad" {
  cluster    = "edge"
  kubernetes = { kubeconfig_wo = "apiVersion: v1\nkind: Config\nclusters: []\n" }
}`, []string{"kubeconfig_wo_version"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + tc.config,
					PlanOnly:    true,
					ExpectError: acctest.Fragments(tc.want...),
				}},
			})
		})
	}
}
