package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// workspaceModel is the state of fleet_workspace.
type workspaceModel struct {
	ID           types.String   `tfsdk:"id"`
	Name         types.String   `tfsdk:"name"`
	Labels       types.Map      `tfsdk:"labels"`
	Annotations  types.Map      `tfsdk:"annotations"`
	ForceDestroy types.Bool     `tfsdk:"force_destroy"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// Flatten fills the model from the namespace, with object_meta's rules for
// labels and annotations (only managed keys; all but system ones on import).
func (m *workspaceModel) Flatten(ns *corev1.Namespace, imported bool) {
	m.ID = types.StringValue(ns.Name)
	m.Name = types.StringValue(ns.Name)
	m.Labels = framework.ManagedKeys(ns.Labels, m.Labels, imported)
	m.Annotations = framework.ManagedKeys(ns.Annotations, m.Annotations, imported)
	if m.ForceDestroy.IsNull() || m.ForceDestroy.IsUnknown() {
		m.ForceDestroy = types.BoolValue(false) // the default, after an import
	}
}

type workspaceResource struct {
	framework.ResourceBase
	framework.WithTimeouts
	framework.WithIdentity
}

var (
	_ resource.ResourceWithImportState = (*workspaceResource)(nil)
	_ resource.ResourceWithIdentity    = (*workspaceResource)(nil)
)

// NewWorkspaceResource is fleet_workspace.
func NewWorkspaceResource() resource.Resource {
	return &workspaceResource{WithIdentity: framework.WithIdentity{{Name: "name", Description: "Name of the workspace (its namespace)."}}}
}

func (r *workspaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace"
}

func (r *workspaceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := framework.ObjectMetaAttributes("workspace namespace")
	delete(attrs, "namespace")
	attrs["id"] = schema.StringAttribute{
		Computed:      true,
		Description:   "Name of the workspace; also its import ID.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["name"] = schema.StringAttribute{
		Required:      true,
		Description:   "Name of the workspace, which is the name of its namespace (an RFC 1123 label). Changing it replaces the workspace.",
		Validators:    []validator.String{validate.NamespaceName()},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	labels := attrs["labels"].(schema.MapAttribute)
	labels.Validators = append(labels.Validators, systemLabelKey{})
	attrs["labels"] = labels
	attrs["force_destroy"] = schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
		Description: "Whether destroy may delete the workspace while it still holds Fleet objects (GitRepos, HelmOps, " +
			"Clusters, ClusterGroups, Bundles, ClusterRegistrationTokens). They are deleted with it: Fleet then removes " +
			"what the GitRepos and HelmOps deployed and forgets the clusters. Set it and apply before destroying. Defaults to `false`.",
	}
	resp.Schema = schema.Schema{
		Description: "A Fleet workspace of standalone Fleet: the namespace that GitRepos, HelmOps, Clusters and " +
			"ClusterGroups live in. Fleet has no workspace object or marker of its own; any namespace holding " +
			"these is a workspace. Destroy refuses to delete a workspace that still holds Fleet objects unless " +
			"`force_destroy` is set, and waits until the namespace is gone. Other objects in the namespace " +
			"(Secrets such as Git credentials, ConfigMaps, ...) do not block destroy and are deleted with it.\n\n" +
			"With Rancher, do not use this resource: Rancher's workspaces are `FleetWorkspace` objects " +
			"(`management.cattle.io/v3`, cluster-scoped), and creating one makes Rancher create the namespace of " +
			"the same name, with its roles. Rancher refuses a FleetWorkspace whose namespace exists already, so a " +
			"namespace made here cannot become a Rancher workspace later.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

// namespaceNameLabel is the label Kubernetes itself sets on every namespace.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// systemLabelKey rejects the label Kubernetes sets: its value is forced to
// the name, so a configured one could never hold.
type systemLabelKey struct{}

func (systemLabelKey) Description(context.Context) string {
	return "must not set " + namespaceNameLabel + ", which Kubernetes sets"
}

func (v systemLabelKey) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (systemLabelKey) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if _, ok := req.ConfigValue.Elements()[namespaceNameLabel]; ok {
		resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(namespaceNameLabel), "Reserved label",
			"Kubernetes sets the label "+namespaceNameLabel+" of every namespace to its name; remove it from labels.")
	}
}

func (r *workspaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportByName(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "name", validate.CheckNamespaceName)
}

// namespaces returns the typed namespace client.
func (r *workspaceResource) namespaces() (corev1client.NamespaceInterface, error) {
	core, err := r.Data.Client.Core()
	if err != nil {
		return nil, err
	}
	return core.CoreV1().Namespaces(), nil
}

func (r *workspaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan workspaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel, diags := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	namespaces, err := r.namespaces()
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the workspace", err.Error())
		return
	}
	if d := awaitNamespaceAbsent(ctx, namespaces, name); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	r.Apply(ctx, namespaces, &plan, &resp.State, &resp.Diagnostics)
}

// awaitNamespaceAbsent makes sure Create does not adopt a namespace. One
// being deleted (e.g. out of band, before this re-creation) is waited for.
func awaitNamespaceAbsent(ctx context.Context, namespaces corev1client.NamespaceInterface, name string) diag.Diagnostic {
	var last *corev1.Namespace
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		ns, err := namespaces.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		last = ns
		return ns.DeletionTimestamp == nil, nil
	})
	switch {
	case err == nil && last != nil && last.DeletionTimestamp == nil:
		return diag.NewErrorDiagnostic("Namespace already exists",
			fmt.Sprintf("Namespace %s exists already. To manage it as a workspace with Terraform, import it: "+
				"terraform import <address> %s", name, name))
	case errors.Is(err, context.DeadlineExceeded) && last != nil:
		return diag.NewErrorDiagnostic("Namespace is still being deleted",
			fmt.Sprintf("Namespace %s, deleted earlier, was not gone before the create timeout. %s", name, namespaceDeletionStatus(last)))
	case err != nil:
		return diag.NewErrorDiagnostic("Cannot check whether the namespace exists", err.Error())
	}
	return nil
}

func (r *workspaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan workspaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel, diags := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	namespaces, err := r.namespaces()
	if err != nil {
		resp.Diagnostics.AddError("Cannot update the workspace", err.Error())
		return
	}
	r.Apply(ctx, namespaces, &plan, &resp.State, &resp.Diagnostics)
}

// Apply writes the namespace's labels and annotations with server-side
// Apply; keys others set stay theirs.
func (r *workspaceResource) Apply(ctx context.Context, namespaces corev1client.NamespaceInterface, plan *workspaceModel, state framework.StateSetter, diags *diag.Diagnostics) {
	var labels, annotations map[string]string
	diags.Append(plan.Labels.ElementsAs(ctx, &labels, false)...)
	diags.Append(plan.Annotations.ElementsAs(ctx, &annotations, false)...)
	if diags.HasError() {
		return
	}
	name := plan.Name.ValueString()
	ns, err := namespaces.Apply(ctx, corev1ac.Namespace(name).WithLabels(labels).WithAnnotations(annotations),
		metav1.ApplyOptions{FieldManager: framework.FieldManager, Force: true})
	if err != nil {
		diags.AddError("Cannot write the workspace namespace", fmt.Sprintf("apply Namespace %s: %v", name, err))
		return
	}
	plan.Flatten(ns, false)
	diags.Append(state.Set(ctx, plan)...)
}

func (r *workspaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state workspaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	namespaces, err := r.namespaces()
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the workspace", err.Error())
		return
	}
	ns, err := namespaces.Get(ctx, state.Name.ValueString(), metav1.GetOptions{})
	// A namespace being deleted is as good as gone: plan its re-creation
	// (Create waits for the deletion to finish).
	if apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the workspace namespace", err.Error())
		return
	}
	state.Flatten(ns, framework.WasImported(ctx, req.Private))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

func (r *workspaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state workspaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel, diags := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	namespaces, err := r.namespaces()
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the workspace", err.Error())
		return
	}
	if !state.ForceDestroy.ValueBool() {
		contents, err := workspaceContents(ctx, r.Data.Client, name)
		if err != nil {
			resp.Diagnostics.AddError("Cannot check whether the workspace is empty", err.Error())
			return
		}
		if len(contents) > 0 {
			resp.Diagnostics.AddError("Workspace is not empty",
				fmt.Sprintf("Workspace %s still holds Fleet objects:\n  %s\nDelete them first, or set force_destroy = true "+
					"and apply, to delete the workspace with everything in it.", name, strings.Join(contents, "\n  ")))
			return
		}
	}
	propagation := metav1.DeletePropagationBackground
	err = namespaces.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &propagation})
	if apierrors.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the workspace namespace", err.Error())
		return
	}
	// Kubernetes' namespace controller deletes the contents, then the
	// Namespace; Fleet's finalizers on GitRepos and Clusters run meanwhile.
	var last *corev1.Namespace
	err = framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		ns, err := namespaces.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		last = ns
		return false, err
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded) && last != nil:
		resp.Diagnostics.AddError("Workspace namespace not deleted in time",
			fmt.Sprintf("Namespace %s was still being deleted at the delete timeout. %s", name, namespaceDeletionStatus(last)))
	case err != nil:
		resp.Diagnostics.AddError("Cannot wait for the workspace namespace to be deleted", err.Error())
	}
}

// workspaceKinds are the Fleet objects that make a workspace non-empty.
var workspaceKinds = []framework.ObjectAPI[fleet.Object]{
	{GVR: fleet.GitRepos, Kind: fleet.KindGitRepo},
	{GVR: fleet.HelmOps, Kind: fleet.KindHelmOp},
	{GVR: fleet.Clusters, Kind: fleet.KindCluster},
	{GVR: fleet.ClusterGroups, Kind: fleet.KindClusterGroup},
	{GVR: fleet.Resource("bundles"), Kind: "Bundle"},
	{GVR: fleet.ClusterRegistrationTokens, Kind: fleet.KindClusterRegistrationToken},
}

// workspaceContents lists the Fleet objects in the namespace, one line per
// Kind ("GitRepo: a, b").
func workspaceContents(ctx context.Context, c *kube.Client, namespace string) ([]string, error) {
	var lines []string
	for _, api := range workspaceKinds {
		objects, err := api.List(ctx, c, namespace, "")
		if apierrors.IsNotFound(err) {
			continue // a kind this Fleet version does not have
		}
		if err != nil {
			return nil, err
		}
		if len(objects) == 0 {
			continue
		}
		names := make([]string, len(objects))
		for i, o := range objects {
			names[i] = o.Name
		}
		lines = append(lines, api.Kind+": "+strings.Join(names, ", "))
	}
	return lines, nil
}

// namespaceDeletionStatus explains what holds a namespace in Terminating, from
// the conditions the namespace controller reports.
func namespaceDeletionStatus(ns *corev1.Namespace) string {
	var reasons []string
	for _, c := range ns.Status.Conditions {
		if c.Status == corev1.ConditionTrue && c.Message != "" {
			reasons = append(reasons, c.Message)
		}
	}
	if len(reasons) == 0 {
		return "Kubernetes reports no reason; is kube-controller-manager (its namespace controller) running?"
	}
	return "Kubernetes reports: " + strings.Join(reasons, "; ")
}
