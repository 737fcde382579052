package validate

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// HTTPURL accepts an absolute http(s) URL with a host.
type HTTPURL struct{}

func (HTTPURL) Description(context.Context) string { return "must be an http(s) URL" }

func (v HTTPURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (HTTPURL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	u, err := url.Parse(req.ConfigValue.ValueString())
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("%q is not an absolute http(s) URL such as https://rancher.example.com:6443.", req.ConfigValue.ValueString()))
	}
}
