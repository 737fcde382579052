package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// targetModel is one entry of `targets` of fleet_gitrepo and fleet_helmop:
// which clusters a deployment goes to.
type targetModel struct {
	Name                 types.String                  `tfsdk:"name"`
	ClusterName          types.String                  `tfsdk:"cluster_name"`
	ClusterSelector      *framework.LabelSelectorModel `tfsdk:"cluster_selector"`
	ClusterGroup         types.String                  `tfsdk:"cluster_group"`
	ClusterGroupSelector *framework.LabelSelectorModel `tfsdk:"cluster_group_selector"`
}

// targetsAttribute is the `targets` list; what is deployed names itself in
// `what` (e.g. "the GitRepo's bundles").
func targetsAttribute(what string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		Description: "Clusters to deploy " + what + " to. A cluster is targeted when it matches every criterion " +
			"set in one entry. Unset, Fleet deploys to the cluster group `default` of the namespace.",
		// Fleet drops an empty list, which would read back as unset.
		Validators: []validator.List{listvalidator.SizeAtLeast(1)},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{
					Optional:    true,
					Description: "Name of the target, shown in Fleet's status.",
					Validators:  framework.NonEmptyString(),
				},
				"cluster_name": schema.StringAttribute{
					Optional:    true,
					Description: "Name of a Fleet Cluster in the namespace.",
					Validators:  []validator.String{validate.ResourceName()},
				},
				"cluster_selector": framework.LabelSelectorAttribute("Selects clusters by their labels. With `cluster_group` or " +
					"`cluster_group_selector`, it narrows the clusters of the selected groups."),
				"cluster_group": schema.StringAttribute{
					Optional:    true,
					Description: "Name of a Fleet ClusterGroup in the namespace.",
					Validators:  []validator.String{validate.ResourceName()},
				},
				"cluster_group_selector": framework.LabelSelectorAttribute("Selects cluster groups by their labels."),
			},
			// A target without a criterion selects no cluster, never what was meant.
			Validators: []validator.Object{validate.AtLeastOneAttribute("Target selects no cluster",
				"cluster_name", "cluster_selector", "cluster_group", "cluster_group_selector")},
		},
	}
}

// expandTargets converts the targets of a GitRepo.
func expandTargets(ctx context.Context, targets []targetModel) ([]fleet.GitTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	var out []fleet.GitTarget
	for _, t := range targets {
		target, d := t.expand(ctx)
		diags.Append(d...)
		out = append(out, target)
	}
	return out, diags
}

// expand converts the selection, which GitRepo and HelmOp targets share.
func (t targetModel) expand(ctx context.Context) (fleet.GitTarget, diag.Diagnostics) {
	clusterSelector, diags := framework.ExpandLabelSelector(ctx, t.ClusterSelector)
	groupSelector, d := framework.ExpandLabelSelector(ctx, t.ClusterGroupSelector)
	diags.Append(d...)
	return fleet.GitTarget{
		Name:                 t.Name.ValueString(),
		ClusterName:          t.ClusterName.ValueString(),
		ClusterSelector:      clusterSelector,
		ClusterGroup:         t.ClusterGroup.ValueString(),
		ClusterGroupSelector: groupSelector,
	}, diags
}

func flattenTargets(targets []fleet.GitTarget) []targetModel {
	var out []targetModel
	for _, t := range targets {
		out = append(out, flattenTarget(t))
	}
	return out
}

func flattenTarget(t fleet.GitTarget) targetModel {
	return targetModel{
		Name:                 flex.StringOrNull(t.Name),
		ClusterName:          flex.StringOrNull(t.ClusterName),
		ClusterSelector:      framework.FlattenLabelSelector(t.ClusterSelector),
		ClusterGroup:         flex.StringOrNull(t.ClusterGroup),
		ClusterGroupSelector: framework.FlattenLabelSelector(t.ClusterGroupSelector),
	}
}
