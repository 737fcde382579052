package validate

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// isHostname reports whether s is a DNS hostname: dot-separated labels of
// ASCII letters, digits and '-', each 1-63 characters, not starting or
// ending with '-', at most 253 characters in total. Case is not significant.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkPort checks a decimal TCP port number in the range 1-65535.
func checkPort(p string) error {
	if p == "" {
		return errors.New("port is empty")
	}
	if len(p) > 5 {
		return fmt.Errorf("port %q is out of range 1-65535", p)
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return fmt.Errorf("port %q is not a number", p)
		}
		n = n*10 + int(p[i]-'0')
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("port %q is out of range 1-65535", p)
	}
	return nil
}

// checkHostname checks an unbracketed host: an IP address or a DNS hostname.
func checkHostname(h string) error {
	if h == "" {
		return errors.New("host is empty")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if !isHostname(h) {
		return fmt.Errorf("host %q is neither an IP address nor a valid DNS hostname", h)
	}
	return nil
}

// splitHostPort splits "host", "host:port", "[v6]" or "[v6]:port". The
// returned host has no brackets; hasPort reports whether a ':' port
// separator was present (the port may still be empty or invalid).
func splitHostPort(s string) (host, port string, hasPort bool, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", false, fmt.Errorf("missing ']' in host %q", s)
		}
		host, rest := s[1:end], s[end+1:]
		if a, perr := netip.ParseAddr(host); perr != nil || !a.Is6() {
			return "", "", false, fmt.Errorf("%q in brackets is not an IPv6 address", host)
		}
		if rest == "" {
			return host, "", false, nil
		}
		if rest[0] != ':' {
			return "", "", false, fmt.Errorf("unexpected %q after ']'", rest)
		}
		return host, rest[1:], true, nil
	}
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s, "", false, nil
	}
	if strings.Count(s, ":") > 1 {
		return "", "", false, fmt.Errorf("IPv6 address in %q must be enclosed in brackets", s)
	}
	return s[:i], s[i+1:], true, nil
}

// checkHostPort checks host[:port] where host is a DNS hostname, an IPv4
// address or a bracketed IPv6 address, and port is 1-65535.
func checkHostPort(s string) error {
	host, port, hasPort, err := splitHostPort(s)
	if err != nil {
		return err
	}
	if err := checkHostname(host); err != nil {
		return err
	}
	if hasPort {
		return checkPort(port)
	}
	return nil
}
