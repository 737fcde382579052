package validate

import (
	"strings"
	"testing"
)

func TestCheckResourceName(t *testing.T) {
	runCheck(t, CheckResourceName, cases(
		good("a", "my-app", "my.app.v1", "0abc", "a1", strings.Repeat("a", 253),
			strings.Repeat("a", 63)+"."+strings.Repeat("b", 63)),
		bad("", "My-App", "-app", "app-", ".app", "app.", "a..b", "a_b", "a b", "app/x",
			strings.Repeat("a", 254), "ü"),
		[]checkCase{{in: "Bad", errHas: `"Bad" is not a valid Kubernetes resource name`}},
	))
}

func TestCheckNamespaceName(t *testing.T) {
	runCheck(t, CheckNamespaceName, cases(
		good("default", "fleet-default", "a", "ns1", strings.Repeat("a", 63)),
		bad("", "a.b", "Fleet", "-ns", "ns-", "n_s", strings.Repeat("a", 64)),
	))
}

func TestCheckLabelKey(t *testing.T) {
	runCheck(t, CheckLabelKey, cases(
		good("app", "App_Name", "a.b-c_d", "example.com/env", "app.kubernetes.io/name", "x/Y",
			strings.Repeat("a", 63), strings.Repeat("a", 253)+"/"+strings.Repeat("b", 63)),
		bad("", "/name", "example.com/", "Example.com/env", "a/b/c", "-app", "app-", "a b",
			strings.Repeat("a", 64), "ex_ample.com/x"),
	))
}

func TestCheckLabelValue(t *testing.T) {
	runCheck(t, CheckLabelValue, cases(
		good("", "prod", "v1.2.3", "A_b-C", strings.Repeat("z", 63)),
		bad("-prod", "prod-", "a b", "a/b", strings.Repeat("z", 64), "é"),
	))
}

func TestCheckAnnotationKey(t *testing.T) {
	runCheck(t, CheckAnnotationKey, cases(
		good("note", "example.com/note", "Example.COM/Note", "fleet.cattle.io/commit"),
		bad("", "a/b/c", "example.com/", "bad key", "-x", strings.Repeat("k", 64)),
	))
}

func TestCheckAnnotationsSize(t *testing.T) {
	if err := CheckAnnotationsSize(map[string]string{"a": strings.Repeat("x", 1000)}); err != nil {
		t.Fatalf("small annotations: %v", err)
	}
	if err := CheckAnnotationsSize(map[string]string{"a": strings.Repeat("x", totalAnnotationSizeLimit)}); err == nil {
		t.Fatal("oversized annotations: expected an error")
	}
}

func TestCheckEnvVarName(t *testing.T) {
	runCheck(t, CheckEnvVarName, cases(
		good("HOME", "my.env-name", "MY_ENV.NAME", "_x", "-x", ".x", "a1"),
		bad("", "1ABC", "A B", "A=B", ".", "..", "..x", "ü"),
	))
}

func TestCheckSelectorOperator(t *testing.T) {
	runCheck(t, CheckSelectorOperator, cases(
		good("In", "NotIn", "Exists", "DoesNotExist"),
		bad("", "in", "Equals", "!=", " In"),
		[]checkCase{
			{in: "notin", errHas: `must be spelled "NotIn"`},
			{in: "Gt", errHas: "use one of In, NotIn, Exists, DoesNotExist"},
		},
	))
}
