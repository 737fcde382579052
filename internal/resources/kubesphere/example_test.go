package kubesphere_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccKubeSphereMembersExample applies examples/kubesphere-members as
// written, with two real member clusters and the stand-in playing a 4.x host
// that publishes Tower through its LoadBalancer: both agents reach their
// members with the host's address and the proxy, KubeSphere reports both
// clusters Ready, a second plan is empty, and destroy removes the agents.
// The terraform CLI runs it: terraform-plugin-testing cannot read for_each
// state back.
func TestAccKubeSphereMembersExample(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	members := []*testenv.Cluster{acctest.StartDownstream(t, "ks-store-a"), acctest.StartDownstream(t, "ks-store-b")}
	standIn := startKubeSphere(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test", Members: members})
	dir := t.TempDir()
	example, err := os.ReadFile("../../../examples/kubesphere-members/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	suffix := strings.ToLower(rand.String(4))
	names := []string{"store-a-" + suffix, "store-b-" + suffix}
	vars := map[string]any{"host_kubeconfig": acctest.Env.Upstream.Kubeconfig, "members": map[string]any{
		names[0]: map[string]any{"kubeconfig": members[0].Kubeconfig, "group": "testing"},
		names[1]: map[string]any{"kubeconfig": members[1].Kubeconfig, "group": "testing"},
	}}
	data, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"main.tf": example, "terraform.tfvars.json": data} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	terraform := acctest.TerraformCLI(t, dir)
	terraform("init", "-input=false")
	t.Cleanup(func() { terraform("destroy", "-auto-approve", "-input=false") })
	terraform("apply", "-auto-approve", "-input=false")

	for i, name := range names {
		if err := waitCondition(ctx, name, "Ready", "True"); err != nil {
			t.Error(err)
		}
		args, c, err := agentArgs(ctx, members[i])
		if err != nil {
			t.Fatal(err)
		}
		if args["name"] != name || args["proxy-server"] != standIn.PublishedAddress() || len(c.Env) != 4 {
			t.Errorf("%s: agent flags %v, env %v", name, args, c.Env)
		}
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	terraform("plan", "-input=false", "-detailed-exitcode")
}
