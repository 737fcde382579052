package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccAgentFailsBeforeInstalling: an unreachable downstream cluster, a
// chart that cannot be found, a missing Cluster, a proxy that would fight
// fleet_cluster's and a token resource in another namespace each fail the apply with an error naming the
// endpoint or attribute, and leave nothing behind: no stored kubeconfig, no
// token, no client ID or proxy on the Cluster. The checks that pass the
// Manifests connection use the management cluster as "downstream":
// nothing gets installed anyway.
func TestAccAgentFailsBeforeInstalling(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	unreachable := filepath.Join(t.TempDir(), "unreachable.kubeconfig")
	err := os.WriteFile(unreachable, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-token}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	clusters := edgeClusterConfig(ns) + fmt.Sprintf(`
resource "fleet_cluster" "proxied" {
  name           = "proxied"
  namespace      = %q
  agent_env_vars = { LOG_LEVEL = "debug" }
}
`, ns)
	reachable := fmt.Sprintf(`{ config_path = %q }`, acctest.Env.Upstream.Kubeconfig)
	chart := fmt.Sprintf(`{ path = %q }`, filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	agent := func(cluster, kubernetes, chart, extra string) string {
		return clusters + fmt.Sprintf(`
resource "fleet_agent" "edge" {
  cluster    = %s
  kubernetes = %s
  chart      = %s
  %s
}
`, cluster, kubernetes, chart, extra)
	}
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: clusters},
			{
				Config: agent("fleet_cluster.edge.id",
					fmt.Sprintf(`{ kubeconfig_wo = file(%q), kubeconfig_wo_version = 1 }`, unreachable), chart, ""),
				ExpectError: acctest.Fragments("Cannot reach the downstream cluster", "the API server at https://127.0.0.1:1 does not answer"),
			},
			{
				Config:      agent("fleet_cluster.edge.id", reachable, `{ path = "/nonexistent/fleet-agent" }`, ""),
				ExpectError: acctest.Fragments("Chart not found", "cannot load the chart at /nonexistent/fleet-agent"),
			},
			{
				Config:      agent("fleet_cluster.edge.id", reachable, `{ repository = "http://127.0.0.1:1/charts", version = "0.16.0" }`, ""),
				ExpectError: acctest.Fragments("Chart not found", `"http://127.0.0.1:1/charts" is not a valid chart repository or cannot be reached`),
			},
			{
				Config:      agent(fmt.Sprintf("%q", ns+"/missing"), reachable, chart, ""),
				ExpectError: acctest.Fragments("Cluster not found", "There is no Fleet Cluster "+ns+"/missing"),
			},
			{
				Config: agent("fleet_cluster.proxied.id", reachable, chart, proxyBlock("http://proxy.corp:3128")),
				ExpectError: acctest.Fragments("Conflicting Cluster settings", "fleet_cluster manages the agent variables",
					"set agent_proxy on that fleet_cluster too"),
			},
			{
				// The documented reference to a token resource is unknown at validation: the
				// namespace check runs again once it is known, before anything is installed.
				Config: agent("fleet_cluster.edge.id", reachable, chart, "registration_token = fleet_cluster_registration_token.foreign.id") +
					fmt.Sprintf(`
resource "fleet_cluster_registration_token" "foreign" {
  name      = "foreign"
  namespace = %q
  ttl       = "1h"
}
`, acctest.Namespace(t)),
				ExpectError: acctest.Fragments("Token in another namespace", "use a token in "+ns+", the cluster's namespace"),
			},
			{
				Config: clusters,
				Check: func(*terraform.State) error {
					for _, name := range []string{"edge", "proxied"} {
						if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, name+"-agent-kubeconfig", metav1.GetOptions{}); err == nil {
							return fmt.Errorf("a failed create stored the kubeconfig of %s", name)
						}
						if _, err := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns).
							Get(ctx, name+"-agent-token", metav1.GetOptions{}); err == nil {
							return fmt.Errorf("a failed create left the token for %s", name)
						}
						cluster := acctest.FleetCluster(t, ns, name)
						if id, _, _ := unstructured.NestedString(cluster.Object, "spec", "clientID"); id != "" || acctest.ManagerOwns(cluster, agentManager, "agentEnvVars") {
							return fmt.Errorf("a failed create wrote to Cluster %s: clientID %q, fields %v", name, id, cluster.GetManagedFields())
						}
					}
					return nil
				},
			},
		},
	})
}
