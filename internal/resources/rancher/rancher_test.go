package rancher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/provider"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// The Rancher tests run against the real kube-apiserver with Rancher's real
// provisioning CRD; Rancher's own part is played by testenv.RancherStandIn
// (see its documentation for what it mirrors and what it does not).

// startRancher starts a Rancher stand-in for namespace, stopped when the
// test ends (before the namespace is deleted).
func startRancher(t *testing.T, opts testenv.RancherStandInOptions) *testenv.RancherStandIn {
	t.Helper()
	r, err := acctest.Env.StartRancherStandIn(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Err(); err != nil {
			t.Errorf("Rancher stand-in: %v", err)
		}
		r.Stop()
	})
	return r
}

func startDownstream(t *testing.T, name string) *testenv.Cluster {
	t.Helper()
	down, err := acctest.Env.StartDownstream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	return down
}

func rancherClusterConfig(ns, env string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_cluster" "edge" {
  name                 = "edge-1"
  fleet_workspace_name = %q
  labels               = { env = %q }
  agent_env_vars       = { LOG_LEVEL = "debug" }
  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  cluster_agent_deployment_customization = {
    append_tolerations = [{ key = "edge", operator = "Exists", effect = "NoSchedule" }]
    override_affinity  = jsonencode({ nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms = [{ matchExpressions = [{ key = "edge", operator = "In", values = ["true"] }] }] } } })
    override_resource_requirements = { limits = { memory = "512Mi" }, requests = { cpu = "0.1" } }
  }
  fleet_agent_deployment_customization = {
    append_tolerations = [{ key = "edge", operator = "Exists" }]
  }
}
`, ns, env)
}

// TestAccRancherCluster covers fleet_rancher_cluster: create waits for
// Rancher's registration, manifest_url carries the token from its Secret and
// is sensitive, import, drift, update and destroy (Rancher's cleanup).
func TestAccRancherCluster(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	startRancher(t, testenv.RancherStandInOptions{Namespace: ns})
	ctx := context.Background()
	clusters := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Clusters).Namespace(ns)
	const address = "fleet_rancher_cluster.edge"
	var clusterID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := clusters.Get(ctx, "edge-1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("provisioning Cluster %s/edge-1 still exists after destroy (%v)", ns, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: rancherClusterConfig(ns, "test"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/edge-1"),
					resource.TestCheckResourceAttrWith(address, "cluster_id", func(v string) error {
						if !strings.HasPrefix(v, "c-m-") {
							return fmt.Errorf("cluster_id %q is not Rancher's", v)
						}
						clusterID = v
						return nil
					}),
					resource.TestCheckResourceAttr(address, "ready", "false"),
					func(s *terraform.State) error {
						token := registrationToken(t, clusterID)
						want := fmt.Sprintf("/v3/import/%s_%s.yaml", token, clusterID)
						if url := s.RootModule().Resources[address].Primary.Attributes["manifest_url"]; !strings.HasSuffix(url, want) {
							return fmt.Errorf("manifest_url %q does not end in %q", url, want)
						}
						if cmd := s.RootModule().Resources[address].Primary.Attributes["registration_command"]; !strings.HasPrefix(cmd, "kubectl apply -f https://") || !strings.Contains(cmd, token) {
							return fmt.Errorf("registration_command %q lacks the token", cmd)
						}
						return nil
					},
					func(*terraform.State) error {
						c, err := clusters.Get(ctx, "edge-1", metav1.GetOptions{})
						if err != nil {
							return err
						}
						env, _, _ := unstructured.NestedSlice(c.Object, "spec", "agentEnvVars")
						names := map[string]bool{}
						for _, e := range env {
							names[e.(map[string]any)["name"].(string)] = true
						}
						for _, n := range []string{"LOG_LEVEL", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"} {
							if !names[n] {
								return fmt.Errorf("spec.agentEnvVars lacks %s: %v", n, env)
							}
						}
						if _, found, _ := unstructured.NestedMap(c.Object, "spec", "rkeConfig"); found {
							return fmt.Errorf("an imported cluster has no rkeConfig")
						}
						for _, f := range c.GetManagedFields() {
							if f.Operation == metav1.ManagedFieldsOperationApply && f.Manager != framework.FieldManager {
								return fmt.Errorf("unexpected apply manager %q", f.Manager)
							}
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(address, tfjsonpath.New("manifest_url")),
					statecheck.ExpectSensitiveValue(address, tfjsonpath.New("registration_command")),
					tokenOnlyInSensitiveValues(func() string { return registrationToken(t, clusterID) }),
				},
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/edge-1",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A plan right after import (an import block) changes nothing.
				Config:          rancherClusterConfig(ns, "test"),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/edge-1",
			},
			{
				// Labels and annotations Rancher and others add are not drift.
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"added-by":"someone-else"},"annotations":{"field.cattle.io/creatorId":"user-x"}}}`
					if _, err := clusters.Patch(ctx, "edge-1", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   rancherClusterConfig(ns, "test"),
				PlanOnly: true,
			},
			{
				// A managed field edited out of band is drift.
				PreConfig: func() {
					patch := `{"spec":{"agentEnvVars":[{"name":"LOG_LEVEL","value":"tampered"}]}}`
					if _, err := clusters.Patch(ctx, "edge-1", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             rancherClusterConfig(ns, "test"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Apply restores it, and updates the labels in place.
				Config: rancherClusterConfig(ns, "prod"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "agent_env_vars.LOG_LEVEL", "debug"),
					resource.TestCheckResourceAttr(address, "agent_proxy.https_proxy", "http://proxy.corp:3128"),
					resource.TestCheckResourceAttr(address, "labels.env", "prod"),
					resource.TestCheckResourceAttrWith(address, "cluster_id", func(v string) error {
						if v != clusterID {
							return fmt.Errorf("cluster_id changed from %s to %s", clusterID, v)
						}
						return nil
					}),
				),
			},
		},
	})
	// Rancher's cleanup removed the cluster's namespace with its token.
	acctest.WaitGone(t, "cluster namespace "+clusterID, func() error {
		_, err := acctest.Env.Upstream.Core.CoreV1().Namespaces().Get(ctx, clusterID, metav1.GetOptions{})
		return err
	})
}

// TestAccRancherClusterLegacyToken reads the token where Rancher before
// 2.13.8 kept it: in status.token and in the URL itself.
func TestAccRancherClusterLegacyToken(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	startRancher(t, testenv.RancherStandInOptions{Namespace: ns, LegacyToken: true})
	const address = "fleet_rancher_cluster.old"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_cluster" "old" {
  name                 = "old"
  fleet_workspace_name = %q
}
`, ns),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[address].Primary.Attributes
				crt, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.ClusterRegistrationTokens).Namespace(attrs["cluster_id"]).
					Get(context.Background(), rancherapi.DefaultTokenName, metav1.GetOptions{})
				if err != nil {
					return err
				}
				token, _, _ := unstructured.NestedString(crt.Object, "status", "token")
				if token == "" || !strings.Contains(attrs["manifest_url"], "/v3/import/"+token+"_") || strings.Contains(attrs["manifest_url"], "{token}") {
					return fmt.Errorf("manifest_url %q does not carry status.token", attrs["manifest_url"])
				}
				return nil
			},
		}},
	})
}

// rancherImportConfig imports down into Rancher: the cluster, its agent and
// the system-default-registry setting the import manifest picks up.
func rancherImportConfig(ns, env, kubeconfig, rancherCA string) string {
	return rancherClusterConfig(ns, env) + fmt.Sprintf(`
resource "fleet_rancher_setting" "registry" {
  name  = "system-default-registry"
  value = "registry.corp:5000"
}

resource "fleet_rancher_agent" "edge" {
  cluster    = fleet_rancher_cluster.edge.id
  rancher_ca = %q
  kubernetes = {
    config_path = %q
  }
  timeouts {
    create = "3m"
  }
  depends_on = [fleet_rancher_setting.registry]
}
`, rancherCA, kubeconfig)
}

// TestAccRancherImport imports a real downstream cluster through the Rancher
// stand-in: the manifest reaches the cluster with the proxy and the registry,
// Rancher reports it ready and creates its Fleet Cluster with the labels; the
// token never reaches the state unmarked; Rancher's own redeploy is no drift
// but out-of-band edits and deletions are; import; destroy removes what the
// import created and restores the setting.
func TestAccRancherImport(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down := startDownstream(t, "rancher-import")
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	// Rancher creates its settings at start-up, empty by default.
	if _, err := settings.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": "system-default-registry"}, "value": "", "default": "",
	}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	deployments := down.Core.AppsV1().Deployments("cattle-system")
	config := func(env string) string {
		return rancherImportConfig(ns, env, down.Kubeconfig, string(standIn.CAPEM))
	}
	const agent = "fleet_rancher_agent.edge"
	var clusterID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := down.Core.CoreV1().Namespaces().Get(ctx, "cattle-system", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("namespace cattle-system is still in the downstream cluster (%v)", err)
			}
			for _, crb := range []string{"cattle-admin-binding", "proxy-role-binding-kubernetes-master"} {
				if _, err := down.Core.RbacV1().ClusterRoleBindings().Get(ctx, crb, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("ClusterRoleBinding %s is still in the downstream cluster (%v)", crb, err)
				}
			}
			s, err := settings.Get(ctx, "system-default-registry", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if v, _, _ := unstructured.NestedString(s.Object, "value"); v != "" {
				return fmt.Errorf("system-default-registry was not restored: %q", v)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("test"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agent, "id", ns+"/edge-1"),
					resource.TestCheckResourceAttrPair(agent, "cluster_id", "fleet_rancher_cluster.edge", "cluster_id"),
					resource.TestCheckResourceAttr(agent, "drifted_objects.#", "0"),
					resource.TestCheckResourceAttr(agent, "applied_objects.#", "9"),
					resource.TestCheckTypeSetElemNestedAttrs(agent, "applied_objects.*", map[string]string{
						"api_version": "apps/v1", "kind": "Deployment", "namespace": "cattle-system", "name": "cattle-cluster-agent", "created": "true",
					}),
					resource.TestCheckTypeSetElemNestedAttrs(agent, "applied_objects.*", map[string]string{
						"kind": "ClusterRoleBinding", "namespace": "", "name": "cattle-admin-binding",
					}),
					resource.TestCheckResourceAttrWith(agent, "cluster_id", func(v string) error { clusterID = v; return nil }),
					func(*terraform.State) error { return checkCattleClusterAgent(ctx, deployments) },
					func(*terraform.State) error { return checkRancherReady(ctx, ns, "edge-1") },
					func(*terraform.State) error { return waitFleetClusterLabels(ctx, ns, "edge-1", "test") },
				),
				ConfigStateChecks: []statecheck.StateCheck{
					tokenOnlyInSensitiveValues(func() string { return registrationToken(t, clusterID) }),
				},
			},
			{
				// Rancher redeploys its agent once connected (kubectl apply,
				// taking over some of the Deployment's fields): not drift.
				PreConfig: func() { waitRancherRedeploy(t, deployments) },
				Config:    config("test"),
				PlanOnly:  true,
			},
			{
				// Someone edits the agent: a refresh names it, the plan re-applies.
				PreConfig: func() {
					patch := `{"spec":{"template":{"spec":{"containers":[{"name":"cluster-register","image":"example.com/other:1"}]}}}}`
					if _, err := deployments.Patch(ctx, "cattle-cluster-agent", k8stypes.StrategicMergePatchType, []byte(patch),
						metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.TestCheckResourceAttr(agent, "drifted_objects.0",
					"apps/v1 Deployment cattle-system/cattle-cluster-agent: changed by kubectl-edit"),
			},
			{
				Config:             config("test"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted out of band as well; apply restores both.
				PreConfig: func() {
					if err := down.Core.RbacV1().ClusterRoleBindings().Delete(ctx, "cattle-admin-binding", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("test"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agent, "drifted_objects.#", "0"),
					func(*terraform.State) error {
						if _, err := down.Core.RbacV1().ClusterRoleBindings().Get(ctx, "cattle-admin-binding", metav1.GetOptions{}); err != nil {
							return fmt.Errorf("apply did not restore the binding: %w", err)
						}
						return checkCattleClusterAgent(ctx, deployments)
					},
				),
			},
			{
				Config:   config("test"),
				PlanOnly: true,
			},
			{
				// The connection, rancher_ca and which objects the apply created
				// cannot be read back.
				ResourceName:            agent,
				ImportState:             true,
				ImportStateId:           ns + "/edge-1",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "kubernetes", "rancher_ca", "applied_objects"},
			},
			{
				// So the plan after an import block records the connection: an
				// update in place, which re-applies the manifest idempotently.
				Config:             config("test"),
				ResourceName:       agent,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ImportStateId:      ns + "/edge-1",
				ExpectNonEmptyPlan: true,
			},
			{
				ResourceName:      "fleet_rancher_setting.registry",
				ImportState:       true,
				ImportStateId:     "system-default-registry",
				ImportStateVerify: true,
			},
			{
				Config:          config("test"),
				ResourceName:    "fleet_rancher_setting.registry",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "system-default-registry",
			},
			{
				// New labels reach the Fleet Cluster Rancher owns, which
				// fleet_gitrepo targets select.
				Config: config("prod"),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return waitFleetClusterLabels(ctx, ns, "edge-1", "prod") },
				),
			},
		},
	})
}

// TestAccRancherImportFailures: a missing token and an unreachable manifest
// URL fail with a clear error before anything reaches the downstream
// cluster; an error Rancher reports fails the wait early with Rancher's
// message; kubeconfig_wo works for refresh and destroy through the Secret
// the provider keeps.
func TestAccRancherImportFailures(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	down := startDownstream(t, "rancher-failures")
	nothingDownstream := func() error {
		if _, err := down.Core.CoreV1().Namespaces().Get(ctx, "cattle-system", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the failed import left namespace cattle-system downstream (%v)", err)
		}
		if _, err := down.Core.RbacV1().ClusterRoles().Get(ctx, "cattle-admin", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the failed import left ClusterRole cattle-admin downstream (%v)", err)
		}
		return nil
	}
	agentConfig := func(ns string, standIn *testenv.RancherStandIn, extra string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_cluster" "edge" {
  name                 = "edge-2"
  fleet_workspace_name = %q
}

resource "fleet_rancher_agent" "edge" {
  cluster    = fleet_rancher_cluster.edge.id
  rancher_ca = %q
  kubernetes = {
    %s
  }
  timeouts {
    create = "2m"
  }
}
`, ns, string(standIn.CAPEM), extra)
	}
	configPath := fmt.Sprintf("config_path = %q", down.Kubeconfig)

	t.Run("missing token", func(t *testing.T) {
		ns := acctest.Namespace(t)
		standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config: acctest.ProviderConfig() + fmt.Sprintf("resource \"fleet_rancher_cluster\" \"edge\" {\n  name = \"edge-2\"\n  fleet_workspace_name = %q\n}\n", ns),
				},
				{
					// The token's Secret is gone (Rancher 2.13.8+ keeps the token
					// only there): the URL would carry a literal {token}.
					PreConfig: func() {
						id := rancherClusterID(t, ns, "edge-2")
						if err := acctest.Env.Upstream.Core.CoreV1().Secrets(id).Delete(ctx, "crt-token-default-token", metav1.DeleteOptions{}); err != nil {
							t.Fatal(err)
						}
					},
					Config:      agentConfig(ns, standIn, configPath),
					ExpectError: wrappedError("The cluster cannot be imported yet", "registration token is not in Secret c-m-", "/crt-token-default-token"),
				},
			},
		})
		if err := nothingDownstream(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("unreachable manifest URL", func(t *testing.T) {
		ns := acctest.Namespace(t)
		standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down},
			ServerURL: "https://127.0.0.1:1"})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      agentConfig(ns, standIn, configPath),
				ExpectError: wrappedError("Cannot download Rancher's import manifest", "https://127.0.0.1:1/v3/import/<token>_c-m-", ".yaml", "connection refused"),
			}},
		})
		if err := nothingDownstream(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		ns := acctest.Namespace(t)
		standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
		config := strings.Replace(agentConfig(ns, standIn, configPath), fmt.Sprintf("rancher_ca = %q", string(standIn.CAPEM)), "", 1)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      config,
				ExpectError: wrappedError("Cannot download Rancher's import manifest", "certificate signed by unknown authority", "(set rancher_ca"),
			}},
		})
		if err := nothingDownstream(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Rancher reports an error", func(t *testing.T) {
		ns := acctest.Namespace(t)
		standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
		standIn.SetClusterError("edge-2", "cannot deploy the cluster agent: quota exceeded")
		var began time.Time
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				PreConfig:   func() { began = time.Now() },
				Config:      agentConfig(ns, standIn, configPath),
				ExpectError: wrappedError("is not ready", "Rancher reports an error: Ready: cannot deploy the cluster agent: quota exceeded"),
			}},
		})
		// Early: well before the 2m create timeout.
		if took := time.Since(began); took > 90*time.Second {
			t.Fatalf("the wait took %s: it did not fail early", took)
		}
		// The applied objects were in state, so destroy removed them.
		if err := nothingDownstream(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("kubeconfig_wo", func(t *testing.T) {
		ns := acctest.Namespace(t)
		standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
		wo := fmt.Sprintf("kubeconfig_wo = file(%q)\n    kubeconfig_wo_version = 1", down.Kubeconfig)
		kubeconfig := readFile(t, down.Kubeconfig)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy: func(*terraform.State) error {
				if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, "edge-2-rancher-agent-kubeconfig", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("the kubeconfig Secret outlived the resource (%v)", err)
				}
				return nothingDownstream()
			},
			Steps: []resource.TestStep{
				{
					Config: agentConfig(ns, standIn, wo),
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckNoResourceAttr("fleet_rancher_agent.edge", "kubernetes.kubeconfig_wo"),
						acctest.StateNeverContains(strings.TrimSpace(kubeconfig), acctest.KubeconfigKeyData(t, []byte(kubeconfig))),
						func(*terraform.State) error { return checkRancherReady(ctx, ns, "edge-2") },
					),
				},
				{
					// Refresh reaches the cluster through the stored kubeconfig:
					// a deletion is drift.
					PreConfig: func() {
						if err := down.Core.CoreV1().Services("cattle-system").Delete(ctx, "cattle-cluster-agent", metav1.DeleteOptions{}); err != nil {
							t.Fatal(err)
						}
					},
					Config:             agentConfig(ns, standIn, wo),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				},
			},
		})
	})
}

// TestAccRancherSetting: create remembers the previous value and destroy
// restores it; a setting that did not exist is created and deleted.
func TestAccRancherSetting(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	if err := acctest.Env.InstallRancherCRDs(ctx); err != nil {
		t.Fatal(err)
	}
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	ns := acctest.Namespace(t) // only for unique setting names: settings are cluster-scoped
	existing, created := ns+"-existing", ns+"-new"
	if _, err := settings.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": existing}, "value": "before", "default": "factory",
	}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = settings.Delete(ctx, existing, metav1.DeleteOptions{}) })
	config := func(value string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_setting" "existing" {
  name  = %q
  value = %q
}

resource "fleet_rancher_setting" "created" {
  name  = %q
  value = "x"
}
`, existing, value, created)
	}
	value := func(name string) (string, error) {
		s, err := settings.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		v, _, _ := unstructured.NestedString(s.Object, "value")
		return v, nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if v, err := value(existing); err != nil || v != "before" {
				return fmt.Errorf("setting %s was not restored: %q (%v)", existing, v, err)
			}
			if _, err := value(created); !apierrors.IsNotFound(err) {
				return fmt.Errorf("setting %s, created by the provider, outlived it (%v)", created, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("after"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_rancher_setting.existing", "default", "factory"),
					func(*terraform.State) error {
						if v, err := value(existing); err != nil || v != "after" {
							return fmt.Errorf("value %q (%v)", v, err)
						}
						return nil
					},
				),
			},
			{
				// Changed out of band: drift.
				PreConfig: func() {
					if _, err := settings.Patch(ctx, existing, k8stypes.MergePatchType, []byte(`{"value":"other"}`),
						metav1.PatchOptions{FieldManager: "rancher"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config("after"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(""),
				Check:  resource.TestCheckResourceAttr("fleet_rancher_setting.existing", "value", ""),
			},
		},
	})
}

// wrappedError matches an error holding the parts in order, however
// Terraform wraps its lines.
func wrappedError(parts ...string) *regexp.Regexp {
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// registrationToken reads the token Rancher (the stand-in) keeps for a cluster.
func registrationToken(t *testing.T, clusterID string) string {
	t.Helper()
	secret, err := acctest.Env.Upstream.Core.CoreV1().Secrets(clusterID).Get(context.Background(), "crt-token-default-token", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("registration token of %s: %v", clusterID, err)
	}
	return string(secret.Data["token"])
}

func rancherClusterID(t *testing.T, ns, name string) string {
	t.Helper()
	c, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Clusters).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := unstructured.NestedString(c.Object, "status", "clusterName")
	return id
}

// tokenOnlyInSensitiveValues greps the state (terraform show -json) for the
// registration token: every value holding it must be marked sensitive.
func tokenOnlyInSensitiveValues(token func() string) statecheck.StateCheck {
	return tokenCheck{token}
}

type tokenCheck struct{ token func() string }

func (c tokenCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	token := c.token()
	if len(token) < 20 {
		resp.Error = fmt.Errorf("implausible token %q", token)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		var sensitive any
		if len(r.SensitiveValues) > 0 {
			if err := json.Unmarshal(r.SensitiveValues, &sensitive); err != nil {
				resp.Error = err
				return
			}
		}
		var values any = r.AttributeValues
		if err := findUnmarked(values, sensitive, token, r.Address); err != nil {
			resp.Error = err
			return
		}
	}
}

// findUnmarked walks values alongside Terraform's sensitive_values tree
// (true marks a sensitive value or subtree).
func findUnmarked(values, sensitive any, token, at string) error {
	if b, ok := sensitive.(bool); ok && b {
		return nil
	}
	switch v := values.(type) {
	case string:
		if strings.Contains(v, token) {
			return fmt.Errorf("%s holds the registration token and is not marked sensitive", at)
		}
	case map[string]any:
		s, _ := sensitive.(map[string]any)
		for k, child := range v {
			if err := findUnmarked(child, s[k], token, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		s, _ := sensitive.([]any)
		for i, child := range v {
			var sc any
			if i < len(s) {
				sc = s[i]
			}
			if err := findUnmarked(child, sc, token, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCattleClusterAgent checks the agent Deployment the import manifest
// created downstream: the proxy variables of fleet_rancher_cluster, the
// image prefixed with system-default-registry, and the customization.
func checkCattleClusterAgent(ctx context.Context, deployments interface {
	Get(context.Context, string, metav1.GetOptions) (*appsv1.Deployment, error)
}) error {
	d, err := deployments.Get(ctx, "cattle-cluster-agent", metav1.GetOptions{})
	if err != nil {
		return err
	}
	c := d.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	for name, want := range map[string]string{
		"HTTPS_PROXY": "http://proxy.corp:3128", "https_proxy": "http://proxy.corp:3128",
		"NO_PROXY": "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local", "LOG_LEVEL": "debug",
	} {
		if env[name] != want {
			return fmt.Errorf("cattle-cluster-agent has %s=%q, want %q", name, env[name], want)
		}
	}
	if c.Image != "registry.corp:5000/rancher/rancher-agent:v2.15.0" {
		return fmt.Errorf("cattle-cluster-agent image %q lacks the system-default-registry prefix", c.Image)
	}
	if mem := c.Resources.Limits[corev1.ResourceMemory]; mem.String() != "512Mi" {
		return fmt.Errorf("cattle-cluster-agent memory limit %q", mem.String())
	}
	found := false
	for _, tol := range d.Spec.Template.Spec.Tolerations {
		found = found || tol.Key == "edge"
	}
	if !found {
		return fmt.Errorf("cattle-cluster-agent lacks the appended toleration: %v", d.Spec.Template.Spec.Tolerations)
	}
	return nil
}

func checkRancherReady(ctx context.Context, ns, name string) error {
	c, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Clusters).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if ready, _, _ := unstructured.NestedBool(c.Object, "status", "ready"); !ready {
		return fmt.Errorf("Rancher does not report %s/%s ready", ns, name)
	}
	return nil
}

// waitFleetClusterLabels waits for the Fleet Cluster Rancher creates for an
// imported cluster, labelled like it.
func waitFleetClusterLabels(ctx context.Context, ns, name, env string) error {
	var last string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		c, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			continue
		}
		labels := c.GetLabels()
		if labels["env"] == env && strings.HasPrefix(labels["management.cattle.io/cluster-name"], "c-m-") {
			return nil
		}
		last = fmt.Sprintf("labels %v", labels)
	}
	return fmt.Errorf("no Fleet Cluster %s/%s with env=%s: %s", ns, name, env, last)
}

func waitRancherRedeploy(t *testing.T, deployments interface {
	Get(context.Context, string, metav1.GetOptions) (*appsv1.Deployment, error)
}) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		d, err := deployments.Get(context.Background(), "cattle-cluster-agent", metav1.GetOptions{})
		if err == nil {
			for _, e := range d.Spec.Template.Spec.Containers[0].Env {
				if e.Name == "CATTLE_FEATURES" {
					return
				}
			}
		}
	}
	t.Fatal("Rancher's redeploy of its agent did not happen")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestAccRancherImportExample applies examples/rancher-import as written, with
// two real downstream clusters and the Rancher stand-in serving Rancher's
// fleet-default workspace: both clusters are imported with the proxy, the
// registry setting reaches their agents, the GitRepo targets the Fleet
// Clusters Rancher created by label, a second plan is empty, and destroy
// removes the agents. The terraform CLI runs it against the provider served
// in-process: terraform-plugin-testing cannot read for_each state back.
func TestAccRancherImportExample(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	namespaces := acctest.Env.Upstream.Core.CoreV1().Namespaces()
	if _, err := namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rancherapi.DefaultWorkspace}}, metav1.CreateOptions{}); err == nil {
		t.Cleanup(func() { _ = namespaces.Delete(ctx, rancherapi.DefaultWorkspace, metav1.DeleteOptions{}) })
	} else if !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	downs := []*testenv.Cluster{startDownstream(t, "store-a"), startDownstream(t, "store-b")}
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: rancherapi.DefaultWorkspace, Downstreams: downs})
	if _, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings).Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": "system-default-registry"}, "value": "", "default": "",
	}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	dir := t.TempDir()
	example, err := os.ReadFile("../../../examples/rancher-import/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	suffix := strings.ToLower(rand.String(4))
	names := []string{"store-a-" + suffix, "store-b-" + suffix}
	clusters := map[string]any{}
	for i, name := range names {
		clusters[name] = map[string]any{"kubeconfig": downs[i].Kubeconfig, "labels": map[string]string{"env": "test", "tier": "store"}}
	}
	vars, err := json.Marshal(map[string]any{
		"management_kubeconfig": acctest.Env.Upstream.Kubeconfig,
		"rancher_ca_file":       filepath.Join(dir, "rancher-ca.pem"),
		"clusters":              clusters,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"main.tf": example, "terraform.tfvars.json": vars, "rancher-ca.pem": standIn.CAPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	terraform := terraformWithProvider(t, dir)
	terraform("init", "-input=false")
	t.Cleanup(func() { terraform("destroy", "-auto-approve", "-input=false") })
	terraform("apply", "-auto-approve", "-input=false")

	for i, name := range names {
		if err := checkRancherReady(ctx, rancherapi.DefaultWorkspace, name); err != nil {
			t.Error(err)
		}
		if err := waitFleetClusterLabels(ctx, rancherapi.DefaultWorkspace, name, "test"); err != nil {
			t.Error(err)
		}
		d, err := downs[i].Core.AppsV1().Deployments("cattle-system").Get(ctx, "cattle-cluster-agent", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := d.Spec.Template.Spec.Containers[0]
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		if env["HTTPS_PROXY"] != "http://proxy.corp:3128" || env["http_proxy"] != "http://proxy.corp:3128" || !strings.HasPrefix(c.Image, "registry.corp:5000/") {
			t.Errorf("%s: agent image %q, env %v", name, c.Image, env)
		}
	}
	repo, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Resource("gitrepos")).Namespace(rancherapi.DefaultWorkspace).
		Get(ctx, "store-apps", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	targets, _, _ := unstructured.NestedSlice(repo.Object, "spec", "targets")
	if fmt.Sprint(targets) != "[map[clusterSelector:map[matchLabels:map[tier:store]] name:stores]]" {
		t.Errorf("GitRepo targets %v", targets)
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	terraform("plan", "-input=false", "-detailed-exitcode")
}

// terraformWithProvider returns a runner of the terraform CLI in dir, with
// the provider served in-process as fleetform/fleet (Terraform reattaches to
// it instead of installing it). A failing command fails the test.
func terraformWithProvider(t *testing.T, dir string) func(args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	go func() {
		err := tf6server.Serve("registry.terraform.io/fleetform/fleet", providerserver.NewProtocol6(provider.New("test")()),
			tf6server.WithDebug(ctx, configCh, closeCh), tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serve the provider: %v", err)
		}
	}()
	cfg := <-configCh
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})
	reattach, err := json.Marshal(map[string]any{"registry.terraform.io/fleetform/fleet": map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
		"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) {
		t.Helper()
		cmd := exec.Command("terraform", append([]string{args[0], "-no-color"}, args[1:]...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
