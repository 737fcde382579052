package agent_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccAgentReinstallWaitsForNewCheckIn: the downstream cluster loses its
// agent (its namespace is wiped) while the Fleet Cluster keeps the last
// check-in of the old one; replacing fleet_agent installs a new agent, and
// the apply returns only once that agent checked in, with its token deleted
// after that. Refresh warned that the release was gone. Destroy then
// removes the namespace the provider created.
func TestAccAgentReinstallWaitsForNewCheckIn(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-reinstall")
	config := agentConfig(ns, down.Kubeconfig, fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent")), "")
	var wiped time.Time
	warnings, factories := acctest.RecordWarnings()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := down.Core.CoreV1().Namespaces().Get(ctx, agentSystemNS, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("destroy left the namespace %s the provider created (%v)", agentSystemNS, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			},
			{
				// The cluster is rebuilt, as far as the agent goes: its pod
				// and namespace are gone; the Cluster still shows the last
				// check-in.
				PreConfig: func() {
					agent.stop()
					wipeNamespace(t, down, agentSystemNS)
					wiped = time.Now()
					agent.start()
					warnings.Reset()
				},
				Taint:  []string{agentAddress},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					func(*terraform.State) error {
						seen, _, _ := unstructured.NestedString(acctest.FleetCluster(t, ns, "edge").Object, "status", "agent", "lastSeen")
						at, err := time.Parse(time.RFC3339, seen)
						if err != nil {
							return fmt.Errorf("status.agent.lastSeen %q: %w", seen, err)
						}
						if !at.After(wiped.Truncate(time.Second)) {
							return fmt.Errorf("the apply returned with the old agent's check-in (%s) before the new agent checked in (the namespace was wiped at %s)",
								seen, wiped.UTC().Format(time.RFC3339))
						}
						tokens := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns)
						if _, err := tokens.Get(ctx, "edge-agent-token", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
							return fmt.Errorf("the token the resource created is still there after registration (%v)", err)
						}
						return warnings.Contains("The fleet-agent release is gone", "the plan installs it again", "edge-agent-kubeconfig")
					},
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// TestAccAgentDestroyRemovesCredentials: in a cattle-fleet-system that was
// there before, a create that fails at the chart removes what it wrote (the
// proxy and pull secret on the Cluster, the pull Secret, the token; the
// client ID it generated stays, the Cluster's identity); a destroy removes the agent's credentials for the management
// cluster downstream and what the resource set on the Cluster, and leaves
// the namespace, which is not the provider's, and the client ID.
func TestAccAgentDestroyRemovesCredentials(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-destroy")
	if _, err := down.Core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: agentSystemNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A ConfigMap the chart would create, not Helm's: the install fails.
	blocker := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "fleet-agent", Namespace: agentSystemNS}}
	if _, err := down.Core.CoreV1().ConfigMaps(agentSystemNS).Create(ctx, blocker, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const pullSecret = `image_pull_secret = {
    server = "registry.corp:5000"
    username = "puller"
    password_wo = "pull-password"
    password_wo_version = 1
  }`
	config := agentConfig(ns, down.Kubeconfig, fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent")),
		proxyBlock("http://proxy.corp:3128")+"\n  "+pullSecret)
	secrets := down.Core.CoreV1().Secrets(agentSystemNS)
	var clientID string
	nothingOnCluster := func(wantClientID string) error {
		cluster := acctest.FleetCluster(t, ns, "edge")
		if env := clusterEnv(cluster); env["HTTPS_PROXY"] != "" {
			return fmt.Errorf("the Cluster keeps the proxy: %v", env)
		}
		if list, _, _ := unstructured.NestedSlice(cluster.Object, "spec", "agentPullSecrets"); len(list) > 0 {
			return fmt.Errorf("the Cluster keeps agentPullSecrets %v", list)
		}
		if id, _, _ := unstructured.NestedString(cluster.Object, "spec", "clientID"); id != wantClientID {
			return fmt.Errorf("Cluster spec.clientID is %q, want %q", id, wantClientID)
		}
		for _, field := range []string{"agentEnvVars", "agentPullSecrets"} {
			if acctest.ManagerOwns(cluster, agentManager, field) {
				return fmt.Errorf("%s still owns %s", agentManager, field)
			}
		}
		return nil
	}
	secretsGone := func(names ...string) error {
		for _, name := range names {
			if _, err := secrets.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("Secret %s/%s is still downstream (%v)", agentSystemNS, name, err)
			}
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: acctest.Fragments("Cannot install the fleet-agent chart", "ConfigMap", "fleet-agent"),
			},
			{
				PreConfig: func() {
					// The client ID stays: the Cluster's identity, the
					// downstream kube-system UID the next install uses.
					kubeSystem, err := down.Core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					if err := nothingOnCluster(string(kubeSystem.UID)); err != nil {
						t.Fatalf("the failed create left: %v", err)
					}
					if err := secretsGone("fleet-agent-pull-secret"); err != nil {
						t.Fatalf("the failed create left: %v", err)
					}
					tokens := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns)
					if _, err := tokens.Get(ctx, "edge-agent-token", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						t.Fatalf("the failed create left its token (%v)", err)
					}
					if err := down.Core.CoreV1().ConfigMaps(agentSystemNS).Delete(ctx, "fleet-agent", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttrWith(agentAddress, "client_id", func(v string) error { clientID = v; return nil }),
					func(*terraform.State) error {
						_, err := secrets.Get(ctx, "fleet-agent", metav1.GetOptions{}) // the agent's credentials
						return err
					},
				),
			},
			{
				Config: edgeClusterConfig(ns),
				Check: func(*terraform.State) error {
					if err := releaseGone(t, down); err != nil {
						return err
					}
					if err := secretsGone("fleet-agent", "fleet-agent-bootstrap", "fleet-agent-pull-secret"); err != nil {
						return err
					}
					if _, err := down.Core.CoreV1().Namespaces().Get(ctx, agentSystemNS, metav1.GetOptions{}); err != nil {
						return fmt.Errorf("destroy removed the namespace it did not create: %v", err)
					}
					return nothingOnCluster(clientID)
				},
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// TestAccAgentMovesToAnotherCluster: pointing kubernetes at another cluster
// plans a replacement (not an in-place update that fails or leaves the
// first agent running): the agent is uninstalled from the first cluster and
// installed into the second, whose identity the state records.
func TestAccAgentMovesToAnotherCluster(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	first, firstAgent := startAgentDownstream(t, "agent-move-a")
	second, secondAgent := startAgentDownstream(t, "agent-move-b")
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	config := func(down *testenv.Cluster, version int) string {
		c := agentConfig(ns, down.Kubeconfig, chart, "")
		return strings.Replace(c, "kubeconfig_wo_version = 1", fmt.Sprintf("kubeconfig_wo_version = %d", version), 1)
	}
	uid := func(down *testenv.Cluster) string {
		ns, err := down.Core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return string(ns.UID)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(first, 1),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr(agentAddress, "downstream_uid", uid(first)),
				),
			},
			{
				PreConfig: firstAgent.stop, // uninstalling the release ends its pod
				Config:    config(second, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr(agentAddress, "downstream_uid", uid(second)),
					func(*terraform.State) error {
						if err := releaseGone(t, first); err != nil {
							return fmt.Errorf("first cluster: %w", err)
						}
						_ = agentRelease(t, second)
						return nil
					},
				),
			},
		},
	})
	if err := secondAgent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// wipeNamespace deletes a namespace downstream and waits until it is gone.
func wipeNamespace(t *testing.T, down *testenv.Cluster, name string) {
	t.Helper()
	ctx := context.Background()
	if err := down.Core.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	acctest.WaitGone(t, "namespace "+name, func() error {
		_, err := down.Core.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		return err
	})
}
