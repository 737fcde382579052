package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"helm.sh/helm/v3/pkg/release"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Waits of fleet_agent: registration includes pulling the agent image.
const (
	agentCreateTimeout = 10 * time.Minute
	agentUpdateTimeout = 5 * time.Minute
)

// releaseModified is release_status when the release was changed out of band.
const releaseModified = "modified"

type agentResource struct {
	framework.ResourceBase
	framework.WithTimeouts
}

var (
	_ resource.ResourceWithModifyPlan     = (*agentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*agentResource)(nil)
	_ resource.ResourceWithImportState    = (*agentResource)(nil)
)

// NewResource is fleet_agent.
func NewResource() resource.Resource {
	return &agentResource{WithTimeouts: framework.WithTimeouts{CreateTimeout: agentCreateTimeout, UpdateTimeout: agentUpdateTimeout}}
}

func (r *agentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent"
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = agentSchema(ctx, r.TimeoutsBlock(ctx))
}

// ValidateConfig checks the downstream connection offline, and that the
// token is in the cluster's namespace (registration happens there).
func (r *agentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var k types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, downstream.KubernetesPath, &k)...)
	if !k.IsNull() && !k.IsUnknown() {
		var m downstream.KubernetesModel
		if d := k.As(ctx, &m, basetypes.ObjectAsOptions{}); !d.HasError() {
			_, d, _ := m.ResourceModel.Config(ctx, downstream.KubernetesPath)
			resp.Diagnostics.Append(d...)
		}
	}
	var cluster, token types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("cluster"), &cluster)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("registration_token"), &token)...)
	if cluster.IsNull() || cluster.IsUnknown() || token.IsNull() || token.IsUnknown() {
		return
	}
	clusterNS, _, err1 := validate.SplitNamespacedName(cluster.ValueString())
	tokenNS, _, err2 := validate.SplitNamespacedName(token.ValueString())
	if err1 == nil && err2 == nil && clusterNS != tokenNS {
		resp.Diagnostics.AddAttributeError(path.Root("registration_token"), "Token in another namespace",
			fmt.Sprintf("An agent registers into the namespace of its token: use a token in %s, the cluster's namespace, not %s.", clusterNS, tokenNS))
	}
}

// ModifyPlan plans an upgrade when the release is not what this
// configuration installed (release_status), and keeps chart_version when an
// update cannot change it: same chart source, pinned to the installed
// version. (A repository's latest version, or a local chart's files, may
// have moved on.)
func (r *agentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	if r.Data != nil {
		resp.Diagnostics.Append(compat.GatesFor("fleet_agent").CheckPlan(ctx, r.Data.Client, req.Config)...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("release_status"), release.StatusDeployed.String())...)
	if req.State.Raw.IsNull() {
		return
	}
	var planChart, stateChart types.Object
	var status, installed, pinned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, chartPath, &planChart)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, chartPath.AtName("version"), &pinned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, chartPath, &stateChart)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("release_status"), &status)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("chart_version"), &installed)...)
	if sameChartSource(planChart, stateChart) && pinned.Equal(installed) && status.ValueString() == release.StatusDeployed.String() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("chart_version"), installed)...)
	}
	framework.SettleNoOpPlan(req, resp)
}

// sameChartSource reports whether two chart blocks name the same chart:
// credentials and TLS settings only say how to reach it, so a new password
// alone leaves chart_version known.
func sameChartSource(a, b types.Object) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.Equal(b)
	}
	x, y := a.Attributes(), b.Attributes()
	for _, name := range []string{"repository", "name", "version", "path"} {
		if !x[name].Equal(y[name]) {
			return false
		}
	}
	return true
}

func (r *agentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportReference(ctx, req, resp, "cluster", "the Fleet Cluster the agent registers as")
}

func (r *agentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	inst, d := prepareInstall(ctx, in, &plan)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	rel := r.install(ctx, in, inst, &plan, &resp.Diagnostics)
	if rel == nil {
		return
	}
	// Installed: the state is saved from here on, even if the wait fails.
	plan.setRelease(rel)
	plan.Registered = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	registered, d := awaitRegistration(ctx, upstream, in.down, target)
	resp.Diagnostics.Append(d...)
	plan.Registered = types.BoolValue(registered)
	if registered && plan.RegistrationToken.IsNull() {
		// The agent registered: the token has served its purpose.
		if err := clusters.DeleteOwnedToken(ctx, upstream, target.namespace, target.ownedTokenName()); err != nil {
			resp.Diagnostics.AddWarning("Cannot delete the registration token", err.Error())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *agentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	upstream, target := r.Data.Client, state.target()
	imported := framework.WasImported(ctx, req.Private)
	if state.Kubernetes == nil {
		k, err := importedKubernetes(ctx, upstream, target)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import the agent", err.Error())
			return
		}
		state.Kubernetes = k
	}
	kubeconfig, err := kubeconfigFor(ctx, upstream, &state)
	if errors.Is(err, framework.ErrNotFound) && !imported {
		// Without it the release cannot be read: plan an update, which
		// stores the configuration's kubeconfig again.
		resp.Diagnostics.AddWarning("Cannot read the fleet-agent release", err.Error())
		state.ReleaseStatus = types.StringValue(release.StatusUnknown.String())
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot connect to the downstream cluster", err.Error())
		return
	}
	down, d := downstream.Connect(ctx, state.Kubernetes, kubeconfig)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	helm, err := newHelm(down.RESTConfig())
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	rel, err := lastRelease(helm)
	if errors.Is(err, framework.ErrNotFound) || (err == nil && rel.Info.Status == release.StatusUninstalled) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot read the fleet-agent release", err.Error())
		return
	}

	modified := !imported && state.ReleaseStatus.ValueString() == release.StatusDeployed.String() && !state.releaseMatches(rel)
	if imported {
		resp.Diagnostics.Append(state.flattenImported(ctx, upstream, rel)...)
	}
	state.setRelease(rel)
	if modified {
		state.ReleaseStatus = types.StringValue(releaseModified)
	}
	cluster, err := clusters.ClusterAPI.Get(ctx, upstream, target.namespace, target.name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		state.Registered = types.BoolValue(false)
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot read the Cluster", err.Error())
		return
	default:
		state.Registered = types.BoolValue(cluster.Status != nil && cluster.Status.Agent.LastSeen != nil)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

func (r *agentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	kubeconfig, password, down, ch, cluster := in.kubeconfig, in.pullSecretPassword, in.down, in.chart, in.cluster
	var err error
	fields, err := agentClusterFields(cluster, state.ClientID.ValueString(), false, plan.AgentProxy, plan.ImagePullSecret != nil)
	if err != nil {
		resp.Diagnostics.AddAttributeError(conflictPath(plan), "Conflicting Cluster settings", err.Error())
		return
	}
	helm, err := newHelm(down.RESTConfig())
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	current, err := lastRelease(helm)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the fleet-agent release",
			fmt.Sprintf("%s. If it was uninstalled, refresh (terraform apply -refresh-only) to plan a new installation.", err))
		return
	}

	resp.Diagnostics.Append(syncKubeconfig(ctx, upstream, target, &plan, kubeconfig)...)
	if err := applyAgentClusterFields(ctx, upstream, target.namespace, target.name, fields); err != nil {
		resp.Diagnostics.Append(clusterFieldsError(ctx, upstream, err)...)
	}
	resp.Diagnostics.Append(updatePullSecret(ctx, down, &state, &plan, password)...)
	if resp.Diagnostics.HasError() {
		return
	}

	managed, err := plan.managedValues()
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("values"), "Invalid chart values", err.Error())
		return
	}
	rel := current
	vals := chartValues(managed, registrationFromRelease(current.Config))
	// An upgrade that changes nothing would only add a revision.
	if current.Info.Status != release.StatusDeployed || current.Chart.Metadata.Version != ch.Metadata.Version ||
		!sameValues(current.Config, vals) || (plan.ImagePullSecret == nil) != (state.ImagePullSecret == nil) {
		rel, err = upgradeAgent(ctx, helm, ch, vals, plan.ImagePullSecret != nil)
		if err != nil {
			resp.Diagnostics.AddError("Cannot upgrade the fleet-agent chart", err.Error())
			if rel == nil {
				rel, _ = lastRelease(helm)
			}
		}
	}
	if rel != nil {
		plan.setRelease(rel)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *agentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, state.target()
	const hint = " If the downstream cluster no longer exists, remove the agent from the state: terraform state rm <address>."
	kubeconfig, err := kubeconfigFor(ctx, upstream, &state)
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
	helm, err := newHelm(down.RESTConfig())
	if err == nil {
		err = uninstallAgent(helm)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot uninstall the fleet-agent chart", err.Error())
		return
	}
	if state.ImagePullSecret != nil {
		if err := deletePullSecret(ctx, down); err != nil {
			resp.Diagnostics.AddError("Cannot delete the image pull Secret", err.Error())
		}
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
