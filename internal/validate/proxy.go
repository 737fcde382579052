package validate

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var proxySchemes = map[string]bool{"http": true, "https": true, "socks5": true, "socks5h": true}

// CheckProxyURL checks an HTTP(S)_PROXY value: an http://, https://,
// socks5:// or socks5h:// URL with a host, an optional port 1-65535,
// optional user info, and no path other than "/", no query and no fragment.
// Error messages never repeat the URL, which may contain a password.
func CheckProxyURL(s string) error {
	if s == "" {
		return errors.New("the proxy URL must not be empty")
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return errors.New("the proxy URL must not contain whitespace or control characters")
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return errors.New("the proxy URL has no scheme; write it as http://host:port (or https://, socks5://)")
	}
	if scheme := strings.ToLower(s[:i]); !proxySchemes[scheme] {
		return fmt.Errorf("proxy URL scheme %q is not supported; use http, https, socks5 or socks5h", s[:i])
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("the proxy URL cannot be parsed: %s", urlErrReason(err))
	}
	if u.Host == "" {
		return errors.New("the proxy URL has no host")
	}
	if err := checkURLHost(u); err != nil {
		return err
	}
	if u.Path != "" && u.Path != "/" {
		return errors.New("the proxy URL must not have a path; use scheme://host:port")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return errors.New("the proxy URL must not have a query string")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return errors.New("the proxy URL must not have a fragment")
	}
	return nil
}

// noProxyEntry is one parsed NO_PROXY entry.
type noProxyEntry struct {
	all    bool         // "*"
	prefix netip.Prefix // valid for IP and CIDR entries (an IP is a /32 or /128)
	domain string       // lower-case, without leading "." or "*."
	port   string       // non-empty when the entry applies to one port only
}

// parseNoProxyEntry parses a trimmed, non-empty NO_PROXY entry.
func parseNoProxyEntry(e string) (noProxyEntry, error) {
	if e == "*" {
		return noProxyEntry{all: true}, nil
	}
	if strings.Contains(e, "://") {
		return noProxyEntry{}, fmt.Errorf("%q is a URL; list hosts, domains, IPs or CIDRs without a scheme", e)
	}
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return noProxyEntry{}, fmt.Errorf("%q is not a valid CIDR", e)
		}
		return noProxyEntry{prefix: p.Masked()}, nil
	}
	if a, err := netip.ParseAddr(e); err == nil {
		return noProxyEntry{prefix: netip.PrefixFrom(a.WithZone(""), a.BitLen())}, nil
	}
	host, port, hasPort, err := splitHostPort(e)
	if err != nil {
		return noProxyEntry{}, fmt.Errorf("entry %q: %v", e, err)
	}
	if !hasPort && strings.HasPrefix(e, "[") {
		return noProxyEntry{}, fmt.Errorf("entry %q: write an IPv6 address without brackets unless a port follows", e)
	}
	if hasPort {
		if err := checkPort(port); err != nil {
			return noProxyEntry{}, fmt.Errorf("entry %q: %v", e, err)
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return noProxyEntry{prefix: netip.PrefixFrom(a.WithZone(""), a.BitLen()), port: port}, nil
	}
	d := strings.TrimPrefix(host, "*")
	d = strings.TrimPrefix(d, ".")
	if d == "" || !isHostname(d) || (d != host && !strings.HasPrefix(host, ".") && !strings.HasPrefix(host, "*.")) {
		return noProxyEntry{}, fmt.Errorf("%q is not an IP address, CIDR, domain, .domain suffix, * or host:port", e)
	}
	return noProxyEntry{domain: strings.ToLower(d), port: port}, nil
}

// splitNoProxy splits a NO_PROXY list, validating each entry.
func splitNoProxy(s string) ([]noProxyEntry, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("the NO_PROXY list must not be empty")
	}
	parts := strings.Split(s, ",")
	out := make([]noProxyEntry, 0, len(parts))
	for i, raw := range parts {
		e := strings.TrimSpace(raw)
		if e == "" {
			return nil, fmt.Errorf("entry %d of the NO_PROXY list is empty (check for doubled or trailing commas)", i+1)
		}
		if strings.IndexFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return nil, fmt.Errorf("entry %d (%q) of the NO_PROXY list contains whitespace; separate entries with commas", i+1, e)
		}
		pe, err := parseNoProxyEntry(e)
		if err != nil {
			return nil, fmt.Errorf("entry %d of the NO_PROXY list: %v", i+1, err)
		}
		out = append(out, pe)
	}
	return out, nil
}

// CheckNoProxy checks a comma-separated NO_PROXY list. Each entry, with
// optional surrounding spaces, must be "*", an IP address, a CIDR, a domain
// ("example.com"), a domain suffix (".example.com" or "*.example.com") or any
// of those hosts with ":port". Empty entries and inner whitespace are
// rejected.
func CheckNoProxy(s string) error {
	_, err := splitNoProxy(s)
	return err
}

// noProxyDefaults are entries a cluster's NO_PROXY normally needs so that
// in-cluster and node-local traffic bypasses the proxy.
var noProxyDefaults = []struct {
	name   string
	prefix netip.Prefix // for address ranges
	domain string       // for domain suffixes
}{
	{name: "127.0.0.0/8", prefix: netip.MustParsePrefix("127.0.0.0/8")},
	{name: "10.0.0.0/8", prefix: netip.MustParsePrefix("10.0.0.0/8")},
	{name: "172.16.0.0/12", prefix: netip.MustParsePrefix("172.16.0.0/12")},
	{name: "192.168.0.0/16", prefix: netip.MustParsePrefix("192.168.0.0/16")},
	{name: ".svc", domain: "svc"},
	{name: ".cluster.local", domain: "cluster.local"},
}

var loopback = netip.MustParseAddr("127.0.0.1")

// MissingNoProxyDefaults returns the usual cluster NO_PROXY entries
// (127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, .svc,
// .cluster.local) that noProxy does not cover, in that order. A CIDR
// containing a range covers it; "localhost" or a range containing 127.0.0.1
// covers loopback; "svc", ".svc" or "*.svc" (or a parent domain) covers
// .svc; "*" covers everything. Entries limited to a port cover nothing,
// and invalid entries are ignored. It returns nil when nothing is missing.
func MissingNoProxyDefaults(noProxy string) []string {
	var entries []noProxyEntry
	for _, raw := range strings.Split(noProxy, ",") {
		e := strings.TrimSpace(raw)
		if e == "" {
			continue
		}
		if pe, err := parseNoProxyEntry(e); err == nil && pe.port == "" {
			entries = append(entries, pe)
		}
	}
	var missing []string
	for _, d := range noProxyDefaults {
		covered := false
		for _, e := range entries {
			switch {
			case e.all:
				covered = true
			case d.domain != "":
				covered = e.domain != "" && (d.domain == e.domain || strings.HasSuffix(d.domain, "."+e.domain))
			case e.domain != "":
				covered = e.domain == "localhost" && d.prefix.Contains(loopback)
			case e.prefix.IsValid():
				covered = e.prefix.Bits() <= d.prefix.Bits() && e.prefix.Contains(d.prefix.Addr()) ||
					d.prefix.Contains(loopback) && e.prefix.Contains(loopback)
			}
			if covered {
				break
			}
		}
		if !covered {
			missing = append(missing, d.name)
		}
	}
	return missing
}

// checkNoProxyDefaults returns an error listing missing default entries.
func checkNoProxyDefaults(s string) error {
	if CheckNoProxy(s) != nil {
		return nil // reported by NoProxy()
	}
	if m := MissingNoProxyDefaults(s); len(m) > 0 {
		return fmt.Errorf("the NO_PROXY list does not cover %s; without them in-cluster or node-local traffic may be sent through the proxy", strings.Join(m, ", "))
	}
	return nil
}

// ProxyURL validates an HTTP(S)_PROXY URL (see CheckProxyURL).
func ProxyURL() validator.String {
	return stringValidator{
		description: "must be an http://, https://, socks5:// or socks5h:// URL with a host and optional port 1-65535, without a path, query or fragment",
		markdown:    "must be an `http://`, `https://`, `socks5://` or `socks5h://` URL with a host and optional port 1-65535, without a path, query or fragment (e.g. `http://proxy.example.com:3128`)",
		summary:     "Invalid proxy URL",
		check:       CheckProxyURL,
	}
}

// NoProxy validates a comma-separated NO_PROXY list (see CheckNoProxy).
func NoProxy() validator.String {
	return stringValidator{
		description: "must be a comma-separated list of IP addresses, CIDRs, domains, .domain suffixes, * or host:port entries, without empty entries",
		markdown:    "must be a comma-separated list of IP addresses, CIDRs, domains, `.domain` suffixes, `*` or `host:port` entries, without empty entries (e.g. `127.0.0.0/8,10.0.0.0/8,.svc,.cluster.local`)",
		summary:     "Invalid NO_PROXY list",
		check:       CheckNoProxy,
	}
}

// NoProxyDefaults warns (it never errors) when a valid NO_PROXY list lacks
// any of the usual cluster entries reported by MissingNoProxyDefaults.
func NoProxyDefaults() validator.String {
	return stringValidator{
		description: "should cover 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, .svc and .cluster.local",
		markdown:    "should cover `127.0.0.0/8`, `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, `.svc` and `.cluster.local`",
		summary:     "NO_PROXY list may be incomplete",
		check:       checkNoProxyDefaults,
		warning:     true,
	}
}
