package rancher_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestRancherPlanWithoutCluster: the plan of new Rancher resources needs no
// management cluster (nothing listens on the host).
func TestRancherPlanWithoutCluster(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + `
resource "fleet_rancher_cluster" "a" {
  name        = "edge-1"
  labels      = { env = "prod" }
  agent_proxy = { https_proxy = "http://proxy.corp:3128" }
}

resource "fleet_rancher_agent" "a" {
  cluster    = fleet_rancher_cluster.a.id
  kubernetes = { config_path = "/nonexistent/kubeconfig" }
}

resource "fleet_rancher_setting" "registry" {
  name  = "system-default-registry"
  value = "registry.corp:5000"
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestInvalidRancherInput: bad input fails offline, naming the attribute.
func TestInvalidRancherInput(t *testing.T) {
	cases := map[string]struct{ config, want string }{
		"cluster name": {`resource "fleet_rancher_cluster" "bad" { name = "Edge_1" }`, `(?s)name = "Edge_1".*RFC 1123 label`},
		"proxy twice": {`resource "fleet_rancher_cluster" "bad" {
  name           = "edge"
  agent_env_vars = { HTTPS_PROXY = "http://p:1" }
  agent_proxy    = { https_proxy = "http://p:1" }
}`, `(?s)Proxy variable set twice.*HTTPS_PROXY is set by agent_proxy`},
		"affinity": {`resource "fleet_rancher_cluster" "bad" {
  name = "edge"
  cluster_agent_deployment_customization = { override_affinity = "[1]" }
}`, `(?s)Invalid JSON of a core/v1 Affinity.*override_affinity:.*JSON\s+array`},
		"agent cluster": {`resource "fleet_rancher_agent" "bad" {
  cluster    = "edge-1"
  kubernetes = { config_path = "/k" }
}`, `(?s)Invalid reference.*<namespace>/<name>.*edge-1`},
		"ca and insecure": {`resource "fleet_rancher_agent" "bad" {
  cluster          = "fleet-default/edge-1"
  rancher_ca       = "not pem"
  rancher_insecure = true
  kubernetes       = { config_path = "/k" }
}`, `(?s)Invalid Attribute Combination.*Attribute\s+"rancher_insecure"\s+cannot\s+be\s+specified\s+when\s+"rancher_ca"\s+is\s+specified`},
		"kubeconfig_wo without version": {`resource "fleet_rancher_agent" "bad" {
  cluster    = "fleet-default/edge-1"
  kubernetes = { kubeconfig_wo = "apiVersion: v1\nkind: Config\nclusters: []\n" }
}`, `(?s)kubeconfig_wo_version`},
		"setting name": {`resource "fleet_rancher_setting" "bad" {
  name  = "Not_A_Name"
  value = ""
}`, `(?s)Invalid Kubernetes resource name`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
