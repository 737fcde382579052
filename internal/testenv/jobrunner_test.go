package testenv_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

const configMapManifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: testenv-gitops
  namespace: default
data:
  color: %s
`

// gitRepo creates a fleet.cattle.io GitRepo with the given spec.
func gitRepo(t *testing.T, ctx context.Context, ns, name string, spec map[string]any) {
	t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1",
		"kind":       "GitRepo",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec":       spec,
	}}
	if _, err := env.Upstream.Dynamic.Resource(fleetGVR("gitrepos")).Namespace(ns).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// The whole GitOps path with real Fleet processes: git server → gitjob
// controller → the runner's fleet gitcloner + fleet apply → Bundle → agent
// → ConfigMap in the registered downstream cluster, and a second commit
// follows the same way.
func TestGitJobDeploysToDownstream(t *testing.T) {
	needEnv(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	ns := namespace(t)
	down, err := env.StartDownstream(ctx, "gitops")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	if _, err := env.RegisterDownstream(ctx, ns, "gitops", map[string]string{"testenv": ns}, down); err != nil {
		t.Fatal(err)
	}

	git, err := testenv.StartGitServer(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(git.Stop)
	url, commit, err := git.CreateRepo("gitops", map[string]string{
		"deploy/cm.yaml": fmt.Sprintf(configMapManifest, "blue"),
		"other/cm.yaml":  "not: [valid", // outside paths: must not matter
	})
	if err != nil {
		t.Fatal(err)
	}

	begin := time.Now()
	gitRepo(t, ctx, ns, "demo", map[string]any{
		"repo":            url,
		"branch":          "master",
		"paths":           []any{"deploy"},
		"pollingInterval": "5s",
		"targets":         []any{map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"testenv": ns}}}},
	})
	awaitDeployed(t, ns, down, "blue", commit)
	t.Logf("first commit deployed %s after the GitRepo was created", time.Since(begin).Round(100*time.Millisecond))

	begin = time.Now()
	second, err := git.Commit("gitops", map[string]string{"deploy/cm.yaml": fmt.Sprintf(configMapManifest, "green")})
	if err != nil {
		t.Fatal(err)
	}
	awaitDeployed(t, ns, down, "green", second)
	t.Logf("second commit deployed %s after the push", time.Since(begin).Round(100*time.Millisecond))
}

// awaitDeployed waits until the ConfigMap downstream has color and the
// GitRepo reports the commit ready on its one cluster.
func awaitDeployed(t *testing.T, ns string, down *testenv.Cluster, color, commit string) {
	t.Helper()
	eventually(t, 3*time.Minute, "ConfigMap deployed downstream with color "+color, func(ctx context.Context) error {
		cm, err := down.Core.CoreV1().ConfigMaps("default").Get(ctx, "testenv-gitops", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cm.Data["color"] != color {
			return fmt.Errorf("color = %q", cm.Data["color"])
		}
		return nil
	})
	eventually(t, time.Minute, "GitRepo ready on 1 cluster at "+commit, func(ctx context.Context) error {
		repo, err := env.Upstream.Dynamic.Resource(fleetGVR("gitrepos")).Namespace(ns).Get(ctx, "demo", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got := field(repo, "status", "commit"); got != commit {
			return fmt.Errorf("status.commit = %q", got)
		}
		if got := field(repo, "status", "readyClusters"); got != "1" {
			return fmt.Errorf("status.readyClusters = %q, display %v", got, field(repo, "status", "display"))
		}
		return nil
	})
}

// A bundle fleet apply cannot read fails the git job; Fleet shows the error
// the runner recorded as the container's termination message on the GitRepo.
func TestGitJobFailureSurfaces(t *testing.T) {
	needEnv(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := namespace(t)
	git, err := testenv.StartGitServer(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(git.Stop)
	url, _, err := git.CreateRepo("broken", map[string]string{
		"bad/fleet.yaml": "defaultNamespace: [unclosed\n",
		"bad/cm.yaml":    fmt.Sprintf(configMapManifest, "red"),
	})
	if err != nil {
		t.Fatal(err)
	}
	gitRepo(t, ctx, ns, "broken", map[string]any{"repo": url, "branch": "master", "paths": []any{"bad"}})

	var message string
	eventually(t, 2*time.Minute, "GitRepo reports the failed job", func(ctx context.Context) error {
		repo, err := env.Upstream.Dynamic.Resource(fleetGVR("gitrepos")).Namespace(ns).Get(ctx, "broken", metav1.GetOptions{})
		if err != nil {
			return err
		}
		status, msg := condition(repo, "Stalled")
		if status != "True" {
			return fmt.Errorf("Stalled = %q (%s); conditions %v", status, msg, field(repo, "status", "conditions"))
		}
		message = msg
		return nil
	})
	t.Logf("GitRepo Stalled message: %s", message)
	// fleet apply's own error, which only reaches Fleet as the termination
	// message of the pod's container.
	if !strings.Contains(message, "reading fleet.yaml") {
		t.Fatalf("the GitRepo error is not fleet apply's about the broken fleet.yaml: %q", message)
	}
}
