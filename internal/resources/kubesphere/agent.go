package kubesphere

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
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

// agentCreateTimeout: on 4.x, Ready follows the host's Helm install of
// ks-core in the member, which KubeSphere documents in tens of minutes.
const agentCreateTimeout = 30 * time.Minute

// agentWarnings names what the API server warnings of fleet_kubesphere_agent's
// operations are about: the writes of the manifest downstream reach the user too.
const agentWarnings = "KubeSphere agent manifest"

// NewAgentResource is fleet_kubesphere_agent.
func NewAgentResource() resource.Resource {
	return &agentResource{
		WithTimeouts: framework.WithTimeouts{CreateTimeout: agentCreateTimeout, UpdateTimeout: agentCreateTimeout},
		WithIdentity: framework.WithIdentity{{Name: "cluster", Description: "Name of the KubeSphere Cluster the member joins as (`cluster`)."}},
	}
}

func (r *agentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kubesphere_agent"
}

func (r *agentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	downstream.PlanReapplyOnDrift(ctx, req, resp)
}

func (r *agentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportByName(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "cluster", validate.CheckClusterName)
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
	r.write(ctx, req.Config, &plan, nil, &resp.State, resp.Private, &resp.Diagnostics)
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
	r.write(ctx, req.Config, &plan, prior, &resp.State, resp.Private, &resp.Diagnostics)
}

// privateSetter is the private state of Create and Update responses.
type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// write joins the member. Everything that can fail without writing to the
// member (the host's cluster and token, the proxy address, the connection,
// the mapping of every object, the member's KubeSphere) is checked first,
// so a mistake leaves nothing behind. Once objects are applied, the state
// records them even when a later step fails, so destroy can remove them.
// prior is nil on create.
func (r *agentResource) write(ctx context.Context, config tfsdk.Config, plan *agentModel, prior []downstream.AppliedObject,
	out framework.StateSetter, private privateSetter, diags *diag.Diagnostics) {
	name := plan.Cluster.ValueString()
	up := r.Data.Client
	cluster, err := clusterAPI.Get(ctx, up, "", name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		diags.AddAttributeError(path.Root("cluster"), "KubeSphere cluster not found",
			fmt.Sprintf("There is no cluster.kubesphere.io Cluster %s on the host. Create it with fleet_kubesphere_cluster first.", name))
		return
	case err != nil:
		diags.AddError("Cannot read the KubeSphere cluster", err.Error())
		return
	}
	token := cluster.Spec.Connection.Token
	if cluster.Spec.Connection.Type != ks.ConnectionTypeProxy || !cluster.Status.IsTrue(ks.ConditionInitialized) || token == "" {
		diags.AddAttributeError(path.Root("cluster"), "The cluster cannot be joined over the agent connection yet",
			fmt.Sprintf("KubeSphere cluster %s needs connection type proxy, Tower's Initialized condition and an agent token; "+
				"it has type %q, Initialized %t, a token: %t.", name, cluster.Spec.Connection.Type,
				cluster.Status.IsTrue(ks.ConditionInitialized), token != ""))
		return
	}
	host, err := readHost(ctx, up)
	if err != nil {
		diags.AddError("Cannot read the KubeSphere host's configuration", err.Error())
		return
	}
	spec, d := r.agentSpec(ctx, plan, host, name, token)
	if diags.Append(d...); diags.HasError() {
		return
	}
	objects, err := spec.render()
	if err != nil {
		diags.AddError("Cannot render the agent manifest", redact(err.Error(), token))
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
	planned, err := down.Plan(objects)
	if err != nil {
		diags.AddError("The member cluster cannot take the agent manifest", redact(err.Error(), token))
		return
	}
	if err := checkMember(ctx, down, host, name, prior == nil); err != nil {
		diags.AddAttributeError(downstream.KubernetesPath, "The member cannot be joined to this host", err.Error())
		return
	}
	digest, err := kubeconfigStore(name).Sync(ctx, up, k.KubeconfigWO.ValueString(), plan.Kubernetes.KubeconfigWOVersion)
	if err != nil {
		diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
		return
	}
	diags.Append(downstream.KeepDigest(ctx, private, digest)...)

	applied, applyErr := downstream.ApplyAll(ctx, planned, prior)
	if applyErr == nil {
		// Objects an earlier manifest had and this one has not (a host upgraded from 3.x).
		if err := down.RemoveCreated(ctx, downstream.StaleObjects(prior, applied)); err != nil {
			diags.AddError("Cannot remove the agent manifest's stale objects from the downstream cluster", err.Error())
		}
	} else {
		diags.AddError("Cannot apply the agent manifest", redact(applyErr.Error(), token))
	}
	plan.ID = plan.Cluster
	plan.ProxyServer = types.StringValue(spec.proxyServer)
	plan.Image = types.StringValue(spec.image)
	plan.KubeSphereMajorVersion = types.Int64Value(int64(spec.majorVersion))
	plan.DriftedObjects = types.ListValueMust(types.StringType, nil)
	plan.AppliedObjects = downstream.AppliedObjectsValue(applied)
	diags.Append(downstream.SaveAppliedFields(ctx, private, applied)...)
	if applyErr == nil {
		diags.Append(awaitMemberReady(ctx, up, name, spec.proxyServer)...)
	}
	diags.Append(out.Set(ctx, plan)...)
}

// agentSpec resolves what the manifest is rendered from: the configured
// values, else the host's. A published address KubeSphere would render but
// the agent could not dial is refused here, naming where it came from.
func (r *agentResource) agentSpec(ctx context.Context, plan *agentModel, host *hostInfo, cluster, token string) (agentSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	spec := agentSpec{cluster: cluster, token: token, majorVersion: host.config.MajorVersion(), replicas: int32(plan.Replicas.ValueInt64()),
		tolerations: agentspec.ExpandTolerations(plan.Tolerations), env: plan.AgentProxy.EnvVars()}
	spec.proxyServer = plan.ProxyServer.ValueString()
	if plan.ProxyServer.IsUnknown() || plan.ProxyServer.IsNull() {
		spec.proxyServer = host.proxyAddress
		switch {
		case spec.proxyServer == "":
			diags.AddAttributeError(path.Root("proxy_server"), "The host publishes no address for agents",
				"KubeSphere would render no agent manifest: "+host.noProxyAddress+". Set proxy_server to the address the member reaches Tower at.")
		case validate.CheckHTTPHostPort(spec.proxyServer) != nil:
			diags.AddAttributeError(path.Root("proxy_server"), "The host publishes an address the agent cannot dial",
				fmt.Sprintf("The proxy address from %s: %v Fix it there, or set proxy_server.", host.proxyAddressSource, validate.CheckHTTPHostPort(spec.proxyServer)))
		}
	}
	spec.image = plan.Image.ValueString()
	if plan.Image.IsUnknown() || plan.Image.IsNull() {
		spec.image = host.config.AgentImageOrDefault()
	}
	resources, d := agentspec.ExpandResources(ctx, plan.Resources, path.Root("resources"))
	diags.Append(d...)
	spec.resources = resourceRequirements(resources)
	return spec, diags
}

func (r *agentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	_, err := clusterAPI.Get(ctx, r.Data.Client, "", state.Cluster.ValueString())
	if errors.Is(err, framework.ErrNotFound) {
		resp.State.RemoveResource(ctx) // the member left with its cluster
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the KubeSphere cluster", err.Error())
		return
	}
	state.ID = state.Cluster
	// Nothing of KubeSphere's rewrites the agent: every other manager is drift.
	refreshed, d := r.manifest(&state).Refresh(ctx, resp.Private, nil)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	state.AppliedObjects, state.DriftedObjects = refreshed.Applied, refreshed.Drifted
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
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
	resp.Diagnostics.Append(r.manifest(&state).Destroy(ctx, req.Private, "the KubeSphere agent")...)
}

// manifest is what refresh and destroy work from.
func (r *agentResource) manifest(state *agentModel) downstream.AppliedManifest {
	return downstream.AppliedManifest{Objects: state.AppliedObjects, Kubernetes: state.Kubernetes,
		Store: kubeconfigStore(state.Cluster.ValueString()), Upstream: r.Data.Client}
}

// kubeconfigStore keeps kubernetes.kubeconfig_wo on the host, in
// kubesphere-system next to the Services Tower keeps for its members.
func kubeconfigStore(cluster string) downstream.KubeconfigStore {
	return downstream.KubeconfigStore{
		Owner:     framework.SecretOwner{Type: "fleet_kubesphere_agent", ID: cluster},
		Namespace: ks.SystemNamespace, Name: cluster + "-kubesphere-agent-kubeconfig",
	}
}

// redact hides the agent token in text bound for diagnostics.
func redact(text, token string) string {
	if token == "" {
		return text
	}
	return strings.ReplaceAll(text, token, "<token>")
}
