package clusters_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCLIQuickstart applies examples/quickstart as written (what `make
// demo` applies), with the CLI the tests run (TF_ACC_TERRAFORM_PATH:
// tools/cli-runs/opentofu-v1.12.6.sh runs it under OpenTofu): its groups and
// cluster exist in fleet-local, a second plan is empty, and destroy removes
// them. It is one of the TestAccCLI* tests every CLI `make test` builds runs.
func TestAccCLIQuickstart(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	example, err := os.ReadFile("../../../examples/quickstart/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), example, 0o600); err != nil {
		t.Fatal(err)
	}
	// The example's provider block reads its connection from the environment, as `make demo` runs it.
	t.Setenv("KUBE_CONFIG_PATH", acctest.Env.Upstream.Kubeconfig)
	terraform := acctest.TerraformCLI(t, dir)
	terraform("init", "-input=false")
	t.Cleanup(func() { terraform("destroy", "-auto-approve", "-input=false") })
	terraform("apply", "-auto-approve", "-input=false")

	groups := acctest.Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace("fleet-local")
	clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace("fleet-local")
	for _, name := range []string{"management", "labelled-env"} {
		if _, err := groups.Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("cluster group %s after apply: %v", name, err)
		}
	}
	if _, err := clusters.Get(ctx, "edge-demo", metav1.GetOptions{}); err != nil {
		t.Errorf("cluster edge-demo after apply: %v", err)
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	terraform("plan", "-input=false", "-detailed-exitcode")

	terraform("destroy", "-auto-approve", "-input=false")
	acctest.WaitObjectGone(t, groups, "management")
	acctest.WaitObjectGone(t, groups, "labelled-env")
	acctest.WaitObjectGone(t, clusters, "edge-demo")
}
