package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"helm.sh/helm/v3/pkg/release"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccAgentClusterFieldsConflict: fleet_cluster and fleet_agent never
// silently overwrite each other's entries of the Cluster's agentEnvVars.
// fleet_cluster refuses to apply agent_env_vars without the proxy
// fleet_agent put there, naming fleet_agent; when someone else replaces the
// list anyway, fleet_agent's refresh warns and plans the update that puts
// the proxy back.
func TestAccAgentClusterFieldsConflict(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-conflict")
	const proxy = "http://proxy.corp:3128"
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	config := agentConfig(ns, down.Kubeconfig, chart, proxyBlock(proxy))
	withEnvVars := strings.Replace(config, `labels    = { site = "factory", env = "prod" }`,
		`labels    = { site = "factory", env = "prod" }
  agent_env_vars = { LOG_LEVEL = "debug" }`, 1)
	hasProxy := func() error {
		if env := clusterEnv(acctest.FleetCluster(t, ns, "edge")); env["HTTPS_PROXY"] != proxy || env["NO_PROXY"] != testNoProxy {
			return fmt.Errorf("the Cluster lost the proxy: %v", env)
		}
		return nil
	}
	warnings, factories := acctest.RecordWarnings()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			},
			{
				Config: withEnvVars,
				ExpectError: acctest.Fragments("Conflicting Cluster settings", "fleet_agent (field manager terraform-provider-fleet-agent) put",
					"HTTPS_PROXY", "into the agent variables of Cluster "+ns+"/edge", "Set the same agent_proxy here"),
			},
			{
				// Someone replaces the list anyway (here kubectl).
				PreConfig: func() {
					if err := hasProxy(); err != nil {
						t.Fatalf("the refused apply changed the Cluster: %v", err)
					}
					patch := `{"apiVersion":"fleet.cattle.io/v1alpha1","kind":"Cluster","metadata":{"name":"edge"},"spec":{"agentEnvVars":[{"name":"LOG_LEVEL","value":"debug"}]}}`
					force := true
					if _, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns).Patch(ctx, "edge", k8stypes.ApplyPatchType,
						[]byte(patch), metav1.PatchOptions{FieldManager: "kubectl", Force: &force}); err != nil {
						t.Fatal(err)
					}
					warnings.Reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
					acctest.PlanCheck(func() error {
						return warnings.Contains("The Cluster lost the agent's settings", "proxy variables (agentEnvVars)")
					}),
				}},
				Check: func(*terraform.State) error { return hasProxy() },
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// TestAccAgentAdoptedAgentIsFleets: once Fleet adopted the agent (its
// fleet-agent-<cluster> release renders it), a change of the chart's values
// is refused with a clear error instead of a Helm upgrade that would fight
// Fleet's release (re-rendering the Deployment, restarting the agent, and
// writing the registration Secret again); a new proxy reaches the agent
// through the Cluster alone. A release an interrupted Helm operation left
// pending gets an error that says how to recover.
func TestAccAgentAdoptedAgentIsFleets(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-adopted")
	const proxy1, proxy2 = "http://proxy.corp:3128", "http://proxy2.corp:8080"
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	config := func(proxy, values string) string {
		c := agentConfig(ns, down.Kubeconfig, chart, proxyBlock(proxy))
		return strings.Replace(c, `garbageCollectionInterval = "30m" }`, `garbageCollectionInterval = "30m"`+values+` }`, 1)
	}
	deployments := down.Core.AppsV1().Deployments(agentSystemNS)
	var generation int64
	untouched := func() error {
		if rel := agentRelease(t, down); rel.Version != 1 {
			return fmt.Errorf("the release was upgraded after adoption: revision %d", rel.Version)
		}
		d, err := deployments.Get(ctx, "fleet-agent", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Generation != generation || d.Annotations["meta.helm.sh/release-name"] == "fleet-agent" {
			return fmt.Errorf("the adopted Deployment was re-rendered: generation %d (was %d), release %s",
				d.Generation, generation, d.Annotations["meta.helm.sh/release-name"])
		}
		if _, err := down.Core.CoreV1().Secrets(agentSystemNS).Get(ctx, "fleet-agent-bootstrap", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the registration Secret fleet-agent-bootstrap is back (%v)", err)
		}
		return nil
	}
	setReleaseStatus := func(status release.Status) {
		cfg := downstreamHelm(t, down)
		rel, err := cfg.Releases.Last("fleet-agent")
		if err != nil {
			t.Fatal(err)
		}
		rel.Info.Status = status
		if err := cfg.Releases.Update(rel); err != nil {
			t.Fatal(err)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(proxy1, ""),
				Check:  resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			},
			{
				PreConfig: func() {
					waitForAdoptedAgent(t, down, proxy1)
					d, err := deployments.Get(ctx, "fleet-agent", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					generation = d.Generation
				},
				Config:      config(proxy1, `, debug = true`),
				ExpectError: acctest.Fragments("The agent is Fleet's now", "Fleet has adopted the agent", "so values no longer reach it", "terraform apply -replace"),
			},
			{
				PreConfig: func() {
					if err := untouched(); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(proxy2, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						if env := clusterEnv(acctest.FleetCluster(t, ns, "edge")); env["HTTPS_PROXY"] != proxy2 {
							return fmt.Errorf("the Cluster lacks the new proxy: %v", env)
						}
						if rel := agentRelease(t, down); rel.Version != 1 {
							return fmt.Errorf("the release was upgraded after adoption: revision %d", rel.Version)
						}
						waitForAdoptedAgent(t, down, proxy2) // Fleet renders it
						return nil
					},
				),
			},
			{
				// Terraform was killed during a Helm operation.
				PreConfig: func() { setReleaseStatus(release.StatusPendingUpgrade) },
				Config:    config(proxy2, ""),
				ExpectError: acctest.Fragments("The fleet-agent release is pending", "is pending-upgrade",
					"helm -n cattle-fleet-system rollback fleet-agent"),
			},
			{
				PreConfig: func() { setReleaseStatus(release.StatusDeployed) },
				Config:    config(proxy2, ""),
				Check:     resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// TestAccAgentSecretNameCollision: a fleet_cluster named edge-agent keeps
// its kubeconfig_wo in the Secret edge-agent-kubeconfig, the name
// fleet_agent of Cluster edge would use for its own. The agent refuses to
// overwrite it, naming its owner, and leaves it as it was.
func TestAccAgentSecretNameCollision(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, err := acctest.Env.StartDownstream(ctx, "agent-collision")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	// Fleet cannot reach this one: its registration of edge-agent fails harmlessly.
	unreachable := filepath.Join(t.TempDir(), "unreachable.kubeconfig")
	if err := os.WriteFile(unreachable, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: edge-agent-token}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	clusters := edgeClusterConfig(ns) + fmt.Sprintf(`
resource "fleet_cluster" "edge_agent" {
  name                  = "edge-agent"
  namespace             = %q
  kubeconfig_wo         = file(%q)
  kubeconfig_wo_version = 1
}
`, ns, unreachable)
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	agent := strings.Replace(agentConfig(ns, down.Kubeconfig, chart, ""), `create = "4m"`, `create = "1m"`, 1)
	agent = strings.Replace(agent, edgeClusterConfig(ns), clusters, 1)
	stored := func() error {
		s, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{})
		if err != nil {
			return err
		}
		want, _ := os.ReadFile(unreachable)
		if string(s.Data["value"]) != string(want) {
			return fmt.Errorf("fleet_cluster edge-agent's kubeconfig Secret was overwritten")
		}
		if owner := s.Annotations["terraform-provider-fleet/owner"]; owner != "fleet_cluster "+ns+"/edge-agent" {
			return fmt.Errorf("the Secret's owner is %q", owner)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: clusters, Check: func(*terraform.State) error { return stored() }},
			{
				Config: agent,
				ExpectError: acctest.Fragments("Cannot store the kubeconfig", "Secret "+ns+"/edge-agent-kubeconfig belongs to fleet_cluster "+ns+"/edge-agent",
					"not to fleet_agent "+ns+"/edge"),
			},
			{
				Config: clusters,
				Check: func(*terraform.State) error {
					if err := stored(); err != nil {
						return err
					}
					return releaseGone(t, down)
				},
			},
		},
	})
}
