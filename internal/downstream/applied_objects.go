package downstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// A resource that applies a manifest downstream (fleet_rancher_agent,
// fleet_kubesphere_agent) records in state what it applied (kind, namespace,
// name, and whether the apply created it: never the content, which may hold
// a token), and in private state the fields it owns in each object, which
// refresh compares with the cluster to report drift.

// appliedFieldsKey is the private state key of the fields the provider owns
// in each applied object (names of fields, never values).
const appliedFieldsKey = "applied_fields"

// appliedObjectModel is one element of applied_objects.
type appliedObjectModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Kind       types.String `tfsdk:"kind"`
	Namespace  types.String `tfsdk:"namespace"`
	Name       types.String `tfsdk:"name"`
	Created    types.Bool   `tfsdk:"created"`
}

// AppliedObjectType is the element type of applied_objects.
var AppliedObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"api_version": types.StringType, "kind": types.StringType, "namespace": types.StringType,
	"name": types.StringType, "created": types.BoolType,
}}

// AppliedObjectsAttribute is the computed applied_objects; manifest names
// what was applied.
func AppliedObjectsAttribute(manifest string) schema.ListNestedAttribute {
	objectAttr := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: description}
	}
	return schema.ListNestedAttribute{
		Computed:    true,
		Description: "The objects of " + manifest + ", in the order applied.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"api_version": objectAttr("API version, e.g. `apps/v1`."),
			"kind":        objectAttr("Kind, e.g. `Deployment`."),
			"namespace":   objectAttr("Namespace; empty for cluster-scoped objects."),
			"name":        objectAttr("Name."),
			"created": schema.BoolAttribute{Computed: true, Description: "Whether the apply created the object " +
				"(destroy deletes it) rather than found it in place (destroy leaves it)."},
		}},
	}
}

// DriftedObjectsAttribute is the computed drifted_objects; example is one
// element, e.g. `apps/v1 Deployment ns/name: changed by kubectl-edit`.
func DriftedObjectsAttribute(example string) schema.ListAttribute {
	return schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		Description: "Applied objects that were deleted or changed out of band, found by the last refresh, with what " +
			"happened (e.g. `" + example + "`). A non-empty list plans an update that applies the manifest again; so does a " +
			"refresh that cannot reach the downstream cluster with the connection in state (`" + NotChecked + "`).",
	}
}

// PlanReapplyOnDrift is the ModifyPlan of such a resource: drift found by the
// last refresh plans an update that applies the manifest again; otherwise an
// update that changes nothing shows no unknown status.
func PlanReapplyOnDrift(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var drifted types.List
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("drifted_objects"), &drifted)...)
	if len(drifted.Elements()) == 0 {
		framework.SettleNoOpPlan(req, resp)
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("drifted_objects"), types.ListValueMust(types.StringType, nil))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("applied_objects"), types.ListUnknown(AppliedObjectType))...)
}

// AppliedObjectsValue is applied_objects for objects.
func AppliedObjectsValue(objects []AppliedObject) types.List {
	elems := make([]attr.Value, len(objects))
	for i, o := range objects {
		elems[i] = types.ObjectValueMust(AppliedObjectType.AttrTypes, map[string]attr.Value{
			"api_version": types.StringValue(o.Ref.APIVersion), "kind": types.StringValue(o.Ref.Kind),
			"namespace": types.StringValue(o.Ref.Namespace), "name": types.StringValue(o.Ref.Name),
			"created": types.BoolValue(o.Created),
		})
	}
	return types.ListValueMust(AppliedObjectType, elems)
}

// appliedFromState rebuilds the applied objects from applied_objects and the
// fields kept in private state (appliedFieldsKey).
func appliedFromState(ctx context.Context, list types.List, privateFields []byte, diags *diag.Diagnostics) []AppliedObject {
	if list.IsNull() || list.IsUnknown() {
		return nil
	}
	var elems []appliedObjectModel
	diags.Append(list.ElementsAs(ctx, &elems, false)...)
	fields := map[string]json.RawMessage{}
	if len(privateFields) > 0 {
		if err := json.Unmarshal(privateFields, &fields); err != nil {
			diags.AddWarning("Ignoring unreadable private state", err.Error())
		}
	}
	out := make([]AppliedObject, len(elems))
	for i, e := range elems {
		ref := ObjectRef{APIVersion: e.APIVersion.ValueString(), Kind: e.Kind.ValueString(), Namespace: e.Namespace.ValueString(), Name: e.Name.ValueString()}
		out[i] = AppliedObject{Ref: ref, Created: e.Created.ValueBool(), Fields: fields[ref.String()]}
	}
	return out
}

// SaveAppliedFields keeps the fields the apply owns in each object in the
// private state of a Create or Update response, under appliedFieldsKey.
func SaveAppliedFields(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, objects []AppliedObject) diag.Diagnostics {
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
	return private.SetKey(ctx, appliedFieldsKey, data)
}

// ApplyAll applies the planned objects in order; an object that prior
// records as created stays created. On success it returns what it applied.
// On the first failure it stops and returns what it applied so far plus the
// objects of prior this apply did not reach, which are still the resource's
// to remove, and the error.
func ApplyAll(ctx context.Context, planned []PlannedObject, prior []AppliedObject) ([]AppliedObject, error) {
	applied := make([]AppliedObject, 0, len(planned))
	for _, p := range planned {
		a, err := p.Apply(ctx)
		if err != nil {
			return append(applied, StaleObjects(prior, applied)...), err
		}
		a.Created = a.Created || wasCreated(prior, a.Ref)
		applied = append(applied, a)
	}
	return applied, nil
}

func wasCreated(prior []AppliedObject, ref ObjectRef) bool {
	for _, p := range prior {
		if p.Ref == ref {
			return p.Created
		}
	}
	return false
}

// StaleObjects returns the objects of prior that current lacks.
func StaleObjects(prior, current []AppliedObject) []AppliedObject {
	var out []AppliedObject
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

// DriftedObjects describes each applied object that was deleted or changed
// by someone else than the provider and the tolerated field managers.
func (c *Cluster) DriftedObjects(ctx context.Context, applied []AppliedObject, tolerated map[string]bool) ([]string, error) {
	var drifted []string
	for _, a := range applied {
		what, err := c.Drift(ctx, a, tolerated)
		if err != nil {
			return nil, err
		}
		if what != "" {
			drifted = append(drifted, a.Ref.String()+": "+what)
		}
	}
	return drifted, nil
}

// RemoveCreated deletes, newest first, the objects the provider created, and
// waits until they are gone (a namespace takes its contents with it).
func (c *Cluster) RemoveCreated(ctx context.Context, objects []AppliedObject) error {
	var pending []ObjectRef
	for i := len(objects) - 1; i >= 0; i-- {
		if !objects[i].Created {
			continue
		}
		gone, err := c.Remove(ctx, objects[i].Ref)
		if err != nil {
			return err
		}
		if !gone {
			pending = append(pending, objects[i].Ref)
		}
	}
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		var left []ObjectRef
		for _, ref := range pending {
			gone, err := c.Gone(ctx, ref)
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
		return fmt.Errorf("%v; still there: %s", err, strings.Join(names, "; "))
	}
	return nil
}
