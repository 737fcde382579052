package rancher

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

func (r *agentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	workspace, name, err := validate.SplitNamespacedName(state.Cluster.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid cluster reference in state", err.Error())
		return
	}
	manifest := r.manifest(&state)
	cluster, err := clusterAPI.Get(ctx, r.Data.Client, workspace, name)
	if errors.Is(err, framework.ErrNotFound) {
		// The import went with its Rancher cluster; what it applied
		// downstream did not.
		resp.Diagnostics.Append(leftoversWarning(workspace, name, &state, manifest.Applied(ctx, req.Private, &resp.Diagnostics)))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Rancher cluster", err.Error())
		return
	}
	state.ID = state.Cluster
	state.ClusterID = types.StringValue("")
	if cluster.Status != nil {
		state.ClusterID = types.StringValue(cluster.Status.ClusterName)
	}
	refreshed, d := manifest.Refresh(ctx, resp.Private, rancherRedeployManagers)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	state.AppliedObjects, state.DriftedObjects = refreshed.Applied, refreshed.Drifted
	if refreshed.Cluster != nil && state.DownstreamUID.ValueString() == "" {
		state.DownstreamUID, _ = refreshed.Cluster.IdentityOf(ctx, types.StringNull()) // a state from before it was recorded
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

// leftoversWarning names what stays when the resource leaves the state
// because its Rancher cluster is gone: the objects the import created
// downstream (with the cluster-admin binding Rancher's agent had), and the
// stored kubeconfig.
func leftoversWarning(workspace, name string, state *agentModel, applied []downstream.AppliedObject) diag.Diagnostic {
	var left []string
	for _, a := range applied {
		if a.Created {
			left = append(left, a.Ref.String())
		}
	}
	detail := fmt.Sprintf("The Rancher cluster %s/%s is gone, so fleet_rancher_agent leaves the state and destroy will not run.", workspace, name)
	if len(left) > 0 {
		detail += " The objects its import created in the downstream cluster stay there; delete them by hand:\n  " + strings.Join(left, "\n  ")
	}
	if state.Kubernetes != nil && !state.Kubernetes.KubeconfigWOVersion.IsNull() {
		store := kubeconfigStore(workspace, name)
		detail += fmt.Sprintf("\nThe Secret %s/%s with the downstream kubeconfig stays too: kubectl -n %[1]s delete secret %[2]s", store.Namespace, store.Name)
	}
	return diag.NewWarningDiagnostic("The imported cluster's objects stay", detail)
}

func (r *agentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	resp.Diagnostics.Append(r.manifest(&state).Destroy(ctx, req.Private, "Rancher's agent")...)
}
