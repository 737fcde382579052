package clusters

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// clustersDataModel is the state of data source fleet_clusters.
type clustersDataModel struct {
	Namespace types.String                  `tfsdk:"namespace"`
	Selector  *framework.LabelSelectorModel `tfsdk:"selector"`
	Clusters  []clusterItemModel            `tfsdk:"clusters"`
}

// clusterItemModel is one cluster of the list.
type clusterItemModel struct {
	Name      types.String `tfsdk:"name"`
	Namespace types.String `tfsdk:"namespace"`
	Labels    types.Map    `tfsdk:"labels"`
	Ready     types.Bool   `tfsdk:"ready"`
	State     types.String `tfsdk:"state"`
}

func flattenClusterItem(c *fleet.Cluster) clusterItemModel {
	item := clusterItemModel{
		Name:      types.StringValue(c.Name),
		Namespace: types.StringValue(c.Namespace),
		Labels:    flex.StringMapValue(c.Labels),
		Ready:     types.BoolValue(false),
		State:     types.StringValue(""),
	}
	if c.Status != nil {
		ready := fleet.FindCondition(c.Status.Conditions, "Ready")
		item.Ready = types.BoolValue(ready != nil && ready.Status == "True")
		item.State = types.StringValue(c.Status.Display.State)
	}
	return item
}

// clusterListSelector is the API's label selector string for the model;
// unset selects every cluster (unlike a nil LabelSelector, which selects none).
func clusterListSelector(ctx context.Context, m *framework.LabelSelectorModel) (string, diag.Diagnostics) {
	sel, diags := framework.ExpandLabelSelector(ctx, m)
	if sel == nil || diags.HasError() {
		return "", diags
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		diags.AddAttributeError(path.Root("selector"), "Invalid label selector", err.Error())
		return "", diags
	}
	return s.String(), diags
}

type clustersDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*clustersDataSource)(nil)

// NewClustersDataSource is data source fleet_clusters.
func NewClustersDataSource() datasource.DataSource { return &clustersDataSource{} }

func (d *clustersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_clusters"
}

func (d *clustersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	ns := framework.DataSourceNamespaceAttribute("to list the clusters of")
	ns.Computed = true
	resp.Schema = schema.Schema{
		Description: "Lists the Fleet clusters of a namespace (Fleet workspace), optionally only those whose labels match a selector.",
		Attributes: map[string]schema.Attribute{
			"namespace": ns,
			"selector": framework.DataSourceAttribute(framework.LabelSelectorAttribute(
				"Lists only the clusters whose labels match. Unset, or an empty selector (`{}`), lists every cluster of the namespace."), framework.AsInput),
			"clusters": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The clusters, sorted by name.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":      schema.StringAttribute{Computed: true, Description: "Name of the cluster."},
					"namespace": schema.StringAttribute{Computed: true, Description: "Namespace of the cluster."},
					"labels":    schema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All labels of the cluster."},
					"ready": schema.BoolAttribute{Computed: true, Description: "Whether the cluster's `Ready` condition is true, " +
						"as the Fleet controller reports it."},
					"state": schema.StringAttribute{Computed: true, Description: "The cluster's state as Fleet displays it, e.g. " +
						"`WaitCheckIn` before its agent reports, else the state of its bundles (empty when all are ready)."},
				}},
			},
		},
	}
}

func (d *clustersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m clustersDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	namespace, diags := d.Namespace(m.Namespace)
	resp.Diagnostics.Append(diags...)
	selector, diags := clusterListSelector(ctx, m.Selector)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	clusters, err := ClusterAPI.List(ctx, d.Data.Client, namespace, selector)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the clusters", err.Error())
		return
	}
	slices.SortFunc(clusters, func(a, b fleet.Cluster) int { return strings.Compare(a.Name, b.Name) })
	m.Namespace = types.StringValue(namespace)
	m.Clusters = make([]clusterItemModel, 0, len(clusters))
	for i := range clusters {
		m.Clusters = append(m.Clusters, flattenClusterItem(&clusters[i]))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
