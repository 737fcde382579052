package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// serveFleetAgentChart packages Fleet's fleet-agent chart with Helm's
// library and serves it from an HTTP chart repository on loopback.
func serveFleetAgentChart(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	server := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(server.Close)
	ch, err := loader.Load(filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chartutil.Save(ch, dir); err != nil {
		t.Fatal(err)
	}
	index, err := repo.IndexDirectory(dir, server.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return server.URL
}

// TestAccAgentChartRepository installs the agent from an HTTP chart
// repository with a token of the configuration's that never expires (ttl
// "0", which Fleet gives a status.expires of its creation time), the proxy also set on
// fleet_cluster (with other variables), and an image pull Secret whose
// password never reaches the state. Re-plans are empty; the token stays (it
// is not the resource's); destroy removes the release and the pull Secret.
func TestAccAgentChartRepository(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-repo")
	repoURL := serveFleetAgentChart(t)
	config := func(password string, version int) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
locals {
  proxy = { https_proxy = "http://proxy.corp:3128", no_proxy = %[5]q }
}

# fleet_cluster manages the agent's variables too: with the same proxy, the
# two resources share the Cluster's list instead of undoing each other.
resource "fleet_cluster" "edge" {
  name           = "edge"
  namespace      = %[1]q
  agent_env_vars = { LOG_LEVEL = "debug" }
  agent_proxy    = local.proxy
}

resource "fleet_cluster_registration_token" "edge" {
  name      = "edge-token"
  namespace = %[1]q
  ttl       = "0"
}

resource "fleet_agent" "edge" {
  cluster            = fleet_cluster.edge.id
  registration_token = fleet_cluster_registration_token.edge.id
  kubernetes         = { config_path = %[2]q }
  chart = {
    repository = %[3]q
    chart      = "fleet-agent"
    version    = "0.0.0"
  }
  agent_proxy             = local.proxy
  system_default_registry = "registry.corp:5000"
  image_pull_secret = {
    server              = "registry.corp:5000"
    username            = "puller"
    password_wo         = %[4]q
    password_wo_version = %[6]d
  }
}
`, ns, down.Kubeconfig, repoURL, password, testNoProxy, version)
	}
	pullSecret := func(password string) error {
		s, err := down.Core.CoreV1().Secrets(agentSystemNS).Get(ctx, "fleet-agent-pull-secret", metav1.GetOptions{})
		if err != nil {
			return err
		}
		var auths struct {
			Auths map[string]struct{ Username, Password string }
		}
		if err := json.Unmarshal(s.Data[corev1.DockerConfigJsonKey], &auths); err != nil {
			return err
		}
		if s.Type != corev1.SecretTypeDockerConfigJson || auths.Auths["registry.corp:5000"].Password != password {
			return fmt.Errorf("pull Secret of type %s does not hold the configured credentials", s.Type)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := releaseGone(t, down); err != nil {
				return err
			}
			if err := pullSecret("any"); err == nil || !strings.Contains(err.Error(), "not found") {
				return fmt.Errorf("the pull Secret must be deleted: %v", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("s3cret-pull-1", 1),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr("fleet_cluster_registration_token.edge", "expires", ""),
					resource.TestCheckResourceAttr(agentAddress, "chart_version", "0.0.0"),
					resource.TestCheckResourceAttr(agentAddress, "chart.chart", "fleet-agent"),
					resource.TestCheckNoResourceAttr(agentAddress, "image_pull_secret.password_wo"),
					acctest.StateNeverContains("s3cret-pull-1"),
					func(*terraform.State) error {
						rel := agentRelease(t, down)
						registry, _, _ := unstructured.NestedString(rel.Config, "global", "cattle", "systemDefaultRegistry")
						if rel.Config["tokenName"] != "edge-token" || registry != "registry.corp:5000" {
							return fmt.Errorf("release values: tokenName %v, registry %q", rel.Config["tokenName"], registry)
						}
						if !strings.Contains(rel.Manifest, "imagePullSecrets:") || !strings.Contains(rel.Manifest, "- name: fleet-agent-pull-secret") {
							return fmt.Errorf("the chart's Deployment does not use the pull Secret:\n%s", rel.Manifest)
						}
						if !strings.Contains(rel.Manifest, "image: registry.corp:5000/rancher/fleet-agent:") {
							return fmt.Errorf("the agent image lacks the registry prefix")
						}
						if err := pullSecret("s3cret-pull-1"); err != nil {
							return err
						}
						cluster := acctest.FleetCluster(t, ns, "edge")
						secrets, _, _ := unstructured.NestedSlice(cluster.Object, "spec", "agentPullSecrets")
						if len(secrets) != 1 || !acctest.ManagerOwns(cluster, agentManager, "agentPullSecrets") {
							return fmt.Errorf("Cluster agentPullSecrets: %v", secrets)
						}
						// Both managers own the same variable list.
						if env := clusterEnv(cluster); env["LOG_LEVEL"] != "debug" || env["https_proxy"] != "http://proxy.corp:3128" ||
							!acctest.ManagerOwns(cluster, agentManager, "agentEnvVars") || !acctest.ManagerOwns(cluster, "terraform-provider-fleet", "agentEnvVars") {
							return fmt.Errorf("Cluster agentEnvVars %v, managed fields %v", env, cluster.GetManagedFields())
						}
						// A token of the configuration's stays.
						_, err := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterRegistrationTokens).Namespace(ns).
							Get(ctx, "edge-token", metav1.GetOptions{})
						return err
					},
				),
			},
			{
				// A new password version rewrites the Secret, nothing else.
				Config: config("s3cret-pull-2", 2),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateNeverContains("s3cret-pull-1", "s3cret-pull-2"),
					func(*terraform.State) error {
						if rel := agentRelease(t, down); rel.Version != 1 {
							return fmt.Errorf("a password change upgraded the release to revision %d", rel.Version)
						}
						return pullSecret("s3cret-pull-2")
					},
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}
