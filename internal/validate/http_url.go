package validate

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckHTTPURL accepts an absolute http(s) URL with a host. The error
// quotes the URL only when it carries no password.
func CheckHTTPURL(s string) error {
	return checkURL(s, "is not an absolute http(s) URL such as https://rancher.example.com:6443", "http", "https")
}

// CheckChartRepositoryURL accepts what Helm and Fleet fetch charts from: an
// http(s):// chart repository or an oci:// registry path, with a host.
func CheckChartRepositoryURL(s string) error {
	return checkURL(s, "is neither an http(s):// chart repository URL nor an oci:// registry path", "http", "https", "oci")
}

// checkURL accepts a URL with a host and one of schemes; otherwise the
// error is the URL followed by problem, or "the value" when it has user
// information (which may hold a password).
func checkURL(s, problem string, schemes ...string) error {
	u, err := url.Parse(s)
	ok := err == nil && u.Host != "" && u.Opaque == ""
	if ok {
		ok = false
		for _, scheme := range schemes {
			ok = ok || u.Scheme == scheme
		}
	}
	switch {
	case ok:
		return nil
	case strings.Contains(s, "@"):
		return errors.New("the value " + problem)
	default:
		return fmt.Errorf("%q %s", s, problem)
	}
}

// HTTPURL accepts an absolute http(s) URL with a host.
func HTTPURL() validator.String {
	return stringValidator{description: "must be an http(s) URL", summary: "Invalid URL", check: CheckHTTPURL}
}

// ChartRepositoryURL accepts an http(s):// chart repository or an oci://
// registry path (see CheckChartRepositoryURL).
func ChartRepositoryURL() validator.String {
	return stringValidator{
		description: "must be an http(s):// chart repository URL or an oci:// registry path",
		markdown:    "must be an `http(s)://` chart repository URL or an `oci://` registry path",
		summary:     "Invalid chart repository",
		check:       CheckChartRepositoryURL,
	}
}
