package downstream

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// AppliedManifest is what refresh and destroy of a manifest resource work
// from: the applied_objects and kubernetes of its state, where its
// kubeconfig_wo is kept, and the management cluster that keeps it.
type AppliedManifest struct {
	Objects    types.List
	Kubernetes *KubernetesModel
	Store      KubeconfigStore
	Upstream   *kube.Client
}

// privateReader is the private state of Read and Delete requests.
type privateReader = interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// applied rebuilds the applied objects with their fields from private state.
func (m AppliedManifest) applied(ctx context.Context, private privateReader, diags *diag.Diagnostics) []AppliedObject {
	fields, d := private.GetKey(ctx, AppliedFieldsKey)
	diags.Append(d...)
	return AppliedFromState(ctx, m.Objects, fields, diags)
}

// Refresh returns applied_objects and drifted_objects as the downstream
// cluster has them; fields the tolerated managers took over are no drift.
// Without a connection (right after an import) nothing is drift.
func (m AppliedManifest) Refresh(ctx context.Context, private privateReader, tolerated map[string]bool) (applied, drifted types.List, diags diag.Diagnostics) {
	objects := m.applied(ctx, private, &diags)
	down, d := ConnectStored(ctx, m.Kubernetes, m.Store, m.Upstream)
	if diags.Append(d...); diags.HasError() {
		return applied, drifted, diags
	}
	var names []string
	if down != nil {
		var err error
		if names, err = down.DriftedObjects(ctx, objects, tolerated); err != nil {
			diags.AddError("Cannot check the applied objects for drift", err.Error())
			return applied, drifted, diags
		}
	}
	return AppliedObjectsValue(objects), flex.StringListValue(names), diags
}

// Destroy deletes the objects the apply created, then the stored
// kubeconfig; what names the manifest's software in errors.
func (m AppliedManifest) Destroy(ctx context.Context, private privateReader, what string) diag.Diagnostics {
	var diags diag.Diagnostics
	objects := m.applied(ctx, private, &diags)
	down, d := ConnectStored(ctx, m.Kubernetes, m.Store, m.Upstream)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	if down != nil {
		if err := down.RemoveCreated(ctx, objects); err != nil {
			diags.AddError("Cannot remove "+what+" from the downstream cluster", err.Error())
			return diags
		}
	}
	if m.Kubernetes != nil && !m.Kubernetes.KubeconfigWOVersion.IsNull() {
		if err := m.Store.Delete(ctx, m.Upstream); err != nil {
			diags.AddError("Cannot delete the kubeconfig Secret", err.Error())
		}
	}
	return diags
}
