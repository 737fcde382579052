package framework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StateSetter is resp.State of Create and Update.
type StateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

// stateTarget is the response state of Create, Update and Read.
type stateTarget interface {
	Set(context.Context, any) diag.Diagnostics
	RawValue() tftypes.Value
	SetRaw(tftypes.Value)
}

// stateRef adapts *tfsdk.State to stateTarget.
type stateRef struct{ s *tfsdk.State }

func (r stateRef) Set(ctx context.Context, v any) diag.Diagnostics { return r.s.Set(ctx, v) }

func (r stateRef) RawValue() tftypes.Value { return r.s.Raw }

func (r stateRef) SetRaw(v tftypes.Value) { r.s.Raw = v }

// SettleNoOpPlan undoes the framework's marking of computed attributes as
// unknown when the only differences between plan and state were removed by
// Plan modifiers (such as those above): the framework marks them before the
// modifiers run, and an update that changes nothing would show every status
// attribute as "known after apply".
//
// It settles only unknowns the framework introduced. A configuration that
// holds an unknown value (another resource's output, timestamp()) is a
// change whatever the prior state holds: settling it would plan "no change"
// and the value would never be applied.
func SettleNoOpPlan(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() || resp.Plan.Raw.IsFullyKnown() || !req.Config.Raw.IsFullyKnown() {
		return
	}
	if onlyUnknownsDiffer(resp.Plan.Raw, req.State.Raw) {
		resp.Plan.Raw = req.State.Raw
	}
}

// onlyUnknownsDiffer reports whether plan equals state once each unknown in
// Plan is replaced by the state's value at the same path.
func onlyUnknownsDiffer(plan, state tftypes.Value) bool {
	filled, err := tftypes.Transform(plan, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		prior, _, err := tftypes.WalkAttributePath(state, p)
		if err != nil {
			return v, nil
		}
		if pv, ok := prior.(tftypes.Value); ok {
			return pv, nil
		}
		return v, nil
	})
	return err == nil && filled.Equal(state)
}

// Server-side apply makes the provider manage exactly the fields the
// configuration sets. A field it leaves unset may be set by others (a
// controller, kubectl); apply cannot unset it without fighting them, so
// reading it into state would show a change that never goes away. Such
// fields therefore stay null in state, except right after an import, when
// the state is built from what the object holds.

// unmanagedAttributes returns the top-level attributes that the
// configuration alone decides: Optional and not Computed.
func unmanagedAttributes(s schema.Schema) []string {
	var names []string
	for name, a := range s.Attributes {
		if a.IsOptional() && !a.IsComputed() {
			names = append(names, name)
		}
	}
	return names
}

// keepUnsetNull returns next with every attribute in names set to null where
// prior (the plan or the prior state) holds null.
func keepUnsetNull(prior, next tftypes.Value, names []string) (tftypes.Value, error) {
	if prior.IsNull() || !prior.IsKnown() {
		return next, nil
	}
	var priorAttrs, nextAttrs map[string]tftypes.Value
	if err := prior.As(&priorAttrs); err != nil {
		return next, err
	}
	if err := next.As(&nextAttrs); err != nil {
		return next, err
	}
	changed := false
	for _, name := range names {
		p, okP := priorAttrs[name]
		n, okN := nextAttrs[name]
		if okP && okN && p.IsNull() && !n.IsNull() {
			nextAttrs[name] = tftypes.NewValue(n.Type(), nil)
			changed = true
		}
	}
	if !changed {
		return next, nil
	}
	return tftypes.NewValue(next.Type(), nextAttrs), nil
}

// leftBehind returns the attributes in names that removed holds, plan drops
// (null) and next, read from the object after the apply, still holds: server-side
// apply removes only the fields the provider's manager owns, so a field
// another manager owns too (kubectl, the Rancher UI, before an import) stays.
func leftBehind(removed, plan, next tftypes.Value, names []string) ([]string, error) {
	if removed.IsNull() || !removed.IsKnown() || plan.IsNull() || !plan.IsKnown() {
		return nil, nil
	}
	var removedAttrs, planAttrs, nextAttrs map[string]tftypes.Value
	if err := errors.Join(removed.As(&removedAttrs), plan.As(&planAttrs), next.As(&nextAttrs)); err != nil {
		return nil, err
	}
	var left []string
	for _, name := range names {
		if !removedAttrs[name].IsNull() && planAttrs[name].IsNull() && !nextAttrs[name].IsNull() {
			left = append(left, name)
		}
	}
	sort.Strings(left)
	return left, nil
}

// without returns names less those in drop.
func without(names, drop []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}

// leftBehindDetail explains leftBehind's attributes, naming the object's
// other field managers.
func leftBehindDetail(left []string, object any) string {
	var managers []string
	if o, ok := object.(metav1.Object); ok {
		for _, e := range o.GetManagedFields() {
			if e.Manager != FieldManager && e.Subresource == "" && !slices.Contains(managers, e.Manager) {
				managers = append(managers, e.Manager)
			}
		}
	}
	owners := "another field manager owns"
	if len(managers) > 0 {
		owners = "other field managers (" + strings.Join(managers, ", ") + ") own"
	}
	return fmt.Sprintf("The configuration no longer sets %s, but the object still holds a value there: %s the field too, "+
		"and server-side apply removes only what the provider alone owns. The state keeps the value, so the plan shows "+
		"its removal until it is gone. Remove it with the tool that set it (kubectl edit, the Rancher UI), "+
		"or set it in the configuration to the value you want.", strings.Join(left, ", "), owners)
}
