package framework

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Semantic equality (customtypes, jsontypes) keeps the prior spelling when a
// Read returns the same value differently spelled. It does not apply between
// configuration and state at plan time, which is what a plan right after an
// import compares. These plan modifiers close that gap: where the configured
// value means the same as the state's, the plan keeps the state's.

// sameMeaning compares two spellings of one value.
type sameMeaning func(a, b string) bool

// SameJSON reports whether two JSON texts hold the same value.
func SameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// KeepStateSpelling is the plan modifier of a string attribute whose
// spellings same tells apart.
func KeepStateSpelling(same func(a, b string) bool) planmodifier.String {
	return keepStateSpelling{same: same}
}

type keepStateSpelling struct{ same sameMeaning }

func (keepStateSpelling) Description(context.Context) string {
	return "a value that means the same as the state's is not a change"
}

func (m keepStateSpelling) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m keepStateSpelling) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if req.PlanValue.ValueString() != req.StateValue.ValueString() && m.same(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// KeepStateSpellingInMap is the same for each element of a map of strings
// (of any string-based element type).
func KeepStateSpellingInMap(same func(a, b string) bool) planmodifier.Map {
	return keepStateSpellingInMap{same: same}
}

type keepStateSpellingInMap struct{ same sameMeaning }

func (keepStateSpellingInMap) Description(context.Context) string {
	return "an element that means the same as the state's is not a change"
}

func (m keepStateSpellingInMap) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m keepStateSpellingInMap) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	state := req.StateValue.Elements()
	elems := make(map[string]attr.Value, len(req.PlanValue.Elements()))
	changed := false
	for k, planned := range req.PlanValue.Elements() {
		elems[k] = planned
		prior, ok := state[k]
		if !ok {
			continue
		}
		p, okP := stringOf(ctx, planned)
		s, okS := stringOf(ctx, prior)
		if okP && okS && p != s && m.same(p, s) {
			elems[k] = prior
			changed = true
		}
	}
	if !changed {
		return
	}
	value, diags := types.MapValue(req.PlanValue.ElementType(ctx), elems)
	resp.Diagnostics.Append(diags...)
	resp.PlanValue = value
}

func stringOf(ctx context.Context, v attr.Value) (string, bool) {
	s, ok := v.(basetypes.StringValuable)
	if !ok {
		return "", false
	}
	str, diags := s.ToStringValue(ctx)
	if diags.HasError() || str.IsNull() || str.IsUnknown() {
		return "", false
	}
	return str.ValueString(), true
}

// NullUnless plans a computed attribute null when the boolean attribute
// flag is false in the plan, so that its value stays out of the state
// (`token_in_state = false`). Listed after UseStateForUnknown, it overrides
// the prior value that one keeps; and when the flag turns true, it plans the
// value as known after apply (the prior value is the null the false kept).
func NullUnless(flag string) planmodifier.String { return nullUnless{flag: flag} }

type nullUnless struct{ flag string }

func (m nullUnless) Description(context.Context) string {
	return "null when " + m.flag + " is false"
}

func (m nullUnless) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m nullUnless) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var flag, prior types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(m.flag), &flag)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(m.flag), &prior)...)
	}
	switch {
	case flag.IsNull() || flag.IsUnknown():
	case !flag.ValueBool():
		resp.PlanValue = types.StringNull()
	case !prior.IsNull() && !prior.ValueBool():
		resp.PlanValue = types.StringUnknown()
	}
}
