package validate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Grammar pieces of OCI/Docker image references (written from the
// distribution spec's EBNF; not copied from an implementation).
var (
	// path-component: lowercase alphanumerics joined by '.', '_', '__' or runs of '-'.
	pathComponentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagRE           = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestAlgRE     = regexp.MustCompile(`^[a-z0-9]+(?:[+._-][a-z0-9]+)*$`)
	digestEncRE     = regexp.MustCompile(`^[a-zA-Z0-9=_-]+$`)
	lowerHexRE      = regexp.MustCompile(`^[a-f0-9]+$`)
)

// maxImageNameLen is the distribution limit on a repository name, domain included.
const maxImageNameLen = 255

func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// checkRepoPath checks '/'-separated repository path components.
func checkRepoPath(p string) error {
	for _, c := range strings.Split(p, "/") {
		switch {
		case c == "":
			return errors.New("the repository path has an empty component (check for doubled or trailing '/')")
		case strings.ToLower(c) != c && pathComponentRE.MatchString(strings.ToLower(c)):
			return fmt.Errorf("repository path component %q must be lowercase", c)
		case !pathComponentRE.MatchString(c):
			return fmt.Errorf("repository path component %q must be lowercase letters and digits, optionally separated by '.', '_', '__' or '-'", c)
		}
	}
	return nil
}

// CheckRegistryServer checks a container registry server written without a
// scheme: host[:port][/path/prefix], where host is a DNS name, an IPv4
// address or a bracketed IPv6 address, the port is 1-65535 and path
// components are lowercase OCI repository path components.
func CheckRegistryServer(s string) error {
	if s == "" {
		return errors.New("the registry server must not be empty")
	}
	if hasSpaceOrControl(s) {
		return errors.New("the registry server must not contain whitespace or control characters")
	}
	if strings.Contains(s, "://") {
		return errors.New("the registry server must not include a scheme; write host[:port][/path], e.g. registry.example.com:5000")
	}
	hostPort, path, hasPath := strings.Cut(s, "/")
	if err := checkHostPort(hostPort); err != nil {
		return fmt.Errorf("registry server: %v", err)
	}
	if hasPath {
		return checkRepoPath(path)
	}
	return nil
}

// CheckImageReference checks a container image reference
// [registry[:port]/]path[:tag][@digest], e.g. nginx, nginx:1.27,
// ghcr.io/org/app:v1@sha256:<64 hex>, localhost:5000/app.
func CheckImageReference(s string) error {
	if s == "" {
		return errors.New("the image reference must not be empty")
	}
	if hasSpaceOrControl(s) {
		return errors.New("the image reference must not contain whitespace or control characters")
	}
	if strings.Contains(s, "://") {
		return errors.New("the image reference must not include a scheme; write e.g. registry.example.com/org/app:1.0")
	}
	name, digest, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if err := checkDigest(digest); err != nil {
			return err
		}
	}
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		tag := name[i+1:]
		name = name[:i]
		if !tagRE.MatchString(tag) {
			return fmt.Errorf("tag %q must be 1-128 characters of letters, digits, '_', '.' or '-', not starting with '.' or '-'", tag)
		}
	}
	if name == "" {
		return errors.New("the image reference has no repository name")
	}
	if len(name) > maxImageNameLen {
		return fmt.Errorf("the repository name is %d characters long; at most %d are allowed", len(name), maxImageNameLen)
	}
	path := name
	if first, rest, ok := strings.Cut(name, "/"); ok &&
		(strings.ContainsAny(first, ".:[") || first == "localhost" || strings.ToLower(first) != first) {
		if err := checkHostPort(first); err != nil {
			return fmt.Errorf("image registry: %v", err)
		}
		path = rest
	}
	return checkRepoPath(path)
}

// checkDigest checks algorithm:encoded, strictly for sha256 and sha512.
func checkDigest(d string) error {
	alg, enc, ok := strings.Cut(d, ":")
	if !ok || !digestAlgRE.MatchString(alg) || !digestEncRE.MatchString(enc) {
		return fmt.Errorf("digest %q must have the form algorithm:hex, e.g. sha256:<64 hex digits>", d)
	}
	want := map[string]int{"sha256": 64, "sha512": 128}[alg]
	switch {
	case want != 0 && (len(enc) != want || !lowerHexRE.MatchString(enc)):
		return fmt.Errorf("a %s digest must be %d lowercase hex digits", alg, want)
	case want == 0 && len(enc) < 32:
		return fmt.Errorf("digest %q is too short", d)
	}
	return nil
}

// RegistryServer validates a registry host[:port][/path] (see CheckRegistryServer).
func RegistryServer() validator.String {
	return stringValidator{
		description: "must be a registry host[:port][/path] without a scheme, with a port of 1-65535 and lowercase path components",
		markdown:    "must be a registry `host[:port][/path]` without a scheme, with a port of 1-65535 and lowercase path components (e.g. `registry.example.com:5000/charts`)",
		summary:     "Invalid registry server",
		check:       CheckRegistryServer,
	}
}

// ImageReference validates a container image reference (see CheckImageReference).
func ImageReference() validator.String {
	return stringValidator{
		description: "must be a container image reference [registry[:port]/]path[:tag][@digest]",
		markdown:    "must be a container image reference `[registry[:port]/]path[:tag][@digest]` (e.g. `ghcr.io/org/app:1.0`)",
		summary:     "Invalid image reference",
		check:       CheckImageReference,
	}
}
