package acctest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// RegisteredCluster starts a downstream cluster of the test's own, registers
// it with Fleet as clusterName in namespace with labels (manager-initiated,
// with a running fleet-agent), and stops it when the test ends. It returns
// once the Fleet Cluster is checked in and Ready, about 25 s, most of it
// Fleet's fixed check-in delay: share one per test rather than one per step.
// Bundles reach it through targets that select labels.
func RegisteredCluster(t *testing.T, namespace, clusterName string, labels map[string]string) *testenv.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	down, err := Env.StartDownstream(ctx, clusterName)
	if err != nil {
		t.Fatalf("start downstream cluster: %v", err)
	}
	t.Cleanup(down.Stop)
	if _, err := Env.RegisterDownstream(ctx, namespace, clusterName, labels, down); err != nil {
		t.Fatalf("register downstream cluster: %v", err)
	}
	return down
}

// StartDownstream starts a bare downstream cluster of the test's own (a
// kube-apiserver and kube-controller-manager, no kubelet), stopped when the
// test ends.
func StartDownstream(t *testing.T, name string) *testenv.Cluster {
	t.Helper()
	down, err := Env.StartDownstream(context.Background(), name)
	if err != nil {
		t.Fatalf("start downstream cluster: %v", err)
	}
	t.Cleanup(down.Stop)
	return down
}

// GitServer serves git repositories for the test (git://127.0.0.1:<port>/<name>).
func GitServer(t *testing.T) *testenv.GitServer {
	t.Helper()
	server, err := testenv.StartGitServer(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("start git server: %v", err)
	}
	t.Cleanup(server.Stop)
	return server
}

// ChartRepo serves a Helm chart repository for the test.
func ChartRepo(t *testing.T) *testenv.ChartRepo {
	t.Helper()
	charts, err := testenv.StartChartRepo(context.Background())
	if err != nil {
		t.Fatalf("start chart repository: %v", err)
	}
	t.Cleanup(charts.Stop)
	return charts
}

// OfflineProvider is a provider block whose management cluster never
// answers: plans with it prove that validation needs no API access.
const OfflineProvider = "provider \"fleet\" {\n  host = \"https://127.0.0.1:1\"\n}\n"

// FleetCluster reads a Fleet Cluster upstream.
func FleetCluster(t *testing.T, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// CreateFleetCluster creates a Fleet Cluster with labels and an empty spec,
// as kubectl would (not registered).
func CreateFleetCluster(t *testing.T, namespace, name string, labels map[string]string) {
	t.Helper()
	l := map[string]any{}
	for k, v := range labels {
		l[k] = v
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fleet.APIVersion, "kind": fleet.KindCluster,
		"metadata": map[string]any{"name": name, "namespace": namespace, "labels": l},
		"spec":     map[string]any{},
	}}
	if _, err := Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(namespace).
		Create(context.Background(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create cluster %s: %v", name, err)
	}
}

// CreateClusterGroup creates a ClusterGroup selecting matchLabels, as
// kubectl would, labelled team=platform.
func CreateClusterGroup(t *testing.T, namespace, name string, matchLabels map[string]string) {
	t.Helper()
	l := map[string]any{}
	for k, v := range matchLabels {
		l[k] = v
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fleet.APIVersion, "kind": fleet.KindClusterGroup,
		"metadata": map[string]any{"name": name, "namespace": namespace, "labels": map[string]any{"team": "platform"}},
		"spec":     map[string]any{"selector": map[string]any{"matchLabels": l}},
	}}
	if _, err := Env.Upstream.Dynamic.Resource(fleet.ClusterGroups).Namespace(namespace).
		Create(context.Background(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create cluster group %s: %v", name, err)
	}
}

// KubeconfigKeyData returns the client key of a kubeconfig, a secret that
// must never reach the state.
func KubeconfigKeyData(t *testing.T, kubeconfig []byte) string {
	t.Helper()
	m := regexp.MustCompile(`client-key-data: (\S+)`).FindSubmatch(kubeconfig)
	if m == nil {
		t.Fatal("kubeconfig has no client-key-data")
	}
	return string(m[1])
}

// TestCertificatePEM returns a self-signed CA certificate.
func TestCertificatePEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// WriteFile writes a file the test needs, or fails it.
func WriteFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// OfflineSiteFiles writes what an example of a site reads from files, for a
// plan that never reaches a cluster: a CA certificate and a kubeconfig of a
// downstream cluster that does not answer. It returns their paths.
func OfflineSiteFiles(t *testing.T) (ca, kubeconfig string) {
	t.Helper()
	dir := t.TempDir()
	ca, kubeconfig = filepath.Join(dir, "site-ca.pem"), filepath.Join(dir, "line.kubeconfig")
	WriteFile(t, ca, TestCertificatePEM(t))
	WriteFile(t, kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: line, cluster: {server: "https://10.20.0.10:6443"}}]
users: [{name: admin, user: {token: unused}}]
contexts: [{name: line, context: {cluster: line, user: admin}}]
current-context: line
`)
	return ca, kubeconfig
}
