package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// StartDownstream starts one more bare downstream cluster (etcd,
// kube-apiserver, kube-controller-manager) named name, or name-<random> when
// the name is taken; Cluster.Name tells which. A fleet-agent is a singleton
// per downstream cluster, so every registration test needs a cluster of its
// own. It works on an attached environment too: the processes then belong to
// the calling process and log to e.LogDir. Stop it early with Cluster.Stop;
// Env.Stop stops it at the latest.
func (e *Env) StartDownstream(ctx context.Context, name string) (*Cluster, error) {
	begin := time.Now()
	c, err := e.startCluster(ctx, name)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.extra = append(e.extra, c)
	e.mu.Unlock()
	e.logf("downstream cluster %s ready in %s", c.Name, time.Since(begin).Round(100*time.Millisecond))
	return c, nil
}

// RegisterDownstream registers down with Fleet the manager-initiated way, as
// Fleet documents it: a Secret <clusterName>-kubeconfig in namespace whose key
// "value" holds down's admin kubeconfig (its loopback server URL is reachable
// by the controller), and a fleet.cattle.io Cluster clusterName with
// spec.kubeConfigSecret and labels. The controller then writes the agent's
// configuration into down; RegisterDownstream runs the real fleet-agent
// against it (see StartAgentOn) and returns once the agent has checked in
// (the Cluster's status.agent.lastSeen is set, about 20 s) and the Cluster is
// Ready. The agent stops with down.Stop or Agent.Stop. Deleting namespace
// deregisters the cluster.
func (e *Env) RegisterDownstream(ctx context.Context, namespace, clusterName string, labels map[string]string, down *Cluster) (*Agent, error) {
	kubeconfig, err := os.ReadFile(down.Kubeconfig)
	if err != nil {
		return nil, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: clusterName + "-kubeconfig", Namespace: namespace},
		Data:       map[string][]byte{"value": kubeconfig},
	}
	if _, err := e.Upstream.Core.CoreV1().Secrets(namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("kubeconfig secret for cluster %s/%s: %w", namespace, clusterName, err)
	}
	cluster := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1",
		"kind":       "Cluster",
		"metadata":   map[string]any{"name": clusterName, "namespace": namespace},
		"spec":       map[string]any{"kubeConfigSecret": secret.Name},
	}}
	cluster.SetLabels(labels)
	clusters := e.Upstream.Dynamic.Resource(clusterGVR).Namespace(namespace)
	if _, err := clusters.Create(ctx, cluster, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("cluster %s/%s: %w", namespace, clusterName, err)
	}
	agent, err := e.StartAgentOn(ctx, down)
	if err != nil {
		return nil, fmt.Errorf("cluster %s/%s: %w", namespace, clusterName, err)
	}
	// The agent reports by patching status.agent (lastSeen, namespace) of its
	// Cluster, 15 s after it registered (Fleet's fixed ClusterRegisterDelay);
	// the display state stays WaitCheckIn until then. Ready follows once the
	// agent's own bundle is deployed.
	err = waitFor(ctx, fmt.Sprintf("agent of cluster %s/%s to check in", namespace, clusterName), 2*time.Minute, []*process{agent.proc}, func(ctx context.Context) error {
		obj, err := clusters.Get(ctx, clusterName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if seen, _, _ := unstructured.NestedString(obj.Object, "status", "agent", "lastSeen"); seen == "" {
			return errors.New("status.agent.lastSeen is not set")
		}
		if !hasCondition(obj, "Ready") {
			return fmt.Errorf("not Ready: %s", conditionMessage(obj, "Ready"))
		}
		return nil
	})
	if err != nil {
		agent.Stop()
		return nil, err
	}
	return agent, nil
}
