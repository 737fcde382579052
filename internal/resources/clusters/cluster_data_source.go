package clusters

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// clusterResourceOnly are fleet_cluster's attributes about writing the
// cluster (the kubeconfig Secret, the wait), which a data source has not.
var clusterResourceOnly = []string{"kubeconfig_wo", "kubeconfig_wo_version", "api_server_url", "api_server_ca", "wait_for_ready"}

type clusterDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*clusterDataSource)(nil)

// NewClusterDataSource is data source fleet_cluster.
func NewClusterDataSource() datasource.DataSource { return &clusterDataSource{} }

func (d *clusterDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

func (d *clusterDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	from := clusterSchema(ctx).Attributes
	for _, name := range clusterResourceOnly {
		delete(from, name)
	}
	attrs := framework.DataSourceAttributes(from, framework.AsOutput)
	framework.AddNamedObjectAttributes(attrs, "cluster")
	resp.Schema = dschema.Schema{
		Description: "Reads a Fleet Cluster: its labels, how Fleet renders its agent, its per-cluster namespace " +
			"(`cluster_namespace`) and its status (`ready`, `state`, `agent_last_seen`, `ready_bundles`).",
		Attributes: attrs,
	}
}

func (d *clusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config clusterDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	c := framework.ReadNamedObject(ctx, &d.DataSourceBase, ClusterAPI, config.ObjectMetaModel, &resp.Diagnostics)
	if c == nil {
		return
	}
	var m clusterModel
	m.Flatten(c, true)
	m.ShowAllKeys(c.ObjectMeta)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m.clusterDataModel)...)
}
