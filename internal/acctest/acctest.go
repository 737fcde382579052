// Package acctest holds what every acceptance test of the provider shares:
// one real Fleet control plane per test binary (or the one `make test` runs),
// the provider served in-process, and per-test namespaces.
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/provider"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// Env is the control plane of this test binary; nil unless TF_ACC is set.
var Env *testenv.Env

// ProtoV6ProviderFactories serves the provider in-process to Terraform.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"fleet": func() (tfprotov6.ProviderServer, error) { return provider.NewServer("test")(), nil },
}

// Main is the body of a package's TestMain. With TF_ACC set it attaches to
// the environment `make test` runs, or starts one for this package, and always
// stops what it started, also on SIGINT/SIGTERM.
func Main(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	if err := useOpenTofuRegistryHost(); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance tests need the CLI of TF_ACC_TERRAFORM_PATH:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	env, err := testenv.AttachOrStart(ctx, testenv.Options{Log: os.Stderr})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance tests need the Fleet test environment:", err)
		return 1
	}
	Env = env
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		env.Stop()
		os.Exit(1)
	}()
	code := m.Run()
	if code != 0 && env.LogDir != "" {
		env.KeepDir = true
		fmt.Fprintf(os.Stderr, "control plane logs: %s\n", env.LogDir)
	}
	env.Stop()
	return code
}

// PreCheck skips a test unless acceptance tests run.
func PreCheck(t *testing.T) {
	t.Helper()
	if Env == nil {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
}

// ProviderConfig is the provider block every acceptance configuration starts
// with: it connects to the upstream cluster of the environment.
func ProviderConfig() string {
	return fmt.Sprintf("provider \"fleet\" {\n  config_path = %q\n}\n", Env.Upstream.Kubeconfig)
}

var namespaceSeq atomic.Int64

// Namespace creates a namespace of its own for one test on the upstream
// cluster, deleted when the test ends.
func Namespace(t *testing.T) string {
	t.Helper()
	base := strings.ToLower(strings.NewReplacer("_", "-", "/", "-").Replace(t.Name()))
	if len(base) > 40 {
		base = base[:40]
	}
	name := strings.Trim(fmt.Sprintf("%s-%d%s", base, namespaceSeq.Add(1), rand.String(4)), "-")
	core := Env.Upstream.Core.CoreV1().Namespaces()
	ctx := context.Background()
	if _, err := core.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := core.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Logf("delete namespace %s: %v", name, err)
		}
	})
	return name
}
