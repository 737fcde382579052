package clusters

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

var clusterGroupAPI = framework.ObjectAPI[fleet.ClusterGroup]{GVR: fleet.ClusterGroups, Kind: fleet.KindClusterGroup}

// clusterGroupModel is the state of fleet_cluster_group.
type clusterGroupModel struct {
	framework.ObjectMetaModel
	Selector             *framework.LabelSelectorModel `tfsdk:"selector"`
	ClusterCount         types.Int64                   `tfsdk:"cluster_count"`
	NonReadyClusterCount types.Int64                   `tfsdk:"non_ready_cluster_count"`
	NonReadyClusters     types.List                    `tfsdk:"non_ready_clusters"`
	State                types.String                  `tfsdk:"state"`
	Timeouts             timeouts.Value                `tfsdk:"timeouts"`
}

func (m *clusterGroupModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *clusterGroupModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *clusterGroupModel) Expand(ctx context.Context) (*fleet.ClusterGroup, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	selector, d := framework.ExpandLabelSelector(ctx, m.Selector)
	diags.Append(d...)
	return &fleet.ClusterGroup{
		Object: fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindClusterGroup), ObjectMeta: meta},
		Spec:   fleet.ClusterGroupSpec{Selector: selector},
	}, diags
}

func (m *clusterGroupModel) Flatten(g *fleet.ClusterGroup, imported bool) {
	m.SetFromServer(g.ObjectMeta, imported)
	m.Selector = framework.FlattenLabelSelector(g.Spec.Selector)
	status := g.Status
	if status == nil {
		status = &fleet.ClusterGroupStatus{}
	}
	m.ClusterCount = types.Int64Value(int64(status.ClusterCount))
	m.NonReadyClusterCount = types.Int64Value(int64(status.NonReadyClusterCount))
	m.NonReadyClusters = flex.StringListValue(status.NonReadyClusters)
	m.State = types.StringValue(status.Display.State)
}

// clusterGroupResource is fleet_cluster_group on the generic object resource.
type clusterGroupResource = framework.ObjectResource[fleet.ClusterGroup, clusterGroupModel, *clusterGroupModel]

var (
	_ resource.ResourceWithImportState = (*clusterGroupResource)(nil)
	_ resource.ResourceWithIdentity    = (*clusterGroupResource)(nil)
)

// NewClusterGroupResource is fleet_cluster_group.
func NewClusterGroupResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.ClusterGroup, clusterGroupModel]{
		TypeName: "fleet_cluster_group",
		API:      clusterGroupAPI,
		Schema:   clusterGroupSchema,
		Hooks:    framework.ObjectHooks[fleet.ClusterGroup, clusterGroupModel]{AfterApply: awaitClusterGroupProcessed},
	})
}

func clusterGroupSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("cluster group")
	attrs["selector"] = framework.LabelSelectorAttribute("Selects the clusters of the group, in the group's namespace, by their labels. " +
		"Unset selects no cluster; an empty selector (`{}`) selects every cluster of the namespace.")
	attrs["cluster_count"] = schema.Int64Attribute{Computed: true, Description: "Number of clusters in the group, as counted by the Fleet controller."}
	attrs["non_ready_cluster_count"] = schema.Int64Attribute{Computed: true, Description: "Number of clusters in the group that are not ready."}
	attrs["non_ready_clusters"] = schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: "Names of the clusters in the group that are not ready."}
	attrs["state"] = schema.StringAttribute{Computed: true, Description: "The group's state as Fleet displays it (empty when all is ready)."}
	return schema.Schema{
		Description: "A Fleet ClusterGroup: a named set of clusters, chosen by label, that GitRepos and HelmOps target. " +
			"Create waits until the Fleet controller has counted the group's clusters.",
		Attributes: attrs,
	}
}

// awaitClusterGroupProcessed waits on create for the Fleet controller's
// Processed condition, so the returned cluster count is Fleet's (seconds on a
// live Fleet). Without a controller the group still exists: warn, not fail.
func awaitClusterGroupProcessed(ctx context.Context, c *kube.Client, plan *clusterGroupModel, applied *fleet.ClusterGroup, firstWait bool) (*fleet.ClusterGroup, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !firstWait {
		return applied, diags
	}
	group := applied
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		current, err := clusterGroupAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return false, err
		}
		group = current
		return group.Status != nil && fleet.FindCondition(group.Status.Conditions, "Processed") != nil, nil
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddWarning("Fleet has not processed the ClusterGroup yet",
			fmt.Sprintf("ClusterGroup %s/%s was created, but no Fleet controller reported on it before the create timeout; "+
				"its status attributes fill in on a later refresh. Is Fleet running on this cluster?%s", applied.Namespace, applied.Name, framework.TransientCause(err)))
	case err != nil:
		diags.AddError("Cannot read the created ClusterGroup", err.Error())
	}
	return group, diags
}
