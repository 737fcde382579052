package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

const (
	agentAddress  = "fleet_agent.edge"
	agentSystemNS = "cattle-fleet-system"
	agentManager  = "terraform-provider-fleet-agent"
	testNoProxy   = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
	fleetAgentDev = "rancher/fleet-agent:dev" // the image of Fleet's chart as built from source
)

// startAgentDownstream starts a downstream cluster of the test's own and,
// in the background, the real fleet-agent for it: no kubelet runs the pod
// the chart deploys, so the harness runs the agent once the chart's
// configuration is there.
func startAgentDownstream(t *testing.T, name string) (*testenv.Cluster, *agentRunner) {
	t.Helper()
	down, err := acctest.Env.StartDownstream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	r := &agentRunner{down: down, errs: make(chan error, 4)}
	r.start()
	return down, r
}

// agentRunner stands in for the agent pod of a downstream cluster.
type agentRunner struct {
	down  *testenv.Cluster
	mu    sync.Mutex
	agent *testenv.Agent
	errs  chan error
}

// start runs the agent once the chart's configuration exists downstream.
func (r *agentRunner) start() {
	go func() {
		agent, err := acctest.Env.StartAgentOn(context.Background(), r.down)
		r.mu.Lock()
		r.agent = agent
		r.mu.Unlock()
		r.errs <- err
	}()
}

// stop ends the agent, as deleting its Deployment ends its pod.
func (r *agentRunner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.agent != nil {
		r.agent.Stop()
		r.agent = nil
	}
}

// err reports the first error of starting an agent, if any.
func (r *agentRunner) err() error {
	for {
		select {
		case err := <-r.errs:
			if err != nil {
				return err
			}
		case <-time.After(time.Second):
			return nil // still waiting for a chart that a failing step never installed
		}
	}
}

// downstreamHelm is Helm against the downstream cluster, as an operator
// would run it.
func downstreamHelm(t *testing.T, down *testenv.Cluster) *action.Configuration {
	t.Helper()
	kubeconfig, ns := down.Kubeconfig, agentSystemNS
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig, flags.Namespace = &kubeconfig, &ns
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func agentRelease(t *testing.T, down *testenv.Cluster) *release.Release {
	t.Helper()
	rel, err := downstreamHelm(t, down).Releases.Last("fleet-agent")
	if err != nil {
		t.Fatalf("fleet-agent release downstream: %v", err)
	}
	return rel
}

// edgeClusterConfig is the predefined cluster and a group selecting it.
func edgeClusterConfig(ns string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name      = "edge"
  namespace = %[1]q
  labels    = { site = "factory", env = "prod" }
}

resource "fleet_cluster_group" "factory" {
  name      = "factory"
  namespace = %[1]q
  selector  = { match_labels = { site = "factory" } }
}
`, ns)
}

func agentConfig(ns, kubeconfig, chart, agentExtra string) string {
	return edgeClusterConfig(ns) + fmt.Sprintf(`
resource "fleet_agent" "edge" {
  cluster = fleet_cluster.edge.id
  kubernetes = {
    kubeconfig_wo         = file(%[1]q)
    kubeconfig_wo_version = 1
  }
  chart  = %[2]s
  values = yamlencode({ agent = { replicas = 1 }, garbageCollectionInterval = "30m" })
  %[3]s
  timeouts {
    create = "4m"
  }
}
`, kubeconfig, chart, agentExtra)
}

func proxyBlock(proxy string) string {
	return fmt.Sprintf(`agent_proxy = {
    https_proxy = %q
    no_proxy    = %q
  }`, proxy, testNoProxy)
}

// TestAccAgent registers a downstream cluster agent-initiated, end to end:
// fleet_cluster predefines it, fleet_agent installs Fleet's own fleet-agent
// chart from a local path with a token it creates, the real agent registers
// and apply returns registered. Fleet then adopts the agent and renders it
// with the proxy the resource put on the Cluster; nothing of this is drift
// for either resource. Then import, an out-of-band upgrade (drift), an
// update, and destroy, which removes the release and leaves the Cluster.
func TestAccAgent(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-e2e")
	kubeconfig, err := os.ReadFile(down.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	chartDir := filepath.Join(acctest.Env.ChartsDir(), "fleet-agent")
	chart := fmt.Sprintf("{ path = %q }", chartDir)
	config := func(proxy, extra string) string {
		return agentConfig(ns, down.Kubeconfig, chart, proxyBlock(proxy)) + extra
	}
	const proxy1, proxy2 = "http://proxy.corp:3128", "http://proxy2.corp:8080"
	clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns)
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	var clientID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := clusters.Get(ctx, "edge", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("cluster still exists")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// The step's re-plan is empty: fleet_cluster does not see the
				// Client ID and proxy fleet_agent put on its Cluster as drift.
				Config: config(proxy1, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "id", ns+"/edge"),
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					resource.TestCheckResourceAttr(agentAddress, "chart_version", "0.0.0"),
					resource.TestCheckResourceAttrWith(agentAddress, "api_server_url", acctest.NonEmpty),
					resource.TestCheckResourceAttrWith(agentAddress, "api_server_ca", acctest.NonEmpty),
					resource.TestCheckNoResourceAttr(agentAddress, "kubernetes.kubeconfig_wo"),
					func(s *terraform.State) error {
						clientID = s.RootModule().Resources[agentAddress].Primary.Attributes["client_id"]
						// The generated client ID is what the agent would use itself.
						kubeSystem, err := down.Core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if clientID != string(kubeSystem.UID) {
							return fmt.Errorf("client_id %q is not the downstream kube-system UID %s", clientID, kubeSystem.UID)
						}
						cluster := acctest.FleetCluster(t, ns, "edge")
						if id, _, _ := unstructured.NestedString(cluster.Object, "spec", "clientID"); id != clientID {
							return fmt.Errorf("Cluster spec.clientID = %q, want %q", id, clientID)
						}
						if !acctest.ManagerOwns(cluster, agentManager, "clientID") || !acctest.ManagerOwns(cluster, agentManager, "agentEnvVars") {
							return fmt.Errorf("fleet_agent's writes must be owned by %s: %v", agentManager, cluster.GetManagedFields())
						}
						if env := clusterEnv(cluster); env["HTTPS_PROXY"] != proxy1 || env["https_proxy"] != proxy1 || env["NO_PROXY"] != testNoProxy {
							return fmt.Errorf("Cluster agentEnvVars lack the proxy: %v", env)
						}
						return nil
					},
					func(s *terraform.State) error {
						rel := agentRelease(t, down)
						if rel.Config["proxy"] != proxy1 || rel.Config["noProxy"] != testNoProxy || rel.Config["clientID"] != clientID {
							return fmt.Errorf("release values lack proxy, noProxy or clientID: %v", keysOf(rel.Config))
						}
						if rel.Config["tokenName"] != "edge-agent-token" {
							return fmt.Errorf("release was not installed with the resource's own token: %v", rel.Config["tokenName"])
						}
						// Registered: the token the resource created is deleted again.
						tokens := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns)
						if _, err := tokens.Get(ctx, "edge-agent-token", metav1.GetOptions{}); err == nil {
							return fmt.Errorf("the resource's registration token is still there after registration")
						}
						secret, err := secrets.Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{})
						if err != nil {
							return fmt.Errorf("the kubeconfig Secret the provider keeps: %w", err)
						}
						if string(secret.Data["value"]) != string(kubeconfig) {
							return fmt.Errorf("the stored kubeconfig is not the configured one")
						}
						return acctest.StateNeverContains(rel.Config["token"].(string), acctest.KubeconfigKeyData(t, kubeconfig))(s)
					},
					func(*terraform.State) error {
						acctest.WaitForGroupStatus(t, ns, "factory", 1, -1)
						return nil
					},
				),
			},
			{
				// Fleet adopts the agent: it re-renders the Deployment from the
				// Cluster (its own image, the lower-case proxy variables only
				// the Cluster has). Neither that nor the agent's check-ins
				// are drift; the data source sees the registered cluster.
				PreConfig: func() { waitForAdoptedAgent(t, down, proxy1) },
				Config: config(proxy1, fmt.Sprintf(`
data "fleet_cluster" "edge" {
  name       = "edge"
  namespace  = %q
  depends_on = [fleet_agent.edge]
}
`, ns)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.fleet_cluster.edge", "labels.site", "factory"),
					resource.TestCheckResourceAttrPair("data.fleet_cluster.edge", "client_id", agentAddress, "client_id"),
					resource.TestCheckResourceAttrWith("data.fleet_cluster.edge", "agent_last_seen", acctest.NonEmpty),
					resource.TestCheckResourceAttrWith("data.fleet_cluster.edge", "cluster_namespace", acctest.NonEmpty),
					resource.TestCheckResourceAttr("data.fleet_cluster.edge", "agent_proxy.https_proxy", proxy1),
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					// Refreshed, fleet_cluster took up the generated client ID
					// (Optional+Computed) without a diff.
					resource.TestCheckResourceAttrPair(agentAddress, "client_id", "fleet_cluster.edge", "client_id"),
				),
			},
			{
				// A second agent for the same downstream cluster finds the
				// release and refuses to take it over, before writing anything.
				Config: config(proxy1, fmt.Sprintf(`
resource "fleet_cluster" "again" {
  name      = "again"
  namespace = %q
}

resource "fleet_agent" "again" {
  cluster    = fleet_cluster.again.id
  kubernetes = { config_path = %q }
  chart      = %s
}
`, ns, down.Kubeconfig, chart)),
				ExpectError: acctest.Fragments("fleet-agent already installed", "has a fleet-agent release in cattle-fleet-system already",
					"terraform import <address> "+ns+"/again"),
			},
			{
				Config: config(proxy1, ""),
				Check: func(*terraform.State) error {
					if rel := agentRelease(t, down); rel.Version != 1 || rel.Config["clientID"] != clientID {
						return fmt.Errorf("the refused agent changed the release: revision %d", rel.Version)
					}
					return nil
				},
			},
			{
				ResourceName:      agentAddress,
				ImportState:       true,
				ImportStateId:     ns + "/edge",
				ImportStateVerify: true,
				// The chart's source is recorded nowhere (the import keeps
				// its name and version); values read back in Helm's spelling.
				ImportStateVerifyIgnore: []string{"timeouts", "chart.path", "chart.version", "values"},
			},
			{
				// An operator upgrades the release by hand: drift, which
				// Apply reverts.
				PreConfig: func() {
					ch, err := loader.Load(chartDir)
					if err != nil {
						t.Fatal(err)
					}
					upgrade := action.NewUpgrade(downstreamHelm(t, down))
					upgrade.Namespace, upgrade.ReuseValues = agentSystemNS, true
					if _, err := upgrade.Run("fleet-agent", ch, map[string]any{"debug": true}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(proxy1, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if rel := agentRelease(t, down); rel.Config["debug"] != nil || rel.Version != 3 {
						return fmt.Errorf("release revision %d still has debug=%v", rel.Version, rel.Config["debug"])
					}
					return nil
				},
			},
			{
				// Uninstalled by hand (which ends the agent's pod): the plan
				// installs it again.
				PreConfig: func() {
					agent.stop()
					if err := uninstallByHand(t, down); err != nil {
						t.Fatal(err)
					}
					agent.start()
				},
				Config:   config(proxy1, ""),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionCreate),
				}},
				ExpectNonEmptyPlan: true,
			},
			{
				// ...and apply does, for the Cluster that is still registered.
				Config: config(proxy1, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					func(*terraform.State) error {
						if rel := agentRelease(t, down); rel.Version != 1 || rel.Config["clientID"] != clientID {
							return fmt.Errorf("reinstalled release: revision %d, clientID %v", rel.Version, rel.Config["clientID"])
						}
						return nil
					},
				),
			},
			{
				// A new proxy goes to the Cluster, from which Fleet renders the
				// agent it adopted, and to the chart while Fleet has not
				// adopted it yet (after adoption an upgrade would fight
				// Fleet's release: TestAccAgentAdoptedAgentIsFleets).
				Config: config(proxy2, ""),
				Check: func(*terraform.State) error {
					dep, err := down.Core.AppsV1().Deployments(agentSystemNS).Get(ctx, "fleet-agent", metav1.GetOptions{})
					if err != nil {
						return err
					}
					adopted := dep.Annotations["meta.helm.sh/release-name"] != "fleet-agent"
					if rel := agentRelease(t, down); !adopted && (rel.Config["proxy"] != proxy2 || rel.Config["token"] == "") {
						return fmt.Errorf("release proxy %v, token kept: %v", rel.Config["proxy"], rel.Config["token"] != "")
					}
					if env := clusterEnv(acctest.FleetCluster(t, ns, "edge")); env["HTTPS_PROXY"] != proxy2 || env["https_proxy"] != proxy2 {
						return fmt.Errorf("Cluster agentEnvVars lack the new proxy: %v", env)
					}
					return nil
				},
			},
			{
				// The kubeconfig the provider keeps is deleted by someone:
				// refresh cannot read the release and plans an update, which
				// stores it again.
				PreConfig: func() {
					if err := secrets.Delete(ctx, "edge-agent-kubeconfig", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(proxy2, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					_, err := secrets.Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{})
					return err
				},
			},
			{
				// Destroying the agent uninstalls the release and leaves the
				// Cluster (and its client ID) to fleet_cluster.
				Config: edgeClusterConfig(ns),
				Check: func(*terraform.State) error {
					if err := releaseGone(t, down); err != nil {
						return err
					}
					if id, _, _ := unstructured.NestedString(acctest.FleetCluster(t, ns, "edge").Object, "spec", "clientID"); id != clientID {
						return fmt.Errorf("the Cluster lost its client ID: %q", id)
					}
					if _, err := secrets.Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{}); err == nil {
						return fmt.Errorf("the stored kubeconfig Secret was not deleted")
					}
					return nil
				},
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// waitForAdoptedAgent waits until Fleet has re-rendered the agent
// Deployment downstream from the Cluster: its image is no longer the
// chart's, and it has the lower-case proxy variables, which only the
// Cluster's agentEnvVars carry.
func waitForAdoptedAgent(t *testing.T, down *testenv.Cluster, proxy string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		d, err := down.Core.AppsV1().Deployments(agentSystemNS).Get(context.Background(), "fleet-agent", metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			continue
		}
		c := d.Spec.Template.Spec.Containers[0]
		env := envMap(c.Env)
		last = fmt.Sprintf("image %s, env %v", c.Image, env)
		if c.Image != fleetAgentDev && env["https_proxy"] == proxy && env["HTTPS_PROXY"] == proxy && env["NO_PROXY"] == testNoProxy {
			return
		}
	}
	t.Fatalf("Fleet did not adopt the agent with the proxy: %s", last)
}

func envMap(env []corev1.EnvVar) map[string]string {
	out := map[string]string{}
	for _, e := range env {
		out[e.Name] = e.Value
	}
	return out
}

func clusterEnv(cluster *unstructured.Unstructured) map[string]string {
	var spec struct {
		AgentEnvVars []corev1.EnvVar `json:"agentEnvVars"`
	}
	data, _ := json.Marshal(cluster.Object["spec"])
	_ = json.Unmarshal(data, &spec)
	return envMap(spec.AgentEnvVars)
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// releaseGone reports an error unless the fleet-agent release is gone.
func releaseGone(t *testing.T, down *testenv.Cluster) error {
	_, err := downstreamHelm(t, down).Releases.Last("fleet-agent")
	if err == nil {
		return fmt.Errorf("the fleet-agent release is still installed")
	}
	if err != driver.ErrReleaseNotFound {
		return err
	}
	return nil
}

// uninstallByHand removes the agent release the way an operator would.
func uninstallByHand(t *testing.T, down *testenv.Cluster) error {
	_, err := action.NewUninstall(downstreamHelm(t, down)).Run("fleet-agent")
	return err
}
