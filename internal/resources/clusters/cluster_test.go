package clusters_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

func clusterConfig(namespace, extra string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "test" {
  name      = "edge-eu-1"
  namespace = %q
  labels    = { env = "prod", region = "eu" }
  client_id = "edge-eu-1-client"
  agent_env_vars = { LOG_LEVEL = "debug" }
  agent_proxy = {
    http_proxy  = "http://proxy.corp:3128"
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  agent_tolerations = [{ key = "dedicated", operator = "Equal", value = "fleet", effect = "NoSchedule" }]
  agent_affinity = jsonencode({
    nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution = {
        nodeSelectorTerms = [{ matchExpressions = [{ key = "kubernetes.io/os", operator = "In", values = ["linux"] }] }]
      }
    }
  })
  agent_resources = {
    limits   = { cpu = "1000m", memory = "256Mi" }
    requests = { cpu = "100m" }
  }
  agent_scheduling_customization = {
    priority_class        = { value = 1000, preemption_policy = "Never" }
    pod_disruption_budget = { max_unavailable = "1" }
  }
  template_values = jsonencode({ site = "eu-1", replicas = 3 })
  %s
}
`, namespace, extra)
}

// TestAccCluster covers the agent settings, Fleet's three pull-secret cases,
// import, drift and destroy of a cluster without registration.
func TestAccCluster(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster.test"
	clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := clusters.Get(context.Background(), "edge-eu-1", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("cluster still exists")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: clusterConfig(ns, `agent_pull_secrets = []`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/edge-eu-1"),
					resource.TestCheckResourceAttr(address, "agent_resources.limits.cpu", "1000m"),
					resource.TestCheckResourceAttr(address, "agent_pull_secrets.#", "0"),
					func(*terraform.State) error {
						obj := acctest.FleetCluster(t, ns, "edge-eu-1")
						env, _, _ := unstructured.NestedSlice(obj.Object, "spec", "agentEnvVars")
						names := map[string]string{}
						for _, e := range env {
							m := e.(map[string]any)
							names[m["name"].(string)] = fmt.Sprint(m["value"])
						}
						for _, n := range []string{"HTTP_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "LOG_LEVEL"} {
							if names[n] == "" {
								return fmt.Errorf("agentEnvVars lacks %s: %v", n, names)
							}
						}
						secrets, found, _ := unstructured.NestedSlice(obj.Object, "spec", "agentPullSecrets")
						if !found || len(secrets) != 0 {
							return fmt.Errorf("agentPullSecrets must be sent as [] (none), got %v found=%v", secrets, found)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     ns + "/edge-eu-1",
				ImportStateVerify: true,
				// Status fields move on as Fleet works, and the import reads the
				// quantity in Fleet's canonical spelling ("1" for "1000m").
				ImportStateVerifyIgnore: []string{"timeouts", "state", "ready_bundles", "ready", "agent_last_seen", "agent_resources.limits.cpu"},
			},
			{
				// ...which is the same amount: importing plans no change.
				Config:          clusterConfig(ns, `agent_pull_secrets = []`),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/edge-eu-1",
			},
			{
				// Unset: Fleet copies the global pull secrets, so the field is gone.
				Config: clusterConfig(ns, ``),
				Check: func(*terraform.State) error {
					if _, found, _ := unstructured.NestedSlice(acctest.FleetCluster(t, ns, "edge-eu-1").Object, "spec", "agentPullSecrets"); found {
						return fmt.Errorf("agentPullSecrets must be absent when unset")
					}
					return nil
				},
			},
			{
				Config: clusterConfig(ns, `agent_pull_secrets = ["registry-auth"]`),
				Check:  resource.TestCheckResourceAttr(address, "agent_pull_secrets.0", "registry-auth"),
			},
			{
				// A field the configuration does not set is not managed: set out
				// of band, it is no drift (apply could not unset it anyway).
				PreConfig: func() {
					patch := `{"spec":{"privateRepoURL":"mirror.example.com"}}`
					if _, err := clusters.Patch(context.Background(), "edge-eu-1", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   clusterConfig(ns, `agent_pull_secrets = ["registry-auth"]`),
				PlanOnly: true,
			},
			{
				// A managed field edited out of band is drift.
				PreConfig: func() {
					patch := `{"spec":{"clientID":"stolen"}}`
					if _, err := clusters.Patch(context.Background(), "edge-eu-1", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             clusterConfig(ns, `agent_pull_secrets = ["registry-auth"]`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: clusterConfig(ns, `agent_pull_secrets = ["registry-auth"]`),
				Check: func(*terraform.State) error {
					id, _, _ := unstructured.NestedString(acctest.FleetCluster(t, ns, "edge-eu-1").Object, "spec", "clientID")
					if id != "edge-eu-1-client" {
						return fmt.Errorf("apply did not restore clientID: %q", id)
					}
					return nil
				},
			},
		},
	})
}
