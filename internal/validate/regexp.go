package validate

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckRegexp checks that s compiles as a Go (RE2) regular expression the
// way Fleet compiles patterns: as written (GitRepoRestriction
// allowedRepoPatterns) and wrapped in an anchored group, "^(?:" + s + ")$"
// (Fleet v0.16 anchors GitRepo helmRepoURLRegex that way with
// regexp.MustCompile, and Policy patterns), which fails for a pattern that
// only compiles on its own, e.g. one nested 1000 groups deep.
func CheckRegexp(s string) error {
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("%q is not a valid regular expression (Go RE2 syntax): %v; "+
			"escape characters meant literally, e.g. `\\.` or `\\(`", s, err)
	}
	if _, err := regexp.Compile("^(?:" + s + ")$"); err != nil {
		return fmt.Errorf("%q compiles on its own but not anchored as Fleet uses it, ^(?:pattern)$: %v", s, err)
	}
	return nil
}

// Regexp validates a Go (RE2) regular expression.
func Regexp() validator.String {
	return stringValidator{
		description: "must be a valid Go (RE2) regular expression",
		summary:     "Invalid regular expression",
		check:       CheckRegexp,
	}
}
