// Package validate holds offline, plan-time validators for the provider's
// SchemaFunc attributes.
//
// Every validator skips null and unknown values and reports problems with
// AddAttributeError at the request path, and the detail of a diagnostic on
// a nested attribute starts with that path (see Detail). The rule behind
// each validator is also exported as a plain Check* function returning an
// error, for reuse outside the framework.
package validate

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Detail is the detail of a diagnostic about the attribute at p. Terraform
// underlines the offending line only for top-level attributes and the
// entries of top-level maps and lists; for an attribute nested in an object
// (`targets[0].cluster_selector.match_labels`) it points at the resource
// header, so the detail then names the attribute itself.
func Detail(p path.Path, detail string) string {
	if !nested(p) {
		return detail
	}
	return "Attribute " + p.String() + ": " + detail
}

// nested reports whether Terraform cannot point at the line of p: its steps,
// without a trailing list index or map key, are more than one.
func nested(p path.Path) bool {
	steps := p.Steps()
	if n := len(steps); n > 0 {
		switch steps[n-1].(type) {
		case path.PathStepElementKeyInt, path.PathStepElementKeyString, path.PathStepElementKeyValue:
			steps = steps[:n-1]
		}
	}
	return len(steps) > 1
}

// stringValidator adapts a Check* function to validator.String.
type stringValidator struct {
	description string // plain text
	markdown    string // optional; description is used when empty
	summary     string // diagnostic summary
	check       func(string) error
	warning     bool // report a warning instead of an error
}

var _ validator.String = stringValidator{}

func (v stringValidator) Description(context.Context) string { return v.description }

func (v stringValidator) MarkdownDescription(context.Context) string {
	if v.markdown != "" {
		return v.markdown
	}
	return v.description
}

func (v stringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	err := v.check(req.ConfigValue.ValueString())
	switch {
	case err == nil:
	case v.warning:
		resp.Diagnostics.AddAttributeWarning(req.Path, v.summary, Detail(req.Path, err.Error()))
	default:
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, Detail(req.Path, err.Error()))
	}
}

// mapValidator checks the keys and/or string values of a map attribute.
// Problems with an entry are reported at the entry's path (path.AtMapKey),
// and the detail repeats the key.
type mapValidator struct {
	description string
	markdown    string
	summary     string
	key         func(string) error            // optional
	value       func(string) error            // optional
	whole       func(map[string]string) error // optional, run when every value is known
}

var _ validator.Map = mapValidator{}

func (v mapValidator) Description(context.Context) string { return v.description }

func (v mapValidator) MarkdownDescription(context.Context) string {
	if v.markdown != "" {
		return v.markdown
	}
	return v.description
}

func (v mapValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	keys := make([]string, 0, len(elems))
	for k := range elems {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	known := make(map[string]string, len(elems))
	allKnown := true
	for _, k := range keys {
		p := req.Path.AtMapKey(k)
		if v.key != nil {
			if err := v.key(k); err != nil {
				resp.Diagnostics.AddAttributeError(p, v.summary, Detail(p, fmt.Sprintf("Key %q: %s", k, err)))
			}
		}
		if v.value == nil && v.whole == nil {
			continue
		}
		elem := elems[k]
		if elem == nil || elem.IsNull() || elem.IsUnknown() {
			allKnown = false
			continue
		}
		sv, ok := elem.(basetypes.StringValuable)
		if !ok {
			resp.Diagnostics.AddAttributeError(p, "Invalid validator usage",
				fmt.Sprintf("This validator expects a map of strings, got element type %T. This is a provider bug.", elem))
			allKnown = false
			continue
		}
		s, diags := sv.ToStringValue(ctx)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() || s.IsNull() || s.IsUnknown() {
			allKnown = false
			continue
		}
		known[k] = s.ValueString()
		if v.value != nil {
			if err := v.value(known[k]); err != nil {
				resp.Diagnostics.AddAttributeError(p, v.summary, Detail(p, fmt.Sprintf("Value of key %q: %s", k, err)))
			}
		}
	}
	if v.whole != nil && allKnown {
		if err := v.whole(known); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path, v.summary, Detail(req.Path, err.Error()))
		}
	}
}
