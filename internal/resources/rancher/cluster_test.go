package rancher_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func rancherClusterConfig(ns, env string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_cluster" "edge" {
  name           = "edge-1"
  namespace      = %q
  labels         = { env = %q }
  agent_env_vars = { LOG_LEVEL = "debug" }
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
					acctest.SecretOnlyInSensitiveValues("registration token", func() string { return registrationToken(t, clusterID) }),
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
// 2.13.8 kept it: in status.token and in the URL itself. The cluster's
// namespace is left out: it is the provider's default_namespace.
func TestAccRancherClusterLegacyToken(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	startRancher(t, testenv.RancherStandInOptions{Namespace: ns, LegacyToken: true})
	const address = "fleet_rancher_cluster.old"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "fleet" {
  config_path       = %q
  default_namespace = %q
}

resource "fleet_rancher_cluster" "old" {
  name = "old"
}
`, acctest.Env.Upstream.Kubeconfig, ns),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[address].Primary.Attributes
				if attrs["namespace"] != ns || attrs["id"] != ns+"/old" {
					return fmt.Errorf("namespace %q, id %q: want the provider's default_namespace %q", attrs["namespace"], attrs["id"], ns)
				}
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
