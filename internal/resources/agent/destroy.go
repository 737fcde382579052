package agent

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
)

// Delete uninstalls the release and removes what the installation left that
// grants access or names what is gone: the agent's credential Secrets and,
// when the provider created it, its namespace downstream; the pull Secret;
// the proxy and pull secret on the Cluster (the client ID stays, the
// Cluster's identity); the provider's registration token and stored
// kubeconfig upstream. It connects with what the state holds.
func (r *agentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	upstream, target := r.Data.Client, state.target()
	const hint = " If the downstream cluster no longer exists, remove the agent from the state: terraform state rm <address>. " +
		"If its credentials in the state expired, apply with fresh ones first."
	kubeconfig, err := downstream.StoredKubeconfig(ctx, upstream, state.Kubernetes, target.kubeconfigStore(), downstream.StoredDigest(ctx, req.Private))
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot connect to the downstream cluster", err.Error()+hint)
		return
	}
	down, d := downstream.Connect(ctx, state.Kubernetes, kubeconfig)
	if d.HasError() {
		for _, e := range d.Errors() {
			resp.Diagnostics.AddError(e.Summary(), e.Detail()+hint)
		}
		return
	}
	helm, err := newHelm(down.RESTConfig(ctx))
	if err == nil {
		err = helmchart.Uninstall(ctx, helm, agentReleaseName, agentNamespace)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot uninstall the fleet-agent chart", err.Error())
		return
	}
	if state.ImagePullSecret != nil {
		if err := deletePullSecret(ctx, down, target.owner()); err != nil {
			resp.Diagnostics.AddError("Cannot delete the image pull Secret", err.Error())
		}
	}
	if err := removeAgentLeftovers(ctx, down); err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot remove the agent's credentials downstream", err.Error())
	}
	if err := releaseClusterFields(ctx, upstream, target); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot remove the agent's settings from the Cluster", err.Error())
	}
	if state.RegistrationToken.IsNull() {
		if err := clusters.DeleteOwnedToken(ctx, upstream, target.namespace, target.ownedTokenName()); err != nil {
			resp.Diagnostics.AddError("Cannot delete the registration token", err.Error())
		}
	}
	if err := target.kubeconfigStore().Delete(ctx, upstream); err != nil {
		resp.Diagnostics.AddError("Cannot delete the stored kubeconfig", err.Error())
	}
}
