package rancher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestAccRancherImportExample applies examples/rancher-import as written, with
// two real downstream clusters and the Rancher stand-in serving Rancher's
// fleet-default workspace: both clusters are imported with the proxy, the
// registry setting reaches their agents, the GitRepo targets the Fleet
// Clusters Rancher created by label, a second plan is empty, and destroy
// removes the agents. The terraform CLI runs it against the provider served
// in-process: terraform-plugin-testing cannot read for_each state back.
func TestAccRancherImportExample(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	namespaces := acctest.Env.Upstream.Core.CoreV1().Namespaces()
	if _, err := namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rancherapi.DefaultWorkspace}}, metav1.CreateOptions{}); err == nil {
		t.Cleanup(func() { _ = namespaces.Delete(ctx, rancherapi.DefaultWorkspace, metav1.DeleteOptions{}) })
	} else if !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	downs := []*testenv.Cluster{acctest.StartDownstream(t, "store-a"), acctest.StartDownstream(t, "store-b")}
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: rancherapi.DefaultWorkspace, Downstreams: downs})
	if _, err := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings).Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": "system-default-registry"}, "value": "", "default": "",
	}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	dir := t.TempDir()
	example, err := os.ReadFile("../../../examples/rancher-import/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	suffix := strings.ToLower(rand.String(4))
	names := []string{"store-a-" + suffix, "store-b-" + suffix}
	clusters := map[string]any{}
	for i, name := range names {
		clusters[name] = map[string]any{"kubeconfig": downs[i].Kubeconfig, "labels": map[string]string{"env": "test", "tier": "store"}}
	}
	vars, err := json.Marshal(map[string]any{
		"management_kubeconfig": acctest.Env.Upstream.Kubeconfig,
		"rancher_ca_file":       filepath.Join(dir, "rancher-ca.pem"),
		"clusters":              clusters,
		// Rancher's global setting is only changed when asked for.
		"system_default_registry": "registry.corp:5000",
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"main.tf": example, "terraform.tfvars.json": vars, "rancher-ca.pem": standIn.CAPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	terraform := acctest.TerraformCLI(t, dir)
	terraform("init", "-input=false")
	t.Cleanup(func() { terraform("destroy", "-auto-approve", "-input=false") })
	terraform("apply", "-auto-approve", "-input=false")

	for i, name := range names {
		if err := checkRancherReady(ctx, rancherapi.DefaultWorkspace, name); err != nil {
			t.Error(err)
		}
		if err := waitFleetClusterLabels(ctx, rancherapi.DefaultWorkspace, name, "test"); err != nil {
			t.Error(err)
		}
		d, err := downs[i].Core.AppsV1().Deployments("cattle-system").Get(ctx, "cattle-cluster-agent", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := d.Spec.Template.Spec.Containers[0]
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		if env["HTTPS_PROXY"] != "http://proxy.corp:3128" || env["http_proxy"] != "http://proxy.corp:3128" || !strings.HasPrefix(c.Image, "registry.corp:5000/") {
			t.Errorf("%s: agent image %q, env %v", name, c.Image, env)
		}
	}
	repo, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Resource("gitrepos")).Namespace(rancherapi.DefaultWorkspace).
		Get(ctx, "store-apps", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	targets, _, _ := unstructured.NestedSlice(repo.Object, "spec", "targets")
	if fmt.Sprint(targets) != "[map[clusterSelector:map[matchLabels:map[tier:store]] name:stores]]" {
		t.Errorf("GitRepo targets %v", targets)
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	terraform("plan", "-input=false", "-detailed-exitcode")
}
