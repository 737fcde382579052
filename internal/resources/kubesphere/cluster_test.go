package kubesphere_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func clusterConfig(group string, external bool) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_kubesphere_cluster" "edge" {
  name                      = "ks-edge-1"
  cluster_provider          = "on-prem"
  description               = "store behind the firewall"
  labels                    = { "cluster.kubesphere.io/group" = %q }
  annotations               = { "example.com/owner" = "platform" }
  external_kube_api_enabled = %t
  ks_core_values = <<-YAML
    # the host installs ks-core in the member with these values
    console:
      enabled: false
  YAML
}
`, group, external)
}

// TestAccKubeSphereCluster covers fleet_kubesphere_cluster against the
// stand-in's Tower: create waits for Initialized and a token, the proxy
// connection and joinFederation are set, Tower's ports, endpoints and
// token are neither clobbered by updates nor shown as drift, the token is
// not in state, import (verify, and an import block with an empty plan),
// drift of a managed label, the external API endpoint, and destroy waits
// for KubeSphere's finalizer and Tower's Service goes with it.
func TestAccKubeSphereCluster(t *testing.T) {
	acctest.PreCheck(t)
	startKubeSphere(t, testenv.KubeSphereStandInOptions{})
	ctx := context.Background()
	const address = "fleet_kubesphere_cluster.edge"
	var token string
	services := acctest.Env.Upstream.Core.CoreV1().Services("kubesphere-system")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := ksCluster(ctx, "ks-edge-1"); !apierrors.IsNotFound(err) {
				return fmt.Errorf("Cluster ks-edge-1 still exists after destroy (%v)", err)
			}
			if _, err := services.Get(ctx, "mc-ks-edge-1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("Tower's Service mc-ks-edge-1 outlived the cluster (%v)", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: clusterConfig("production", false),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", "ks-edge-1"),
					resource.TestCheckResourceAttr(address, "ready", "false"),
					resource.TestCheckResourceAttrWith(address, "kubernetes_api_server_port", func(v string) error {
						if port, _ := strconv.Atoi(v); port < 6000 || port > 7000 {
							return fmt.Errorf("port %s is not Tower's", v)
						}
						return nil
					}),
					resource.TestCheckResourceAttrWith(address, "kubernetes_api_endpoint", func(v string) error {
						svc, err := services.Get(ctx, "mc-ks-edge-1", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if want := "https://" + svc.Spec.ClusterIP + ":6443"; v != want {
							return fmt.Errorf("kubernetes_api_endpoint %q, want %q", v, want)
						}
						return nil
					}),
					resource.TestCheckResourceAttr(address, "conditions.0.type", "Initialized"),
					resource.TestCheckResourceAttr(address, "conditions.0.message", "Cluster has been initialized"),
					func(*terraform.State) error {
						c, err := ksCluster(ctx, "ks-edge-1")
						if err != nil {
							return err
						}
						spec, _, _ := unstructured.NestedMap(c.Object, "spec")
						conn, _ := spec["connection"].(map[string]any)
						if spec["joinFederation"] != true || conn["type"] != "proxy" || spec["provider"] != "on-prem" {
							return fmt.Errorf("spec %v lacks the proxy connection, joinFederation or provider", spec)
						}
						if c.GetAnnotations()["kubesphere.io/description"] != "store behind the firewall" {
							return fmt.Errorf("annotations %v lack the description", c.GetAnnotations())
						}
						if token, _ = conn["token"].(string); len(token) != 64 {
							return fmt.Errorf("Tower's token %q", token)
						}
						return acctest.SoleApplyManagerIsProvider(c)
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.SecretOnlyInSensitiveValues("agent token", func() string { return clusterToken(t, "ks-edge-1") }),
				},
			},
			{
				Config:   clusterConfig("production", false),
				PlanOnly: true,
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           "ks-edge-1",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config:          clusterConfig("production", false),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "ks-edge-1",
			},
			{
				// A managed label edited out of band is drift.
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"cluster.kubesphere.io/group":"testing"}}}`
					if _, err := clusters().Patch(ctx, "ks-edge-1", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             clusterConfig("production", false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// An update restores it and publishes the API; Tower's token,
				// ports and endpoints stay as Tower wrote them.
				Config: clusterConfig("staging", true),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "labels.cluster.kubesphere.io/group", "staging"),
					func(*terraform.State) error {
						if now := clusterToken(t, "ks-edge-1"); now != token {
							return fmt.Errorf("the update changed Tower's token")
						}
						// Tower's step runs after the update, in its own time.
						err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
							svc, err := services.Get(ctx, "mc-ks-edge-1", metav1.GetOptions{})
							return err == nil && svc.Spec.Type == "LoadBalancer", nil
						})
						if err != nil {
							return fmt.Errorf("Tower did not publish mc-ks-edge-1 (%v)", err)
						}
						return nil
					},
				),
			},
			{
				// Tower fills in the external endpoint; a refresh reads it.
				PreConfig:    func() { waitExternalEndpoint(t, "ks-edge-1") },
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(address, "external_kubernetes_api_endpoint", "https://ks-edge-1.lb.test:6443"),
			},
			{
				Config:   clusterConfig("staging", true),
				PlanOnly: true,
			},
		},
	})
}

func waitExternalEndpoint(t *testing.T, name string) {
	t.Helper()
	err := waitCondition(context.Background(), name, "ExternalAccessReady", "True")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ksCluster(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if e, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "externalKubernetesAPIEndpoint"); !strings.HasSuffix(e, ":6443") {
		t.Fatalf("externalKubernetesAPIEndpoint %q", e)
	}
}
