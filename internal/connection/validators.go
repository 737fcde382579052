package connection

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// checkString adapts a check function to validator.String. The empty string
// is accepted: it leaves the setting unset (handy for `host = var.host`).
// The diagnostic never repeats the configured value, which may be a
// credential or contain one (proxy URLs with passwords, private keys).
type checkString struct {
	description string
	summary     string
	check       func(string) string // returns a problem description or ""
}

var _ validator.String = checkString{}

func (v checkString) Description(context.Context) string { return v.description }

func (v checkString) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v checkString) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if problem := v.check(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, validate.Detail(req.Path, "The value "+problem+"."))
	}
}

// hostValidator accepts what kube.NormalizeHost accepts.
func hostValidator() validator.String {
	return checkString{
		description: "value must be an http(s) URL or a host[:port]",
		summary:     "Invalid Kubernetes API server address",
		check: func(s string) string {
			if _, err := kube.NormalizeHost(s); err != nil {
				return err.Error()
			}
			return ""
		},
	}
}

// proxyURLValidator accepts what kube.ParseProxyURL accepts.
func proxyURLValidator() validator.String {
	return checkString{
		description: "value must be an http, https or socks5 URL",
		summary:     "Invalid proxy URL",
		check: func(s string) string {
			if _, err := kube.ParseProxyURL(s); err != nil {
				return err.Error()
			}
			return ""
		},
	}
}

// pemValidator requires at least one PEM block; match selects acceptable
// block types and what describes them for the error message.
func pemValidator(what string, match func(blockType string) bool) validator.String {
	return checkString{
		description: "value must be PEM-encoded " + what,
		summary:     "Invalid PEM data",
		check: func(s string) string {
			if hasPEMBlock([]byte(s), match) {
				return ""
			}
			// A common mistake is to paste the base64 *-data value of a
			// kubeconfig; say so instead of a bare "not PEM".
			if decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err == nil && hasPEMBlock(decoded, match) {
				return "is base64-encoded PEM; decode it first, for example with base64decode()"
			}
			return "must contain PEM-encoded " + what + ` ("-----BEGIN ...-----")`
		},
	}
}

func hasPEMBlock(data []byte, match func(string) bool) bool {
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			return false
		}
		if match(block.Type) {
			return true
		}
		if bytes.Equal(rest, data) {
			return false
		}
		data = rest
	}
}

func isCertificate(t string) bool { return t == "CERTIFICATE" }

func isPrivateKey(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") }
