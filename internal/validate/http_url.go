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

// CheckHTTPHostPort accepts an http(s) URL made of a scheme, a host and an
// explicit port, nothing else: the form of an address an agent dials, e.g.
// KubeSphere's proxyPublishAddress. A missing scheme is the common mistake
// (`10.0.0.1:30721` does not even parse as a URL; `tower.example.com:8080`
// parses with scheme `tower.example.com`), so the error says so.
func CheckHTTPHostPort(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https"):
		return fmt.Errorf("%q has no http:// or https:// scheme: write it as http(s)://host:port, e.g. http://tower.example.com:8080.", s)
	case u.Hostname() == "" || u.Port() == "":
		return fmt.Errorf("%q has no explicit port: write it as http(s)://host:port, e.g. http://tower.example.com:8080.", s)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%q must be only http(s)://host:port, without path, query or credentials.", s)
	}
	return checkPort(u.Port())
}

// HTTPHostPort accepts http(s)://host:port.
func HTTPHostPort() validator.String {
	return stringValidator{description: "must be http(s)://host:port", summary: "Invalid address", check: CheckHTTPHostPort}
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
