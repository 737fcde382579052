package rancher

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

var (
	clusterAPI = framework.ObjectAPI[rancherapi.Cluster]{GVR: rancherapi.Clusters, Kind: "Rancher cluster"}
	crtAPI     = framework.ObjectAPI[rancherapi.ClusterRegistrationToken]{GVR: rancherapi.ClusterRegistrationTokens, Kind: "ClusterRegistrationToken"}
)

// clusterModel is the state of fleet_rancher_cluster.
type clusterModel struct {
	framework.ObjectMetaModel
	AgentEnvVars        types.Map                `tfsdk:"agent_env_vars"`
	AgentProxy          *agentspec.ProxyModel    `tfsdk:"agent_proxy"`
	ClusterAgent        *agentCustomizationModel `tfsdk:"cluster_agent_deployment_customization"`
	FleetAgent          *agentCustomizationModel `tfsdk:"fleet_agent_deployment_customization"`
	PrivateRegistryURL  types.String             `tfsdk:"private_registry_url"`
	ClusterID           types.String             `tfsdk:"cluster_id"`
	Ready               types.Bool               `tfsdk:"ready"`
	TokenInState        types.Bool               `tfsdk:"token_in_state"`
	ManifestURL         types.String             `tfsdk:"manifest_url"`
	RegistrationCommand types.String             `tfsdk:"registration_command"`
	Timeouts            timeouts.Value           `tfsdk:"timeouts"`
}

func (m *clusterModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *clusterModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *clusterModel) Expand(ctx context.Context) (*rancherapi.Cluster, diag.Diagnostics) {
	meta, diags := m.Meta().ObjectMeta(ctx)
	var envVars map[string]string
	diags.Append(m.AgentEnvVars.ElementsAs(ctx, &envVars, false)...)
	clusterAgent, d := m.ClusterAgent.Expand(ctx, path.Root("cluster_agent_deployment_customization"))
	diags.Append(d...)
	fleetAgent, d := m.FleetAgent.Expand(ctx, path.Root("fleet_agent_deployment_customization"))
	diags.Append(d...)
	return &rancherapi.Cluster{
		Object: rancherapi.Object{
			TypeMeta:   metav1.TypeMeta{APIVersion: rancherapi.ProvisioningVersion.String(), Kind: rancherapi.KindCluster},
			ObjectMeta: meta,
		},
		Spec: rancherapi.ClusterSpec{
			AgentEnvVars:                        agentspec.AgentEnv(envVars, m.AgentProxy),
			ClusterAgentDeploymentCustomization: clusterAgent,
			FleetAgentDeploymentCustomization:   fleetAgent,
		},
	}, diags
}

func (m *clusterModel) Flatten(c *rancherapi.Cluster, imported bool) {
	m.SetFromServer(c.ObjectMeta, imported)
	vars, proxy := agentspec.SplitAgentEnv(c.Spec.AgentEnvVars, m.AgentProxy != nil || (imported && agentspec.HasProxyVars(c.Spec.AgentEnvVars)))
	m.AgentEnvVars = flex.StringMapLike(vars, m.AgentEnvVars)
	m.AgentProxy = proxy
	m.ClusterAgent = flattenAgentCustomization(c.Spec.ClusterAgentDeploymentCustomization)
	m.FleetAgent = flattenAgentCustomization(c.Spec.FleetAgentDeploymentCustomization)
	status := c.Status
	if status == nil {
		status = &rancherapi.ClusterStatus{}
	}
	m.ClusterID = types.StringValue(status.ClusterName)
	if m.TokenInState.IsNull() {
		m.TokenInState = types.BoolValue(true) // imported: the default
	}
	ready := rancherapi.FindCondition(status.Conditions, "Ready")
	m.Ready = types.BoolValue(ready != nil && ready.Status == "True")
}

// agentCustomizationModel is Rancher's AgentDeploymentCustomization.
type agentCustomizationModel struct {
	AppendTolerations            []agentspec.TolerationModel `tfsdk:"append_tolerations"`
	OverrideAffinity             jsontypes.Normalized        `tfsdk:"override_affinity"`
	OverrideResourceRequirements *agentspec.ResourcesModel   `tfsdk:"override_resource_requirements"`
}

func (m *agentCustomizationModel) Expand(ctx context.Context, at path.Path) (*rancherapi.AgentDeploymentCustomization, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	affinity, diags := agentspec.ExpandJSON[corev1.Affinity](m.OverrideAffinity, at.AtName("override_affinity"))
	resources, d := agentspec.ExpandResources(ctx, m.OverrideResourceRequirements, at.AtName("override_resource_requirements"))
	diags.Append(d...)
	return &rancherapi.AgentDeploymentCustomization{
		AppendTolerations:            agentspec.ExpandTolerations(m.AppendTolerations),
		OverrideAffinity:             affinity,
		OverrideResourceRequirements: (*rancherapi.ResourceRequirements)(resources),
	}, diags
}

func flattenAgentCustomization(in *rancherapi.AgentDeploymentCustomization) *agentCustomizationModel {
	if in == nil {
		return nil
	}
	return &agentCustomizationModel{
		AppendTolerations:            agentspec.FlattenTolerations(in.AppendTolerations),
		OverrideAffinity:             agentspec.FlattenJSON(in.OverrideAffinity, in.OverrideAffinity == nil),
		OverrideResourceRequirements: agentspec.FlattenResources((*fleet.ResourceRequirements)(in.OverrideResourceRequirements)),
	}
}

var (
	_ resource.ResourceWithImportState = (*framework.ObjectResource[rancherapi.Cluster, clusterModel, *clusterModel])(nil)
	_ resource.ResourceWithIdentity    = (*framework.ObjectResource[rancherapi.Cluster, clusterModel, *clusterModel])(nil)
)

// NewClusterResource is fleet_rancher_cluster.
func NewClusterResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[rancherapi.Cluster, clusterModel]{
		Renames:  map[string]string{"fleet_workspace_name": "namespace"},
		TypeName: "fleet_rancher_cluster",
		API:      clusterAPI,
		Schema:   clusterSchema,
		Hooks: framework.ObjectHooks[rancherapi.Cluster, clusterModel]{
			AfterApply: afterRancherClusterApply,
			AfterRead:  readRancherCluster,
		},
	})
}

// rancherClusterName is what Rancher accepts as a cluster name: an RFC 1123
// label, as it also names the Fleet Cluster and labels it.
var rancherClusterName = stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`),
	"must be a lowercase RFC 1123 label of at most 63 characters (letters, digits and '-'), e.g. `prod-eu-1`")

func clusterSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("Rancher cluster")
	namespace := attrs["namespace"].(schema.StringAttribute)
	namespace.Description = "Fleet workspace of the cluster: the namespace of the provisioning Cluster, where Rancher also " +
		"creates the Fleet Cluster. Defaults to the provider's `default_namespace`, which defaults to Rancher's " +
		"workspace for downstream clusters, `fleet-default`. Changing it replaces the cluster."
	attrs["namespace"] = namespace
	attrs["name"] = schema.StringAttribute{
		Required:      true,
		Description:   "Name of the cluster in Rancher, and of the Fleet Cluster Rancher creates for it. Changing it replaces the cluster.",
		Validators:    []validator.String{stringvalidator.LengthBetween(1, 63), rancherClusterName},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	attrs["labels"] = schema.MapAttribute{
		Optional:    true,
		ElementType: types.StringType,
		Description: "Labels of the cluster. Rancher copies them to the Fleet Cluster it creates, so they are what " +
			"`fleet_gitrepo` and `fleet_helmop` targets and `fleet_cluster_group` selectors match. Only the keys set here are managed.",
		Validators: []validator.Map{validate.LabelMap()},
	}
	for name, a := range map[string]schema.Attribute{
		"agent_env_vars": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Environment variables of Rancher's cluster agent and of the Fleet agent (`spec.agentEnvVars`). " +
				"Use `agent_proxy` for the proxy variables.",
			Validators: []validator.Map{validate.EnvVarName(), agentspec.ProxyEnvConflict{ProxyAttribute: "agent_proxy"}},
		},
		"agent_proxy": agentspec.ProxyAttribute("The agents' proxy. Expands into `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` and their " +
			"lower-case twins in `spec.agentEnvVars`: Rancher renders them into the import manifest's cattle-cluster-agent " +
			"and passes them on to the Fleet agent."),
		"cluster_agent_deployment_customization": agentCustomizationAttribute("cattle-cluster-agent"),
		"fleet_agent_deployment_customization":   agentCustomizationAttribute("fleet-agent"),
		"private_registry_url": schema.StringAttribute{
			Optional: true,
			Description: "Registry this cluster pulls Rancher's images from, its agent's included, e.g. `registry.corp:5000` " +
				"(Rancher 2.11 and later: `spec.importedConfig.privateRegistryURL` of the management cluster Rancher creates " +
				"for it). Rancher prefers it to its global `system-default-registry` for this cluster only. The provider sets it " +
				"once Rancher has created that management cluster, before `fleet_rancher_agent` downloads the import manifest. " +
				"Only the value this resource set is read back: one set in Rancher's UI shows as a change.",
			Validators: []validator.String{validate.RegistryServer()},
		},
		"cluster_id": schema.StringAttribute{
			Computed:      true,
			Description:   "Rancher's ID of the cluster (`status.clusterName`, e.g. `c-m-abcd1234`): the management cluster and the namespace of its registration token.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"ready": schema.BoolAttribute{Computed: true, Description: "Whether Rancher reports the cluster Ready (its agent is connected). False until `fleet_rancher_agent` or the registration command ran."},
		"token_in_state": framework.TokenInState("`manifest_url` and `registration_command`",
			"the ephemeral resource `fleet_rancher_cluster_registration`"),
		"manifest_url": schema.StringAttribute{
			Computed: true, Sensitive: true,
			Description: "URL of the import manifest, with the registration token filled in (Rancher 2.13.8 and later store `{token}` in " +
				"its place and keep the token in a Secret). Sensitive: whoever has it can register a cluster as this one. " +
				"Null with `token_in_state = false`.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), framework.NullUnless("token_in_state")},
		},
		"registration_command": schema.StringAttribute{
			Computed: true, Sensitive: true,
			Description: "`kubectl apply -f <manifest_url>`: run it against the downstream cluster to import it by hand. Sensitive, " +
				"as `manifest_url`; null with `token_in_state = false`.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), framework.NullUnless("token_in_state")},
		},
	} {
		attrs[name] = a
	}
	return schema.Schema{
		Description: "A cluster imported into Rancher: a `provisioning.cattle.io/v1` Cluster without `rkeConfig`. Create waits until " +
			"Rancher has registered it and issued its registration token; `fleet_rancher_agent` (or `registration_command`) then " +
			"installs Rancher's agent in the cluster. Rancher creates and owns the cluster's Fleet Cluster: set labels here, not with `fleet_cluster`.",
		Attributes: attrs,
	}
}

func agentCustomizationAttribute(agent string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:    true,
		Description: "How Rancher renders the " + agent + " Deployment.",
		Attributes: map[string]schema.Attribute{
			"append_tolerations": agentspec.TolerationsAttribute("Tolerations added to Rancher's own.", listvalidator.SizeAtLeast(1)),
			"override_affinity": agentspec.AffinityAttribute("Affinity replacing Rancher's default, as the JSON of a core/v1 " +
				"`Affinity` (use `jsonencode`), decoded strictly: a misspelled field is an error. Formatting never shows as a change."),
			"override_resource_requirements": agentspec.ResourcesAttribute(),
		},
	}
}

// awaitRancherRegistration waits on create until Rancher has registered the
// cluster (status.clusterName) and its registration token can be read, so
// that cluster_id and manifest_url are known when apply returns.
func awaitRancherRegistration(ctx context.Context, c *kube.Client, _ *clusterModel, applied *rancherapi.Cluster, firstWait bool) (*rancherapi.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !firstWait {
		return applied, diags
	}
	current := applied
	var pending string
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusterAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return false, err
		}
		current = cluster
		reg, err := rancherRegistrationOf(ctx, c, cluster)
		if err != nil {
			return false, err
		}
		pending = reg.pending
		return reg.pending == "", nil
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError(fmt.Sprintf("Rancher has not registered cluster %s/%s", applied.Namespace, applied.Name),
			fmt.Sprintf("The cluster was created, but before the create timeout %s%s. Is Rancher running on this management cluster?", pending, framework.TransientCause(err)))
	case err != nil:
		diags.AddError("Cannot read the Rancher cluster's registration", err.Error())
	}
	return current, diags
}
