package downstream

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// NotChecked is the drifted_objects entry of a refresh that could not reach
// the downstream cluster with the connection in state: it plans the update
// that applies the manifest with the configuration's connection.
const NotChecked = "not checked: the downstream cluster cannot be reached with the connection in state (see the warning)"

// AppliedManifest is what refresh and destroy of a manifest resource work
// from: the applied_objects and kubernetes of its state, where its
// kubeconfig_wo is kept, and the management cluster that keeps it.
type AppliedManifest struct {
	Objects    types.List
	Kubernetes *KubernetesModel
	Store      KubeconfigStore
	Upstream   *kube.Client
}

// Applied rebuilds the applied objects with their fields from private state.
func (m AppliedManifest) Applied(ctx context.Context, private privateGetter, diags *diag.Diagnostics) []AppliedObject {
	fields, d := private.GetKey(ctx, appliedFieldsKey)
	diags.Append(d...)
	return appliedFromState(ctx, m.Objects, fields, diags)
}

// Refreshed is what a refresh found.
type Refreshed struct {
	Applied, Drifted types.List
	// Cluster is the downstream cluster reached; nil right after an import
	// (no connection) or when the stored connection fails.
	Cluster *Cluster
}

// Refresh returns applied_objects and drifted_objects as the downstream
// cluster has them; fields the tolerated managers took over are no drift.
// Without a connection (right after an import) nothing is drift. Stored
// credentials that fail keep the prior state with a warning (see Reach),
// and drifted_objects holds NotChecked.
func (m AppliedManifest) Refresh(ctx context.Context, private PrivateState, tolerated map[string]bool) (Refreshed, diag.Diagnostics) {
	var diags diag.Diagnostics
	objects := m.Applied(ctx, private, &diags)
	out := Refreshed{Applied: AppliedObjectsValue(objects), Drifted: flex.StringListValue(nil)}
	if m.Kubernetes == nil || diags.HasError() {
		return out, diags
	}
	down, unreachable, d := Reach(ctx, m.Upstream, m.Kubernetes, m.Store, private)
	if diags.Append(d...); diags.HasError() {
		return out, diags
	}
	if unreachable != nil {
		diags.Append(unreachable.Warning())
		out.Drifted = flex.StringListValue([]string{NotChecked})
		return out, diags
	}
	names, err := down.DriftedObjects(ctx, objects, tolerated)
	if err != nil {
		diags.AddError("Cannot check the applied objects for drift", err.Error())
		return out, diags
	}
	out.Drifted, out.Cluster = flex.StringListValue(names), down
	return out, diags
}

// Destroy deletes the objects the apply created, connecting with the
// stored kubeconfig only if it is the one the provider stored (its digest
// in private state), then the stored kubeconfig; what names the manifest's
// software in errors.
func (m AppliedManifest) Destroy(ctx context.Context, private privateGetter, what string) diag.Diagnostics {
	var diags diag.Diagnostics
	objects := m.Applied(ctx, private, &diags)
	if m.Kubernetes != nil { // null right after an import
		kubeconfig, err := StoredKubeconfig(ctx, m.Upstream, m.Kubernetes, m.Store, StoredDigest(ctx, private))
		if err != nil {
			diags.AddAttributeError(KubernetesPath, "Cannot read the stored kubeconfig", err.Error())
			return diags
		}
		down, d := Connect(ctx, m.Kubernetes, kubeconfig)
		if diags.Append(d...); diags.HasError() {
			return diags
		}
		if err := down.RemoveCreated(ctx, objects); err != nil {
			diags.AddError("Cannot remove "+what+" from the downstream cluster", err.Error())
			return diags
		}
	}
	if err := m.Store.Delete(ctx, m.Upstream); err != nil {
		diags.AddError("Cannot delete the kubeconfig Secret", err.Error())
	}
	return diags
}
