package validate

import (
	"fmt"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckHTTPURL accepts an absolute http(s) URL with a host.
func CheckHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL such as https://rancher.example.com:6443.", s)
	}
	return nil
}

// HTTPURL accepts an absolute http(s) URL with a host.
func HTTPURL() validator.String {
	return stringValidator{description: "must be an http(s) URL", summary: "Invalid URL", check: CheckHTTPURL}
}
