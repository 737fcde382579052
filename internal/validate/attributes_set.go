package validate

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// SomeAttributesSet requires at least one (or, with ExactlyOne, exactly one)
// of the named attributes of an object to be set. The framework validators'
// AtLeastOneOf counts the object itself, so it cannot say this.
type SomeAttributesSet struct {
	Summary    string
	Names      []string
	ExactlyOne bool
}

func (v SomeAttributesSet) Description(context.Context) string {
	quantity := "at least one"
	if v.ExactlyOne {
		quantity = "exactly one"
	}
	return quantity + " of " + strings.Join(v.Names, ", ") + " must be set"
}

func (v SomeAttributesSet) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v SomeAttributesSet) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	set := 0
	for _, name := range v.Names {
		a, ok := req.ConfigValue.Attributes()[name]
		if ok && a.IsUnknown() {
			return
		}
		if ok && !a.IsNull() {
			set++
		}
	}
	if set == 0 || (v.ExactlyOne && set > 1) {
		resp.Diagnostics.AddAttributeError(req.Path, v.Summary, fmt.Sprintf("Attribute %s: %s.", req.Path, v.Description(ctx)))
	}
}
