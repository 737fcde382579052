package kubesphere_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccKubeSphereAgent3x joins a member to a 3.x host: a member whose
// jwtSecret is not the host's is refused, naming both secrets by
// fingerprint, before anything is applied; with the host's secret the
// 3.x manifest (the Deployment alone, running as the member's own
// kubesphere ServiceAccount) joins it. kubeconfig_wo serves refresh and
// destroy through the Secret the provider keeps on the host.
func TestAccKubeSphereAgent3x(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	member := acctest.StartDownstream(t, "ks3-member")
	standIn := startKubeSphere(t, testenv.KubeSphereStandInOptions{MajorVersion: 3,
		ProxyPublishAddress: "https://tower.example.test:30443", AgentImage: "registry.corp:5000/kubesphere/tower:v0.2.1",
		Members: []*testenv.Cluster{member}})
	const wrongSecret = "not-the-host-secret"
	if err := testenv.InstallMember(ctx, member, wrongSecret); err != nil {
		t.Fatal(err)
	}
	wo := fmt.Sprintf("kubeconfig_wo = file(%q)\n    kubeconfig_wo_version = 1", member.Kubeconfig)
	config := memberConfig("ks3-member-1", wo, "")
	const agent = "fleet_kubesphere_agent.member"
	deployments := member.Core.AppsV1().Deployments("kubesphere-system")
	noAgent := func() error {
		if _, err := deployments.Get(ctx, "cluster-agent", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the member runs an agent (%v)", err)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := acctest.SecretGone("kubesphere-system", "ks3-member-1-kubesphere-agent-kubeconfig")(nil); err != nil {
				return err
			}
			// The ServiceAccount was the member's own: it stays.
			if _, err := member.Core.CoreV1().ServiceAccounts("kubesphere-system").Get(ctx, "kubesphere", metav1.GetOptions{}); err != nil {
				return fmt.Errorf("destroy removed the member's own ServiceAccount: %v", err)
			}
			return noAgent()
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: acctest.Fragments("The member cannot be joined to this host",
					"authentication.jwtSecret ("+fingerprint(wrongSecret)+") is not the host's ("+fingerprint(standIn.JWTSecret())+")"),
				Check: func(*terraform.State) error { return noAgent() },
			},
			{
				PreConfig: func() {
					if err := noAgent(); err != nil {
						t.Fatal(err)
					}
					if err := testenv.InstallMember(ctx, member, standIn.JWTSecret()); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agent, "kubesphere_major_version", "3"),
					resource.TestCheckResourceAttr(agent, "image", "registry.corp:5000/kubesphere/tower:v0.2.1"),
					resource.TestCheckResourceAttr(agent, "applied_objects.#", "1"),
					resource.TestCheckResourceAttr(agent, "applied_objects.0.name", "cluster-agent"),
					resource.TestCheckNoResourceAttr(agent, "kubernetes.kubeconfig_wo"),
					acctest.StateNeverContains(acctest.KubeconfigKeyData(t, []byte(readFile(t, member.Kubeconfig)))),
					func(*terraform.State) error {
						d, err := deployments.Get(ctx, "cluster-agent", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if sa := d.Spec.Template.Spec.ServiceAccountName; sa != "kubesphere" {
							return fmt.Errorf("the 3.x agent runs as %q", sa)
						}
						return waitCondition(ctx, "ks3-member-1", "Federated", "True")
					},
				),
			},
			{
				// Refresh reaches the member through the stored kubeconfig: a
				// deletion is drift.
				PreConfig: func() {
					if err := deployments.Delete(ctx, "cluster-agent", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccKubeSphereAgentFailures: an address the agent cannot dial, a host
// that publishes none, and an unreachable member fail with a clear error
// before anything reaches the member; an agent that never connects and an
// error KubeSphere reports fail the wait with what Tower and KubeSphere
// say, early, and destroy removes what was applied.
func TestAccKubeSphereAgentFailures(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	member := acctest.StartDownstream(t, "ks-failures")
	configPath := fmt.Sprintf("config_path = %q", member.Kubeconfig)
	nothingInMember := func() error {
		if _, err := member.Core.CoreV1().Namespaces().Get(ctx, "kubesphere-system", metav1.GetOptions{}); err == nil {
			ns, _ := member.Core.CoreV1().Namespaces().Get(ctx, "kubesphere-system", metav1.GetOptions{})
			if ns.DeletionTimestamp == nil {
				return fmt.Errorf("the failed join left namespace kubesphere-system in the member")
			}
		}
		if _, err := member.Core.RbacV1().ClusterRoleBindings().Get(ctx, "tower", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the failed join left ClusterRoleBinding tower in the member (%v)", err)
		}
		return nil
	}
	run := func(t *testing.T, opts testenv.KubeSphereStandInOptions, setup func(*testenv.KubeSphereStandIn), config string, want ...string) time.Duration {
		opts.Members = []*testenv.Cluster{member}
		standIn := startKubeSphere(t, opts)
		if setup != nil {
			setup(standIn)
		}
		var began time.Time
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             func(*terraform.State) error { return nothingInMember() },
			Steps: []resource.TestStep{{
				PreConfig:   func() { began = time.Now() },
				Config:      config,
				ExpectError: acctest.Fragments(want...),
			}},
		})
		if err := nothingInMember(); err != nil {
			t.Fatal(err)
		}
		return time.Since(began)
	}

	t.Run("address without scheme", func(t *testing.T) {
		// The 4.1 documentation's example, {Public IP}:{Port}.
		run(t, testenv.KubeSphereStandInOptions{ProxyPublishAddress: "tower.example.test:30721"}, nil, memberConfig("ks-fail-1", configPath, ""),
			"The host publishes an address the agent cannot dial",
			"multicluster.proxyPublishAddress of ConfigMap kubesphere-system/kubesphere-config",
			`"tower.example.test:30721" has no http:// or https:// scheme`)
	})
	t.Run("pending LoadBalancer", func(t *testing.T) {
		run(t, testenv.KubeSphereStandInOptions{}, nil, memberConfig("ks-fail-2", configPath, ""),
			"The host publishes no address for agents",
			"the LoadBalancer of Service kubesphere-system/tower has no address yet (<pending>)", "Set proxy_server")
	})
	t.Run("unreachable member", func(t *testing.T) {
		run(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test"}, nil,
			memberConfig("ks-fail-3", `host = "https://127.0.0.1:1"`+"\n    insecure = true", ""),
			"Cannot reach the downstream cluster", "https://127.0.0.1:1")
		if err := acctest.SecretGone("kubesphere-system", "ks-fail-3-kubesphere-agent-kubeconfig")(nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("agent never connects", func(t *testing.T) {
		// Tower listens at the published address; this agent dials another.
		config := strings.Replace(memberConfig("ks-fail-4", configPath, `proxy_server = "http://tower.elsewhere.test:8080"`), `"2m"`, `"15s"`, 1)
		took := run(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test"}, nil, config,
			"KubeSphere cluster ks-fail-4 is not ready", "Tower did not report the agent connected before the timeout",
			"must reach Tower at http://tower.elsewhere.test:8080")
		t.Logf("the wait took %s", took)
	})
	t.Run("KubeSphere reports an error", func(t *testing.T) {
		took := run(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test"},
			func(k *testenv.KubeSphereStandIn) {
				k.SetClusterError("ks-fail-5", "KS Core installation failed: chart ks-core not found")
			},
			memberConfig("ks-fail-5", configPath, ""),
			"KubeSphere cluster ks-fail-5 is not ready", "KubeSphere reports: Ready: KS Core installation failed: chart ks-core not found")
		// Early: well before the 2m create timeout.
		if took > 90*time.Second {
			t.Fatalf("the wait took %s: it did not fail early", took)
		}
	})
}

func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}
