package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// KubeconfigContent checks offline that kubeconfig_wo parses and names a
// cluster; errors never repeat the content.
type KubeconfigContent struct{}

func (KubeconfigContent) Description(context.Context) string {
	return "must be a kubeconfig that parses"
}

func (v KubeconfigContent) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (KubeconfigContent) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := (kube.Config{Kubeconfig: req.ConfigValue.ValueString()}).RESTConfig(); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid kubeconfig", err.Error())
	}
}
