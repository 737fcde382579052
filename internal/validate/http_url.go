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
