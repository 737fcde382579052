package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// clusterResourceOnly are fleet_cluster's attributes about writing the
// cluster (the kubeconfig Secret, the wait), which a data source has not.
var clusterResourceOnly = []string{"kubeconfig_wo", "kubeconfig_wo_version", "api_server_url", "api_server_ca", "wait_for_ready"}

// clusterDataModel is clusterModel without clusterResourceOnly and the
// timeouts.
type clusterDataModel struct {
	objectMetaModel
	ClientID                     types.String         `tfsdk:"client_id"`
	Paused                       types.Bool           `tfsdk:"paused"`
	RedeployAgentGeneration      types.Int64          `tfsdk:"redeploy_agent_generation"`
	AgentNamespace               types.String         `tfsdk:"agent_namespace"`
	PrivateRepoURL               types.String         `tfsdk:"private_repo_url"`
	AgentEnvVars                 types.Map            `tfsdk:"agent_env_vars"`
	AgentProxy                   *agentProxyModel     `tfsdk:"agent_proxy"`
	AgentTolerations             []tolerationModel    `tfsdk:"agent_tolerations"`
	AgentAffinity                jsontypes.Normalized `tfsdk:"agent_affinity"`
	AgentResources               *resourcesModel      `tfsdk:"agent_resources"`
	HostNetwork                  types.Bool           `tfsdk:"host_network"`
	AgentSchedulingCustomization *schedulingModel     `tfsdk:"agent_scheduling_customization"`
	AgentPullSecrets             types.List           `tfsdk:"agent_pull_secrets"`
	TemplateValues               jsontypes.Normalized `tfsdk:"template_values"`
	KubeConfigSecret             types.String         `tfsdk:"kube_config_secret"`
	KubeConfigSecretNamespace    types.String         `tfsdk:"kube_config_secret_namespace"`
	ClusterNamespace             types.String         `tfsdk:"cluster_namespace"`
	Ready                        types.Bool           `tfsdk:"ready"`
	State                        types.String         `tfsdk:"state"`
	AgentLastSeen                types.String         `tfsdk:"agent_last_seen"`
	ReadyBundles                 types.String         `tfsdk:"ready_bundles"`
}

func newClusterDataModel(m *clusterModel) *clusterDataModel {
	return &clusterDataModel{
		objectMetaModel:              m.objectMetaModel,
		ClientID:                     m.ClientID,
		Paused:                       m.Paused,
		RedeployAgentGeneration:      m.RedeployAgentGeneration,
		AgentNamespace:               m.AgentNamespace,
		PrivateRepoURL:               m.PrivateRepoURL,
		AgentEnvVars:                 m.AgentEnvVars,
		AgentProxy:                   m.AgentProxy,
		AgentTolerations:             m.AgentTolerations,
		AgentAffinity:                m.AgentAffinity,
		AgentResources:               m.AgentResources,
		HostNetwork:                  m.HostNetwork,
		AgentSchedulingCustomization: m.AgentSchedulingCustomization,
		AgentPullSecrets:             m.AgentPullSecrets,
		TemplateValues:               m.TemplateValues,
		KubeConfigSecret:             m.KubeConfigSecret,
		KubeConfigSecretNamespace:    m.KubeConfigSecretNamespace,
		ClusterNamespace:             m.ClusterNamespace,
		Ready:                        m.Ready,
		State:                        m.State,
		AgentLastSeen:                m.AgentLastSeen,
		ReadyBundles:                 m.ReadyBundles,
	}
}

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
	resp.Diagnostics.Append(resp.State.Set(ctx, newClusterDataModel(&m))...)
}
