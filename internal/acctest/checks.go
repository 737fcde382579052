package acctest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// StateNeverContains fails when any attribute of any resource in the state
// holds one of the secrets.
func StateNeverContains(secrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, m := range s.Modules {
			for addr, r := range m.Resources {
				for k, v := range r.Primary.Attributes {
					for _, secret := range secrets {
						if secret != "" && strings.Contains(v, secret) {
							return fmt.Errorf("%s.%s holds a secret", addr, k)
						}
					}
				}
			}
		}
		return nil
	}
}

// NonEmpty is a TestCheckResourceAttrWith check that the value is set.
func NonEmpty(v string) error {
	if v == "" {
		return fmt.Errorf("empty")
	}
	return nil
}

// SecretGone fails while the upstream Secret exists.
func SecretGone(namespace, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := Env.Upstream.Core.CoreV1().Secrets(namespace).Get(context.Background(), name, metav1.GetOptions{}); err == nil {
			return fmt.Errorf("Secret %s/%s still exists", namespace, name)
		}
		return nil
	}
}

// WaitGone waits up to a minute until get reports NotFound (finalizers
// done), and fails the test otherwise.
func WaitGone(t *testing.T, what string, get func() error) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if apierrors.IsNotFound(get()) {
			return
		}
	}
	t.Fatalf("%s is still there", what)
}

// WaitObjectGone is WaitGone for the object name of a dynamic client.
func WaitObjectGone(t *testing.T, objects dynamic.ResourceInterface, name string) {
	t.Helper()
	WaitGone(t, name, func() error {
		_, err := objects.Get(context.Background(), name, metav1.GetOptions{})
		return err
	})
}

// WaitForGroupStatus waits until the Fleet controller counts clusters in the
// ClusterGroup, nonReady of them not ready (any number when negative).
func WaitForGroupStatus(t *testing.T, namespace, name string, clusters, nonReady int64) {
	t.Helper()
	groups := Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace(namespace)
	var count, notReady int64
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		g, err := groups.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			continue
		}
		count, _, _ = unstructured.NestedInt64(g.Object, "status", "clusterCount")
		notReady, _, _ = unstructured.NestedInt64(g.Object, "status", "nonReadyClusterCount")
		if count == clusters && (nonReady < 0 || notReady == nonReady) {
			return
		}
	}
	t.Fatalf("ClusterGroup %s/%s: the Fleet controller reports %d clusters, %d not ready; want %d and %d",
		namespace, name, count, notReady, clusters, nonReady)
}

// SoleApplyManagerIsProvider fails when a field manager other than the
// provider's applied to the object.
func SoleApplyManagerIsProvider(u *unstructured.Unstructured) error {
	for _, f := range u.GetManagedFields() {
		if f.Operation == metav1.ManagedFieldsOperationApply && f.Manager != framework.FieldManager {
			return fmt.Errorf("unexpected apply manager %q", f.Manager)
		}
	}
	return nil
}

// ManagerOwns reports whether manager owns the top-level spec or metadata
// field of obj.
func ManagerOwns(obj *unstructured.Unstructured, manager, field string) bool {
	for _, e := range obj.GetManagedFields() {
		if e.Manager == manager && e.FieldsV1 != nil && strings.Contains(string(e.FieldsV1.Raw), `"f:`+field+`"`) {
			return true
		}
	}
	return false
}

// Fragments matches texts in this order, whatever the line wrapping of
// Terraform's diagnostics between their words.
func Fragments(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, t := range texts {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(t)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}
