package validate

import "testing"

func TestCheckRolloutCount(t *testing.T) {
	runCheck(t, CheckRolloutCount, cases(
		good("0", "3", "2147483647", "0%", "25%", "12.5%", "100%"),
		bad("", "-1", "+2", "03", "2147483648", "1.5", "25 %", "%", "-5%", "x%", "one"),
		[]checkCase{{in: "2147483648", errHas: "larger than"}, {in: "ten", errHas: "neither a whole number"}},
	))
}

func TestCheckJSONPointer(t *testing.T) {
	runCheck(t, CheckJSONPointer, cases(
		good("", "/", "/spec/replicas", "/metadata/annotations/a~1b", "/x~0y", "/webhooks/0/clientConfig/caBundle"),
		bad("spec", "/a~", "/a~2", "~1/x"),
		[]checkCase{{in: "spec.replicas", errHas: "/spec/replicas"}},
	))
}

func TestCheckAPIVersion(t *testing.T) {
	runCheck(t, CheckAPIVersion, cases(
		good("v1", "apps/v1", "fleet.cattle.io/v1alpha1"),
		bad("", "apps/", "a/b/c"),
		nil,
	))
}
