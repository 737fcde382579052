package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// objectModel is what a resource model managing one namespaced object offers
// the generic CRUD of objectResource. M is the model struct, T the Fleet type.
type objectModel[T any] interface {
	// meta returns the embedded id/name/namespace/labels/annotations.
	meta() *objectMetaModel
	// timeoutsValue returns the model's timeouts block.
	timeoutsValue() timeouts.Value
	// expand builds the object to apply from the plan.
	expand(ctx context.Context) (*T, diag.Diagnostics)
	// flatten fills the model from the object the server returned.
	flatten(obj *T, imported bool)
}

// objectHooks are the optional steps a resource adds around the generic CRUD.
// Every hook may be nil.
type objectHooks[T any, M any] struct {
	// beforeApply runs before each create or update apply, e.g. to write a
	// Secret the object refers to.
	beforeApply func(ctx context.Context, c *kube.Client, req applyRequest[M]) diag.Diagnostics
	// awaitApplied waits after create or update until Fleet has acted on the
	// object, and returns it as it is then.
	awaitApplied func(ctx context.Context, c *kube.Client, plan *M, applied *T, creating bool) (*T, diag.Diagnostics)
	// afterDelete removes what the resource owns besides the object.
	afterDelete func(ctx context.Context, c *kube.Client, state *M) diag.Diagnostics
	// readRelated fills model attributes that come from other objects than
	// the managed one (e.g. a Secret Fleet writes for it). It runs after
	// every flatten, in Read and after create and update; it must not write.
	readRelated func(ctx context.Context, c *kube.Client, m *M, obj *T) diag.Diagnostics
	// beforeDelete may refuse the deletion (e.g. a non-empty workspace).
	beforeDelete func(ctx context.Context, c *kube.Client, state *M) diag.Diagnostics
}

// applyRequest is what beforeApply sees of a create or update.
type applyRequest[M any] struct {
	// Config holds write-only attributes, which are null in Plan and State.
	Config tfsdk.Config
	Plan   *M
	// PlanRaw is the plan as Terraform sent it.
	PlanRaw tftypes.Value
	// State is nil on create.
	State *M
}

// objectResource implements a Terraform resource for one namespaced
// Kubernetes object kind: server-side apply on create and update, a Read
// that removes the resource when the object is gone, delete that waits for
// finalizers, and `namespace/name` import.
type objectResource[T any, M any, PM interface {
	*M
	objectModel[T]
}] struct {
	resourceBase
	typeSuffix string // e.g. "_cluster_group"
	api        objectAPI[T]
	schema     func(context.Context) schema.Schema
	hooks      objectHooks[T, M]
}

func (r *objectResource[T, M, PM]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.typeSuffix
}

func (r *objectResource[T, M, PM]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema(ctx)
}

func (r *objectResource[T, M, PM]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planDefaultNamespace(ctx, req, resp)
	settleNoOpPlan(req, resp)
}

func (r *objectResource[T, M, PM]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importNamespacedObject(ctx, req, resp)
}

func (r *objectResource[T, M, PM]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan := PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	namespace, name := plan.meta().Namespace.ValueString(), plan.meta().Name.ValueString()
	if exists, err := r.api.exists(ctx, r.data.Client, namespace, name); err != nil || exists {
		resp.Diagnostics.Append(alreadyExists(r.api.kind, namespace, name, err))
		return
	}
	timeout, diags := plan.timeoutsValue().Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.write(ctx, applyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw}, stateRef{&resp.State}, &resp.Diagnostics)
}

func (r *objectResource[T, M, PM]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state := PM(new(M)), PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.timeoutsValue().Update(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.write(ctx, applyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw, State: (*M)(state)}, stateRef{&resp.State}, &resp.Diagnostics)
}

// stateSetter is resp.State of Create and Update.
type stateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

// stateTarget is the response state of Create, Update and Read.
type stateTarget interface {
	Set(context.Context, any) diag.Diagnostics
	RawValue() tftypes.Value
	SetRaw(tftypes.Value)
}

// write applies the plan, runs the hooks and stores what the server holds.
// Once the object is written, the state is saved even when a later wait fails,
// so nothing exists in the cluster that Terraform does not know about.
func (r *objectResource[T, M, PM]) write(ctx context.Context, req applyRequest[M], state stateTarget, diags *diag.Diagnostics) {
	plan, creating := PM(req.Plan), req.State == nil
	if r.hooks.beforeApply != nil {
		if diags.Append(r.hooks.beforeApply(ctx, r.data.Client, req)...); diags.HasError() {
			return
		}
	}
	obj, d := plan.expand(ctx)
	if diags.Append(d...); diags.HasError() {
		return
	}
	meta := plan.meta()
	applied, err := r.api.apply(ctx, r.data.Client, meta.Namespace.ValueString(), meta.Name.ValueString(), obj)
	if err != nil {
		diags.AddError(fmt.Sprintf("Cannot write the %s", r.api.kind), err.Error())
		return
	}
	plan.flatten(applied, false)
	if r.hooks.awaitApplied != nil {
		current, d := r.hooks.awaitApplied(ctx, r.data.Client, (*M)(plan), applied, creating)
		diags.Append(d...)
		if current != nil {
			applied = current
			plan.flatten(current, false)
		}
	}
	if r.hooks.readRelated != nil {
		diags.Append(r.hooks.readRelated(ctx, r.data.Client, (*M)(plan), applied)...)
	}
	diags.Append(r.setState(ctx, state, req.PlanRaw, plan)...)
}

// setState stores m, keeping null what prior leaves null and only others
// set (see unmanaged_fields.go).
func (r *objectResource[T, M, PM]) setState(ctx context.Context, state stateTarget, prior tftypes.Value, m PM) diag.Diagnostics {
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	raw, err := keepUnsetNull(prior, state.RawValue(), unmanagedAttributes(r.schema(ctx)))
	if err != nil {
		diags.AddError("Cannot build the state", err.Error())
		return diags
	}
	state.SetRaw(raw)
	return diags
}

func (r *objectResource[T, M, PM]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	meta := state.meta()
	obj, err := r.api.get(ctx, r.data.Client, meta.Namespace.ValueString(), meta.Name.ValueString())
	if errors.Is(err, errNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read the %s", r.api.kind), err.Error())
		return
	}
	imported := wasImported(ctx, req.Private)
	state.flatten(obj, imported)
	if r.hooks.readRelated != nil {
		if resp.Diagnostics.Append(r.hooks.readRelated(ctx, r.data.Client, (*M)(state), obj)...); resp.Diagnostics.HasError() {
			return
		}
	}
	prior := req.State.Raw
	if imported {
		prior = tftypes.Value{} // an import takes everything the object holds
	}
	resp.Diagnostics.Append(r.setState(ctx, stateRef{&resp.State}, prior, state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

func (r *objectResource[T, M, PM]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.timeoutsValue().Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if r.hooks.beforeDelete != nil {
		if resp.Diagnostics.Append(r.hooks.beforeDelete(ctx, r.data.Client, (*M)(state))...); resp.Diagnostics.HasError() {
			return
		}
	}
	meta := state.meta()
	if err := r.api.delete(ctx, r.data.Client, meta.Namespace.ValueString(), meta.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot delete the %s", r.api.kind), err.Error())
		return
	}
	if r.hooks.afterDelete != nil {
		resp.Diagnostics.Append(r.hooks.afterDelete(ctx, r.data.Client, (*M)(state))...)
	}
}

// timeoutsBlock is the timeouts block of every resource.
func timeoutsBlock(ctx context.Context) schema.Block {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
}

// stateRef adapts *tfsdk.State to stateTarget.
type stateRef struct{ s *tfsdk.State }

func (r stateRef) Set(ctx context.Context, v any) diag.Diagnostics { return r.s.Set(ctx, v) }
func (r stateRef) RawValue() tftypes.Value                         { return r.s.Raw }
func (r stateRef) SetRaw(v tftypes.Value)                          { r.s.Raw = v }
