package validate

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// AtLeastOneAttribute requires at least one of the named attributes of an
// object to be set; summary heads the diagnostic. The framework validators'
// AtLeastOneOf counts the object itself, so it cannot say this.
func AtLeastOneAttribute(summary string, names ...string) validator.Object {
	return someAttributesSet{summary: summary, names: names}
}

// ExactlyOneAttribute requires exactly one of the named attributes of an
// object to be set.
func ExactlyOneAttribute(summary string, names ...string) validator.Object {
	return someAttributesSet{summary: summary, names: names, exactlyOne: true}
}

type someAttributesSet struct {
	summary    string
	names      []string
	exactlyOne bool
}

func (v someAttributesSet) Description(context.Context) string {
	quantity := "at least one"
	if v.exactlyOne {
		quantity = "exactly one"
	}
	return quantity + " of " + strings.Join(v.names, ", ") + " must be set"
}

func (v someAttributesSet) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v someAttributesSet) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	set := 0
	for _, name := range v.names {
		a, ok := req.ConfigValue.Attributes()[name]
		if ok && a.IsUnknown() {
			return
		}
		if ok && !a.IsNull() {
			set++
		}
	}
	if set == 0 || (v.exactlyOne && set > 1) {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("Attribute %s: %s.", req.Path, v.Description(ctx)))
	}
}
