package framework

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
// the generic CRUD of ObjectResource. M is the model struct, T the Fleet type.
type objectModel[T any] interface {
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
// Every hook may be nil.
type ObjectHooks[T any, M any] struct {
	// BeforeApply runs before each create or update apply, e.g. to write a
	// Secret the object refers to.
	BeforeApply func(ctx context.Context, c *kube.Client, req ApplyRequest[M]) diag.Diagnostics
	// AfterApply waits after create or update until Fleet has acted on the
	// object, and returns it as it is then.
	AfterApply func(ctx context.Context, c *kube.Client, plan *M, applied *T, creating bool) (*T, diag.Diagnostics)
	// AfterDelete removes what the resource owns besides the object.
	AfterDelete func(ctx context.Context, c *kube.Client, state *M) diag.Diagnostics
	// AfterRead fills model attributes that come from other objects than
	// the managed one (e.g. a Secret Fleet writes for it). It runs after
	// every flatten, in Read and after create and update; it must not write.
	AfterRead func(ctx context.Context, c *kube.Client, m *M, obj *T) diag.Diagnostics
	// beforeDelete may refuse the deletion (e.g. a non-empty workspace).
	beforeDelete func(ctx context.Context, c *kube.Client, state *M) diag.Diagnostics
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
}

// ObjectResource implements a Terraform resource for one namespaced
// Kubernetes object kind: server-side apply on create and update, a Read
// that removes the resource when the object is gone, delete that waits for
// finalizers, and `namespace/name` import.
type ObjectResource[T any, M any, PM interface {
	*M
	objectModel[T]
}] struct {
	ResourceBase
	TypeSuffix string // e.g. "_cluster_group"
	Api        ObjectAPI[T]
	SchemaFunc func(context.Context) schema.Schema
	Hooks      ObjectHooks[T, M]
}

func (r *ObjectResource[T, M, PM]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.TypeSuffix
}

func (r *ObjectResource[T, M, PM]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.SchemaFunc(ctx)
}

func (r *ObjectResource[T, M, PM]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.PlanDefaultNamespace(ctx, req, resp)
	SettleNoOpPlan(req, resp)
}

func (r *ObjectResource[T, M, PM]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ImportNamespacedObject(ctx, req, resp)
}

func (r *ObjectResource[T, M, PM]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan := PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	namespace, name := plan.Meta().Namespace.ValueString(), plan.Meta().Name.ValueString()
	if exists, err := r.Api.exists(ctx, r.Data.Client, namespace, name); err != nil || exists {
		resp.Diagnostics.Append(AlreadyExists(r.Api.Kind, namespace, name, err))
		return
	}
	timeout, diags := plan.TimeoutsValue().Create(ctx, DefaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.write(ctx, ApplyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw}, stateRef{&resp.State}, &resp.Diagnostics)
}

func (r *ObjectResource[T, M, PM]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state := PM(new(M)), PM(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.TimeoutsValue().Update(ctx, DefaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.write(ctx, ApplyRequest[M]{Config: req.Config, Plan: (*M)(plan), PlanRaw: req.Plan.Raw, State: (*M)(state)}, stateRef{&resp.State}, &resp.Diagnostics)
}

// write applies the plan, runs the hooks and stores what the server holds.
// Once the object is written, the state is saved even when a later wait fails,
// so nothing exists in the cluster that Terraform does not know about.
func (r *ObjectResource[T, M, PM]) write(ctx context.Context, req ApplyRequest[M], state stateTarget, diags *diag.Diagnostics) {
	plan, creating := PM(req.Plan), req.State == nil
	if r.Hooks.BeforeApply != nil {
		if diags.Append(r.Hooks.BeforeApply(ctx, r.Data.Client, req)...); diags.HasError() {
			return
		}
	}
	obj, d := plan.Expand(ctx)
	if diags.Append(d...); diags.HasError() {
		return
	}
	meta := plan.Meta()
	applied, err := r.Api.Apply(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString(), obj)
	if err != nil {
		diags.AddError(fmt.Sprintf("Cannot write the %s", r.Api.Kind), err.Error())
		return
	}
	plan.Flatten(applied, false)
	if r.Hooks.AfterApply != nil {
		current, d := r.Hooks.AfterApply(ctx, r.Data.Client, (*M)(plan), applied, creating)
		diags.Append(d...)
		if current != nil {
			applied = current
			plan.Flatten(current, false)
		}
	}
	if r.Hooks.AfterRead != nil {
		diags.Append(r.Hooks.AfterRead(ctx, r.Data.Client, (*M)(plan), applied)...)
	}
	diags.Append(r.setState(ctx, state, req.PlanRaw, plan)...)
}

// setState stores m, keeping null what prior leaves null and only others
// set (see unmanaged_fields.go).
func (r *ObjectResource[T, M, PM]) setState(ctx context.Context, state stateTarget, prior tftypes.Value, m PM) diag.Diagnostics {
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	raw, err := keepUnsetNull(prior, state.RawValue(), unmanagedAttributes(r.SchemaFunc(ctx)))
	if err != nil {
		diags.AddError("Cannot build the state", err.Error())
		return diags
	}
	state.SetRaw(raw)
	return diags
}

func (r *ObjectResource[T, M, PM]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	meta := state.Meta()
	obj, err := r.Api.Get(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString())
	if errors.Is(err, ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read the %s", r.Api.Kind), err.Error())
		return
	}
	imported := WasImported(ctx, req.Private)
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
	resp.Diagnostics.Append(r.setState(ctx, stateRef{&resp.State}, prior, state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ImportedKey, nil)...)
}

func (r *ObjectResource[T, M, PM]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := PM(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.TimeoutsValue().Delete(ctx, DefaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if r.Hooks.beforeDelete != nil {
		if resp.Diagnostics.Append(r.Hooks.beforeDelete(ctx, r.Data.Client, (*M)(state))...); resp.Diagnostics.HasError() {
			return
		}
	}
	meta := state.Meta()
	if err := r.Api.Delete(ctx, r.Data.Client, meta.Namespace.ValueString(), meta.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot delete the %s", r.Api.Kind), err.Error())
		return
	}
	if r.Hooks.AfterDelete != nil {
		resp.Diagnostics.Append(r.Hooks.AfterDelete(ctx, r.Data.Client, (*M)(state))...)
	}
}
