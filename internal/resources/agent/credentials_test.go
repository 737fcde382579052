package agent_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccAgentStoredKubeconfigIsBound: someone who can edit Secrets in the
// Cluster's namespace adds an exec plugin to the kubeconfig the provider
// keeps for refresh. The next plan does not run it (the scratch file it
// would create stays absent), warns how to fix it and plans an update; the
// apply writes the configuration's kubeconfig back.
func TestAccAgentStoredKubeconfigIsBound(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	down, agent := startAgentDownstream(t, "agent-bound")
	kubeconfig, err := os.ReadFile(down.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	config := agentConfig(ns, down.Kubeconfig, fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent")), "")
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	scratch := filepath.Join(t.TempDir(), "exec-ran")
	execNeverRan := func() error {
		if _, err := os.Stat(scratch); !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("the exec plugin planted in the stored kubeconfig ran on the Terraform machine (%s exists)", scratch)
		}
		return nil
	}
	warnings, factories := acctest.RecordWarnings()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			},
			{
				PreConfig: func() {
					s, err := secrets.Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					tampered, err := clientcmd.Load(s.Data["value"])
					if err != nil {
						t.Fatal(err)
					}
					for _, user := range tampered.AuthInfos {
						// client-go ignores exec when inline credentials are
						// set, so an attacker removes them.
						user.Token, user.ClientCertificateData, user.ClientKeyData = "", nil, nil
						user.Exec = &clientcmdapi.ExecConfig{APIVersion: "client.authentication.k8s.io/v1", Command: "/usr/bin/touch",
							Args: []string{scratch}, InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
					}
					if s.Data["value"], err = clientcmd.Write(*tampered); err != nil {
						t.Fatal(err)
					}
					if _, err := secrets.Update(ctx, s, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
					warnings.Reset()
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
					acctest.PlanCheck(execNeverRan),
					acctest.PlanCheck(func() error {
						return warnings.Contains("Cannot refresh from the downstream cluster", "edge-agent-kubeconfig",
							"was changed outside Terraform", "Apply the configuration")
					}),
				}},
			},
			{
				// The update writes the Secret again from kubeconfig_wo.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					func(*terraform.State) error {
						s, err := secrets.Get(ctx, "edge-agent-kubeconfig", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if string(s.Data["value"]) != string(kubeconfig) {
							return fmt.Errorf("the apply did not write the configured kubeconfig back")
						}
						return execNeverRan()
					},
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// TestAccAgentStaleCredentials: fleet_agent connects with a ServiceAccount
// token (kubernetes.token), which is then revoked. A plan still works: the
// refresh keeps the prior state, warns, and plans an update; the apply with
// a fresh token in the configuration uses it, and destroy works with it.
func TestAccAgentStaleCredentials(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down, agent := startAgentDownstream(t, "agent-stale")
	chart := fmt.Sprintf("{ path = %q }", filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"))
	rc := down.RESTConfig()
	config := func(token string) string {
		return edgeClusterConfig(ns) + fmt.Sprintf(`
resource "fleet_agent" "edge" {
  cluster = fleet_cluster.edge.id
  kubernetes = {
    host                   = %q
    cluster_ca_certificate = %q
    token                  = %q
  }
  chart = %s
  timeouts {
    create = "4m"
  }
}
`, rc.Host, string(rc.CAData), token, chart)
	}
	// Two ServiceAccounts: the first one's is the token that gets revoked.
	first, second := serviceAccountToken(t, down, "terraform-1"), serviceAccountToken(t, down, "terraform-2")
	warnings, factories := acctest.RecordWarnings()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             func(*terraform.State) error { return releaseGone(t, down) },
		Steps: []resource.TestStep{
			{
				Config: config(first),
				Check:  resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
			},
			{
				// Deleting the ServiceAccount revokes its tokens.
				PreConfig: func() {
					revokeServiceAccount(t, down, "terraform-1", first)
					warnings.Reset()
				},
				Config:             config(first),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
					acctest.PlanCheck(func() error {
						return warnings.Contains("Cannot refresh from the downstream cluster", "rejected the credentials",
							"Refresh kept the prior state", "kubernetes.exec")
					}),
				}},
			},
			{
				Config: config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[agentAddress].Primary.Attributes["kubernetes.token"]; got != second {
							return fmt.Errorf("the state does not hold the fresh token")
						}
						return nil
					},
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// serviceAccountToken creates a cluster-admin ServiceAccount in kube-system
// and returns a token of it (TokenRequest), as a CI system would get one.
func serviceAccountToken(t *testing.T, down *testenv.Cluster, name string) string {
	t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"}}
	if _, err := down.Core.CoreV1().ServiceAccounts("kube-system").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "kube-system"}},
	}
	if _, err := down.Core.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	hour := int64(3600)
	tr, err := down.Core.CoreV1().ServiceAccounts("kube-system").CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &hour}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// revokeServiceAccount deletes the ServiceAccount, and waits until the API
// server rejects its token (it caches successful authentications for a few
// seconds).
func revokeServiceAccount(t *testing.T, down *testenv.Cluster, name, token string) {
	t.Helper()
	ctx := context.Background()
	if err := down.Core.CoreV1().ServiceAccounts("kube-system").Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	rc := down.RESTConfig()
	rc.TLSClientConfig.CertData, rc.TLSClientConfig.KeyData, rc.BearerToken = nil, nil, token
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if _, err := client.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{}); apierrors.IsUnauthorized(err) {
			return
		}
	}
	t.Fatalf("the token of the deleted ServiceAccount %s still works", name)
}
