package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// rancherAgentModel is the state of fleet_rancher_agent.
type rancherAgentModel struct {
	ID             types.String                `tfsdk:"id"`
	Cluster        types.String                `tfsdk:"cluster"`
	Kubernetes     *downstream.KubernetesModel `tfsdk:"kubernetes"`
	RancherCA      types.String                `tfsdk:"rancher_ca"`
	Insecure       types.Bool                  `tfsdk:"insecure"`
	ClusterID      types.String                `tfsdk:"cluster_id"`
	AppliedObjects types.List                  `tfsdk:"applied_objects"`
	DriftedObjects types.List                  `tfsdk:"drifted_objects"`
	Timeouts       timeouts.Value              `tfsdk:"timeouts"`
}

// appliedObjectModel is one element of applied_objects.
type appliedObjectModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Kind       types.String `tfsdk:"kind"`
	Namespace  types.String `tfsdk:"namespace"`
	Name       types.String `tfsdk:"name"`
	Created    types.Bool   `tfsdk:"created"`
}

var appliedObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"api_version": types.StringType, "kind": types.StringType, "namespace": types.StringType,
	"name": types.StringType, "created": types.BoolType,
}}

const (
	// rancherAgentFieldsKey is the private state key of the fields the
	// provider owns in each applied object (names of fields, never values).
	rancherAgentFieldsKey = "applied_fields"
	// An import takes minutes on a real cluster: images are pulled first.
	rancherAgentCreateTimeout = 10 * time.Minute
)

// rancherAgentKubeconfigSecret is the Secret upstream that keeps
// kubernetes.kubeconfig_wo for refresh and destroy.
func rancherAgentKubeconfigSecret(cluster string) string {
	return cluster + "-rancher-agent-kubeconfig"
}

type rancherAgentResource struct {
	framework.ResourceBase
	framework.WithTimeouts
}

var (
	_ resource.ResourceWithImportState = (*rancherAgentResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*rancherAgentResource)(nil)
)

// NewAgentResource is fleet_rancher_agent.
func NewAgentResource() resource.Resource {
	return &rancherAgentResource{WithTimeouts: framework.WithTimeouts{CreateTimeout: rancherAgentCreateTimeout, UpdateTimeout: rancherAgentCreateTimeout}}
}

func (r *rancherAgentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rancher_agent"
}

func (r *rancherAgentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	kubernetes := downstream.KubernetesAttribute("Connection to the cluster being imported; refresh uses it to detect drift and destroy to remove the agent.",
		"the Secret `<name>-rancher-agent-kubeconfig` in the cluster's workspace upstream, next to the kubeconfig Secret Rancher keeps for the cluster")
	objectAttr := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: description}
	}
	resp.Schema = schema.Schema{
		Description: "Imports a cluster into Rancher: downloads the import manifest of a `fleet_rancher_cluster` from Rancher, " +
			"applies every object of it to the cluster with server-side apply, and waits until Rancher reports the cluster " +
			"ready, failing early with Rancher's message when it reports an error. Objects changed or deleted out of band " +
			"show as drift (`drifted_objects`) and apply restores them; changes Rancher itself makes when it redeploys its " +
			"agent are not drift. Destroy deletes the objects the apply created (not those that existed before). The state " +
			"holds the objects' kinds and names, never the manifest, which carries the registration token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The `cluster` imported; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster": schema.StringAttribute{
				Required: true,
				Description: "The Rancher cluster to import as, `fleet_workspace_name/name`: the `id` of a `fleet_rancher_cluster`. " +
					"Changing it imports the cluster anew.",
				Validators:    []validator.String{validate.NamespacedName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes": kubernetes,
			"rancher_ca": schema.StringAttribute{
				Optional: true,
				Description: "PEM CA certificate(s) that Rancher's HTTPS certificate chains to, for downloading the manifest " +
					"(Rancher's `cacerts` setting, for a private CA). Unset: the system's CAs.",
				Validators: []validator.String{validate.PEMCertificates(), stringvalidator.ConflictsWith(path.MatchRoot("insecure"))},
			},
			"insecure": schema.BoolAttribute{
				Optional:    true,
				Description: "Download the manifest without verifying Rancher's certificate (`curl --insecure`). For tests only; prefer `rancher_ca`.",
			},
			"cluster_id": schema.StringAttribute{
				Computed: true, Description: "Rancher's ID of the cluster (`c-m-...`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"applied_objects": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The objects of the import manifest, in the order applied.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"api_version": objectAttr("API version, e.g. `apps/v1`."),
					"kind":        objectAttr("Kind, e.g. `Deployment`."),
					"namespace":   objectAttr("Namespace; empty for cluster-scoped objects."),
					"name":        objectAttr("Name."),
					"created": schema.BoolAttribute{Computed: true, Description: "Whether the apply created the object " +
						"(destroy deletes it) rather than found it in place (destroy leaves it)."},
				}},
			},
			"drifted_objects": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				Description: "Applied objects that were deleted or changed out of band, found by the last refresh, with what " +
					"happened (e.g. `apps/v1 Deployment cattle-system/cattle-cluster-agent: changed by kubectl-edit`). " +
					"A non-empty list plans an update that applies the manifest again.",
			},
		},
		Blocks: map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

func (r *rancherAgentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var drifted types.List
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("drifted_objects"), &drifted)...)
	if len(drifted.Elements()) == 0 {
		framework.SettleNoOpPlan(req, resp)
		return
	}
	// Drift: plan the update that applies the manifest again.
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("drifted_objects"), types.ListValueMust(types.StringType, nil))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("applied_objects"), types.ListUnknown(appliedObjectType))...)
}

func (r *rancherAgentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportReference(ctx, req, resp, "cluster", "the fleet_rancher_cluster (its id)")
}

func (r *rancherAgentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan rancherAgentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	r.write(ctx, req.Config, &plan, nil, nil, &resp.State, resp.Private, &resp.Diagnostics)
}

func (r *rancherAgentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state rancherAgentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	fields, d := req.Private.GetKey(ctx, rancherAgentFieldsKey)
	resp.Diagnostics.Append(d...)
	prior := appliedFromState(ctx, &state, fields, &resp.Diagnostics)
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
func (r *rancherAgentResource) write(ctx context.Context, config configGetter, plan, state *rancherAgentModel, prior []downstream.AppliedObject,
	out framework.StateSetter, private privateSetter, diags *diag.Diagnostics) {
	workspace, name, err := validate.SplitNamespacedName(plan.Cluster.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("cluster"), "Invalid cluster reference", err.Error())
		return
	}
	up := r.Data.Client
	cluster, err := rancherClusterAPI.Get(ctx, up, workspace, name)
	if errors.Is(err, framework.ErrNotFound) {
		diags.AddAttributeError(path.Root("cluster"), "Rancher cluster not found",
			fmt.Sprintf("There is no provisioning.cattle.io Cluster %s/%s. Create it with fleet_rancher_cluster first.", workspace, name))
		return
	}
	if err != nil {
		diags.AddError("Cannot read the Rancher cluster", err.Error())
		return
	}
	reg, err := rancherRegistrationOf(ctx, up, cluster)
	if err != nil {
		diags.AddError("Cannot read the Rancher cluster's registration token", err.Error())
		return
	}
	if reg.pending != "" {
		diags.AddAttributeError(path.Root("cluster"), "The cluster cannot be imported yet",
			fmt.Sprintf("Rancher cluster %s/%s has no usable registration: %s.", workspace, name, reg.pending))
		return
	}
	manifest, err := fetchImportManifest(ctx, reg.manifestURL, reg.token, plan.RancherCA.ValueString(), plan.Insecure.ValueBool())
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
	diags.Append(config.GetAttribute(ctx, path.Root("kubernetes"), &k)...)
	if diags.HasError() {
		return
	}
	cfg, d, unknown := k.Config(ctx, path.Root("kubernetes"))
	if diags.Append(d...); diags.HasError() {
		return
	}
	if unknown {
		diags.AddAttributeError(path.Root("kubernetes"), "Unknown connection", "The kubernetes connection must be known at apply time.")
		return
	}
	down, err := downstream.ConnectForManifests(cfg)
	if err != nil {
		diags.Append(connection.Diagnostic(path.Root("kubernetes"), "Cannot connect to the downstream cluster", err))
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
	if d := r.storeKubeconfig(ctx, workspace, name, k, plan, state); d.HasError() {
		diags.Append(d...)
		return
	}

	applied := make([]downstream.AppliedObject, 0, len(planned))
	var applyErr error
	for _, p := range planned {
		a, err := p.Apply(ctx)
		if err != nil {
			applyErr = err
			break
		}
		a.Created = a.Created || wasCreated(prior, a.Ref)
		applied = append(applied, a)
	}
	if applyErr == nil {
		// Objects an earlier manifest had and this one has not.
		diags.Append(removeObjects(ctx, down, stale(prior, applied))...)
	} else {
		applied = append(applied, stale(prior, applied)...) // still ours to remove
		diags.AddError("Cannot apply Rancher's import manifest", redact(applyErr.Error(), reg.token))
	}
	plan.ID = plan.Cluster
	plan.ClusterID = types.StringValue(reg.clusterID)
	plan.DriftedObjects = types.ListValueMust(types.StringType, nil)
	plan.AppliedObjects = appliedObjectsValue(applied)
	diags.Append(saveAppliedFields(ctx, private, applied)...)
	if applyErr == nil {
		diags.Append(awaitRancherReady(ctx, up, workspace, name)...)
	}
	diags.Append(out.Set(ctx, plan)...)
}

// configGetter is the configuration of Create and Update requests.
type configGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// refuseForeignAgent stops a create from taking over a Rancher agent that
// another import (or another Rancher) installed: applying would re-point it.
func refuseForeignAgent(ctx context.Context, down *downstream.Manifests) error {
	ref := downstream.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: importAgentNamespace, Name: importAgentDeployment}
	client, _, err := down.Resource(ref)
	if err != nil {
		return err
	}
	live, err := client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", ref, err)
	}
	if downstream.OwnFields(live) != nil {
		return nil // applied by this provider before (a re-create after a failed apply)
	}
	return fmt.Errorf("%s exists and was not applied by this provider: the cluster is imported into a Rancher already. "+
		"Remove Rancher's agent from it first (or import this resource).", ref)
}

// storeKubeconfig keeps kubeconfig_wo in the Secret upstream when it is
// used, rewriting it on create and when kubeconfig_wo_version changes, and
// removes the Secret when the configuration stops using kubeconfig_wo.
func (r *rancherAgentResource) storeKubeconfig(ctx context.Context, workspace, name string, config downstream.KubernetesModel, plan, state *rancherAgentModel) diag.Diagnostics {
	var diags diag.Diagnostics
	version := plan.Kubernetes.KubeconfigWOVersion
	var prior types.Int64
	if state != nil && state.Kubernetes != nil {
		prior = state.Kubernetes.KubeconfigWOVersion
	}
	secretName := rancherAgentKubeconfigSecret(name)
	switch {
	case version.IsNull() && !prior.IsNull():
		if err := framework.DeleteOwnedSecret(ctx, r.Data.Client, workspace, secretName); err != nil {
			diags.AddError("Cannot delete the kubeconfig Secret", err.Error())
		}
	case version.IsNull() || version.Equal(prior):
	default:
		err := framework.ApplyOwnedSecret(ctx, r.Data.Client, framework.OwnedSecret{
			Namespace: workspace, Name: secretName, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"value": []byte(config.KubeconfigWO.ValueString())},
		})
		if err != nil {
			diags.AddAttributeError(path.Root("kubernetes").AtName(connection.AttrKubeconfigWO), "Cannot store the kubeconfig", err.Error())
		}
	}
	return diags
}

// connectFromState connects to the downstream cluster with the connection in
// state, and the kubeconfig Secret when kubeconfig_wo is used. nil without
// a connection (right after an import).
func (r *rancherAgentResource) connectFromState(ctx context.Context, state *rancherAgentModel) (*downstream.Manifests, diag.Diagnostics) {
	var diags diag.Diagnostics
	if state.Kubernetes == nil {
		return nil, diags
	}
	k := *state.Kubernetes
	if !k.KubeconfigWOVersion.IsNull() {
		workspace, name, err := validate.SplitNamespacedName(state.Cluster.ValueString())
		if err != nil {
			diags.AddError("Invalid cluster reference in state", err.Error())
			return nil, diags
		}
		secretName := rancherAgentKubeconfigSecret(name)
		data, err := framework.ReadOwnedSecret(ctx, r.Data.Client, workspace, secretName)
		kubeconfig := string(data["value"])
		if err != nil || kubeconfig == "" {
			diags.AddAttributeError(path.Root("kubernetes"), "Cannot read the stored kubeconfig",
				fmt.Sprintf("Secret %s/%s keeps kubernetes.kubeconfig_wo for refresh and destroy: %v. "+
					"Raise kubernetes.kubeconfig_wo_version and apply to store it again.", workspace, secretName, errOrMissing(err)))
			return nil, diags
		}
		k.KubeconfigWO = types.StringValue(kubeconfig)
	}
	cfg, d, _ := k.Config(ctx, path.Root("kubernetes"))
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	down, err := downstream.ConnectForManifests(cfg)
	if err != nil {
		diags.Append(connection.Diagnostic(path.Root("kubernetes"), "Cannot connect to the downstream cluster", err))
		return nil, diags
	}
	return down, diags
}

func errOrMissing(err error) error {
	if err != nil && !errors.Is(err, framework.ErrNotFound) {
		return err
	}
	return errors.New("the Secret or its key `value` is missing")
}

func (r *rancherAgentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state rancherAgentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	workspace, name, err := validate.SplitNamespacedName(state.Cluster.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid cluster reference in state", err.Error())
		return
	}
	cluster, err := rancherClusterAPI.Get(ctx, r.Data.Client, workspace, name)
	if errors.Is(err, framework.ErrNotFound) {
		resp.State.RemoveResource(ctx) // the import went with its Rancher cluster
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
	fields, d := req.Private.GetKey(ctx, rancherAgentFieldsKey)
	resp.Diagnostics.Append(d...)
	applied := appliedFromState(ctx, &state, fields, &resp.Diagnostics)
	down, d := r.connectFromState(ctx, &state)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	var drifted []string
	if down != nil {
		for _, a := range applied {
			what, err := down.Drift(ctx, a, rancherRedeployManagers)
			if err != nil {
				resp.Diagnostics.AddError("Cannot check the imported objects for drift", err.Error())
				return
			}
			if what != "" {
				drifted = append(drifted, a.Ref.String()+": "+what)
			}
		}
	}
	state.AppliedObjects = appliedObjectsValue(applied)
	state.DriftedObjects = flex.StringListValue(drifted)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

func (r *rancherAgentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state rancherAgentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	fields, d := req.Private.GetKey(ctx, rancherAgentFieldsKey)
	resp.Diagnostics.Append(d...)
	applied := appliedFromState(ctx, &state, fields, &resp.Diagnostics)
	down, d := r.connectFromState(ctx, &state)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	if down != nil {
		if resp.Diagnostics.Append(removeObjects(ctx, down, applied)...); resp.Diagnostics.HasError() {
			return
		}
	}
	if state.Kubernetes != nil && !state.Kubernetes.KubeconfigWOVersion.IsNull() {
		workspace, name, _ := validate.SplitNamespacedName(state.Cluster.ValueString())
		if err := framework.DeleteOwnedSecret(ctx, r.Data.Client, workspace, rancherAgentKubeconfigSecret(name)); err != nil {
			resp.Diagnostics.AddError("Cannot delete the kubeconfig Secret", err.Error())
		}
	}
}

// removeObjects deletes, newest first, the objects the provider created, and
// waits until they are gone (a namespace takes its contents with it).
func removeObjects(ctx context.Context, down *downstream.Manifests, objects []downstream.AppliedObject) diag.Diagnostics {
	var diags diag.Diagnostics
	var pending []downstream.ObjectRef
	for i := len(objects) - 1; i >= 0; i-- {
		if !objects[i].Created {
			continue
		}
		gone, err := down.Remove(ctx, objects[i].Ref)
		if err != nil {
			diags.AddError("Cannot remove Rancher's agent from the downstream cluster", err.Error())
			return diags
		}
		if !gone {
			pending = append(pending, objects[i].Ref)
		}
	}
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		var left []downstream.ObjectRef
		for _, ref := range pending {
			gone, err := down.Gone(ctx, ref)
			if err != nil {
				return false, err
			}
			if !gone {
				left = append(left, ref)
			}
		}
		pending = left
		return len(pending) == 0, nil
	})
	if err != nil {
		names := make([]string, len(pending))
		for i, ref := range pending {
			names[i] = ref.String()
		}
		diags.AddError("Rancher's agent was not removed from the downstream cluster",
			fmt.Sprintf("%v; still there: %s", err, strings.Join(names, "; ")))
	}
	return diags
}

// awaitRancherReady waits until Rancher reports the cluster Ready, failing
// early when Rancher keeps reporting an error for rancherErrorGrace.
func awaitRancherReady(ctx context.Context, c *kube.Client, workspace, name string) diag.Diagnostics {
	var diags diag.Diagnostics
	var failing, waiting string
	var failingSince time.Time
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := rancherClusterAPI.Get(ctx, c, workspace, name)
		if err != nil {
			return false, err
		}
		if cluster.Status == nil {
			return false, nil
		}
		if ready := rancher.FindCondition(cluster.Status.Conditions, "Ready"); ready != nil {
			if ready.Status == "True" {
				return true, nil
			}
			waiting = ready.Message
		}
		msg := rancherClusterError(cluster.Status)
		switch {
		case msg == "":
			failing = ""
		case msg != failing:
			failing, failingSince = msg, time.Now()
		case time.Since(failingSince) >= rancherErrorGrace:
			return false, fmt.Errorf("Rancher reports an error: %s", msg)
		}
		return false, nil
	})
	if err != nil {
		detail := err.Error()
		if ctx.Err() != nil {
			detail = "Rancher did not report the cluster ready before the timeout"
			switch {
			case failing != "":
				detail += "; Rancher reports: " + failing
			case waiting != "":
				detail += "; Rancher reports: " + waiting
			}
			detail += ". The cluster agent must reach Rancher: check the agent's proxy (fleet_rancher_cluster.agent_proxy) and Rancher's server-url."
		}
		diags.AddError(fmt.Sprintf("Rancher cluster %s/%s is not ready", workspace, name), detail)
	}
	return diags
}

func wasCreated(prior []downstream.AppliedObject, ref downstream.ObjectRef) bool {
	for _, p := range prior {
		if p.Ref == ref {
			return p.Created
		}
	}
	return false
}

// stale returns the objects of prior that current lacks.
func stale(prior, current []downstream.AppliedObject) []downstream.AppliedObject {
	var out []downstream.AppliedObject
	for _, p := range prior {
		found := false
		for _, c := range current {
			found = found || c.Ref == p.Ref
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

func appliedObjectsValue(objects []downstream.AppliedObject) types.List {
	elems := make([]attr.Value, len(objects))
	for i, o := range objects {
		elems[i] = types.ObjectValueMust(appliedObjectType.AttrTypes, map[string]attr.Value{
			"api_version": types.StringValue(o.Ref.APIVersion), "kind": types.StringValue(o.Ref.Kind),
			"namespace": types.StringValue(o.Ref.Namespace), "name": types.StringValue(o.Ref.Name),
			"created": types.BoolValue(o.Created),
		})
	}
	return types.ListValueMust(appliedObjectType, elems)
}

// appliedFromState rebuilds the applied objects from applied_objects and the
// fields kept in private state.
func appliedFromState(ctx context.Context, m *rancherAgentModel, privateFields []byte, diags *diag.Diagnostics) []downstream.AppliedObject {
	if m.AppliedObjects.IsNull() || m.AppliedObjects.IsUnknown() {
		return nil
	}
	var elems []appliedObjectModel
	diags.Append(m.AppliedObjects.ElementsAs(ctx, &elems, false)...)
	fields := map[string]json.RawMessage{}
	if len(privateFields) > 0 {
		if err := json.Unmarshal(privateFields, &fields); err != nil {
			diags.AddWarning("Ignoring unreadable private state", err.Error())
		}
	}
	out := make([]downstream.AppliedObject, len(elems))
	for i, e := range elems {
		ref := downstream.ObjectRef{APIVersion: e.APIVersion.ValueString(), Kind: e.Kind.ValueString(), Namespace: e.Namespace.ValueString(), Name: e.Name.ValueString()}
		out[i] = downstream.AppliedObject{Ref: ref, Created: e.Created.ValueBool(), Fields: fields[ref.String()]}
	}
	return out
}

func saveAppliedFields(ctx context.Context, private privateSetter, objects []downstream.AppliedObject) diag.Diagnostics {
	fields := make(map[string]json.RawMessage, len(objects))
	for _, o := range objects {
		if len(o.Fields) > 0 {
			fields[o.Ref.String()] = o.Fields
		}
	}
	data, err := json.Marshal(fields)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the applied fields", err.Error())
		return diags
	}
	return private.SetKey(ctx, rancherAgentFieldsKey, data)
}

// rancherErrorGrace is how long Rancher must keep reporting an error before
// a wait gives up on it: Rancher reports transient errors while it sets up.
const rancherErrorGrace = 10 * time.Second

// rancherClusterError returns the message of a condition Rancher reports as
// failed (reason "Error", wrangler's SetError), or "".
func rancherClusterError(status *rancher.ClusterStatus) string {
	if status == nil {
		return ""
	}
	for _, c := range status.Conditions {
		if c.Reason == "Error" && c.Message != "" {
			return fmt.Sprintf("%s: %s", c.Type, c.Message)
		}
	}
	return ""
}
