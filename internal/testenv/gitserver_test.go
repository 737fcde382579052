package testenv_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// The git server needs no control plane: a real git client clones what
// CreateRepo made and sees what Commit pushed.
func TestGitServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server, err := testenv.StartGitServer(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Stop)

	url, first, err := server.CreateRepo("demo", map[string]string{"manifests/cm.yaml": "kind: ConfigMap\n", "README": "hello\n"})
	if err != nil {
		t.Fatal(err)
	}
	if want := server.URL("demo"); url != want || !strings.HasPrefix(url, "git://127.0.0.1:") {
		t.Fatalf("url = %q, want %q on loopback", url, want)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, "", "clone", "--quiet", "--branch", "master", url, clone)
	if head := git(t, clone, "rev-parse", "HEAD"); head != first {
		t.Fatalf("cloned HEAD %s, CreateRepo returned %s", head, first)
	}
	if data, err := os.ReadFile(filepath.Join(clone, "manifests", "cm.yaml")); err != nil || string(data) != "kind: ConfigMap\n" {
		t.Fatalf("manifests/cm.yaml = %q, %v", data, err)
	}

	second, err := server.Commit("demo", map[string]string{"manifests/cm.yaml": "kind: Secret\n", "README": ""})
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("Commit returned the first commit again")
	}
	if remote := strings.Fields(git(t, "", "ls-remote", url, "refs/heads/master")); len(remote) == 0 || remote[0] != second {
		t.Fatalf("ls-remote master = %v, want %s", remote, second)
	}
	git(t, clone, "pull", "--quiet")
	if data, _ := os.ReadFile(filepath.Join(clone, "manifests", "cm.yaml")); string(data) != "kind: Secret\n" {
		t.Fatalf("after the second commit manifests/cm.yaml = %q", data)
	}
	if _, err := os.Stat(filepath.Join(clone, "README")); !os.IsNotExist(err) {
		t.Fatalf("README should be removed by an empty content, stat: %v", err)
	}

	if _, _, err := server.CreateRepo("demo", nil); err == nil {
		t.Fatal("creating an existing repository should fail")
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}
