package resources

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestDataSourceSchemas builds every data source schema (the converter
// panics on an attribute kind it does not know) and lets the framework check it.
func TestDataSourceSchemas(t *testing.T) {
	ctx := context.Background()
	for _, newDataSource := range DataSources() {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "fleet"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp datasource.SchemaResponse
			ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatal(diags)
			}
			for name, a := range resp.Schema.Attributes {
				if a.GetDescription() == "" {
					t.Errorf("attribute %s has no description", name)
				}
			}
		})
	}
}

// TestDataSourceAttributeModes checks both conversions of a label selector:
// as output everything is computed, as input the requirements and
// validators stay.
func TestDataSourceAttributeModes(t *testing.T) {
	selector := labelSelectorAttribute("test")

	out := dataSourceAttribute(selector, asOutput).(dschema.SingleNestedAttribute)
	var walk func(string, dschema.Attribute)
	walk = func(name string, a dschema.Attribute) {
		if !a.IsComputed() || a.IsOptional() || a.IsRequired() {
			t.Errorf("output attribute %s: computed=%v optional=%v required=%v", name, a.IsComputed(), a.IsOptional(), a.IsRequired())
		}
		switch n := a.(type) {
		case dschema.SingleNestedAttribute:
			for k, c := range n.Attributes {
				walk(name+"."+k, c)
			}
		case dschema.ListNestedAttribute:
			if len(n.NestedObject.Validators) != 0 {
				t.Errorf("output attribute %s keeps validators", name)
			}
			for k, c := range n.NestedObject.Attributes {
				walk(name+"."+k, c)
			}
		}
	}
	walk("selector", out)

	in := dataSourceAttribute(selector, asInput).(dschema.SingleNestedAttribute)
	if !in.Optional || in.Computed {
		t.Errorf("input selector: optional=%v computed=%v", in.Optional, in.Computed)
	}
	if v := in.Attributes["match_labels"].(dschema.MapAttribute).Validators; len(v) == 0 {
		t.Error("input match_labels lost its validators")
	}
	exprs := in.Attributes["match_expressions"].(dschema.ListNestedAttribute)
	if !exprs.NestedObject.Attributes["key"].IsRequired() || len(exprs.NestedObject.Validators) == 0 {
		t.Error("input match_expressions lost its required key or its object validator")
	}
}

// TestClusterListSelector checks the selector string sent to the API: unset
// and empty both list every cluster.
func TestClusterListSelector(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		in   *labelSelectorModel
		want string
	}{
		"unset": {nil, ""},
		"empty": {&labelSelectorModel{MatchLabels: types.MapNull(types.StringType)}, ""},
		"labels and expressions": {&labelSelectorModel{
			MatchLabels: stringMapValue(map[string]string{"env": "prod"}),
			MatchExpressions: []labelSelectorRequirementModel{
				{Key: types.StringValue("region"), Operator: types.StringValue("In"), Values: stringListValue([]string{"eu", "us"})},
				{Key: types.StringValue("gpu"), Operator: types.StringValue("DoesNotExist"), Values: types.ListNull(types.StringType)},
			},
		}, "env=prod,!gpu,region in (eu,us)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, diags := clusterListSelector(ctx, tc.in)
			if diags.HasError() || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, diags, tc.want)
			}
		})
	}
}
