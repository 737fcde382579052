package framework

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
)

// EphemeralResourceBase is embedded by every ephemeral resource. Ephemeral
// resources read like data sources (DataSourceBase: the provider data and
// the default namespace), but Terraform keeps their results out of plan and
// state: they carry values users only pass on, such as registration tokens.
type EphemeralResourceBase struct {
	DataSourceBase
}

func (b *EphemeralResourceBase) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	d, diags := providerData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	b.Data = d
}
