package testenv

import (
	"context"
	"encoding/json"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The objects Rancher creates for a provisioning Cluster besides its status
// (the Fleet Cluster, the management cluster), and their removal with it:
// steps 1, 6 and 7 of RancherStandIn.

// ensureFleetCluster writes the Fleet Cluster Rancher generates (step 6).
func (r *RancherStandIn) ensureFleetCluster(ctx context.Context, c *unstructured.Unstructured, clusterName string) error {
	labels := map[string]any{}
	for k, v := range c.GetLabels() {
		if !strings.Contains(k, "cattle.io") {
			labels[k] = v
		}
	}
	labels["management.cattle.io/cluster-name"] = clusterName
	labels["management.cattle.io/cluster-display-name"] = c.GetName()
	spec := map[string]any{}
	if env, found, _ := unstructured.NestedSlice(c.Object, "spec", "agentEnvVars"); found {
		spec["agentEnvVars"] = env
	}
	fleetCluster := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "Cluster",
		"metadata": map[string]any{"name": c.GetName(), "namespace": c.GetNamespace(), "labels": labels},
		"spec":     spec,
	}}
	desired, err := json.Marshal(fleetCluster.Object)
	if err != nil {
		return err
	}
	r.mu.Lock()
	unchanged := r.fleetSpecs[c.GetName()] == string(desired)
	r.mu.Unlock()
	if unchanged {
		return nil
	}
	clusters := r.env.Upstream.Dynamic.Resource(clusterGVR).Namespace(c.GetNamespace())
	if _, err := clusters.Apply(ctx, c.GetName(), fleetCluster, metav1.ApplyOptions{FieldManager: "rancher", Force: true}); err != nil {
		return err
	}
	r.mu.Lock()
	r.fleetSpecs[c.GetName()] = string(desired)
	r.mu.Unlock()
	return nil
}

// ensureManagementCluster creates the management cluster of step 1 if it is
// not there.
func (r *RancherStandIn) ensureManagementCluster(ctx context.Context, clusterName string, c *unstructured.Unstructured) error {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Cluster",
		"metadata": map[string]any{"name": clusterName},
		"spec":     map[string]any{"displayName": c.GetName(), "fleetWorkspaceName": c.GetNamespace()},
	}}
	_, err := r.env.Upstream.Dynamic.Resource(managementClusterGVR).Create(ctx, obj, metav1.CreateOptions{})
	return ignoreAlreadyExists(err)
}

// remove is Rancher's removal of a provisioning cluster (step 7).
func (r *RancherStandIn) remove(ctx context.Context, c *unstructured.Unstructured) error {
	if !hasString(c.GetFinalizers(), rancherFinalizer) {
		return nil
	}
	err := r.env.Upstream.Dynamic.Resource(clusterGVR).Namespace(c.GetNamespace()).Delete(ctx, c.GetName(), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if clusterName, _, _ := unstructured.NestedString(c.Object, "status", "clusterName"); clusterName != "" {
		err := r.env.Upstream.Core.CoreV1().Namespaces().Delete(ctx, clusterName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		err = r.env.Upstream.Dynamic.Resource(managementClusterGVR).Delete(ctx, clusterName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	var kept []string
	for _, f := range c.GetFinalizers() {
		if f != rancherFinalizer {
			kept = append(kept, f)
		}
	}
	c.SetFinalizers(kept)
	if _, err := r.clusters().Update(ctx, c, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	r.mu.Lock()
	delete(r.redeployed, c.GetName())
	delete(r.fleetSpecs, c.GetName())
	r.mu.Unlock()
	return nil
}
