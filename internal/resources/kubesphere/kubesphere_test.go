package kubesphere_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// The KubeSphere tests run against the real kube-apiserver with the
// project's own Cluster CRD and real member clusters; the host's
// controllers (Tower, ks-controller-manager) are played by
// testenv.KubeSphereStandIn (see its documentation for what it mirrors and
// what it does not). One stand-in runs at a time: tests do not run in
// parallel.

// startKubeSphere starts a KubeSphere stand-in, stopped when the test ends.
func startKubeSphere(t *testing.T, opts testenv.KubeSphereStandInOptions) *testenv.KubeSphereStandIn {
	t.Helper()
	k, err := acctest.Env.StartKubeSphereStandIn(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Err(); err != nil {
			t.Errorf("KubeSphere stand-in: %v", err)
		}
		k.Stop()
	})
	return k
}

func clusters() dynamic.ResourceInterface { return acctest.Env.Upstream.Dynamic.Resource(ks.Clusters) }

// ksCluster reads a Cluster on the host.
func ksCluster(ctx context.Context, name string) (*unstructured.Unstructured, error) {
	return clusters().Get(ctx, name, metav1.GetOptions{})
}

// clusterToken is the agent token Tower keeps in the Cluster.
func clusterToken(t *testing.T, name string) string {
	t.Helper()
	c, err := ksCluster(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	token, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "token")
	return token
}

// towerKubeconfig is the kubeconfig Tower wrote into the Cluster once the
// agent connected (base64-decoded).
func towerKubeconfig(t *testing.T, name string) string {
	t.Helper()
	c, err := ksCluster(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	encoded, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "kubeconfig")
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(data) == 0 {
		t.Fatalf("Tower wrote no kubeconfig for %s (%v)", name, err)
	}
	return string(data)
}

// waitCondition waits until the Cluster reports the condition with status.
func waitCondition(ctx context.Context, name, condType, status string) error {
	var last string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		c, err := ksCluster(ctx, name)
		if err != nil {
			last = err.Error()
			continue
		}
		conditions, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
		last = fmt.Sprint(conditions)
		for _, item := range conditions {
			if m, _ := item.(map[string]any); m["type"] == condType && m["status"] == status {
				return nil
			}
		}
	}
	return fmt.Errorf("cluster %s has no condition %s=%s: %s", name, condType, status, last)
}

// agentArgs returns the flags of the member's agent container.
func agentArgs(ctx context.Context, member *testenv.Cluster) (map[string]string, *corev1.Container, error) {
	d, err := member.Core.AppsV1().Deployments("kubesphere-system").Get(ctx, "cluster-agent", metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	c := &d.Spec.Template.Spec.Containers[0]
	args := map[string]string{}
	for _, w := range c.Command {
		if k, v, ok := strings.Cut(strings.TrimPrefix(w, "--"), "="); ok {
			args[k] = v
		}
	}
	return args, c, nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
