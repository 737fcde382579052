package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// NamedAttribute makes the errors of v name the attribute: Terraform points
// at the resource, not at the line, for attributes nested in objects and
// lists, and the validate package's messages quote only the value.
func NamedAttribute(v validator.String) validator.String { return namedStringValidator{v} }

type namedStringValidator struct{ validator.String }

func (v namedStringValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	var inner validator.StringResponse
	v.String.ValidateString(ctx, req, &inner)
	for _, d := range inner.Diagnostics {
		detail := "Attribute " + req.Path.String() + ": " + d.Detail()
		if d.Severity() == diag.SeverityError {
			resp.Diagnostics.AddAttributeError(req.Path, d.Summary(), detail)
		} else {
			resp.Diagnostics.AddAttributeWarning(req.Path, d.Summary(), detail)
		}
	}
}
