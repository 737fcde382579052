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

func runObject(v validator.Object, p path.Path, val types.Object) diag.Diagnostics {
	resp := &validator.ObjectResponse{}
	v.ValidateObject(context.Background(), validator.ObjectRequest{Path: p, PathExpression: p.Expression(), ConfigValue: val}, resp)
	return resp.Diagnostics
}

var tolerationTypes = map[string]attr.Type{
	"key": types.StringType, "operator": types.StringType, "value": types.StringType,
	"effect": types.StringType, "toleration_seconds": types.Int64Type,
}

// toleration builds a toleration object; unset attributes are null.
func toleration(set map[string]attr.Value) types.Object {
	attrs := map[string]attr.Value{
		"key": types.StringNull(), "operator": types.StringNull(), "value": types.StringNull(),
		"effect": types.StringNull(), "toleration_seconds": types.Int64Null(),
	}
	for k, v := range set {
		attrs[k] = v
	}
	return types.ObjectValueMust(tolerationTypes, attrs)
}

func s(v string) attr.Value { return types.StringValue(v) }

func TestToleration(t *testing.T) {
	p := path.Root("agent_tolerations").AtListIndex(0)
	for _, ok := range []map[string]attr.Value{
		{"key": s("node-role.kubernetes.io/control-plane"), "effect": s("NoSchedule")},
		{"key": s("dedicated"), "operator": s("Equal"), "value": s("fleet")},
		{"operator": s("Exists")},
		{"key": s("k"), "operator": s("Exists"), "effect": s("NoExecute"), "toleration_seconds": types.Int64Value(30)},
		{"key": types.StringUnknown(), "value": s("x")},
		{"key": s("k"), "toleration_seconds": types.Int64Value(5), "effect": types.StringUnknown()},
	} {
		if d := runObject(Toleration(), p, toleration(ok)); len(d) != 0 {
			t.Errorf("%v: %v", ok, d)
		}
	}
	for _, tc := range []struct {
		in      map[string]attr.Value
		at, has string
	}{
		{map[string]attr.Value{"key": s(""), "operator": s("Exists")}, "key", "omit key"},
		{map[string]attr.Value{"key": s("k"), "value": s("")}, "value", "omit value"},
		{map[string]attr.Value{"key": s("bad key!")}, "key", "not a valid label key"},
		{map[string]attr.Value{"value": s("v")}, "operator", `without a key the operator must be "Exists"`},
		{map[string]attr.Value{"key": s("k"), "operator": s("Exists"), "value": s("v")}, "value", `"Exists" takes no value`},
		{map[string]attr.Value{"key": s("k"), "value": s("not valid!")}, "value", "not a valid label value"},
		{map[string]attr.Value{"key": s("k"), "effect": s("NoSchedule"), "toleration_seconds": types.Int64Value(1)}, "toleration_seconds", `effect "NoExecute" only`},
	} {
		d := runObject(Toleration(), p, toleration(tc.in))
		got := onlyErrorAt(t, d, p.AtName(tc.at))
		if !strings.Contains(got.Detail(), tc.has) || !strings.HasPrefix(got.Detail(), "Attribute agent_tolerations[0]."+tc.at+": ") {
			t.Errorf("%v: detail %q, want the path and %q", tc.in, got.Detail(), tc.has)
		}
	}
}

func TestCheckIntOrPercent(t *testing.T) {
	runCheck(t, CheckIntOrPercent, cases(
		good("0", "1", "+2", "2147483647", "0%", "50%", "100%"),
		bad("-1", "2147483648", "101%", "-5%", "+5%", "1.5", "50 %", "%", "one"),
		[]checkCase{{in: "", errHas: "omit it"}, {in: "abc", errHas: "neither a number of pods"}},
	))
}

func TestPodDisruptionBudget(t *testing.T) {
	p := path.Root("agent_scheduling_customization").AtName("pod_disruption_budget")
	obj := func(min, max attr.Value) types.Object {
		return types.ObjectValueMust(map[string]attr.Type{"min_available": types.StringType, "max_unavailable": types.StringType},
			map[string]attr.Value{"min_available": min, "max_unavailable": max})
	}
	for _, ok := range []types.Object{obj(s("1"), types.StringNull()), obj(types.StringNull(), s("50%")), obj(types.StringNull(), types.StringNull())} {
		if d := runObject(PodDisruptionBudget(), p, ok); len(d) != 0 {
			t.Errorf("%v: %v", ok, d)
		}
	}
	got := onlyErrorAt(t, runObject(PodDisruptionBudget(), p, obj(s("1"), s("1"))), p.AtName("max_unavailable"))
	if !strings.Contains(got.Detail(), "not both") || !strings.Contains(got.Detail(), "pod_disruption_budget.max_unavailable") {
		t.Errorf("detail %q", got.Detail())
	}
	onlyErrorAt(t, runObject(PodDisruptionBudget(), p, obj(s("half"), types.StringNull())), p.AtName("min_available"))
}

func TestContainerResources(t *testing.T) {
	p := path.Root("agent_resources")
	obj := func(limits, requests map[string]attr.Value) types.Object {
		m := func(in map[string]attr.Value) attr.Value {
			if in == nil {
				return types.MapNull(types.StringType)
			}
			return types.MapValueMust(types.StringType, in)
		}
		return types.ObjectValueMust(map[string]attr.Type{"limits": types.MapType{ElemType: types.StringType}, "requests": types.MapType{ElemType: types.StringType}},
			map[string]attr.Value{"limits": m(limits), "requests": m(requests)})
	}
	for _, ok := range []types.Object{
		obj(map[string]attr.Value{"cpu": s("1"), "memory": s("256Mi")}, map[string]attr.Value{"cpu": s("500m"), "memory": s("256Mi")}),
		obj(nil, map[string]attr.Value{"cpu": s("2"), "example.com/gpu": s("1")}),
		obj(map[string]attr.Value{"cpu": s("1")}, map[string]attr.Value{"cpu": types.StringUnknown()}),
		obj(map[string]attr.Value{"cpu": s("not a quantity")}, nil), // the quantity type reports it
	} {
		if d := runObject(ContainerResources(), p, ok); len(d) != 0 {
			t.Errorf("%v: %v", ok, d)
		}
	}
	got := onlyErrorAt(t, runObject(ContainerResources(), p,
		obj(map[string]attr.Value{"cpu": s("500m")}, map[string]attr.Value{"cpu": s("1")})), p.AtName("requests").AtMapKey("cpu"))
	if !strings.Contains(got.Detail(), "exceeds the limit") || !strings.HasPrefix(got.Detail(), `Attribute agent_resources.requests["cpu"]: `) {
		t.Errorf("detail %q", got.Detail())
	}
	onlyErrorAt(t, runObject(ContainerResources(), p, obj(map[string]attr.Value{"memory": s("-1Gi")}, nil)), p.AtName("limits").AtMapKey("memory"))
	onlyErrorAt(t, runObject(ContainerResources(), p, obj(nil, map[string]attr.Value{"bad name!": s("1")})), p.AtName("requests").AtMapKey("bad name!"))
}

func TestDecodeStrictJSON(t *testing.T) {
	type affinity struct {
		NodeAffinity *struct {
			Required *struct{} `json:"requiredDuringSchedulingIgnoredDuringExecution"`
		} `json:"nodeAffinity"`
	}
	if _, err := DecodeStrictJSON[affinity](`{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{}}}`); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`{"nodeAfinity":{}}`:                    `unknown field "nodeAfinity"`,
		`{"NodeAffinity":{}}`:                   `unknown field "NodeAffinity"`, // case-sensitive, as the API server
		`{"nodeAffinity":{"required":{}}}`:      `unknown field "nodeAffinity.required"`,
		`{"nodeAffinity":{},"nodeAffinity":{}}`: `duplicate field "nodeAffinity"`,
		`{"nodeAffinity":[]}`:                   "does not decode",
		`[]`:                                    "JSON array",
	} {
		_, err := DecodeStrictJSON[affinity](in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}

func TestDetailNamesNestedAttributes(t *testing.T) {
	for _, tc := range []struct {
		p      path.Path
		nested bool
	}{
		{path.Root("name"), false},
		{path.Root("labels").AtMapKey("a"), false},
		{path.Root("targets").AtListIndex(0), false},
		{path.Root("helm").AtName("repo"), true},
		{path.Root("targets").AtListIndex(0).AtName("name"), true},
		{path.Root("helm").AtName("template_values").AtMapKey("k"), true},
	} {
		want := "x"
		if tc.nested {
			want = "Attribute " + tc.p.String() + ": x"
		}
		if got := Detail(tc.p, "x"); got != want {
			t.Errorf("Detail(%s) = %q, want %q", tc.p, got, want)
		}
	}
}
