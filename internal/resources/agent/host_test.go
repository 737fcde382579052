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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// credentialFiles writes the CA, client certificate and key of the
// cluster's admin kubeconfig to files, for the host form of `kubernetes`.
func credentialFiles(t *testing.T, down *testenv.Cluster) (ca, cert, key string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(down.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kctx := cfg.Contexts[cfg.CurrentContext]
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	user := cfg.AuthInfos[kctx.AuthInfo]
	return write("ca.pem", cfg.Clusters[kctx.Cluster].CertificateAuthorityData),
		write("cert.pem", user.ClientCertificateData), write("key.pem", user.ClientKeyData)
}

// TestAccAgentHostFromSameApply (H1): fleet_agent's kubernetes.host comes
// from a terraform_data output that changes in the same apply, from
// 127.0.0.1 to localhost: the same downstream cluster by another address.
// The plan shows an update with the host unknown (no replacement: the
// identity check cannot run on an unknown host), the apply connects with
// the new value and keeps the installed agent, and the state holds the new
// host, which the next refresh and plan use without a change.
func TestAccAgentHostFromSameApply(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down, agent := startAgentDownstream(t, "agent-host")
	ca, cert, key := credentialFiles(t, down)
	byIP := down.Host
	byName := strings.Replace(byIP, "127.0.0.1", "localhost", 1)
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	config := func(host string) string {
		return edgeClusterConfig(ns) + fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %[1]q
}

resource "fleet_agent" "edge" {
  cluster = fleet_cluster.edge.id
  kubernetes = {
    host                   = terraform_data.endpoint.output
    cluster_ca_certificate = file(%[2]q)
    client_certificate     = file(%[3]q)
    client_key             = file(%[4]q)
  }
  chart  = %[5]s
  values = yamlencode({ agent = { replicas = 1 }, garbageCollectionInterval = "30m" })
  timeouts {
    create = "4m"
  }
}
`, host, ca, cert, key, chart)
	}
	kubeSystem, err := down.Core.CoreV1().Namespaces().Get(context.Background(), "kube-system", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := string(kubeSystem.UID)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(byIP),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr(agentAddress, "kubernetes.host", byIP),
					resource.TestCheckResourceAttr(agentAddress, "downstream_uid", uid),
				),
			},
			{
				Config: config(byName),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(agentAddress, tfjsonpath.New("kubernetes").AtMapKey("host")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "kubernetes.host", byName),
					resource.TestCheckResourceAttr(agentAddress, "downstream_uid", uid),
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}
