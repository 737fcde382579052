package kubesphere

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

type hostDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*hostDataSource)(nil)

// NewHostDataSource is data source fleet_kubesphere_host.
func NewHostDataSource() datasource.DataSource { return &hostDataSource{} }

// hostModel is the state of fleet_kubesphere_host.
type hostModel struct {
	ID                  types.String `tfsdk:"id"`
	ClusterRole         types.String `tfsdk:"cluster_role"`
	HostClusterName     types.String `tfsdk:"host_cluster_name"`
	ProxyPublishAddress types.String `tfsdk:"proxy_publish_address"`
	AgentImage          types.String `tfsdk:"agent_image"`
	MajorVersion        types.Int64  `tfsdk:"major_version"`
}

func (d *hostDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kubesphere_host"
}

func (d *hostDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) dschema.StringAttribute {
		return dschema.StringAttribute{Computed: true, Description: description}
	}
	resp.Schema = dschema.Schema{
		Description: "Reads the KubeSphere host cluster the provider connects to, from its `kubesphere-system/kubesphere-config`: " +
			"its role, the proxy address it publishes for agents and the agent image, as `fleet_kubesphere_agent` resolves them. " +
			"Fails when the cluster is not a KubeSphere host.",
		Attributes: map[string]dschema.Attribute{
			"id":                computed("`kubesphere-system/kubesphere-config`, the ConfigMap read."),
			"cluster_role":      computed("`multicluster.clusterRole`: always `host` (a data source read elsewhere fails)."),
			"host_cluster_name": computed("`multicluster.hostClusterName`, the host's own name in KubeSphere (4.x; often empty on 3.x)."),
			"proxy_publish_address": computed("The address agents dial: `multicluster.proxyPublishAddress`, else " +
				"`http://<LoadBalancer address>:<port>` of the Tower Service (`multicluster.proxyPublishService`); empty when the " +
				"host publishes none. Not checked here: `fleet_kubesphere_agent` refuses one without `http(s)://` and a port."),
			"agent_image":   computed("`multicluster.agentImage`, else KubeSphere's default `kubesphere/tower:v0.2.1`."),
			"major_version": dschema.Int64Attribute{Computed: true, Description: "3 or 4: 4.x keeps the jwtSecret under `authentication.issuer`."},
		},
	}
}

func (d *hostDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	host, err := readHost(ctx, d.Data.Client)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the KubeSphere host", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &hostModel{
		ID:                  types.StringValue(configMapRef),
		ClusterRole:         types.StringValue(host.config.MultiCluster.ClusterRole),
		HostClusterName:     types.StringValue(host.config.MultiCluster.HostClusterName),
		ProxyPublishAddress: types.StringValue(host.proxyAddress),
		AgentImage:          types.StringValue(host.config.AgentImageOrDefault()),
		MajorVersion:        types.Int64Value(int64(host.config.MajorVersion())),
	})...)
}
