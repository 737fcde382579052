package validate

import (
	"errors"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// urlPassword matches the password of a URL's user information
// ("scheme://user:<password>@"), as Fleet's own redaction does
// (bundlereader.userinfoPasswordRe in v0.16).
var urlPassword = regexp.MustCompile(`(://[^/?#@\s]*:)[^/?#@\s]*@`)

// HasURLPassword reports whether s holds a URL with a password.
func HasURLPassword(s string) bool { return urlPassword.MatchString(s) }

// RedactURLPasswords replaces every URL password in s with "REDACTED", so
// that a message quoting a URL never shows its password.
func RedactURLPasswords(s string) string { return urlPassword.ReplaceAllString(s, "${1}REDACTED@") }

// WithoutURLPasswords returns err with RedactURLPasswords applied to its
// message; errors.Is and errors.As still see err.
func WithoutURLPasswords(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{err}
}

type redactedError struct{ err error }

func (e redactedError) Error() string { return RedactURLPasswords(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// URLPassword warns (it never errors) when a URL carries a password in its
// user information: the attribute is not sensitive, so Terraform shows the
// password in plans and keeps it in the state. instead says where the
// credentials belong. The warning never repeats the URL.
func URLPassword(instead string) validator.String {
	return stringValidator{
		description: "should not carry a password; " + instead,
		summary:     "Password in a URL",
		warning:     true,
		check: func(s string) error {
			if HasURLPassword(s) {
				return errors.New("the URL carries a password in its user information (user:password@), which Terraform " +
					"shows in plans and keeps in the state in clear text; " + instead)
			}
			return nil
		},
	}
}
