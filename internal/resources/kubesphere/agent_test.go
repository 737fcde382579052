package kubesphere_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// memberConfig joins a member: the cluster on the host and the agent in
// the member, with its own proxy, tolerations, resources and replicas.
func memberConfig(name, kubernetes, agentExtra string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_kubesphere_cluster" "member" {
  name = %q
}

resource "fleet_kubesphere_agent" "member" {
  cluster  = fleet_kubesphere_cluster.member.name
  replicas = 2
  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  tolerations = [{ key = "edge", operator = "Exists", effect = "NoSchedule" }]
  resources   = { limits = { memory = "256Mi" }, requests = { cpu = "50m" } }
  kubernetes = {
    %s
  }
  %s
  timeouts {
    create = "2m"
  }
}
`, name, kubernetes, agentExtra)
}

// TestAccKubeSphereAgent joins a real member cluster to a 4.x host played by
// the stand-in, with the proxy address the host's Tower LoadBalancer
// publishes: the agent manifest reaches the member with the token, the
// address and the agent's proxy variables, Tower reports the agent
// connected and KubeSphere the cluster Ready; the token and the kubeconfig
// Tower issues never reach the state unmarked; edits and deletions in the
// member are drift that apply restores; import; destroy removes what the
// apply created.
func TestAccKubeSphereAgent(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	member := acctest.StartDownstream(t, "ks-member")
	standIn := startKubeSphere(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test", Members: []*testenv.Cluster{member}})
	config := memberConfig("ks-member-1", fmt.Sprintf("config_path = %q", member.Kubeconfig), "")
	const agent = "fleet_kubesphere_agent.member"
	deployments := member.Core.AppsV1().Deployments("kubesphere-system")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := member.Core.CoreV1().Namespaces().Get(ctx, "kubesphere-system", metav1.GetOptions{}); err == nil {
				if ns, _ := member.Core.CoreV1().Namespaces().Get(ctx, "kubesphere-system", metav1.GetOptions{}); ns.DeletionTimestamp == nil {
					return fmt.Errorf("namespace kubesphere-system is still in the member")
				}
			}
			if _, err := member.Core.RbacV1().ClusterRoleBindings().Get(ctx, "tower", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("ClusterRoleBinding tower is still in the member (%v)", err)
			}
			if _, err := ksCluster(ctx, "ks-member-1"); !apierrors.IsNotFound(err) {
				return fmt.Errorf("Cluster ks-member-1 is still on the host (%v)", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agent, "id", "ks-member-1"),
					resource.TestCheckResourceAttr(agent, "proxy_server", "http://tower.lb.test:8080"),
					resource.TestCheckResourceAttr(agent, "image", "kubesphere/tower:v0.2.1"),
					resource.TestCheckResourceAttr(agent, "kubesphere_major_version", "4"),
					resource.TestCheckResourceAttr(agent, "drifted_objects.#", "0"),
					resource.TestCheckResourceAttr(agent, "applied_objects.#", "4"),
					resource.TestCheckTypeSetElemNestedAttrs(agent, "applied_objects.*", map[string]string{
						"api_version": "apps/v1", "kind": "Deployment", "namespace": "kubesphere-system", "name": "cluster-agent", "created": "true",
					}),
					resource.TestCheckTypeSetElemNestedAttrs(agent, "applied_objects.*", map[string]string{
						"kind": "ClusterRoleBinding", "namespace": "", "name": "tower", "created": "true",
					}),
					func(*terraform.State) error {
						return checkAgentDeployment(ctx, member, clusterToken(t, "ks-member-1"), standIn.PublishedAddress())
					},
					func(*terraform.State) error { return waitCondition(ctx, "ks-member-1", "Ready", "True") },
					func(*terraform.State) error { return waitCondition(ctx, "ks-member-1", "KSCoreReady", "True") },
				),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.SecretOnlyInSensitiveValues("agent token", func() string { return clusterToken(t, "ks-member-1") }),
					acctest.SecretOnlyInSensitiveValues("kubeconfig Tower issued", func() string {
						return acctest.KubeconfigKeyData(t, []byte(towerKubeconfig(t, "ks-member-1")))
					}),
				},
			},
			{
				// The cluster reads Ready and KubeSphere's versions on refresh.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_kubesphere_cluster.member", "ready", "true"),
					resource.TestCheckResourceAttr("fleet_kubesphere_cluster.member", "kubesphere_version", "v4.1.3"),
					resource.TestCheckResourceAttrWith("fleet_kubesphere_cluster.member", "uid", acctest.NonEmpty),
				),
			},
			{
				Config:   config,
				PlanOnly: true,
			},
			{
				// Someone edits the agent: a refresh names it, the plan re-applies.
				PreConfig: func() {
					patch := `{"spec":{"template":{"spec":{"containers":[{"name":"agent","image":"example.com/other:1"}]}}}}`
					if _, err := deployments.Patch(ctx, "cluster-agent", k8stypes.StrategicMergePatchType, []byte(patch),
						metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.TestCheckResourceAttr(agent, "drifted_objects.0",
					"apps/v1 Deployment kubesphere-system/cluster-agent: changed by kubectl-edit"),
			},
			{
				// Deleted out of band as well; apply restores both.
				PreConfig: func() {
					if err := member.Core.RbacV1().ClusterRoleBindings().Delete(ctx, "tower", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agent, "drifted_objects.#", "0"),
					func(*terraform.State) error {
						if _, err := member.Core.RbacV1().ClusterRoleBindings().Get(ctx, "tower", metav1.GetOptions{}); err != nil {
							return fmt.Errorf("apply did not restore the binding: %w", err)
						}
						return checkAgentDeployment(ctx, member, clusterToken(t, "ks-member-1"), standIn.PublishedAddress())
					},
				),
			},
			{
				Config:   config,
				PlanOnly: true,
			},
			{
				// What was rendered from the configuration and which objects
				// the apply created cannot be read back without the connection.
				ResourceName:      agent,
				ImportState:       true,
				ImportStateId:     "ks-member-1",
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "kubernetes", "applied_objects", "proxy_server", "image", "replicas",
					"resources", "tolerations", "agent_proxy", "kubesphere_major_version"},
			},
			{
				// So the plan after an import block records them: an update in
				// place, which applies the same manifest again.
				Config:             config,
				ResourceName:       agent,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ImportStateId:      "ks-member-1",
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// checkAgentDeployment checks the agent KubeSphere's manifest runs in the
// member: its flags, its proxy variables, the customization.
func checkAgentDeployment(ctx context.Context, member *testenv.Cluster, token, proxyServer string) error {
	args, c, err := agentArgs(ctx, member)
	if err != nil {
		return err
	}
	if args["name"] != "ks-member-1" || args["token"] != token || args["proxy-server"] != proxyServer || args["keepalive"] != "10s" {
		return fmt.Errorf("agent flags %v do not carry the cluster's name, token and %s", args, proxyServer)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["HTTPS_PROXY"] != "http://proxy.corp:3128" || env["https_proxy"] != "http://proxy.corp:3128" || !strings.Contains(env["NO_PROXY"], ".svc") {
		return fmt.Errorf("agent env %v lacks agent_proxy", env)
	}
	if mem := c.Resources.Limits.Memory(); mem.String() != "256Mi" || c.Image != "kubesphere/tower:v0.2.1" {
		return fmt.Errorf("agent image %s, memory limit %s", c.Image, mem)
	}
	d, err := member.Core.AppsV1().Deployments("kubesphere-system").Get(ctx, "cluster-agent", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.ServiceAccountName != "tower" || len(d.Spec.Template.Spec.Tolerations) != 1 {
		return fmt.Errorf("agent replicas %d, service account %q, tolerations %v", *d.Spec.Replicas,
			d.Spec.Template.Spec.ServiceAccountName, d.Spec.Template.Spec.Tolerations)
	}
	return nil
}
