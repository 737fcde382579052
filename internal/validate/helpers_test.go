package validate

import (
	"strings"
	"testing"
)

// checkCase is one table row for a Check* function. A valid input has
// ok=true; for an invalid one, errHas (if set) must occur in the error.
type checkCase struct {
	in     string
	ok     bool
	errHas string
}

func good(in ...string) []checkCase {
	out := make([]checkCase, len(in))
	for i, s := range in {
		out[i] = checkCase{in: s, ok: true}
	}
	return out
}

func bad(in ...string) []checkCase {
	out := make([]checkCase, len(in))
	for i, s := range in {
		out[i] = checkCase{in: s}
	}
	return out
}

func cases(groups ...[]checkCase) []checkCase {
	var out []checkCase
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func runCheck(t *testing.T, check func(string) error, table []checkCase) {
	t.Helper()
	for _, tc := range table {
		err := check(tc.in)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q: unexpected error: %v", tc.in, err)
		case !tc.ok && err == nil:
			t.Errorf("%q: expected an error, got nil", tc.in)
		case !tc.ok && tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas):
			t.Errorf("%q: error %q does not contain %q", tc.in, err, tc.errHas)
		}
	}
}
