package validate

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckRegexp checks that s compiles as a Go (RE2) regular expression, the
// syntax Fleet's controller compiles patterns with.
func CheckRegexp(s string) error {
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("%q is not a valid regular expression (Go RE2 syntax): %v; "+
			"escape characters meant literally, e.g. `\\.` or `\\(`", s, err)
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
