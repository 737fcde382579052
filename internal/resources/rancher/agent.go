package rancher

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

type agentResource struct {
	framework.ResourceBase
	framework.WithTimeouts
	framework.WithIdentity
}

var (
	_ resource.ResourceWithImportState = (*agentResource)(nil)
	_ resource.ResourceWithIdentity    = (*agentResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*agentResource)(nil)
)

// agentWarnings names what the API server warnings of fleet_rancher_agent's
// operations are about: the writes of the manifest downstream reach the user too.
const agentWarnings = "Rancher agent manifest"

// NewAgentResource is fleet_rancher_agent.
func NewAgentResource() resource.Resource {
	return &agentResource{
		WithTimeouts: framework.WithTimeouts{CreateTimeout: agentCreateTimeout, UpdateTimeout: agentCreateTimeout},
		WithIdentity: framework.WithIdentity{{Name: "cluster", Description: "The id of the fleet_rancher_cluster, `<namespace>/<name>` (`cluster`)."}},
	}
}

func (r *agentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rancher_agent"
}

func (r *agentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	downstream.PlanMove(ctx, req, resp)
	downstream.PlanReapplyOnDrift(ctx, req, resp)
}

func (r *agentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportReference(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "cluster", "the fleet_rancher_cluster (its id)")
}

func (r *agentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	r.write(ctx, req.Config, &plan, nil, nil, &resp.State, resp.Private, &resp.Diagnostics)
}

func (r *agentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, state agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	prior := r.manifest(&state).Applied(ctx, req.Private, &resp.Diagnostics)
	r.write(ctx, req.Config, &plan, &state, prior, &resp.State, resp.Private, &resp.Diagnostics)
}

// privateSetter is the private state of Create and Update responses.
type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// write imports the cluster: everything that can fail without touching the
// Manifests cluster (Rancher's registration, the download, the mapping of
// every object) is done first, so a bad token or URL leaves nothing behind.
// Once objects are applied, the state records them even when a later step
// fails, so destroy can remove them.
func (r *agentResource) write(ctx context.Context, config configGetter, plan, state *agentModel, prior []downstream.AppliedObject,
	out framework.StateSetter, private privateSetter, diags *diag.Diagnostics) {
	reg, d := registrationOf(ctx, r.Data.Client, plan.Cluster.ValueString())
	if diags.Append(d...); diags.HasError() {
		return
	}
	workspace, name, _ := validate.SplitNamespacedName(plan.Cluster.ValueString()) // checked by registrationOf
	up := r.Data.Client
	manifest, err := fetchImportManifest(ctx, reg.manifestURL, reg.token, plan.RancherCA.ValueString(), plan.RancherInsecure.ValueBool())
	if err != nil {
		diags.AddError("Cannot download Rancher's import manifest", err.Error())
		return
	}
	objects, err := parseImportManifest(manifest)
	if err != nil {
		diags.AddError("Cannot read Rancher's import manifest", redact(err.Error(), reg.token))
		return
	}
	var k downstream.KubernetesModel
	diags.Append(config.GetAttribute(ctx, downstream.KubernetesPath, &k)...)
	if diags.HasError() {
		return
	}
	down, d := downstream.Connect(ctx, &k, k.KubeconfigWO.ValueString())
	if diags.Append(d...); diags.HasError() {
		return
	}
	priorUID := types.StringNull()
	if state != nil {
		priorUID = state.DownstreamUID
	}
	plan.DownstreamUID, d = down.IdentityOf(ctx, priorUID)
	if diags.Append(d...); diags.HasError() {
		return
	}
	planned, err := down.Plan(objects)
	if err != nil {
		diags.AddError("The downstream cluster cannot take Rancher's import manifest", err.Error())
		return
	}
	if state == nil {
		if err := refuseForeignAgent(ctx, down); err != nil {
			diags.AddError("The cluster already runs a Rancher agent", err.Error())
			return
		}
	}
	digest, err := kubeconfigStore(workspace, name).Sync(ctx, up, k.KubeconfigWO.ValueString(), plan.Kubernetes.KubeconfigWOVersion)
	if err != nil {
		diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
		return
	}
	diags.Append(downstream.KeepDigest(ctx, private, digest)...)

	applied, applyErr := downstream.ApplyAll(ctx, planned, prior)
	if applyErr == nil {
		// Objects an earlier manifest had and this one has not.
		if err := down.RemoveCreated(ctx, downstream.StaleObjects(prior, applied)); err != nil {
			diags.AddError("Cannot remove Rancher's import manifest's stale objects from the downstream cluster", err.Error())
		}
	} else {
		diags.AddError("Cannot apply Rancher's import manifest", redact(applyErr.Error(), reg.token))
	}
	plan.ID = plan.Cluster
	plan.ClusterID = types.StringValue(reg.clusterID)
	plan.DriftedObjects = types.ListValueMust(types.StringType, nil)
	plan.AppliedObjects = downstream.AppliedObjectsValue(applied)
	diags.Append(downstream.SaveAppliedFields(ctx, private, applied)...)
	if applyErr == nil {
		diags.Append(awaitRancherReady(ctx, up, workspace, name)...)
	}
	diags.Append(out.Set(ctx, plan)...)
}

// configGetter is the configuration of Create and Update requests.
type configGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// manifest is what refresh and destroy work from.
func (r *agentResource) manifest(state *agentModel) downstream.AppliedManifest {
	workspace, name, _ := validate.SplitNamespacedName(state.Cluster.ValueString()) // validated in the configuration
	return downstream.AppliedManifest{Objects: state.AppliedObjects, Kubernetes: state.Kubernetes,
		Store: kubeconfigStore(workspace, name), Upstream: r.Data.Client}
}

// kubeconfigStore keeps kubernetes.kubeconfig_wo next to the Rancher cluster.
func kubeconfigStore(workspace, cluster string) downstream.KubeconfigStore {
	return downstream.KubeconfigStore{
		Owner:     framework.SecretOwner{Type: "fleet_rancher_agent", ID: workspace + "/" + cluster},
		Namespace: workspace, Name: cluster + "-rancher-agent-kubeconfig",
	}
}

// An import takes minutes on a real cluster: images are pulled first.
const agentCreateTimeout = 10 * time.Minute
