package helmchart

import "testing"

func TestVersionMatches(t *testing.T) {
	for _, c := range []struct {
		version, want string
		ok            bool
	}{
		{"0.16.0", "0.16.0", true}, {"0.16.2", "~0.16", true}, {"0.17.0", "~0.16", false}, {"dev", "dev", true}, {"dev", "~0.16", false},
	} {
		if got := VersionMatches(c.version, c.want); got != c.ok {
			t.Errorf("VersionMatches(%q, %q) = %v", c.version, c.want, got)
		}
	}
}
