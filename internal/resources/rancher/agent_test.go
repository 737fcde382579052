package rancher_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// rancherImportConfig imports down into Rancher: the cluster, its agent and
// the system-default-registry setting the import manifest picks up.
// createRancherSetting creates the Setting as Rancher does at start-up,
// empty by default, unless it exists.
func createRancherSetting(t *testing.T, name string) {
	t.Helper()
	if _, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": name}, "value": "", "default": "",
	}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

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
	down := acctest.StartDownstream(t, "rancher-import")
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns, Downstreams: []*testenv.Cluster{down}})
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	createRancherSetting(t, "system-default-registry")
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
					acctest.SecretOnlyInSensitiveValues("registration token", func() string { return registrationToken(t, clusterID) }),
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
				// The connection, rancher_ca, which objects the apply created
				// and the downstream identity (it needs the connection) cannot
				// be read back.
				ResourceName:            agent,
				ImportState:             true,
				ImportStateId:           ns + "/edge-1",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "kubernetes", "rancher_ca", "applied_objects", "downstream_uid"},
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
	down := acctest.StartDownstream(t, "rancher-failures")
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
  name      = "edge-2"
  namespace = %q
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
					Config: acctest.ProviderConfig() + fmt.Sprintf("resource \"fleet_rancher_cluster\" \"edge\" {\n  name      = \"edge-2\"\n  namespace = %q\n}\n", ns),
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
		secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
		warnings, factories := acctest.RecordWarnings()
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories,
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
				{
					// The stored kubeconfig is deleted by someone: refresh
					// warns and plans the update that stores it again.
					PreConfig: func() {
						if err := secrets.Delete(ctx, "edge-2-rancher-agent-kubeconfig", metav1.DeleteOptions{}); err != nil {
							t.Fatal(err)
						}
						warnings.Reset()
					},
					Config:             agentConfig(ns, standIn, wo),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("fleet_rancher_agent.edge", plancheck.ResourceActionUpdate),
						acctest.PlanCheck(func() error {
							return warnings.Contains("Cannot refresh from the downstream cluster", "edge-2-rancher-agent-kubeconfig", "is gone")
						}),
					}},
				},
				{
					Config: agentConfig(ns, standIn, wo),
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr("fleet_rancher_agent.edge", "drifted_objects.#", "0"),
						func(*terraform.State) error {
							s, err := secrets.Get(ctx, "edge-2-rancher-agent-kubeconfig", metav1.GetOptions{})
							if err != nil {
								return err
							}
							if string(s.Data["value"]) != kubeconfig {
								return fmt.Errorf("the apply did not store the configured kubeconfig again")
							}
							return nil
						},
					),
				},
			},
		})
	})
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
