package downstream

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A resource installs into the cluster its kubernetes connection reaches.
// Pointing the connection at another cluster is no in-place update: what was
// installed in the first one stays there (and, for fleet_agent, the new one
// has nothing to upgrade). So the resource records which cluster it
// installed into, by the UID of its kube-system namespace (the identity the
// fleet-agent itself uses as client ID), and is replaced when a changed
// connection reaches another one.

// UIDPath is the attribute that records the downstream cluster's identity.
var UIDPath = path.Root("downstream_uid")

// UIDAttribute is the schema of UIDPath.
func UIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		Description: "UID of the `kube-system` namespace of the cluster `kubernetes` reaches: the identity of the cluster the " +
			"resource installed into. When a changed `kubernetes` reaches a cluster with another UID, the resource is replaced: " +
			"the plan says so when it can reach the new cluster, otherwise the apply fails and asks for `terraform apply -replace`.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// PlanMove, in ModifyPlan, requires replacing the resource when its
// kubernetes connection changed and now reaches a cluster with another UID
// than the state records. It needs the new cluster to answer at plan time;
// when it does not, Update's IdentityOf check fails the apply instead.
func PlanMove(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var planned, prior types.Object
	var uid types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, KubernetesPath, &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, KubernetesPath, &prior)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, UIDPath, &uid)...)
	if resp.Diagnostics.HasError() || planned.Equal(prior) || uid.ValueString() == "" || planned.IsUnknown() {
		return
	}
	// The configuration has kubeconfig_wo, which the plan does not.
	var m KubernetesModel
	if d := req.Config.GetAttribute(ctx, KubernetesPath, &m); d.HasError() {
		return
	}
	now, err := reachableUID(ctx, &m)
	if err != nil || now == uid.ValueString() {
		return
	}
	resp.RequiresReplace = append(resp.RequiresReplace, KubernetesPath)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, UIDPath, types.StringUnknown())...)
}

// reachableUID returns the kube-system UID of the cluster m reaches, or an
// error when it cannot be told (invalid settings are reported by validation).
func reachableUID(ctx context.Context, m *KubernetesModel) (string, error) {
	c, d := Open(ctx, m, m.KubeconfigWO.ValueString())
	if d.HasError() {
		return "", fmt.Errorf("invalid connection")
	}
	if err := c.Check(ctx); err != nil {
		return "", err
	}
	return c.KubeSystemUID(ctx)
}

// IdentityOf returns the cluster's UID for the state, with an error when the
// state recorded another one (prior; null or "" when unknown): the
// connection now reaches another cluster, which needs a replacement.
func (c *Cluster) IdentityOf(ctx context.Context, prior types.String) (types.String, diag.Diagnostics) {
	var diags diag.Diagnostics
	uid, err := c.KubeSystemUID(ctx)
	if err != nil {
		diags.AddAttributeError(KubernetesPath, "Cannot identify the downstream cluster", err.Error())
		return prior, diags
	}
	if p := prior.ValueString(); p != "" && p != uid {
		diags.AddAttributeError(KubernetesPath, "Another downstream cluster",
			fmt.Sprintf("kubernetes now reaches the cluster at %s (kube-system UID %s), not the one the resource installed into "+
				"(UID %s). Moving to another cluster needs a replacement, which the plan could not tell because the new cluster did "+
				"not answer then: run terraform apply -replace=<address>.", c.Host(), uid, p))
		return prior, diags
	}
	return types.StringValue(uid), diags
}
