package clusters_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"

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

// TestAccClusterManagerInitiated registers a real downstream cluster with
// kubeconfig_wo: the Fleet controller deploys the agent with the proxy and
// the private registry, the agent checks in, and the kubeconfig never reaches
// the state.
func TestAccClusterManagerInitiated(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, err := acctest.Env.StartDownstream(ctx, "mgr-init")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	kubeconfig, err := os.ReadFile(down.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	// No kubelet runs: the harness runs the agent the controller deploys.
	agentErr := make(chan error, 1)
	go func() {
		_, err := acctest.Env.StartAgentOn(ctx, down)
		agentErr <- err
	}()
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "downstream" {
  name                  = "downstream"
  namespace             = %q
  labels                = { site = "factory" }
  kubeconfig_wo         = file(%q)
  kubeconfig_wo_version = 1
  private_repo_url      = "registry.corp:5000"
  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  wait_for_ready = true
  timeouts {
    create = "3m"
  }
}
`, ns, down.Kubeconfig)
	const address = "fleet_cluster.downstream"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "kube_config_secret", "downstream-kubeconfig"),
					resource.TestCheckResourceAttrSet(address, "client_id"), // generated by Fleet
					resource.TestCheckResourceAttrWith(address, "agent_last_seen", acctest.NonEmpty),
					resource.TestCheckResourceAttrWith(address, "cluster_namespace", acctest.NonEmpty),
					resource.TestCheckNoResourceAttr(address, "kubeconfig_wo"),
					acctest.StateNeverContains(strings.TrimSpace(string(kubeconfig)), acctest.KubeconfigKeyData(t, kubeconfig)),
					func(*terraform.State) error {
						return checkAgentDeployment(down.Core.AppsV1().Deployments("cattle-fleet-system"))
					},
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/downstream",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "kubeconfig_wo_version", "wait_for_ready", "agent_last_seen", "state", "ready", "ready_bundles"},
			},
		},
	})
	if err := <-agentErr; err != nil {
		t.Fatalf("agent: %v", err)
	}
	if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, "downstream-kubeconfig", metav1.GetOptions{}); err == nil {
		t.Fatalf("the provider's kubeconfig Secret must be deleted with the cluster")
	}
}

// checkAgentDeployment waits for the agent Deployment the Fleet controller
// renders downstream and checks that it carries the proxy and the private
// registry prefix.
func checkAgentDeployment(deployments typedappsv1.DeploymentInterface) error {
	var last error
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		d, err := deployments.Get(context.Background(), "fleet-agent", metav1.GetOptions{})
		if err != nil {
			last = err
			continue
		}
		c := d.Spec.Template.Spec.Containers[0]
		if !strings.HasPrefix(c.Image, "registry.corp:5000/rancher/fleet-agent:") {
			return fmt.Errorf("agent image %q lacks the private registry prefix", c.Image)
		}
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		for _, name := range []string{"HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"} {
			if env[name] == "" {
				return fmt.Errorf("agent Deployment lacks %s: %v", name, env)
			}
		}
		return nil
	}
	return fmt.Errorf("no agent Deployment downstream: %v", last)
}
