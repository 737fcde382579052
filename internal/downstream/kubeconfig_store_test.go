package downstream_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// TestAccKubeconfigStoreMigratesLegacySecret: a Secret in the layout
// fleet_rancher_agent wrote before the store had a version key (only
// `value`) still loads, as version 0, and the next Sync rewrites it in the
// one layout.
func TestAccKubeconfigStoreMigratesLegacySecret(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	ns := acctest.Namespace(t)
	c := kube.NewClient(kube.Config{ConfigPaths: []string{acctest.Env.Upstream.Kubeconfig}})
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	legacy := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "edge-rancher-agent-kubeconfig", Namespace: ns,
			Labels: map[string]string{framework.ManagedByLabel: framework.ManagedByValue}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"value": []byte("kubeconfig v1")},
	}
	if _, err := secrets.Create(ctx, legacy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	store := downstream.KubeconfigStore{Namespace: ns, Name: legacy.Name}

	kubeconfig, version, err := store.Load(ctx, c)
	if err != nil || kubeconfig != "kubeconfig v1" || version != 0 {
		t.Fatalf("Load of the legacy Secret = %q, %d, %v; want its kubeconfig, version 0", kubeconfig, version, err)
	}
	if err := store.Sync(ctx, c, "kubeconfig v1", types.Int64Value(1)); err != nil {
		t.Fatal(err)
	}
	s, err := secrets.Get(ctx, legacy.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Data["value"]) != "kubeconfig v1" || string(s.Data["version"]) != "1" {
		t.Fatalf("after Sync the Secret holds %v; want value and version 1", s.Data)
	}
	// Same version: nothing to write. A new version rewrites.
	if err := store.Sync(ctx, c, "kubeconfig v2", types.Int64Value(1)); err != nil {
		t.Fatal(err)
	}
	if kubeconfig, _, _ := store.Load(ctx, c); kubeconfig != "kubeconfig v1" {
		t.Fatalf("a Sync with the stored version rewrote the kubeconfig: %q", kubeconfig)
	}
	if err := store.Sync(ctx, c, "kubeconfig v2", types.Int64Value(2)); err != nil {
		t.Fatal(err)
	}
	if kubeconfig, version, _ := store.Load(ctx, c); kubeconfig != "kubeconfig v2" || version != 2 {
		t.Fatalf("after a new version: %q, %d", kubeconfig, version)
	}
	// No kubeconfig_wo any more: the Secret goes.
	if err := store.Sync(ctx, c, "", types.Int64Null()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Load(ctx, c); !errors.Is(err, framework.ErrNotFound) {
		t.Fatalf("Load after the Secret was deleted: %v; want ErrNotFound", err)
	}
}
