package agent

import (
	"context"
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
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
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
	framework.WithIdentity
}

var (
	_ resource.ResourceWithModifyPlan     = (*agentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*agentResource)(nil)
	_ resource.ResourceWithImportState    = (*agentResource)(nil)
	_ resource.ResourceWithIdentity       = (*agentResource)(nil)
)

// agentWarnings names what the API server warnings of fleet_agent's
// operations are about: Helm's writes downstream reach the user too.
const agentWarnings = "fleet-agent release"

// NewResource is fleet_agent.
func NewResource() resource.Resource {
	return &agentResource{
		WithTimeouts: framework.WithTimeouts{CreateTimeout: agentCreateTimeout, UpdateTimeout: agentUpdateTimeout},
		WithIdentity: framework.WithIdentity{{Name: "cluster", Description: "The Fleet Cluster the agent registers as, `<namespace>/<name>` (`cluster`)."}},
	}
}

func (r *agentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent"
}

// UpgradeState keeps the value of the attribute renamed in the one vocabulary
// (see CHANGELOG), from a state of schema version 0.
func (r *agentResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return framework.RenameUpgraders(map[string]string{"chart.name": "chart.chart"})
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = agentSchema(ctx, r.TimeoutsBlock(ctx))
	resp.Schema.Version = framework.RenamedSchemaVersion
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
	resp.Diagnostics.Append(checkTokenNamespace(cluster, token)...)
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
	var cluster, token types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster"), &cluster)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("registration_token"), &token)...)
	if resp.Diagnostics.Append(checkTokenNamespace(cluster, token)...); resp.Diagnostics.HasError() {
		return
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
	if agentspec.SameChartSource(planChart, stateChart) && pinned.Equal(installed) && status.ValueString() == release.StatusDeployed.String() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("chart_version"), installed)...)
	}
	downstream.PlanMove(ctx, req, resp)
	framework.SettleNoOpPlan(req, resp)
}

func (r *agentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportReference(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "cluster", "the Fleet Cluster the agent registers as")
}

func (r *agentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.Append(checkTokenNamespace(plan.Cluster, plan.RegistrationToken)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan, types.StringNull())
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
	resp.Diagnostics.Append(downstream.KeepDigest(ctx, resp.Private, inst.digest)...)
	resp.Diagnostics.Append(keepInstalledAt(ctx, resp.Private, inst.installedAt)...)
	// Only a check-in after this installation counts: the Cluster may show
	// one of an agent installed before.
	registered, d := awaitRegistration(ctx, upstream, in.down, target, inst.installedAt)
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

func (r *agentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, state agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan, state.DownstreamUID)
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
	helm, err := newHelm(down.RESTConfig(ctx))
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
	if helmchart.Status(current).IsPending() {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "The fleet-agent release is pending", helmchart.PendingError(current, agentReleaseName, agentNamespace).Error())
		return
	}
	adoptedBy, err := adoptingRelease(ctx, down)
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot read the agent Deployment", err.Error())
		return
	}
	if changed := chartChanges(&state, &plan); adoptedBy != "" && len(changed) > 0 {
		resp.Diagnostics.AddError("The agent is Fleet's now", adoptedError(adoptedBy, changed).Error())
		return
	}

	resp.Diagnostics.Append(syncKubeconfig(ctx, upstream, target, &plan, kubeconfig, resp.Private)...)
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
	// An upgrade that changes nothing would only add a revision; after
	// adoption any upgrade would fight Fleet's release.
	if adoptedBy == "" && (helmchart.Status(current) != release.StatusDeployed || helmchart.ChartVersion(current) != ch.Metadata.Version ||
		!helmchart.SameValues(current.Config, vals) || (plan.ImagePullSecret == nil) != (state.ImagePullSecret == nil)) {
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
