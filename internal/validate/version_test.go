package validate

import "testing"

func TestCheckVersionConstraint(t *testing.T) {
	runCheck(t, CheckVersionConstraint, cases(
		good("0.16.0", "v0.16.0", "~0.16", "^1.2", ">= 1.0 < 2.0", "1.x", "*", "1.2.3-rc.1", ">=1.0, <2.0 || 3.x"),
		bad("latest", "0.16.x.y", "1.0 <", "~", "v1..2"),
		[]checkCase{{in: "stable", errHas: "neither a chart version nor a version constraint"}},
	))
}
