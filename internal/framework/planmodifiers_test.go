package framework_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// TestNullUnless: token_in_state = false plans the value null; turning it
// true plans it known after apply; a value that is null while the flag
// stays true (Rancher has not issued the token yet) stays null, so the plan
// is empty.
func TestNullUnless(t *testing.T) {
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"token_in_state": schema.BoolAttribute{Optional: true},
		"manifest_url":   schema.StringAttribute{Computed: true},
	}}
	objectType := s.Type().TerraformType(context.Background())
	object := func(flag bool, url *string) tftypes.Value {
		return tftypes.NewValue(objectType, map[string]tftypes.Value{
			"token_in_state": tftypes.NewValue(tftypes.Bool, flag),
			"manifest_url":   tftypes.NewValue(tftypes.String, url),
		})
	}
	url := "https://rancher.example/v3/import/abc.yaml"
	for name, c := range map[string]struct {
		priorFlag, flag bool
		prior           *string
		want            types.String
	}{
		"kept out":                {priorFlag: true, flag: false, prior: &url, want: types.StringNull()},
		"turned on":               {priorFlag: false, flag: true, prior: nil, want: types.StringUnknown()},
		"pending while on":        {priorFlag: true, flag: true, prior: nil, want: types.StringNull()},
		"known and kept while on": {priorFlag: true, flag: true, prior: &url, want: types.StringValue(url)},
	} {
		t.Run(name, func(t *testing.T) {
			prior := types.StringNull()
			if c.prior != nil {
				prior = types.StringValue(*c.prior)
			}
			req := planmodifier.StringRequest{
				State:       tfsdk.State{Schema: s, Raw: object(c.priorFlag, c.prior)},
				Plan:        tfsdk.Plan{Schema: s, Raw: object(c.flag, c.prior)},
				ConfigValue: types.StringNull(),
				StateValue:  prior,
				PlanValue:   prior, // what UseStateForUnknown, listed first, planned
			}
			resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
			framework.NullUnless("token_in_state").PlanModifyString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() || !resp.PlanValue.Equal(c.want) {
				t.Fatalf("planned %s (%v), want %s", resp.PlanValue, resp.Diagnostics, c.want)
			}
		})
	}
}
