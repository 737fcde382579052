package framework

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// settleSchema has a configurable map and a computed status attribute.
var settleSchema = schema.Schema{Attributes: map[string]schema.Attribute{
	"labels": schema.MapAttribute{Optional: true, ElementType: types.StringType},
	"state":  schema.StringAttribute{Computed: true},
}}

func settleValue(labels, state tftypes.Value) tftypes.Value {
	return tftypes.NewValue(settleSchema.Type().TerraformType(context.Background()), map[string]tftypes.Value{
		"labels": labels, "state": state,
	})
}

var labelsType = tftypes.Map{ElementType: tftypes.String}

// labelsValue is {owner = value}, or null for nil.
func labelsValue(value any) tftypes.Value {
	if value == nil {
		return tftypes.NewValue(labelsType, nil)
	}
	return tftypes.NewValue(labelsType, map[string]tftypes.Value{"owner": tftypes.NewValue(tftypes.String, value)})
}

func settle(config, state, plan tftypes.Value) tftypes.Value {
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: settleSchema, Raw: config},
		State:  tfsdk.State{Schema: settleSchema, Raw: state},
		Plan:   tfsdk.Plan{Schema: settleSchema, Raw: plan},
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	SettleNoOpPlan(req, resp)
	return resp.Plan.Raw
}

// TestSettleNoOpPlan: only the unknowns the framework introduced for
// computed attributes are settled; a configuration value unknown at plan
// time (another resource's output) stays unknown, so the plan is an update.
func TestSettleNoOpPlan(t *testing.T) {
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	ready := tftypes.NewValue(tftypes.String, "Ready")
	null := tftypes.NewValue(tftypes.String, nil)
	state := settleValue(labelsValue("a"), ready)

	t.Run("computed unknowns only", func(t *testing.T) {
		got := settle(settleValue(labelsValue("a"), null), state, settleValue(labelsValue("a"), unknown))
		if !got.Equal(state) {
			t.Errorf("a plan that changes nothing must be settled to the state, got %s", got)
		}
	})
	for name, labels := range map[string]tftypes.Value{
		"unknown map element": labelsValue(tftypes.UnknownValue),
		"unknown map":         tftypes.NewValue(labelsType, tftypes.UnknownValue),
	} {
		t.Run(name, func(t *testing.T) {
			plan := settleValue(labels, unknown)
			if got := settle(settleValue(labels, null), state, plan); !got.Equal(plan) {
				t.Errorf("an unknown configuration value was settled to the state: plan %s became %s", plan, got)
			}
		})
	}
	t.Run("unknown config over null state", func(t *testing.T) {
		nullState := settleValue(labelsValue(nil), ready)
		plan := settleValue(labelsValue(tftypes.UnknownValue), unknown)
		if got := settle(settleValue(labelsValue(tftypes.UnknownValue), null), nullState, plan); !got.Equal(plan) {
			t.Errorf("plan %s became %s", plan, got)
		}
	})
}
