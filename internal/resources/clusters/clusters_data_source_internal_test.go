package clusters

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// TestClusterListSelector checks the selector string sent to the API: unset
// and empty both list every cluster.
func TestClusterListSelector(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		in   *framework.LabelSelectorModel
		want string
	}{
		"unset": {nil, ""},
		"empty": {&framework.LabelSelectorModel{MatchLabels: types.MapNull(types.StringType)}, ""},
		"labels and expressions": {&framework.LabelSelectorModel{
			MatchLabels: flex.StringMapValue(map[string]string{"env": "prod"}),
			MatchExpressions: []framework.LabelSelectorRequirementModel{
				{Key: types.StringValue("region"), Operator: types.StringValue("In"), Values: flex.StringListValue([]string{"eu", "us"})},
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
