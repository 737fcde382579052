package validate

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Node-level registry settings (K3s/RKE2 registries.yaml): the registries a
// mirror stands in for, rewrite patterns and file paths on the nodes.

// CheckMirroredRegistry checks a registry a mirror stands in for, as
// registries.yaml names it: host[:port] without a path or scheme (e.g.
// docker.io, registry.k8s.io, ghcr.io), or "*" for every registry.
func CheckMirroredRegistry(s string) error {
	if s == "*" {
		return nil
	}
	if strings.Contains(s, "://") {
		return errors.New("write the registry as host[:port] without a scheme, e.g. docker.io")
	}
	if strings.Contains(s, "/") {
		return errors.New("a mirrored registry is a host[:port] without a path, e.g. docker.io or registry.k8s.io")
	}
	if err := checkHostPort(s); err != nil {
		return fmt.Errorf("mirrored registry: %v", err)
	}
	return nil
}

// CheckNodeFilePath checks an absolute, clean file path on a node.
func CheckNodeFilePath(s string) error {
	if !strings.HasPrefix(s, "/") {
		return fmt.Errorf("%q is not an absolute path; the nodes read it, e.g. /etc/rancher/k3s/registry-ca.pem", s)
	}
	if path.Clean(s) != s || strings.HasSuffix(s, "/") {
		return fmt.Errorf("%q is not a clean file path (no '//', '.', '..' or trailing '/')", s)
	}
	if hasSpaceOrControl(s) {
		return fmt.Errorf("%q contains whitespace or control characters", s)
	}
	return nil
}

// MirroredRegistry validates a registry a mirror stands in for (see CheckMirroredRegistry).
func MirroredRegistry() validator.String {
	return stringValidator{
		description: "must be a registry host[:port] without a scheme or path, or * for every registry",
		markdown:    "must be a registry `host[:port]` without a scheme or path (e.g. `docker.io`), or `*` for every registry",
		summary:     "Invalid mirrored registry",
		check:       CheckMirroredRegistry,
	}
}

// NodeFilePath validates an absolute file path on a node (see CheckNodeFilePath).
func NodeFilePath() validator.String {
	return stringValidator{
		description: "must be a clean absolute file path",
		summary:     "Invalid file path",
		check:       CheckNodeFilePath,
	}
}

// RegexpKeys validates a map whose keys are Go (RE2) regular expressions.
func RegexpKeys() validator.Map {
	return mapValidator{
		description: "keys must be valid Go (RE2) regular expressions",
		summary:     "Invalid regular expression",
		key:         CheckRegexp,
	}
}
