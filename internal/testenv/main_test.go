package testenv_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// env is the control plane these tests run against; nil unless TF_ACC is set.
// (acctest.Main cannot be used: acctest imports this package.)
var env *testenv.Env

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	e, err := testenv.AttachOrStart(ctx, testenv.Options{Log: os.Stderr})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	env = e
	code := m.Run()
	if code != 0 {
		env.KeepDir = true
		fmt.Fprintf(os.Stderr, "control plane logs: %s\n", env.LogDir)
	}
	env.Stop()
	os.Exit(code)
}

func needEnv(t *testing.T) {
	t.Helper()
	if env == nil {
		t.Skip("needs the real control plane: set TF_ACC=1 (make test does)")
	}
}

var namespaceSeq atomic.Int64

// namespace creates an upstream namespace for one test, deleted at its end.
func namespace(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("testenv-%d%s", namespaceSeq.Add(1), rand.String(5))
	namespaces := env.Upstream.Core.CoreV1().Namespaces()
	if _, err := namespaces.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := namespaces.Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Logf("delete namespace %s: %v", name, err)
		}
	})
	return name
}

func fleetGVR(resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: resource}
}

// eventually polls check until it returns nil or timeout passes, then fails
// the test with the last error.
func eventually(t *testing.T, timeout time.Duration, what string, check func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var err error
	for {
		if err = check(ctx); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not so after %s: %v", what, timeout, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// field reads a nested field of obj as a string ("" when missing).
func field(obj *unstructured.Unstructured, path ...string) string {
	v, found, _ := unstructured.NestedFieldNoCopy(obj.Object, path...)
	if !found || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// condition returns the status and message of a status condition.
func condition(obj *unstructured.Unstructured, condType string) (status, message string) {
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conditions {
		if m, ok := c.(map[string]any); ok && m["type"] == condType {
			return fmt.Sprint(m["status"]), strings.TrimSpace(fmt.Sprint(m["message"]))
		}
	}
	return "", ""
}
