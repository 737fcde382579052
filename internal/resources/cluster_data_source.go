package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// clusterResourceOnly are fleet_cluster's attributes about writing the
// cluster (the kubeconfig Secret, the wait), which a data source has not.
var clusterResourceOnly = []string{"kubeconfig_wo", "kubeconfig_wo_version", "api_server_url", "api_server_ca", "wait_for_ready"}

type clusterDataSource struct{ dataSourceBase }

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
	attrs := dataSourceAttributes(from, asOutput)
	addNamedObjectAttributes(attrs, "cluster")
	resp.Schema = dschema.Schema{
		Description: "Reads a Fleet Cluster: its labels, how Fleet renders its agent, its per-cluster namespace " +
			"(`cluster_namespace`) and its status (`ready`, `state`, `agent_last_seen`, `ready_bundles`).",
		Attributes: attrs,
	}
}

func (d *clusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config clusterDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	c := readNamedObject(ctx, &d.dataSourceBase, clusterAPI, config.objectMetaModel, &resp.Diagnostics)
	if c == nil {
		return
	}
	var m clusterModel
	m.flatten(c, true)
	m.showAllKeys(c.ObjectMeta)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m.clusterDataModel)...)
}
