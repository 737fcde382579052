package workloads

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// rolloutStrategyModel is `rollout_strategy` (Fleet's RolloutStrategy).
// Counts that Fleet takes as a number or a percentage are strings here.
type rolloutStrategyModel struct {
	MaxUnavailable           types.String     `tfsdk:"max_unavailable"`
	MaxUnavailablePartitions types.String     `tfsdk:"max_unavailable_partitions"`
	AutoPartitionSize        types.String     `tfsdk:"auto_partition_size"`
	AutoPartitionThreshold   types.Int64      `tfsdk:"auto_partition_threshold"`
	MaxNew                   types.Int64      `tfsdk:"max_new"`
	Partitions               []partitionModel `tfsdk:"partitions"`
}

type partitionModel struct {
	Name                 types.String                  `tfsdk:"name"`
	MaxUnavailable       types.String                  `tfsdk:"max_unavailable"`
	ClusterName          types.String                  `tfsdk:"cluster_name"`
	ClusterSelector      *framework.LabelSelectorModel `tfsdk:"cluster_selector"`
	ClusterGroup         types.String                  `tfsdk:"cluster_group"`
	ClusterGroupSelector *framework.LabelSelectorModel `tfsdk:"cluster_group_selector"`
}

func rolloutStrategyAttribute() schema.SingleNestedAttribute {
	count := func(description string) schema.StringAttribute {
		return framework.OptionalString(description+" A whole number of clusters (e.g. `2`) or a percentage (e.g. `25%`).", validate.RolloutCount())
	}
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "How fast Fleet rolls a change out over the targeted clusters: in partitions, one after the other, " +
			"each held back while too many of its clusters are not ready. Unset, Fleet's defaults apply (one partition " +
			"below 200 clusters, no limit on unavailable clusters).",
		Attributes: map[string]schema.Attribute{
			"max_unavailable": count("Clusters that may be not ready before Fleet stops rolling out; Fleet's default is `100%`."),
			"max_unavailable_partitions": count("Partitions that may be not ready before Fleet stops rolling out to the " +
				"next; Fleet's default is `0`."),
			"auto_partition_size": count("Size of the partitions Fleet makes of the clusters that no `partitions` entry " +
				"selects; Fleet's default is `25%`, and `0` puts them all in one partition."),
			"auto_partition_threshold": schema.Int64Attribute{
				Optional: true,
				Description: "Fewest targeted clusters at which Fleet partitions automatically; below it, all clusters are one " +
					"partition. Fleet's default is `200`; `0` turns automatic partitions off.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"max_new": schema.Int64Attribute{
				Optional: true,
				Description: "Most clusters Fleet starts deploying to at once when the chart is new to them; Fleet's " +
					"default is `50`. " + compat.Lookup("fleet_helmop", "rollout_strategy.max_new").Requirement(),
				// Fleet takes 0 literally: it would never deploy to a new cluster.
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"partitions": schema.ListNestedAttribute{
				Optional: true,
				Description: "Partitions in rollout order, each selecting clusters like a target. Clusters none selects " +
					"go into automatic partitions after them.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":            framework.OptionalString("Name of the partition, shown in the Bundle's status.", framework.NonEmptyString()...),
						"max_unavailable": count("Clusters of this partition that may be not ready before it counts as unavailable."),
						"cluster_name": framework.OptionalString("Name of a Fleet Cluster in the namespace.",
							validate.ResourceName()),
						"cluster_selector": framework.LabelSelectorAttribute("Selects clusters by their labels."),
						"cluster_group": framework.OptionalString("Name of a Fleet ClusterGroup in the namespace.",
							validate.ResourceName()),
						"cluster_group_selector": framework.LabelSelectorAttribute("Selects cluster groups by their labels."),
					},
					// Fleet matches no cluster with an empty partition.
					Validators: []validator.Object{validate.AtLeastOneAttribute("Partition selects no cluster",
						"cluster_name", "cluster_selector", "cluster_group", "cluster_group_selector")},
				},
			},
		},
	}
}

func (m *rolloutStrategyModel) Expand(ctx context.Context) (*fleet.RolloutStrategy, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	var diags diag.Diagnostics
	out := &fleet.RolloutStrategy{
		MaxUnavailable:           expandIntOrPercent(m.MaxUnavailable),
		MaxUnavailablePartitions: expandIntOrPercent(m.MaxUnavailablePartitions),
		AutoPartitionSize:        expandIntOrPercent(m.AutoPartitionSize),
		AutoPartitionThreshold:   expandInt(m.AutoPartitionThreshold),
		MaxNew:                   expandInt(m.MaxNew),
	}
	for _, p := range m.Partitions {
		clusters, d := framework.ExpandLabelSelector(ctx, p.ClusterSelector)
		diags.Append(d...)
		groups, d := framework.ExpandLabelSelector(ctx, p.ClusterGroupSelector)
		diags.Append(d...)
		out.Partitions = append(out.Partitions, fleet.Partition{
			Name: p.Name.ValueString(), MaxUnavailable: expandIntOrPercent(p.MaxUnavailable),
			ClusterName: p.ClusterName.ValueString(), ClusterSelector: clusters,
			ClusterGroup: p.ClusterGroup.ValueString(), ClusterGroupSelector: groups,
		})
	}
	return out, diags
}

func flattenRolloutStrategy(r *fleet.RolloutStrategy) *rolloutStrategyModel {
	if r == nil {
		return nil
	}
	out := &rolloutStrategyModel{
		MaxUnavailable:           flattenIntOrPercent(r.MaxUnavailable),
		MaxUnavailablePartitions: flattenIntOrPercent(r.MaxUnavailablePartitions),
		AutoPartitionSize:        flattenIntOrPercent(r.AutoPartitionSize),
		AutoPartitionThreshold:   flattenInt(r.AutoPartitionThreshold),
		MaxNew:                   flattenInt(r.MaxNew),
	}
	for _, p := range r.Partitions {
		out.Partitions = append(out.Partitions, partitionModel{
			Name: flex.StringOrNull(p.Name), MaxUnavailable: flattenIntOrPercent(p.MaxUnavailable),
			ClusterName: flex.StringOrNull(p.ClusterName), ClusterSelector: framework.FlattenLabelSelector(p.ClusterSelector),
			ClusterGroup: flex.StringOrNull(p.ClusterGroup), ClusterGroupSelector: framework.FlattenLabelSelector(p.ClusterGroupSelector),
		})
	}
	return out
}

// expandIntOrPercent sends a whole number as a number and a percentage as a
// string, the two forms Fleet reads.
func expandIntOrPercent(s types.String) *intstr.IntOrString {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	if n, err := strconv.Atoi(s.ValueString()); err == nil {
		v := intstr.FromInt32(int32(n))
		return &v
	}
	v := intstr.FromString(s.ValueString())
	return &v
}

func flattenIntOrPercent(v *intstr.IntOrString) types.String {
	if v == nil {
		return types.StringNull()
	}
	return types.StringValue(v.String())
}

func expandInt(v types.Int64) *int {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := int(v.ValueInt64())
	return &n
}

func flattenInt(n *int) types.Int64 {
	if n == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*n))
}
