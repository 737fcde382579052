package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// SelectorRequirement checks a label selector requirement object: values go
// with In/NotIn only.
func SelectorRequirement() validator.Object { return selectorRequirement{} }

type selectorRequirement struct{}

func (selectorRequirement) Description(context.Context) string {
	return "values must be set for In and NotIn, and unset for Exists and DoesNotExist"
}

func (v selectorRequirement) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (selectorRequirement) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	operator, _ := attrs["operator"].(types.String)
	values, _ := attrs["values"].(types.List)
	if operator.IsUnknown() || values.IsUnknown() {
		return
	}
	switch operator.ValueString() {
	case "In", "NotIn":
		if values.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path.AtName("values"), "Missing selector values",
				Detail(req.Path.AtName("values"), "operator "+operator.ValueString()+" needs at least one value"))
		}
	case "Exists", "DoesNotExist":
		if !values.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path.AtName("values"), "Unexpected selector values",
				Detail(req.Path.AtName("values"), "operator "+operator.ValueString()+" takes no values"))
		}
	}
}
