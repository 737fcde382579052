package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// clusterGroupDataModel is fleet_cluster_group's resource model without the
// timeouts (the two schema packages' timeouts types differ).
type clusterGroupDataModel struct {
	objectMetaModel
	Selector             *labelSelectorModel `tfsdk:"selector"`
	ClusterCount         types.Int64         `tfsdk:"cluster_count"`
	NonReadyClusterCount types.Int64         `tfsdk:"non_ready_cluster_count"`
	NonReadyClusters     types.List          `tfsdk:"non_ready_clusters"`
	State                types.String        `tfsdk:"state"`
}

type clusterGroupDataSource struct{ dataSourceBase }

// NewClusterGroupDataSource is data source fleet_cluster_group.
func NewClusterGroupDataSource() datasource.DataSource { return &clusterGroupDataSource{} }

func (d *clusterGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_group"
}

func (d *clusterGroupDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := dataSourceAttributes(clusterGroupSchema(ctx).Attributes, asOutput)
	attrs["id"] = schema.StringAttribute{Computed: true, Description: "`namespace/name` of the cluster group."}
	attrs["name"] = schema.StringAttribute{
		Required:    true,
		Description: "Name of the cluster group to read.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	ns := dataSourceNamespaceAttribute("of the cluster group")
	ns.Computed = true
	attrs["namespace"] = ns
	attrs["labels"] = schema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All labels of the cluster group."}
	attrs["annotations"] = schema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All annotations of the cluster group."}
	resp.Schema = schema.Schema{
		Description: "Reads a Fleet ClusterGroup: its cluster selector and the cluster counts the Fleet controller keeps.",
		Attributes:  attrs,
	}
}

func (d *clusterGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config clusterGroupDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	namespace, diags := d.namespace(config.Namespace)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := config.Name.ValueString()
	group, err := clusterGroupAPI.get(ctx, d.data.Client, namespace, name)
	if errors.Is(err, errNotFound) {
		resp.Diagnostics.AddError("ClusterGroup not found", fmt.Sprintf("There is no ClusterGroup %s/%s.", namespace, name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the ClusterGroup", err.Error())
		return
	}
	var m clusterGroupModel
	m.flatten(group, true)
	// A data source shows every label and annotation, system ones included.
	m.Labels, m.Annotations = stringMapValue(group.Labels), stringMapValue(group.Annotations)
	resp.Diagnostics.Append(resp.State.Set(ctx, &clusterGroupDataModel{
		objectMetaModel:      m.objectMetaModel,
		Selector:             m.Selector,
		ClusterCount:         m.ClusterCount,
		NonReadyClusterCount: m.NonReadyClusterCount,
		NonReadyClusters:     m.NonReadyClusters,
		State:                m.State,
	})...)
}
