package clusters_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// The compatibility suite of the cluster resources: it runs against every
// Fleet release (see acctest.LifecycleSteps).

// compatClusterConfig is a fleet_cluster with what every release has, plus extra.
func compatClusterConfig(ns, extra string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name           = "edge"
  namespace      = %q
  labels         = { env = "prod" }
  client_id      = "edge-client"
  agent_env_vars = { LOG_LEVEL = "debug" }
  agent_tolerations = [{ key = "dedicated", operator = "Equal", value = "fleet", effect = "NoSchedule" }]
  agent_resources   = { limits = { memory = "256Mi" } }
  %s
}
`, ns, extra)
}

// TestAccCompatCluster: a cluster's lifecycle on every release, and the two
// agent settings of later releases: applied where Fleet has them, refused at
// plan, naming the release, where it does not.
func TestAccCompatCluster(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster.edge"
	steps := acctest.LifecycleSteps(compatClusterConfig(ns, ""), address, ns+"/edge",
		resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(address, "client_id", "edge-client"),
			resource.TestCheckResourceAttrWith(address, "cluster_namespace", acctest.NonEmpty),
		), "wait_for_ready", "state", "ready", "ready_bundles", "agent_last_seen") // status the controller moves on
	for _, gated := range []struct {
		attribute, config string
		check             resource.TestCheckFunc
	}{
		{"agent_scheduling_customization", `agent_scheduling_customization = { pod_disruption_budget = { max_unavailable = "1" } }`,
			resource.TestCheckResourceAttr(address, "agent_scheduling_customization.pod_disruption_budget.max_unavailable", "1")},
		{"agent_pull_secrets", `agent_pull_secrets = ["registry-credentials"]`,
			resource.TestCheckResourceAttr(address, "agent_pull_secrets.0", "registry-credentials")},
	} {
		steps = append(steps, acctest.GatedStep(compat.Lookup("fleet_cluster", gated.attribute), compatClusterConfig(ns, gated.config), gated.check))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.Clusters, ns, "edge"),
		Steps:                    steps,
	})
}

// TestAccCompatRefusedAtApply: when the connection is not known at plan time
// (here it comes from a resource), nothing can be checked then; the apply
// turns the API server's "field not declared in schema" into the same
// refusal. Where Fleet has the field, the apply succeeds.
func TestAccCompatRefusedAtApply(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	config := acctest.ProviderConfigKnownAtApply() + fmt.Sprintf(`

resource "fleet_cluster" "late" {
  name               = "late"
  namespace          = %q
  agent_pull_secrets = ["registry-credentials"]
}
`, ns)
	feature := compat.Lookup("fleet_cluster", "agent_pull_secrets")
	step := resource.TestStep{Config: config, Check: resource.TestCheckResourceAttr("fleet_cluster.late", "agent_pull_secrets.0", "registry-credentials")}
	if !acctest.FleetHas(feature) {
		step = resource.TestStep{Config: config, ExpectError: acctest.Refused(feature)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		ExternalProviders:        map[string]resource.ExternalProvider{"terraform": {Source: "terraform.io/builtin/terraform"}},
		CheckDestroy:             acctest.ObjectGone(fleet.Clusters, ns, "late"),
		Steps:                    []resource.TestStep{step},
	})
}

// TestAccCompatClusterGroup: a group's lifecycle on every release, counted by
// the release's controller.
func TestAccCompatClusterGroup(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.CreateFleetCluster(t, ns, "edge-1", map[string]string{"env": "test", "region": "eu"})
	const address = "fleet_cluster_group.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.ClusterGroups, ns, "edge"),
		Steps: acctest.LifecycleSteps(clusterGroupConfig(ns, "test"), address, ns+"/edge",
			resource.TestCheckResourceAttr(address, "cluster_count", "1")),
	})
}

// TestAccCompatClusterRegistrationToken: a token's lifecycle on every
// release. The values Fleet writes differ: tokenName only since v0.16, whose
// agent chart requires it.
func TestAccCompatClusterRegistrationToken(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_cluster_registration_token.test"
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster_registration_token" "test" {
  name      = "edge-token"
  namespace = %q
  ttl       = "1h30m"
}
`, ns)
	tokenName := regexp.MustCompile(`(?m)^tokenName: edge-token$`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.ClusterRegistrationTokens, ns, "edge-token"),
		Steps: acctest.LifecycleSteps(config, address, ns+"/edge-token", resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(address, "ttl", "1h30m"),
			resource.TestMatchResourceAttr(address, "values", regexp.MustCompile(`(?s)apiServerURL: .*token: `)),
			resource.TestCheckResourceAttrWith(address, "values", func(values string) error {
				if has, want := tokenName.MatchString(values), acctest.Env.Fleet.AtLeast("v0.16.0"); has != want {
					return fmt.Errorf("Fleet %s: tokenName in the values: %v, want %v", acctest.Env.Fleet.Version, has, want)
				}
				return nil
			}),
		)),
	})
}

// TestAccCompatClusterManagerInitiated registers a real downstream cluster
// with kubeconfig_wo, on every release: the Fleet controller deploys the
// agent with the proxy and the private registry, the agent checks in, the
// next plan is empty, it imports, and the kubeconfig never reaches the state.
func TestAccCompatClusterManagerInitiated(t *testing.T) {
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
			{Config: config, PlanOnly: true},
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
