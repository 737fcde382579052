package clusters

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// clusterGroupDataModel is fleet_cluster_group's resource model without the
// timeouts (the two schema packages' timeouts types differ).
type clusterGroupDataModel struct {
	framework.ObjectMetaModel
	Selector             *framework.LabelSelectorModel `tfsdk:"selector"`
	ClusterCount         types.Int64                   `tfsdk:"cluster_count"`
	NonReadyClusterCount types.Int64                   `tfsdk:"non_ready_cluster_count"`
	NonReadyClusters     types.List                    `tfsdk:"non_ready_clusters"`
	State                types.String                  `tfsdk:"state"`
}

type clusterGroupDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*clusterGroupDataSource)(nil)

// NewClusterGroupDataSource is data source fleet_cluster_group.
func NewClusterGroupDataSource() datasource.DataSource { return &clusterGroupDataSource{} }

func (d *clusterGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_group"
}

func (d *clusterGroupDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := framework.DataSourceAttributes(clusterGroupSchema(ctx).Attributes, framework.AsOutput)
	framework.AddNamedObjectAttributes(attrs, "cluster group")
	resp.Schema = schema.Schema{
		Description: "Reads a Fleet ClusterGroup: its cluster selector and the cluster counts the Fleet controller keeps.",
		Attributes:  attrs,
	}
}

func (d *clusterGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config clusterGroupDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	group := framework.ReadNamedObject(ctx, &d.DataSourceBase, clusterGroupAPI, config.ObjectMetaModel, &resp.Diagnostics)
	if group == nil {
		return
	}
	var m clusterGroupModel
	m.Flatten(group, true)
	m.ShowAllKeys(group.ObjectMeta)
	resp.Diagnostics.Append(resp.State.Set(ctx, &clusterGroupDataModel{
		ObjectMetaModel:      m.ObjectMetaModel,
		Selector:             m.Selector,
		ClusterCount:         m.ClusterCount,
		NonReadyClusterCount: m.NonReadyClusterCount,
		NonReadyClusters:     m.NonReadyClusters,
		State:                m.State,
	})...)
}
