package agent

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// FuzzChartValues: the chart values fleet_agent installs (managedValues and
// the token's) give back, on import (userValues), the `values` the
// configuration gave, whatever YAML the validator lets through; empty
// mappings aside, which Helm does not tell from absent ones.
func FuzzChartValues(f *testing.F) {
	f.Add("replicas: 2\n", "")
	f.Add("global:\n  cattle:\n    clusterId: abc\n", "registry.corp:5000")
	f.Add("global:\n  cattle: plain\n", "registry.corp:5000")
	f.Add(`{"agent": {"tolerations": [{"key": "a"}]}, "debug": true}`, "")
	f.Add("global: {}\n", "registry.corp")
	f.Fuzz(func(t *testing.T, values, registry string) {
		if !utf8.ValidString(values + registry) {
			t.Skip("Terraform strings are UTF-8")
		}
		var resp validator.StringResponse
		chartValuesValidator.ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("values"), ConfigValue: types.StringValue(values)}, &resp)
		if resp.Diagnostics.HasError() {
			return
		}
		m := &agentModel{Values: types.StringValue(values), SystemDefaultRegistry: types.StringValue(registry)}
		managed, err := m.managedValues()
		if err != nil {
			t.Fatalf("values the validator accepted: %v", err)
		}
		registration := map[string]any{}
		for _, k := range registrationValueKeys {
			registration[k] = "from-the-token"
		}
		want, _ := helmchart.ParseValues(values)
		got := userValues(chartValues(managed, registration))
		if !helmchart.SameValues(withoutEmptyMaps(got), withoutEmptyMaps(want)) {
			t.Errorf("values %q (system_default_registry %q) read back as %v", values, registry, got)
		}
	})
}

// withoutEmptyMaps returns the JSON form of m without mappings that hold
// nothing (also after removing their own empty mappings).
func withoutEmptyMaps(m map[string]any) map[string]any {
	out := helmchart.WithoutPaths(m, nil)
	var prune func(map[string]any)
	prune = func(m map[string]any) {
		for k, v := range m {
			if inner, ok := v.(map[string]any); ok {
				if prune(inner); len(inner) == 0 {
					delete(m, k)
				}
			}
		}
	}
	prune(out)
	return out
}
