package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// edgeSite is one site of examples/edge-sites as the test gives it.
type edgeSite struct {
	name, proxy, registry string
	down                  *testenv.Cluster
	agent                 *agentRunner
}

// TestAccEdgeSitesExample applies examples/edge-sites, with modules/edge-site
// beside it as in the repository, to two real downstream clusters, each
// behind its own proxy and with its own registry: both agents check in, Fleet
// adopts them with the site's proxy, image registry and pull Secret, the
// cluster group counts both sites, the registry password reaches neither
// plan nor state, a second plan is empty, and destroy uninstalls both
// agents. The terraform CLI runs it: terraform-plugin-testing cannot read
// for_each state back.
func TestAccEdgeSitesExample(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	ns := acctest.Namespace(t)
	suffix := strings.ToLower(rand.String(4))
	var sites []*edgeSite
	for _, id := range []string{"a", "b"} {
		down, agent := startAgentDownstream(t, "edge-site-"+id)
		sites = append(sites, &edgeSite{
			name: "site-" + id + "-" + suffix, proxy: "http://proxy." + id + ".corp:3128",
			registry: "registry." + id + ".corp:5000/mirror", down: down, agent: agent,
		})
	}
	git := acctest.GitServer(t)
	repo, _, err := git.CreateRepo("edge-apps", map[string]string{"apps/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge-app\ndata:\n  site: edge\n"})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	copyTerraformFiles(t, "../../../examples/edge-sites", filepath.Join(dir, "examples", "edge-sites"))
	copyTerraformFiles(t, "../../../modules/edge-site", filepath.Join(dir, "modules", "edge-site"))
	root := filepath.Join(dir, "examples", "edge-sites")
	const password = "edge-registry-password-5f1c"
	varSites := map[string]any{}
	for _, s := range sites {
		varSites[s.name] = map[string]any{"kubeconfig": s.down.Kubeconfig, "proxy_url": s.proxy, "registry_server": s.registry,
			"labels": map[string]string{"store": s.name}}
	}
	vars, err := json.Marshal(map[string]any{
		"management_kubeconfig": acctest.Env.Upstream.Kubeconfig,
		"workspace":             ns,
		"sites":                 varSites,
		"no_proxy":              testNoProxy,
		"agent_chart":           map[string]any{"path": filepath.Join(acctest.Env.ChartsDir(), "fleet-agent")},
		"registry_password":     password,
		"git_repo":              repo,
		"git_paths":             []string{"apps"},
	})
	if err != nil {
		t.Fatal(err)
	}
	acctest.WriteFile(t, filepath.Join(root, "terraform.tfvars.json"), string(vars))

	terraform := acctest.TerraformCLI(t, root)
	terraform("init", "-input=false")
	t.Cleanup(func() { terraform("destroy", "-auto-approve", "-input=false") })
	terraform("apply", "-auto-approve", "-input=false")

	outputs := stateOutputs(t, root, password)
	for _, s := range sites {
		if err := s.agent.err(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := outputs["registered"][s.name]; got != true {
			t.Errorf("output registered[%s] = %v, want true", s.name, got)
		}
		if got := outputs["cluster_ids"][s.name]; got != ns+"/"+s.name {
			t.Errorf("output cluster_ids[%s] = %v", s.name, got)
		}
		cluster := acctest.FleetCluster(t, ns, s.name)
		if seen, _, _ := unstructured.NestedString(cluster.Object, "status", "agent", "lastSeen"); seen == "" {
			t.Errorf("%s: the agent never checked in", s.name)
		}
		if want, _, _ := unstructured.NestedString(cluster.Object, "status", "namespace"); want == "" || outputs["cluster_namespaces"][s.name] != want {
			t.Errorf("%s: output cluster_namespaces %v, Fleet's %q", s.name, outputs["cluster_namespaces"][s.name], want)
		}
		if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, s.name+"-registry", metav1.GetOptions{}); err != nil {
			t.Errorf("%s: the site's registry Secret: %v", s.name, err)
		}
		waitForEdgeAgent(t, s)
	}
	acctest.WaitForGroupStatus(t, ns, "edge-sites", 2, -1)
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	terraform("plan", "-input=false", "-detailed-exitcode")

	terraform("destroy", "-auto-approve", "-input=false")
	for _, s := range sites {
		if err := releaseGone(t, s.down); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		acctest.WaitObjectGone(t, acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns), s.name)
	}
}

// waitForEdgeAgent waits until Fleet has adopted the site's agent and renders
// it from the Cluster the module wrote: the image from the site's registry,
// its pull Secret, and the site's proxy (the lower-case variables only the
// Cluster's agentEnvVars carry).
func waitForEdgeAgent(t *testing.T, s *edgeSite) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		d, err := s.down.Core.AppsV1().Deployments(agentSystemNS).Get(context.Background(), "fleet-agent", metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			continue
		}
		pod := d.Spec.Template.Spec
		env := envMap(pod.Containers[0].Env)
		last = fmt.Sprintf("image %s, pull secrets %v, env %v", pod.Containers[0].Image, pod.ImagePullSecrets, env)
		if strings.HasPrefix(pod.Containers[0].Image, s.registry+"/rancher/fleet-agent:") && pod.Containers[0].Image != s.registry+"/"+fleetAgentDev &&
			len(pod.ImagePullSecrets) == 1 && pod.ImagePullSecrets[0].Name == "fleet-agent-pull-secret" &&
			env["HTTPS_PROXY"] == s.proxy && env["https_proxy"] == s.proxy && env["NO_PROXY"] == testNoProxy {
			return
		}
	}
	t.Fatalf("%s: Fleet did not adopt the agent with the site's registry and proxy: %s", s.name, last)
}

// stateOutputs reads the root module's map outputs from the local state,
// and fails when the state holds the write-only password.
func stateOutputs(t *testing.T, dir, password string) map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), password) {
		t.Error("the state holds the registry password")
	}
	var state struct {
		Outputs map[string]struct {
			Value any `json:"value"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for name, o := range state.Outputs {
		if m, ok := o.Value.(map[string]any); ok {
			out[name] = m
		}
	}
	return out
}

// copyTerraformFiles copies the .tf files of a module folder, so the test
// applies them as they are in the repository.
func copyTerraformFiles(t *testing.T, from, to string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(from, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s: %v", from, err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		acctest.WriteFile(t, filepath.Join(to, filepath.Base(f)), string(data))
	}
}
