package validate

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckVersionConstraint checks a chart version or version range as Helm
// and Fleet parse it: a Masterminds semver constraint (semver.NewConstraint),
// e.g. 1.2.3, v1.2.3, ~1.2, ^1.2, >= 1.0 < 2.0, 1.x. Helm looks a
// repository's chart up with it, and Fleet resolves HelmOp and OCI chart
// versions with it; a string it does not parse fails there.
func CheckVersionConstraint(s string) error {
	if _, err := semver.NewConstraint(s); err != nil {
		return fmt.Errorf("%q is neither a chart version nor a version constraint (e.g. 1.2.3, ~1.2, ^1.2, >= 1.0 < 2.0): %v", s, err)
	}
	return nil
}

// VersionConstraint validates a chart version or constraint (see CheckVersionConstraint).
func VersionConstraint() validator.String {
	return stringValidator{
		description: "must be a semantic version or a version constraint",
		markdown:    "must be a semantic version or a version constraint (e.g. `1.2.3`, `~1.2`, `^1.2`, `>= 1.0 < 2.0`)",
		summary:     "Invalid chart version",
		check:       CheckVersionConstraint,
	}
}
