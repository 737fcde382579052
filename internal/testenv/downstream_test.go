package testenv_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

// A fresh downstream cluster registers the manager-initiated way, its agent
// checks in, a ClusterGroup selecting its labels counts it, and stopping the
// cluster stops its agent too.
func TestRegisterDownstream(t *testing.T) {
	needEnv(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := namespace(t)

	begin := time.Now()
	down, err := env.StartDownstream(ctx, "reg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	t.Logf("downstream %s (%s) started in %s", down.Name, down.Host, time.Since(begin).Round(100*time.Millisecond))
	if down.Host == env.Downstream.Host || down.Name == env.Downstream.Name {
		t.Fatalf("StartDownstream returned the environment's own downstream cluster %s", down.Name)
	}

	begin = time.Now()
	labels := map[string]string{"testenv": ns}
	agent, err := env.RegisterDownstream(ctx, ns, "reg", labels, down)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("agent checked in %s after registration (log: %s)", time.Since(begin).Round(100*time.Millisecond), agent.LogFile())

	cluster, err := env.Upstream.Dynamic.Resource(fleetGVR("clusters")).Namespace(ns).Get(ctx, "reg", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if seen := field(cluster, "status", "agent", "lastSeen"); seen == "" {
		t.Fatal("RegisterDownstream returned before status.agent.lastSeen was set")
	}
	// The agent's own Deployment counts as available while its process runs.
	if status, message := condition(cluster, "Ready"); status != "True" {
		t.Fatalf("cluster Ready = %q: %s", status, message)
	}
	// The controller wrote the agent configuration into the new cluster.
	if _, err := down.Core.CoreV1().ConfigMaps("cattle-fleet-system").Get(ctx, "fleet-agent", metav1.GetOptions{}); err != nil {
		t.Fatalf("agent configuration in %s: %v", down.Name, err)
	}

	group := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1",
		"kind":       "ClusterGroup",
		"metadata":   map[string]any{"name": "selected", "namespace": ns},
		"spec":       map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"testenv": ns}}},
	}}
	groups := env.Upstream.Dynamic.Resource(fleetGVR("clustergroups")).Namespace(ns)
	if _, err := groups.Create(ctx, group, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "ClusterGroup counts the registered cluster", func(ctx context.Context) error {
		g, err := groups.Get(ctx, "selected", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if n, notReady := field(g, "status", "clusterCount"), field(g, "status", "nonReadyClusterCount"); n != "1" || notReady != "0" {
			return fmt.Errorf("status.clusterCount = %q, nonReadyClusterCount = %q", n, notReady)
		}
		return nil
	})

	down.Stop()
	if _, err := down.Core.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err == nil {
		t.Fatal("the downstream apiserver still answers after Stop")
	}
}

// Fleet before v0.16 can delete a new cluster's namespace while the cluster
// registers (its cleanup controller's race); the test deletes it itself, once
// the controller has written the agent's configuration downstream.
// RegisterDownstream still returns a checked-in, Ready cluster: the harness
// touched the Cluster, and Fleet created the namespace again.
func TestRegisterDownstreamSurvivesALostClusterNamespace(t *testing.T) {
	needEnv(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := namespace(t)
	down, err := env.StartDownstream(ctx, "lostns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)

	clusters := env.Upstream.Dynamic.Resource(fleetGVR("clusters")).Namespace(ns)
	namespaces := env.Upstream.Core.CoreV1().Namespaces()
	deleted := make(chan types.UID, 1)
	go func() {
		defer close(deleted)
		var name string
		err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			cluster, err := clusters.Get(ctx, "lostns", metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			name = field(cluster, "status", "namespace")
			_, err = down.Core.CoreV1().ConfigMaps("cattle-fleet-system").Get(ctx, "fleet-agent", metav1.GetOptions{})
			return name != "" && err == nil, nil
		})
		if err != nil {
			return
		}
		lost, err := namespaces.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("namespace %s: %v", name, err)
			return
		}
		if err := namespaces.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting namespace %s: %v", name, err)
			return
		}
		deleted <- lost.UID
	}()

	if _, err := env.RegisterDownstream(ctx, ns, "lostns", map[string]string{"testenv": ns}, down); err != nil {
		t.Fatal(err)
	}
	lostUID, ok := <-deleted
	if !ok {
		t.Fatal("the cluster namespace was not deleted during the registration")
	}
	cluster, err := clusters.Get(ctx, "lostns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := namespaces.Get(ctx, field(cluster, "status", "namespace"), metav1.GetOptions{})
	if err != nil || again.UID == lostUID {
		t.Fatalf("the cluster namespace was not created again: %v (uid %s, the deleted one's %s)", err, again.GetUID(), lostUID)
	}
	if cluster.GetAnnotations()["testenv.fleetform.dev/touched"] == "" {
		t.Error("the Cluster was not touched: Fleet created the namespace again without the harness")
	}
}
