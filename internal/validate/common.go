// Package validate holds offline, plan-time validators for the provider's
// SchemaFunc attributes.
//
// Every validator skips null and unknown values and reports problems with
// AddAttributeError at the request path, so the diagnostic names the
// attribute. The rule behind each validator is also exported as a plain
// Check* function returning an error, for reuse outside the framework.
package validate

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

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
		resp.Diagnostics.AddAttributeWarning(req.Path, v.summary, err.Error())
	default:
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
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
				resp.Diagnostics.AddAttributeError(p, v.summary, fmt.Sprintf("Key %q: %s", k, err))
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
				resp.Diagnostics.AddAttributeError(p, v.summary, fmt.Sprintf("Value of key %q: %s", k, err))
			}
		}
	}
	if v.whole != nil && allKnown {
		if err := v.whole(known); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
		}
	}
}
