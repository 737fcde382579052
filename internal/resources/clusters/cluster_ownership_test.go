package clusters_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccClusterKubeconfigSecretOwnership: the kubeconfig Secret of a
// fleet_cluster names its resource and is a dependent of the Cluster
// (ownerReference), so the garbage collector removes it with the Cluster;
// a create the API rejects (an admission policy) leaves no Secret.
func TestAccClusterKubeconfigSecretOwnership(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	// Fleet cannot reach it: the registration fails harmlessly.
	kubeconfig := filepath.Join(t.TempDir(), "unreachable.kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(name string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name                  = %q
  namespace             = %q
  kubeconfig_wo         = file(%q)
  kubeconfig_wo_version = 1
}
`, name, ns, kubeconfig)
	}
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	acctest.RejectCreate(t, ns, fleet.Clusters, fleet.KindCluster, "rejected")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("rejected"),
				ExpectError: acctest.Fragments("Cannot write the Cluster", "the test's admission policy rejects Cluster rejected"),
			},
			{
				PreConfig: func() {
					if _, err := secrets.Get(ctx, "rejected-kubeconfig", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						t.Fatalf("the rejected create left its kubeconfig Secret (%v)", err)
					}
				},
				Config: config("edge"),
				Check: func(*terraform.State) error {
					c, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns).Get(ctx, "edge", metav1.GetOptions{})
					if err != nil {
						return err
					}
					s, err := secrets.Get(ctx, "edge-kubeconfig", metav1.GetOptions{})
					if err != nil {
						return err
					}
					if owner := s.Annotations["terraform-provider-fleet/owner"]; owner != "fleet_cluster "+ns+"/edge" {
						return fmt.Errorf("the Secret's owner annotation is %q", owner)
					}
					if refs := s.OwnerReferences; len(refs) != 1 || refs[0].UID != c.GetUID() || refs[0].Kind != "Cluster" {
						return fmt.Errorf("the Secret's ownerReferences are %v, want the Cluster %s", refs, c.GetUID())
					}
					return nil
				},
			},
		},
	})
}
