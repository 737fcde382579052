package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// InsecureWarning warns at plan time when a bool that turns off TLS
// verification is true: the choice is explicit, but nothing else tells
// whoever reads the plan that what is downloaded or sent over that
// connection can be intercepted. what says what the connection serves.
func InsecureWarning(what string) validator.Bool { return insecureWarning{what: what} }

type insecureWarning struct{ what string }

func (v insecureWarning) Description(context.Context) string {
	return "warns when true: TLS certificates are not verified"
}

func (v insecureWarning) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v insecureWarning) ValidateBool(_ context.Context, req validator.BoolRequest, resp *validator.BoolResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !req.ConfigValue.ValueBool() {
		return
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, "TLS verification is off",
		"The certificate of "+v.what+" is not verified, so anyone on the network path can impersonate it. "+
			"Use it for tests only; configure the CA instead.")
}
