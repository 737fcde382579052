package framework

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// ObjectModel is what a resource model managing one namespaced object offers
// the generic CRUD of ObjectResource. T is the Go type of the object.
type ObjectModel[T any] interface {
	// Meta returns the embedded id/name/namespace/labels/annotations.
	Meta() *ObjectMetaModel
	// TimeoutsValue returns the model's timeouts block.
	TimeoutsValue() timeouts.Value
	// Expand builds the object to apply from the plan.
	Expand(ctx context.Context) (*T, diag.Diagnostics)
	// Flatten fills the model from the object the server returned.
	Flatten(obj *T, imported bool)
}

// ObjectHooks are the optional steps a resource adds around the generic CRUD.
// Every hook may be nil. A create or update runs BeforeApply, the apply,
// AfterApply, then AfterRead; a refresh runs AfterRead after reading the
// object; a destroy runs AfterDelete once the object is gone.
type ObjectHooks[T any, M any] struct {
	// BeforeApply runs before each create or update apply, e.g. to write a
	// Secret the object refers to.
	BeforeApply func(ctx context.Context, c *kube.Client, req ApplyRequest[M]) diag.Diagnostics
	// AfterApply waits after create or update until Fleet has acted on the
	// object, and returns it as it is then. firstWait is true on create and
	// on the update after a create whose wait did not finish: what a create
	// waits for, that update waits for too. On create its errors (and those
	// of AfterRead) are reported as warnings, as the object exists.
	AfterApply func(ctx context.Context, c *kube.Client, plan *M, applied *T, firstWait bool) (*T, diag.Diagnostics)
	// AfterDelete removes what the resource owns besides the object. It
	// also runs, with the plan, when a create fails before the object
	// exists, to remove what BeforeApply wrote.
	AfterDelete func(ctx context.Context, c *kube.Client, state *M) diag.Diagnostics
	// AfterRead fills model attributes that come from other objects than
	// the managed one (e.g. a Secret Fleet writes for it). It runs after
	// every flatten, in Read and after create and update; it must not write.
	AfterRead func(ctx context.Context, c *kube.Client, m *M, obj *T) diag.Diagnostics
}

// ApplyRequest is what BeforeApply sees of a create or update.
type ApplyRequest[M any] struct {
	// Config holds write-only attributes, which are null in Plan and State.
	Config tfsdk.Config
	Plan   *M
	// PlanRaw is the plan as Terraform sent it.
	PlanRaw tftypes.Value
	// State is nil on create.
	State *M
	// StateRaw is the prior state as Terraform sent it; null on create.
	StateRaw tftypes.Value
}

// ObjectResource implements a Terraform resource for one namespaced
// Kubernetes object kind: server-side apply on create and update, a Read
// that removes the resource when the object is gone, delete that waits for
// finalizers, and `namespace/name` import, by ID or by identity.
type ObjectResource[T any, M any, PM interface {
	*M
	ObjectModel[T]
}] struct {
	ResourceBase
	WithTimeouts
	WithIdentity
	ObjectResourceSpec[T, M]
}

// ObjectResourceSpec is what a resource on ObjectResource says about itself.
type ObjectResourceSpec[T any, M any] struct {
	// TypeName is the resource type, e.g. "fleet_cluster_group".
	TypeName string
	API      ObjectAPI[T]
	// Schema builds the schema but for the timeouts block, which
	// ObjectResource adds.
	Schema func(ctx context.Context) schema.Schema
	Hooks  ObjectHooks[T, M]
	// Gates, when set, refuses what the server does not serve.
	Gates ServerGates
	// ManagedElsewhere, when set, says why an existing object belongs to
	// another tool (e.g. Rancher), which would undo this resource's changes:
	// such an object is neither taken over on create nor imported. It
	// returns "" for an object the resource may manage.
	ManagedElsewhere func(obj *T) string
	// Renames are the attributes renamed since schema version 0, old name
	// => new name: a state of version 0 keeps their values (RenameUpgraders).
	Renames map[string]string
	// Identity, when set, replaces the namespace and name of the object as
	// the resource's identity (with an ImportState of the resource's own).
	Identity WithIdentity
}

// ServerGates is what a resource needs of the server beyond what every
// supported server serves (internal/compat implements it for Fleet releases).
type ServerGates interface {
	// CheckPlan runs while a create or update is planned and refuses what
	// the server does not serve. It must not fail when the server cannot be
	// reached: a plan of new resources needs no API access.
	CheckPlan(ctx context.Context, c *kube.Client, config tfsdk.Config) diag.Diagnostics
	// ExplainApplyError returns a clearer error for a write the server
	// rejected, or nothing to report err as it is.
	ExplainApplyError(ctx context.Context, c *kube.Client, err error) diag.Diagnostics
}

// NewObjectResource builds the resource; the type arguments are inferred
// from spec.
func NewObjectResource[T any, M any, PM interface {
	*M
	ObjectModel[T]
}](spec ObjectResourceSpec[T, M]) *ObjectResource[T, M, PM] {
	identity := spec.Identity
	if identity == nil {
		identity = NamespacedIdentity(spec.API.Kind)
	}
	return &ObjectResource[T, M, PM]{WithIdentity: identity, ObjectResourceSpec: spec}
}

func (r *ObjectResource[T, M, PM]) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.TypeName
}

func (r *ObjectResource[T, M, PM]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema(ctx)
}

func (r *ObjectResource[T, M, PM]) schema(ctx context.Context) schema.Schema {
	s := r.ObjectResourceSpec.Schema(ctx)
	if s.Blocks == nil {
		s.Blocks = map[string]schema.Block{}
	}
	s.Blocks["timeouts"] = r.TimeoutsBlock(ctx)
	if len(r.Renames) > 0 {
		s.Version = RenamedSchemaVersion
	}
	return s
}

func (r *ObjectResource[T, M, PM]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.PlanDefaultNamespace(ctx, req, resp)
	if r.Gates != nil && !req.Plan.Raw.IsNull() && r.Data != nil {
		resp.Diagnostics.Append(r.Gates.CheckPlan(ctx, r.Data.Client, req.Config)...)
	}
	if !r.PlanPendingWait(ctx, req, resp) {
		SettleNoOpPlan(req, resp)
	}
}

// PlanPendingWait plans an update that waits again when the last apply
// wrote the object but did not finish waiting for it (see pendingWait): the
// status attributes become unknown, so the plan is not empty. It reports
// whether it did.
func (r *ObjectResource[T, M, PM]) PlanPendingWait(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !pendingWait(ctx, req.Private) {
		return false
	}
	resp.Diagnostics.Append(markStatusUnknown(ctx, r.schema(ctx), &resp.Plan)...)
	resp.Diagnostics.AddWarning(fmt.Sprintf("The last apply did not finish waiting for the %s", r.API.Kind),
		"The object was written, but a wait or a read after it did not finish. This update applies the configuration again and waits as a create does.")
	return true
}

func (r *ObjectResource[T, M, PM]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ImportNamespaced(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "namespace", "name")
}

func (r *ObjectResource[T, M, PM]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, reportWarnings := CollectAPIWarnings(ctx, r.API.Kind)
	defer reportWarnings(&resp.Diagnostics)
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	plan := PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	namespace, name := plan.Meta().Namespace.ValueString(), plan.Meta().Name.ValueString()
	if live, err := r.API.Get(ctx, r.Data.Client, namespace, name); !errors.Is(err, ErrNotFound) {
		if d := r.explain(ctx, err); d.HasError() {
			resp.Diagnostics.Append(d...)
			return
		}
		if why := r.managedElsewhere(live); err == nil && why != "" {
			resp.Diagnostics.AddError(fmt.Sprintf("The %s %s/%s is not Terraform's to manage", r.API.Kind, namespace, name), why)
			return
		}
		resp.Diagnostics.Append(AlreadyExists(r.API.Kind, namespace, name, err))
		return
	}
	ctx, cancel, diags := r.CreateContext(ctx, plan.TimeoutsValue())
	defer cancel()
	resp.Diagnostics.Append(diags...)
	written, after := r.write(ctx, ApplyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw}, true,
		stateRef{&resp.State}, &resp.Diagnostics)
	if written && after.HasError() {
		// Terraform taints a created instance when Create fails, and the next
		// apply would replace it: for a GitRepo, Fleet would uninstall its
		// workloads from every cluster first. The object is there: keep it,
		// warn, and let the next plan wait again.
		resp.Diagnostics.Append(notFinishedWarnings(after, r.API.Kind, namespace, name)...)
	} else {
		resp.Diagnostics.Append(after...)
	}
	if written {
		resp.Diagnostics.Append(setPendingWait(ctx, resp.Private, after.HasError())...)
	}
}

func (r *ObjectResource[T, M, PM]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, reportWarnings := CollectAPIWarnings(ctx, r.API.Kind)
	defer reportWarnings(&resp.Diagnostics)
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	plan, state := PM(new(M)), PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.UpdateContext(ctx, plan.TimeoutsValue())
	defer cancel()
	resp.Diagnostics.Append(diags...)
	// An update is never tainted: a wait that fails stays an error, and
	// the next plan waits again.
	written, after := r.write(ctx, ApplyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw, State: (*M)(state), StateRaw: req.State.Raw},
		pendingWait(ctx, req.Private), stateRef{&resp.State}, &resp.Diagnostics)
	resp.Diagnostics.Append(after...)
	if written {
		resp.Diagnostics.Append(setPendingWait(ctx, resp.Private, after.HasError())...)
	}
}

// write applies the plan, runs the hooks and stores what the server holds.
// Once the object is written, the state is saved even when a later wait fails,
// so nothing exists in the cluster that Terraform does not know about. It
// reports whether the object was written, and returns apart the diagnostics
// of the steps after that (AfterApply, AfterRead). firstWait is true on
// create and on the update after one whose wait did not finish.
func (r *ObjectResource[T, M, PM]) write(ctx context.Context, req ApplyRequest[M], firstWait bool, state stateTarget, diags *diag.Diagnostics) (written bool, after diag.Diagnostics) {
	plan := PM(req.Plan)
	if r.Hooks.BeforeApply != nil {
		if diags.Append(r.Hooks.BeforeApply(ctx, r.Data.Client, req)...); diags.HasError() {
			r.abandonCreate(ctx, plan, req.State == nil, diags)
			return false, nil
		}
	}
	obj, d := plan.Expand(ctx)
	if diags.Append(d...); diags.HasError() {
		r.abandonCreate(ctx, plan, req.State == nil, diags)
		return false, nil
	}
	meta := plan.Meta()
	applied, err := r.API.Apply(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString(), obj)
	if err != nil {
		if d := r.explain(ctx, err); d.HasError() {
			diags.Append(d...)
			return
		}
		diags.AddError(fmt.Sprintf("Cannot write the %s", r.API.Kind), err.Error())
		r.abandonCreate(ctx, plan, req.State == nil, diags)
		return false, nil
	}
	plan.Flatten(applied, false)
	if r.Hooks.AfterApply != nil {
		current, d := r.Hooks.AfterApply(ctx, r.Data.Client, (*M)(plan), applied, firstWait)
		after.Append(d...)
		if current != nil {
			applied = current
			plan.Flatten(current, false)
		}
	}
	if r.Hooks.AfterRead != nil {
		after.Append(r.Hooks.AfterRead(ctx, r.Data.Client, (*M)(plan), applied)...)
	}
	left, d := r.setState(ctx, state, req.PlanRaw, plan, req.StateRaw)
	diags.Append(d...)
	if len(left) > 0 {
		diags.AddError(fmt.Sprintf("Removed from the configuration, but still set on the %s", r.API.Kind), leftBehindDetail(left, any(applied)))
	}
	return true, after
}

// abandonCreate removes, after a create that wrote no object (so no state),
// what BeforeApply wrote: nothing would track it. The create context may be
// what ran out, so cleaning up gets a minute of its own.
func (r *ObjectResource[T, M, PM]) abandonCreate(ctx context.Context, plan PM, creating bool, diags *diag.Diagnostics) {
	if !creating || r.Hooks.AfterDelete == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, d := range r.Hooks.AfterDelete(ctx, r.Data.Client, (*M)(plan)) {
		diags.AddWarning("Incomplete cleanup after the failed create", d.Summary()+": "+d.Detail())
	}
}

func (r *ObjectResource[T, M, PM]) managedElsewhere(obj *T) string {
	if r.ManagedElsewhere == nil || obj == nil {
		return ""
	}
	return r.ManagedElsewhere(obj)
}

// explain asks the gates for a clearer error than err, if they have one.
func (r *ObjectResource[T, M, PM]) explain(ctx context.Context, err error) diag.Diagnostics {
	if r.Gates == nil || err == nil {
		return nil
	}
	return r.Gates.ExplainApplyError(ctx, r.Data.Client, err)
}

// setState stores m, keeping null what prior leaves null and only others
// set (see keepUnsetNull). An attribute that removed (the prior state before
// an update) held, that prior drops and that the object still holds is left
// behind by another field manager: it stays in state, so the next plan shows
// its removal again, and setState returns its name.
func (r *ObjectResource[T, M, PM]) setState(ctx context.Context, state stateTarget, prior tftypes.Value, m PM, removed tftypes.Value) ([]string, diag.Diagnostics) {
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return nil, diags
	}
	names := r.unmanagedAttributes(ctx)
	left, err := leftBehind(removed, prior, state.RawValue(), names)
	if err == nil {
		var raw tftypes.Value
		raw, err = keepUnsetNull(prior, state.RawValue(), without(names, left))
		state.SetRaw(raw)
	}
	if err != nil {
		diags.AddError("Cannot build the state", err.Error())
	}
	return left, diags
}

// unmanagedByType holds the unmanaged attributes of each resource type.
// The framework makes a resource anew for every call, and every read and
// write needs them: building the schema each time cost more than the rest of
// setState's own work.
var unmanagedByType sync.Map // type name => []string

func (r *ObjectResource[T, M, PM]) unmanagedAttributes(ctx context.Context) []string {
	if names, ok := unmanagedByType.Load(r.TypeName); ok {
		return names.([]string)
	}
	names, _ := unmanagedByType.LoadOrStore(r.TypeName, unmanagedAttributes(r.schema(ctx)))
	return names.([]string)
}

func (r *ObjectResource[T, M, PM]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, reportWarnings := CollectAPIWarnings(ctx, r.API.Kind)
	defer reportWarnings(&resp.Diagnostics)
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	meta := state.Meta()
	obj, err := r.API.Read(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString())
	if errors.Is(err, ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read the %s", r.API.Kind), err.Error())
		return
	}
	imported := WasImported(ctx, req.Private)
	if why := r.managedElsewhere(obj); imported && why != "" {
		resp.Diagnostics.AddError(fmt.Sprintf("The %s %s/%s is not Terraform's to manage", r.API.Kind, meta.Namespace.ValueString(), meta.Name.ValueString()), why)
		return
	}
	state.Flatten(obj, imported)
	if r.Hooks.AfterRead != nil {
		if resp.Diagnostics.Append(r.Hooks.AfterRead(ctx, r.Data.Client, (*M)(state), obj)...); resp.Diagnostics.HasError() {
			return
		}
	}
	prior := req.State.Raw
	if imported {
		prior = tftypes.Value{} // an import takes everything the object holds
	}
	_, d := r.setState(ctx, stateRef{&resp.State}, prior, state, tftypes.Value{})
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(ImportRead(ctx, resp.Private)...)
}

func (r *ObjectResource[T, M, PM]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, reportWarnings := CollectAPIWarnings(ctx, r.API.Kind)
	defer reportWarnings(&resp.Diagnostics)
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.DeleteContext(ctx, state.TimeoutsValue())
	defer cancel()
	resp.Diagnostics.Append(diags...)
	meta := state.Meta()
	if err := r.API.Delete(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot delete the %s", r.API.Kind), err.Error())
		return
	}
	if r.Hooks.AfterDelete != nil {
		resp.Diagnostics.Append(r.Hooks.AfterDelete(ctx, r.Data.Client, (*M)(state))...)
	}
}
