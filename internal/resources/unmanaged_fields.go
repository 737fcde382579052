package resources

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

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
