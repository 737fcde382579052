package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// TrueRequiresOneOf is a bool validator: true needs at least one of the
// attributes at paths set in the configuration (an unknown value counts as
// set). summary and detail are the diagnostic, reported at the attribute.
func TrueRequiresOneOf(summary, detail string, paths ...path.Expression) validator.Bool {
	return trueRequiresOneOf{summary: summary, detail: detail, paths: paths}
}

type trueRequiresOneOf struct {
	summary, detail string
	paths           []path.Expression
}

func (v trueRequiresOneOf) Description(context.Context) string { return v.detail }

func (v trueRequiresOneOf) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v trueRequiresOneOf) ValidateBool(ctx context.Context, req validator.BoolRequest, resp *validator.BoolResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !req.ConfigValue.ValueBool() {
		return
	}
	for _, expr := range v.paths {
		matches, diags := req.Config.PathMatches(ctx, expr)
		resp.Diagnostics.Append(diags...)
		for _, p := range matches {
			var value attr.Value
			resp.Diagnostics.Append(req.Config.GetAttribute(ctx, p, &value)...)
			if value != nil && !value.IsNull() {
				return
			}
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, v.summary, v.detail)
}
