package clusters

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

var ClusterAPI = framework.ObjectAPI[fleet.Cluster]{GVR: fleet.Clusters, Kind: fleet.KindCluster}

// clusterModel is the state of fleet_cluster: what the fleet_cluster data
// source shows, plus the attributes about writing the cluster.
type clusterModel struct {
	clusterDataModel
	KubeconfigWO        types.String   `tfsdk:"kubeconfig_wo"`
	KubeconfigWOVersion types.Int64    `tfsdk:"kubeconfig_wo_version"`
	APIServerURL        types.String   `tfsdk:"api_server_url"`
	APIServerCA         types.String   `tfsdk:"api_server_ca"`
	WaitForReady        types.Bool     `tfsdk:"wait_for_ready"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// clusterDataModel is a Fleet Cluster's metadata, spec and status.
type clusterDataModel struct {
	framework.ObjectMetaModel
	ClientID                     types.String                `tfsdk:"client_id"`
	Paused                       types.Bool                  `tfsdk:"paused"`
	RedeployAgentGeneration      types.Int64                 `tfsdk:"redeploy_agent_generation"`
	AgentNamespace               types.String                `tfsdk:"agent_namespace"`
	PrivateRepoURL               types.String                `tfsdk:"private_repo_url"`
	AgentEnvVars                 types.Map                   `tfsdk:"agent_env_vars"`
	AgentProxy                   *agentspec.ProxyModel       `tfsdk:"agent_proxy"`
	AgentTolerations             []agentspec.TolerationModel `tfsdk:"agent_tolerations"`
	AgentAffinity                jsontypes.Normalized        `tfsdk:"agent_affinity"`
	AgentResources               *agentspec.ResourcesModel   `tfsdk:"agent_resources"`
	HostNetwork                  types.Bool                  `tfsdk:"host_network"`
	AgentSchedulingCustomization *agentspec.SchedulingModel  `tfsdk:"agent_scheduling_customization"`
	AgentPullSecrets             types.List                  `tfsdk:"agent_pull_secrets"`
	TemplateValues               jsontypes.Normalized        `tfsdk:"template_values"`
	KubeConfigSecret             types.String                `tfsdk:"kube_config_secret"`
	KubeConfigSecretNamespace    types.String                `tfsdk:"kube_config_secret_namespace"`
	ClusterNamespace             types.String                `tfsdk:"cluster_namespace"`
	Ready                        types.Bool                  `tfsdk:"ready"`
	State                        types.String                `tfsdk:"state"`
	AgentLastSeen                types.String                `tfsdk:"agent_last_seen"`
	ReadyBundles                 types.String                `tfsdk:"ready_bundles"`
}

func (m *clusterModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *clusterModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

// kubeconfigSecretName is the Secret the provider writes kubeconfig_wo into.
func kubeconfigSecretName(cluster string) string { return cluster + "-kubeconfig" }

func (m *clusterModel) Expand(ctx context.Context) (*fleet.Cluster, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	var envVars map[string]string
	diags.Append(m.AgentEnvVars.ElementsAs(ctx, &envVars, false)...)
	affinity, d := agentspec.ExpandJSON[corev1.Affinity](m.AgentAffinity, path.Root("agent_affinity"))
	diags.Append(d...)
	resources, d := agentspec.ExpandResources(ctx, m.AgentResources, path.Root("agent_resources"))
	diags.Append(d...)
	pullSecrets, d := agentspec.ExpandPullSecrets(ctx, m.AgentPullSecrets)
	diags.Append(d...)
	spec := fleet.ClusterSpec{
		KubeConfigSecret:             m.KubeConfigSecret.ValueString(),
		KubeConfigSecretNamespace:    m.KubeConfigSecretNamespace.ValueString(),
		ClientID:                     m.ClientID.ValueString(),
		Paused:                       m.Paused.ValueBoolPointer(),
		RedeployAgentGeneration:      m.RedeployAgentGeneration.ValueInt64(),
		AgentEnvVars:                 agentspec.AgentEnv(envVars, m.AgentProxy),
		AgentNamespace:               m.AgentNamespace.ValueString(),
		PrivateRepoURL:               m.PrivateRepoURL.ValueString(),
		AgentTolerations:             agentspec.ExpandTolerations(m.AgentTolerations),
		AgentAffinity:                affinity,
		AgentResources:               resources,
		HostNetwork:                  m.HostNetwork.ValueBoolPointer(),
		AgentSchedulingCustomization: agentspec.ExpandScheduling(m.AgentSchedulingCustomization),
		AgentPullSecrets:             pullSecrets,
	}
	if !m.TemplateValues.IsNull() && !m.TemplateValues.IsUnknown() {
		spec.TemplateValues = []byte(m.TemplateValues.ValueString())
	}
	return &fleet.Cluster{Object: fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindCluster), ObjectMeta: meta}, Spec: spec}, diags
}

func (m *clusterModel) Flatten(c *fleet.Cluster, imported bool) {
	m.SetFromServer(c.ObjectMeta, imported)
	s := c.Spec
	m.ClientID = flex.StringOrNull(s.ClientID)
	m.Paused = types.BoolPointerValue(s.Paused)
	m.RedeployAgentGeneration = flex.Int64Like(s.RedeployAgentGeneration, m.RedeployAgentGeneration)
	m.AgentNamespace = flex.StringOrNull(s.AgentNamespace)
	m.PrivateRepoURL = flex.StringOrNull(s.PrivateRepoURL)
	vars, proxy := agentspec.SplitAgentEnv(s.AgentEnvVars, m.AgentProxy != nil || (imported && agentspec.HasProxyVars(s.AgentEnvVars)))
	m.AgentEnvVars = flex.StringMapLike(vars, m.AgentEnvVars)
	m.AgentProxy = proxy
	m.AgentTolerations = agentspec.FlattenTolerations(s.AgentTolerations)
	m.AgentAffinity = agentspec.FlattenJSON(s.AgentAffinity, s.AgentAffinity == nil)
	m.AgentResources = agentspec.FlattenResources(s.AgentResources)
	m.HostNetwork = types.BoolPointerValue(s.HostNetwork)
	m.AgentSchedulingCustomization = agentspec.FlattenScheduling(s.AgentSchedulingCustomization)
	m.AgentPullSecrets = agentspec.FlattenPullSecrets(s.AgentPullSecrets)
	m.TemplateValues = jsontypes.NewNormalizedNull()
	if len(s.TemplateValues) > 0 {
		m.TemplateValues = jsontypes.NewNormalizedValue(string(s.TemplateValues))
	}
	m.KubeConfigSecret = flex.StringOrNull(s.KubeConfigSecret)
	m.KubeConfigSecretNamespace = flex.StringOrNull(s.KubeConfigSecretNamespace)
	if m.WaitForReady.IsNull() {
		m.WaitForReady = types.BoolValue(false)
	}
	m.KubeconfigWO = types.StringNull()

	status := c.Status
	if status == nil {
		status = &fleet.ClusterStatus{}
	}
	m.ClusterNamespace = types.StringValue(clusterNamespace(c))
	ready := fleet.FindCondition(status.Conditions, "Ready")
	m.Ready = types.BoolValue(ready != nil && ready.Status == "True")
	m.State = types.StringValue(status.Display.State)
	m.ReadyBundles = types.StringValue(status.Display.ReadyBundles)
	m.AgentLastSeen = types.StringValue("")
	if status.Agent.LastSeen != nil {
		m.AgentLastSeen = types.StringValue(status.Agent.LastSeen.UTC().Format(time.RFC3339))
	}
}

// clusterType is the resource type, which owns the kubeconfig Secret.
const clusterType = "fleet_cluster"

// clusterResource is fleet_cluster on the generic object resource.
type clusterResource = framework.ObjectResource[fleet.Cluster, clusterModel, *clusterModel]

var (
	_ resource.ResourceWithImportState = (*clusterResource)(nil)
	_ resource.ResourceWithIdentity    = (*clusterResource)(nil)
)

// NewClusterResource is fleet_cluster.
func NewClusterResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.Cluster, clusterModel]{
		TypeName:         clusterType,
		API:              ClusterAPI,
		Schema:           clusterSchema,
		Gates:            compat.GatesFor("fleet_cluster"),
		ManagedElsewhere: rancherOwned,
		Hooks: framework.ObjectHooks[fleet.Cluster, clusterModel]{
			BeforeApply: beforeClusterApply,
			AfterApply:  afterClusterApply,
			AfterDelete: func(ctx context.Context, c *kube.Client, state *clusterModel) diag.Diagnostics {
				return deleteClusterKubeconfig(ctx, c, state)
			},
		},
	})
}

// writeClusterKubeconfig stores kubeconfig_wo (with api_server_url and
// api_server_ca) in the Secret Fleet reads for manager-initiated
// registration. The Secret is rewritten only on create, when
// kubeconfig_wo_version changes, or when the API server settings change.
func writeClusterKubeconfig(ctx context.Context, c *kube.Client, req framework.ApplyRequest[clusterModel]) diag.Diagnostics {
	var diags diag.Diagnostics
	plan, state := req.Plan, req.State
	if plan.KubeconfigWOVersion.IsNull() {
		if state != nil && !state.KubeconfigWOVersion.IsNull() {
			// Switched to a Secret of the user's: remove ours.
			diags.Append(deleteClusterKubeconfig(ctx, c, state)...)
		}
		return diags
	}
	if state != nil && state.KubeconfigWOVersion.Equal(plan.KubeconfigWOVersion) &&
		state.APIServerURL.Equal(plan.APIServerURL) && state.APIServerCA.Equal(plan.APIServerCA) {
		return diags
	}
	var kubeconfig types.String
	diags.Append(req.Config.GetAttribute(ctx, path.Root("kubeconfig_wo"), &kubeconfig)...)
	if kubeconfig.IsNull() || kubeconfig.ValueString() == "" {
		diags.AddAttributeError(path.Root("kubeconfig_wo"), "Missing kubeconfig",
			"kubeconfig_wo must be set in the configuration when the Secret is written (on create, or when kubeconfig_wo_version, api_server_url or api_server_ca change).")
		return diags
	}
	data := map[string][]byte{"value": []byte(kubeconfig.ValueString())}
	if v := plan.APIServerURL.ValueString(); v != "" {
		data["apiServerURL"] = []byte(v)
	}
	if v := plan.APIServerCA.ValueString(); v != "" {
		data["apiServerCA"] = []byte(v)
	}
	err := framework.ApplyOwnedSecret(ctx, c, framework.OwnedSecret{
		Owner:     kubeconfigOwner(plan),
		Namespace: plan.Namespace.ValueString(),
		Name:      plan.KubeConfigSecret.ValueString(),
		Type:      corev1.SecretTypeOpaque,
		Data:      data,
	})
	if err != nil {
		diags.AddAttributeError(path.Root("kubeconfig_wo"), "Cannot store the kubeconfig", err.Error())
	}
	return diags
}

func deleteClusterKubeconfig(ctx context.Context, c *kube.Client, state *clusterModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if state.KubeconfigWOVersion.IsNull() {
		return diags
	}
	if err := framework.DeleteOwnedSecret(ctx, c, kubeconfigOwner(state), state.Namespace.ValueString(), kubeconfigSecretName(state.Name.ValueString())); err != nil {
		diags.AddError("Cannot delete the kubeconfig Secret", err.Error())
	}
	return diags
}

// awaitClusterCheckIn waits, when wait_for_ready is set, until the cluster's
// agent has checked in. A registration error Fleet keeps reporting for
// importErrorGrace ends the wait early with Fleet's own message.
func awaitClusterCheckIn(ctx context.Context, c *kube.Client, plan *clusterModel, applied *fleet.Cluster) (*fleet.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !plan.WaitForReady.ValueBool() {
		return applied, diags
	}
	current := applied
	var failing string
	var failingSince time.Time
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := ClusterAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return false, err
		}
		current = cluster
		if cluster.Status == nil {
			return false, nil
		}
		if cluster.Status.Agent.LastSeen != nil {
			return true, nil
		}
		msg := registrationError(cluster.Status.Conditions)
		switch {
		case msg == "":
			failing = ""
		case msg != failing:
			failing, failingSince = msg, time.Now()
		case time.Since(failingSince) >= importErrorGrace:
			return false, fmt.Errorf("Fleet cannot register the cluster: %s", msg)
		}
		return false, nil
	})
	if err != nil {
		detail := err.Error()
		if ctx.Err() != nil {
			detail = "the agent did not check in before the timeout" + framework.TransientCause(err)
			if failing != "" {
				detail += "; Fleet reports: " + failing
			}
			probe, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if hint := lostNamespaceHint(probe, c, current); hint != "" {
				detail += ". " + hint
			}
		}
		diags.AddError(fmt.Sprintf("Cluster %s/%s is not ready", applied.Namespace, applied.Name), detail)
	}
	return current, diags
}

// importErrorGrace is how long a registration error must persist before the
// wait gives up: Fleet reports transient errors while caches fill.
const importErrorGrace = 10 * time.Second

// registrationError returns the message of a failing Imported condition,
// which Fleet's import handler sets when it cannot deploy the agent.
func registrationError(conditions []fleet.Condition) string {
	if c := fleet.FindCondition(conditions, "Imported"); c != nil && c.Status == "False" && c.Message != "" {
		return c.Message
	}
	return ""
}
