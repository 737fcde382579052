package downstream_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
// `value`) nor an owner annotation still loads, as version 0, and the next
// Sync rewrites it in the one layout, owned by the resource.
// Two inline kubeconfigs.
var (
	kubeconfigV1 = kubeconfigWithUser("https://127.0.0.1:6443", "{token: token-1}")
	kubeconfigV2 = kubeconfigWithUser("https://127.0.0.1:6444", "{token: token-2}")
)

func kubeconfigWithUser(server, user string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: %s}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, server, user)
}

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
		Data: map[string][]byte{"value": []byte(kubeconfigV1)},
	}
	if _, err := secrets.Create(ctx, legacy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	owner := framework.SecretOwner{Type: "fleet_rancher_agent", ID: ns + "/edge"}
	store := downstream.KubeconfigStore{Owner: owner, Namespace: ns, Name: legacy.Name}

	kubeconfig, version, err := store.Load(ctx, c, "")
	if err != nil || kubeconfig != kubeconfigV1 || version != 0 {
		t.Fatalf("Load of the legacy Secret = %q, %d, %v; want its kubeconfig, version 0", kubeconfig, version, err)
	}
	if _, err := store.Sync(ctx, c, kubeconfigV1, types.Int64Value(1)); err != nil {
		t.Fatal(err)
	}
	s, err := secrets.Get(ctx, legacy.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Data["value"]) != kubeconfigV1 || string(s.Data["version"]) != "1" || s.Annotations[framework.OwnerAnnotation] != owner.String() {
		t.Fatalf("after Sync the Secret holds %v, annotations %v; want value, version 1 and the owner", s.Data, s.Annotations)
	}
	// Same version and content: nothing to write.
	if _, err := store.Sync(ctx, c, kubeconfigV1, types.Int64Value(1)); err != nil {
		t.Fatal(err)
	}
	if again, _ := secrets.Get(ctx, legacy.Name, metav1.GetOptions{}); again.ResourceVersion != s.ResourceVersion {
		t.Fatal("a Sync with the stored version and content rewrote the Secret")
	}
	// A new version rewrites.
	digest, err := store.Sync(ctx, c, kubeconfigV2, types.Int64Value(2))
	if err != nil {
		t.Fatal(err)
	}
	if kubeconfig, version, _ := store.Load(ctx, c, digest); kubeconfig != kubeconfigV2 || version != 2 {
		t.Fatalf("after a new version: %q, %d", kubeconfig, version)
	}
	// No kubeconfig_wo any more: the Secret goes.
	if _, err := store.Sync(ctx, c, "", types.Int64Null()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Load(ctx, c, ""); !errors.Is(err, framework.ErrNotFound) {
		t.Fatalf("Load after the Secret was deleted: %v; want ErrNotFound", err)
	}
}

// TestAccKubeconfigStoreRefusesWhatItDidNotStore: Load refuses a Secret whose
// content is not what the resource stored (its digest), a kubeconfig that
// would run a command or read a file even when the digest matches, and the
// Secret of another resource; Sync writes a changed Secret again, and
// refuses to overwrite another resource's.
func TestAccKubeconfigStoreRefusesWhatItDidNotStore(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	ns := acctest.Namespace(t)
	c := kube.NewClient(kube.Config{ConfigPaths: []string{acctest.Env.Upstream.Kubeconfig}})
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	store := downstream.KubeconfigStore{Owner: framework.SecretOwner{Type: "fleet_agent", ID: ns + "/edge"}, Namespace: ns, Name: "edge-agent-kubeconfig"}
	digest, err := store.Sync(ctx, c, kubeconfigV1, types.Int64Value(1))
	if err != nil {
		t.Fatal(err)
	}
	if digest != downstream.Digest(kubeconfigV1) {
		t.Fatalf("Sync returned digest %q", digest)
	}
	tamper := func(content string) {
		t.Helper()
		s, err := secrets.Get(ctx, store.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Data["value"] = []byte(content)
		if _, err := secrets.Update(ctx, s, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	withExec := kubeconfigWithUser("https://127.0.0.1:6443", "{token: token-1, exec: {apiVersion: client.authentication.k8s.io/v1, command: /usr/bin/touch, args: [/tmp/x]}}")
	tamper(withExec)
	if _, _, err := store.Load(ctx, c, digest); !errors.Is(err, downstream.ErrStoredKubeconfigUnusable) ||
		!strings.Contains(err.Error(), "changed outside Terraform") {
		t.Fatalf("Load of a changed Secret: %v; want ErrStoredKubeconfigUnusable, changed outside Terraform", err)
	}
	// Even with its own digest (a state that recorded it), an exec plugin is refused.
	if _, _, err := store.Load(ctx, c, downstream.Digest(withExec)); !errors.Is(err, downstream.ErrStoredKubeconfigUnusable) ||
		!strings.Contains(err.Error(), `user "u" runs an exec credential plugin`) {
		t.Fatalf("Load of an exec kubeconfig: %v; want ErrStoredKubeconfigUnusable naming the exec plugin", err)
	}
	// Same version, other content: the apply writes it again.
	if _, err := store.Sync(ctx, c, kubeconfigV1, types.Int64Value(1)); err != nil {
		t.Fatal(err)
	}
	if kubeconfig, _, err := store.Load(ctx, c, digest); err != nil || kubeconfig != kubeconfigV1 {
		t.Fatalf("after Sync: %q, %v; want the configured kubeconfig", kubeconfig, err)
	}
	// Another resource's Secret of the same name is neither read nor written nor deleted.
	other := downstream.KubeconfigStore{Owner: framework.SecretOwner{Type: "fleet_cluster", ID: ns + "/edge-agent"}, Namespace: ns, Name: store.Name}
	if _, _, err := other.Load(ctx, c, ""); !errors.Is(err, downstream.ErrStoredKubeconfigUnusable) {
		t.Fatalf("Load of another resource's Secret: %v; want ErrStoredKubeconfigUnusable", err)
	}
	if _, err := other.Sync(ctx, c, kubeconfigV2, types.Int64Value(1)); err == nil || !strings.Contains(err.Error(), "belongs to fleet_agent "+ns+"/edge") {
		t.Fatalf("Sync over another resource's Secret: %v; want a refusal naming the owner", err)
	}
	if err := other.Delete(ctx, c); err != nil {
		t.Fatal(err)
	}
	if kubeconfig, _, err := store.Load(ctx, c, digest); err != nil || kubeconfig != kubeconfigV1 {
		t.Fatalf("another resource changed or deleted the Secret: %q, %v", kubeconfig, err)
	}
}
