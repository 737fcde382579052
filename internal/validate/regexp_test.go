package validate

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestCheckRegexp(t *testing.T) {
	for _, ok := range []string{`^https://github\.com/acme/.*$`, `gitlab\.example\.com`, `https://example.com/repo`, ``} {
		if err := CheckRegexp(ok); err != nil {
			t.Errorf("CheckRegexp(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{`https://example.com/(repo`, `[a-`, `a**`, `(?<name`} {
		err := CheckRegexp(bad)
		if err == nil || !strings.Contains(err.Error(), "regular expression") {
			t.Errorf("CheckRegexp(%q) = %v, want an error", bad, err)
		}
	}
}

func TestRegexpValidator(t *testing.T) {
	p := path.Root("allowed_repo_patterns").AtListIndex(1)
	onlyErrorAt(t, runString(Regexp(), p, types.StringValue("(")), p)
	for _, v := range []types.String{types.StringNull(), types.StringUnknown(), types.StringValue("^a$")} {
		if d := runString(Regexp(), p, v); d.HasError() {
			t.Errorf("%v: %v", v, d)
		}
	}
}

// TestCheckRegexpAsFleetAnchorsIt: a pattern nested 999 groups deep compiles
// alone, but Fleet's regexp.MustCompile("^(?:" + pattern + ")") of
// helmRepoURLRegex would panic on it.
func TestCheckRegexpAsFleetAnchorsIt(t *testing.T) {
	deep := strings.Repeat("(", 999) + "a" + strings.Repeat(")", 999)
	if err := CheckRegexp(deep); err == nil || !strings.Contains(err.Error(), "not anchored as Fleet uses it") {
		t.Fatalf("CheckRegexp(999 groups) = %v", err)
	}
}
