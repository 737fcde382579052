package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
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
	repair := clusterNamespaceRepair{env: e, clusters: clusters}
	err = waitFor(ctx, fmt.Sprintf("agent of cluster %s/%s to check in", namespace, clusterName), 2*time.Minute, []*process{agent.proc}, func(ctx context.Context) error {
		obj, err := clusters.Get(ctx, clusterName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := repair.check(ctx, obj); err != nil {
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

// clusterNamespaceRepair gets a registration past a race of Fleet's cleanup
// controller (rancher/fleet#3830, in v0.12.0 and v0.15.0; fixed in v0.16 by
// #4736, backported to the v0.15 branch by #4838): it deletes a namespace
// of a Cluster not yet in its informer cache ("Cleaning up fleet-managed
// namespace ..., cluster not found"), which a busy machine makes likely for a
// Cluster just created. Nothing in Fleet creates the namespace again until
// the Cluster changes, and the agent's registration, which needs a
// ServiceAccount in it, backs off further with every failed try (a minute and
// more). As an operator would, the repair touches objects (an annotation),
// since Fleet handles a change of an object at once: the Cluster, so that
// Fleet creates the namespace again and retries the agent's bundle; the
// Cluster's ungranted ClusterRegistrations, so that it retries them.
type clusterNamespaceRepair struct {
	env      *Env
	clusters dynamic.ResourceInterface
	lost     bool // the namespace was found missing during this wait
}

// check touches the Cluster and its ungranted registrations on every call,
// until the wait ends, once the Cluster's namespace (status.namespace) was
// found missing or terminating; it returns an error only when it cannot tell
// or cannot touch.
func (r *clusterNamespaceRepair) check(ctx context.Context, cluster *unstructured.Unstructured) error {
	name, _, _ := unstructured.NestedString(cluster.Object, "status", "namespace")
	if name == "" {
		return nil
	}
	ns, err := r.env.Upstream.Core.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil):
		if !r.lost {
			r.env.logf("namespace %s of cluster %s/%s is gone while the cluster registers (Fleet's cleanup race, rancher/fleet#3830): touching the Cluster and its registrations until the cluster is Ready",
				name, cluster.GetNamespace(), cluster.GetName())
		}
		r.lost = true
	case err != nil:
		return err
	case !r.lost:
		return nil
	}
	if err := touch(ctx, r.clusters, cluster.GetName()); err != nil {
		return err
	}
	registrations := r.env.Upstream.Dynamic.Resource(clusterRegistrationGVR).Namespace(cluster.GetNamespace())
	list, err := registrations.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	clientID, _, _ := unstructured.NestedString(cluster.Object, "spec", "clientID")
	for _, reg := range list.Items {
		id, _, _ := unstructured.NestedString(reg.Object, "spec", "clientID")
		granted, _, _ := unstructured.NestedBool(reg.Object, "status", "granted")
		if id == clientID && !granted {
			if err := touch(ctx, registrations, reg.GetName()); err != nil {
				return err
			}
		}
	}
	return nil
}

// touch sets an annotation of the object to the time: a change its
// controllers see.
func touch(ctx context.Context, objects dynamic.ResourceInterface, name string) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, touchedAnnotation, time.Now().UTC().Format(time.RFC3339Nano))
	_, err := objects.Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

// touchedAnnotation is the annotation touch sets.
const touchedAnnotation = "testenv.fleetform.dev/touched"
