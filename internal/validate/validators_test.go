package validate

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringValidators lists every string validator with one valid and one
// invalid input.
var stringValidators = []struct {
	name      string
	v         validator.String
	good, bad string
}{
	{"ResourceName", ResourceName(), "my-app", "My_App"},
	{"NamespaceName", NamespaceName(), "fleet-default", "fleet.default"},
	{"SelectorOperator", SelectorOperator(), "In", "in"},
	{"GitURL", GitURL(), "https://github.com/rancher/fleet-examples", "/srv/repo"},
	{"FleetDuration", FleetDuration(), "15s", "1d"},
	{"FleetTTL", FleetTTL(), "24h", "1w"},
	{"PEM", PEM(), "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", "not pem"},
	{"PEMCertificates", PEMCertificates(), "", "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"},
	{"ProxyURL", ProxyURL(), "http://proxy:3128", "proxy:3128"},
	{"NoProxy", NoProxy(), "localhost,.svc", "a,,b"},
	{"RegistryServer", RegistryServer(), "ghcr.io", "https://ghcr.io"},
	{"ImageReference", ImageReference(), "nginx:1.27", "Nginx"},
	{"JSONObject", JSONObject(), `{"a":1}`, "[]"},
	{"ClusterName", ClusterName(), "edge-berlin-1", "edge.berlin"},
	{"HTTPHostPort", HTTPHostPort(), "https://tower.example.com:8080", "10.0.0.1:30721"},

	{"Regexp", Regexp(), `^https://git\.corp/`, "("},
	{"VersionConstraint", VersionConstraint(), "~0.16", "0.16.x.y"},
	{"LabelValue", LabelValue(), "prod", "not valid!"},
	{"HTTPURL", HTTPURL(), "https://rancher.corp", "rancher.corp"},
	{"ChartRepositoryURL", ChartRepositoryURL(), "oci://registry.corp/charts", "ftp://charts.corp"},
	{"RolloutCount", RolloutCount(), "12.5%", "25 %"},
	{"JSONPointer", JSONPointer(), "/metadata/annotations/a~1b", "spec.replicas"},
	{"APIVersion", APIVersion(), "apps/v1", "apps/v1/x"},
	{"StrictJSON", StrictJSON[struct {
		A int `json:"a"`
	}]("a test object"), `{"a":1}`, `{"A":1}`},
}

func runString(v validator.String, p path.Path, val types.String) diag.Diagnostics {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{
		Path: p, PathExpression: p.Expression(), ConfigValue: val,
	}, resp)
	return resp.Diagnostics
}

func runMap(v validator.Map, p path.Path, val types.Map) diag.Diagnostics {
	resp := &validator.MapResponse{}
	v.ValidateMap(context.Background(), validator.MapRequest{
		Path: p, PathExpression: p.Expression(), ConfigValue: val,
	}, resp)
	return resp.Diagnostics
}

// onlyErrorAt asserts diags hold exactly one error, attached to want.
func onlyErrorAt(t *testing.T, diags diag.Diagnostics, want path.Path) diag.Diagnostic {
	t.Helper()
	if len(diags) != 1 || diags.ErrorsCount() != 1 {
		t.Fatalf("want exactly one error, got %d diagnostics: %v", len(diags), diags)
	}
	d, ok := diags[0].(diag.DiagnosticWithPath)
	if !ok {
		t.Fatalf("diagnostic has no path: %v", diags[0])
	}
	if !d.Path().Equal(want) {
		t.Fatalf("error at %s, want %s", d.Path(), want)
	}
	if d.Summary() == "" || d.Detail() == "" {
		t.Fatalf("empty summary or detail: %q / %q", d.Summary(), d.Detail())
	}
	return d
}

func TestStringValidators(t *testing.T) {
	ctx := context.Background()
	cert, _ := testPEM(t)
	p := path.Root("spec").AtName("field")
	for _, tc := range stringValidators {
		t.Run(tc.name, func(t *testing.T) {
			if tc.v.Description(ctx) == "" || tc.v.MarkdownDescription(ctx) == "" {
				t.Error("empty description")
			}
			good := tc.good
			if tc.name == "PEMCertificates" {
				good = cert
			}
			if d := runString(tc.v, p, types.StringValue(good)); len(d) != 0 {
				t.Errorf("valid %q: %v", good, d)
			}
			onlyErrorAt(t, runString(tc.v, p, types.StringValue(tc.bad)), p)
			for _, skip := range []types.String{types.StringNull(), types.StringUnknown()} {
				if d := runString(tc.v, p, skip); len(d) != 0 {
					t.Errorf("%s value: %v", skip, d)
				}
			}
		})
	}
}

func TestNoProxyDefaultsWarns(t *testing.T) {
	p := path.Root("no_proxy")
	v := NoProxyDefaults()
	d := runString(v, p, types.StringValue("localhost,.svc"))
	if len(d) != 1 || d.WarningsCount() != 1 || d.HasError() {
		t.Fatalf("want one warning, got %v", d)
	}
	if w := d[0].(diag.DiagnosticWithPath); !w.Path().Equal(p) || !strings.Contains(w.Detail(), "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, .cluster.local") {
		t.Fatalf("unexpected warning %s: %s", w.Path(), w.Detail())
	}
	for _, s := range []types.String{
		types.StringValue("127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"),
		types.StringValue("a,,b"), // invalid: left to NoProxy()
		types.StringNull(), types.StringUnknown(),
	} {
		if d := runString(v, p, s); len(d) != 0 {
			t.Errorf("%s: %v", s, d)
		}
	}
}

func strMap(t *testing.T, m map[string]attr.Value) types.Map {
	t.Helper()
	v, d := types.MapValue(types.StringType, m)
	if d.HasError() {
		t.Fatal(d)
	}
	return v
}

func TestMapValidators(t *testing.T) {
	ctx := context.Background()
	p := path.Root("labels")
	tests := []struct {
		name    string
		v       validator.Map
		in      map[string]attr.Value
		wantKey string // "" = valid
		wantHas string
	}{
		{"labels ok", LabelMap(), map[string]attr.Value{"app": types.StringValue("web"), "example.com/env": types.StringValue("")}, "", ""},
		{"label bad key", LabelMap(), map[string]attr.Value{"app": types.StringValue("web"), "bad key": types.StringValue("x")}, "bad key", `Key "bad key"`},
		{"label bad value", LabelMap(), map[string]attr.Value{"env": types.StringValue("not valid!")}, "env", `Value of key "env"`},
		{"label unknown value skipped", LabelMap(), map[string]attr.Value{"env": types.StringUnknown(), "k": types.StringNull()}, "", ""},
		{"label unknown value, bad key", LabelMap(), map[string]attr.Value{"-k": types.StringUnknown()}, "-k", `Key "-k"`},
		{"annotations ok", AnnotationMap(), map[string]attr.Value{"Example.com/Note": types.StringValue("any value: at all / ok")}, "", ""},
		{"annotation bad key", AnnotationMap(), map[string]attr.Value{"a/b/c": types.StringValue("x")}, "a/b/c", "annotation key"},
		{"env ok", EnvVarName(), map[string]attr.Value{"HTTP_PROXY": types.StringValue("x y z"), "my.var": types.StringValue("")}, "", ""},
		{"env bad key", EnvVarName(), map[string]attr.Value{"1BAD": types.StringValue("x")}, "1BAD", "environment variable name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.v.Description(ctx) == "" || tc.v.MarkdownDescription(ctx) == "" {
				t.Error("empty description")
			}
			d := runMap(tc.v, p, strMap(t, tc.in))
			if tc.wantKey == "" {
				if len(d) != 0 {
					t.Fatalf("unexpected diagnostics: %v", d)
				}
				return
			}
			got := onlyErrorAt(t, d, p.AtMapKey(tc.wantKey))
			if !strings.Contains(got.Detail(), tc.wantHas) {
				t.Errorf("detail %q does not contain %q", got.Detail(), tc.wantHas)
			}
		})
	}
}

func TestMapValidatorsSkipNullUnknown(t *testing.T) {
	p := path.Root("m")
	for _, v := range []validator.Map{LabelMap(), AnnotationMap(), EnvVarName()} {
		for _, m := range []types.Map{types.MapNull(types.StringType), types.MapUnknown(types.StringType)} {
			if d := runMap(v, p, m); len(d) != 0 {
				t.Errorf("%s: %v", m, d)
			}
		}
	}
}

func TestMapValidatorReportsEveryBadEntryInKeyOrder(t *testing.T) {
	p := path.Root("labels")
	d := runMap(LabelMap(), p, strMap(t, map[string]attr.Value{
		"z z": types.StringValue("ok"), "a a": types.StringValue("ok"), "m": types.StringValue("bad value"),
	}))
	want := []path.Path{p.AtMapKey("a a"), p.AtMapKey("m"), p.AtMapKey("z z")}
	if len(d) != len(want) {
		t.Fatalf("got %v", d)
	}
	for i, w := range want {
		if got := d[i].(diag.DiagnosticWithPath).Path(); !got.Equal(w) {
			t.Errorf("diagnostic %d at %s, want %s", i, got, w)
		}
	}
}

func TestAnnotationMapTotalSize(t *testing.T) {
	p := path.Root("annotations")
	big := strings.Repeat("x", 200*1024)
	d := runMap(AnnotationMap(), p, strMap(t, map[string]attr.Value{"a": types.StringValue(big), "b": types.StringValue(big)}))
	onlyErrorAt(t, d, p)
	// With an unknown value the total is not known yet: no error.
	d = runMap(AnnotationMap(), p, strMap(t, map[string]attr.Value{"a": types.StringValue(big), "b": types.StringUnknown()}))
	if len(d) != 0 {
		t.Fatalf("unexpected diagnostics: %v", d)
	}
}

func TestMapValidatorNonStringElements(t *testing.T) {
	p := path.Root("m")
	m, diags := types.MapValue(types.Int64Type, map[string]attr.Value{"k": types.Int64Value(1)})
	if diags.HasError() {
		t.Fatal(diags)
	}
	onlyErrorAt(t, runMap(LabelMap(), p, m), p.AtMapKey("k"))
}
