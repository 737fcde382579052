package framework

import (
	"testing"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// TestDataSourceAttributeModes checks both conversions of a label selector:
// as output everything is computed, as input the requirements and
// validators stay.
func TestDataSourceAttributeModes(t *testing.T) {
	selector := LabelSelectorAttribute("test")

	out := DataSourceAttribute(selector, AsOutput).(dschema.SingleNestedAttribute)
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

	in := DataSourceAttribute(selector, AsInput).(dschema.SingleNestedAttribute)
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
