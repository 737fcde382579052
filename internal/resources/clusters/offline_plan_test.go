package clusters_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestPlanWithoutCluster proves that validate and the plan of new resources
// never contact the management cluster: nothing listens on the host.
func TestPlanWithoutCluster(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  token = "unused"
}

resource "fleet_cluster_group" "offline" {
  name     = "offline"
  selector = { match_labels = { env = "prod" } }
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestInvalidClusterGroupInput checks that bad input fails offline with a
// diagnostic naming the attribute.
func TestInvalidClusterGroupInput(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"name":           {`name = "Not_Valid"`, `(?s)with fleet_cluster_group.bad,.*name = "Not_Valid"`},
		"operator":       {`name = "ok"` + "\n" + `selector = { match_expressions = [{ key = "env", operator = "Equals", values = ["a"] }] }`, `(?s)Invalid selector operator.*operator "Equals" is not\s+supported`},
		"label key":      {`name = "ok"` + "\n" + `labels = { "bad key!" = "x" }`, `(?s)labels = \{ "bad key!" = "x" \}.*Key "bad key!"`},
		"missing values": {`name = "ok"` + "\n" + `selector = { match_expressions = [{ key = "env", operator = "In" }] }`, `(?s)Missing selector values.*needs at least\s+one value`},
		"empty match":    {`name = "ok"` + "\n" + `selector = { match_labels = {} }`, `(?s)selector.match_labels`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      "provider \"fleet\" {\n  host = \"https://127.0.0.1:1\"\n}\nresource \"fleet_cluster_group\" \"bad\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestInvalidClusterInput checks that fleet_cluster input Fleet or
// Kubernetes would reject, or that would not do what it says, fails offline
// with a diagnostic naming the attribute.
func TestInvalidClusterInput(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		// The provider writes kubeconfig_wo into the Cluster's namespace: Fleet would look elsewhere.
		"kubeconfig namespace": {`kube_config_secret_namespace = "other"` + "\n" + `kubeconfig_wo = "x"` + "\n" + `kubeconfig_wo_version = 1`,
			`(?s)kube_config_secret_namespace = "other".*Attribute "kubeconfig_wo_version" cannot be specified when\s+"kube_config_secret_namespace" is specified`},
		"pdb both bounds": {`agent_scheduling_customization = { pod_disruption_budget = { min_available = "1", max_unavailable = "1" } }`,
			`(?s)Attribute\s+agent_scheduling_customization.pod_disruption_budget`},
		"priority above user range": {`agent_scheduling_customization = { priority_class = { value = 2000000000 } }`,
			`(?s)agent_scheduling_customization.priority_class.value.*1000000000`},
		"affinity misspelled field": {`agent_affinity = jsonencode({ nodeAffinty = {} })`,
			`(?s)agent_affinity.*unknown field "nodeAffinty"`},
		"api server url": {`api_server_url = "rancher.corp"` + "\n" + `kubeconfig_wo = "x"` + "\n" + `kubeconfig_wo_version = 1`,
			`(?s)api_server_url = "rancher.corp".*is not an absolute http\(s\) URL`},
		"empty client id": {`client_id = ""`, `(?s)client_id = ""`},
		"kubeconfig no version": {`kubeconfig_wo = "x"`,
			`(?s)Attribute\s+"kubeconfig_wo_version"\s+must\s+be\s+specified\s+when\s+"kubeconfig_wo"\s+is\s+specified`},
		"kubeconfig version alone": {`kubeconfig_wo_version = 1`,
			`(?s)Attribute\s+"kubeconfig_wo"\s+must\s+be\s+specified\s+when\s+"kubeconfig_wo_version"\s+is\s+specified`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: "provider \"fleet\" {\n  host = \"https://127.0.0.1:1\"\n}\nresource \"fleet_cluster\" \"bad\" {\nname = \"edge\"\n" +
						tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestClusterKubeconfigWarnings: the plan warns, offline, about a
// kubeconfig_wo the Fleet controller cannot use from inside the management
// cluster (here an exec plugin and a loopback address), naming the attribute,
// and still plans the cluster.
func TestClusterKubeconfigWarnings(t *testing.T) {
	warnings, factories := acctest.RecordWarnings()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  token = "unused"
}

resource "fleet_cluster" "edge" {
  name                  = "edge"
  kubeconfig_wo_version = 1
  kubeconfig_wo = yamlencode({
    apiVersion      = "v1"
    kind            = "Config"
    current-context = "edge"
    contexts        = [{ name = "edge", context = { cluster = "edge", user = "admin" } }]
    clusters        = [{ name = "edge", cluster = { server = "https://127.0.0.1:6443" } }]
    users           = [{ name = "admin", user = { exec = { apiVersion = "client.authentication.k8s.io/v1", command = "aws", interactiveMode = "Never" } } }]
  })
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	if err := warnings.Contains("The Fleet controller may not be able to use this kubeconfig", "kubeconfig_wo",
		`user "admin" runs an exec credential plugin`, `cluster "edge" has a loopback server address (127.0.0.1)`); err != nil {
		t.Error(err)
	}
}
