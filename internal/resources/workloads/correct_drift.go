package workloads

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// correctDriftModel is `correct_drift` of fleet_gitrepo and fleet_helmop.
type correctDriftModel struct {
	Enabled         types.Bool `tfsdk:"enabled"`
	Force           types.Bool `tfsdk:"force"`
	KeepFailHistory types.Bool `tfsdk:"keep_fail_history"`
}

// correctDriftAttribute defaults to all false, Fleet's behaviour when
// unset, so an absent block and Fleet's `correctDrift: {}` read the same.
func correctDriftAttribute() schema.SingleNestedAttribute {
	falses := types.ObjectValueMust(
		map[string]attr.Type{"enabled": types.BoolType, "force": types.BoolType, "keep_fail_history": types.BoolType},
		map[string]attr.Value{"enabled": types.BoolValue(false), "force": types.BoolValue(false), "keep_fail_history": types.BoolValue(false)},
	)
	return schema.SingleNestedAttribute{
		Optional:    true,
		Computed:    true,
		Default:     objectdefault.StaticValue(falses),
		Description: "How Fleet undoes changes made to deployed resources in the downstream clusters. Defaults to all three `false` (no correction).",
		Attributes:  correctDriftAttributes(),
	}
}

func correctDriftAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"enabled":           framework.FalseByDefault("Re-apply the desired state when a deployed resource was modified."),
		"force":             framework.FalseByDefault("Delete and re-create resources that cannot be patched back (Helm `--force`)."),
		"keep_fail_history": framework.FalseByDefault("Keep the Helm release history of failed drift corrections."),
	}
}

func (m *correctDriftModel) Expand() *fleet.CorrectDrift {
	if m == nil {
		return nil
	}
	return &fleet.CorrectDrift{Enabled: flex.BoolPtr(m.Enabled), Force: flex.BoolPtr(m.Force), KeepFailHistory: flex.BoolPtr(m.KeepFailHistory)}
}

func flattenCorrectDrift(c *fleet.CorrectDrift) *correctDriftModel {
	if c == nil {
		c = &fleet.CorrectDrift{}
	}
	return &correctDriftModel{Enabled: flex.BoolValue(c.Enabled), Force: flex.BoolValue(c.Force), KeepFailHistory: flex.BoolValue(c.KeepFailHistory)}
}
