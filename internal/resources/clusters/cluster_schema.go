package clusters

import (
	"context"
	"math"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

func clusterSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("cluster")
	attrs["labels"] = schema.MapAttribute{
		Optional:    true,
		ElementType: types.StringType,
		Description: "Labels of the cluster: what cluster groups and GitRepo/HelmOp targets select. Only the keys set here are managed.",
		Validators:  []validator.Map{validate.LabelMap()},
	}
	for name, a := range map[string]schema.Attribute{
		"client_id": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "Identity an agent registers with (`clientID`). Set it for a predefined cluster that an agent-initiated " +
				"registration claims; for manager-initiated registration Fleet generates one.",
			Validators:    framework.NonEmptyString(),
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"paused":                    schema.BoolAttribute{Optional: true, Description: "Stop Fleet from updating the cluster's bundle deployments."},
		"redeploy_agent_generation": schema.Int64Attribute{Optional: true, Description: "Raise to make Fleet redeploy the agent."},
		"agent_namespace": schema.StringAttribute{
			Optional: true, Description: "Namespace of the agent downstream (Fleet's default: `cattle-fleet-system`).",
			Validators: []validator.String{validate.NamespaceName()},
		},
		"private_repo_url": schema.StringAttribute{
			Optional: true,
			Description: "Registry prefix of the agent image (`privateRepoURL`), e.g. `registry.corp:5000`: Fleet deploys " +
				"`<private_repo_url>/rancher/fleet-agent:<version>`. Takes `fleet_registry.image_prefix`.",
			Validators: []validator.String{validate.RegistryServer()},
		},
		"agent_env_vars": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Environment variables of the agent (`agentEnvVars`). Use `agent_proxy` for the proxy variables.",
			Validators:  []validator.Map{validate.EnvVarName(), agentspec.ProxyEnvConflict{ProxyAttribute: "agent_proxy"}},
		},
		"agent_proxy": agentspec.ProxyAttribute("The agent's proxy. Expands into `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` and their " +
			"lower-case twins in `agentEnvVars`, so Fleet keeps them on the agent it renders, also after it adopts an agent " +
			"installed by chart."),
		"agent_tolerations": agentspec.TolerationsAttribute("Tolerations added to the agent."),
		"agent_affinity": agentspec.AffinityAttribute("Affinity of the agent as the JSON of a core/v1 `Affinity` (use " +
			"`jsonencode`), decoded strictly: a misspelled field is an error. Formatting never shows as a change. Unset keeps " +
			"Fleet's default affinity."),
		"agent_resources": agentspec.ResourcesAttribute(),
		"host_network":    schema.BoolAttribute{Optional: true, Description: "Run the agent in the host network (for clusters without a CNI yet)."},
		"agent_scheduling_customization": schema.SingleNestedAttribute{
			Optional: true, Description: "A PriorityClass and a PodDisruptionBudget Fleet creates for the agent. " +
				compat.Lookup("fleet_cluster", "agent_scheduling_customization").Requirement(),
			Attributes: map[string]schema.Attribute{
				"priority_class": schema.SingleNestedAttribute{
					Optional: true, Description: "The agent's PriorityClass.",
					Attributes: map[string]schema.Attribute{
						"value": schema.Int64Attribute{Required: true, Description: "Priority value, at most 1000000000 (Kubernetes " +
							"reserves higher values for system priority classes).",
							Validators: []validator.Int64{int64validator.Between(math.MinInt32, maxUserPriority)}},
						"preemption_policy": schema.StringAttribute{Optional: true, Description: "`PreemptLowerPriority` or `Never`.",
							Validators: []validator.String{stringvalidator.OneOf("PreemptLowerPriority", "Never")}},
					},
				},
				"pod_disruption_budget": schema.SingleNestedAttribute{
					Optional: true, Description: "The agent's PodDisruptionBudget: set `min_available` or `max_unavailable`, " +
						"not both; neither is `max_unavailable = \"0\"`.",
					Validators: []validator.Object{validate.PodDisruptionBudget()},
					Attributes: map[string]schema.Attribute{
						"min_available":   schema.StringAttribute{Optional: true, Description: "A number or a percentage, e.g. `\"1\"` or `\"50%\"`."},
						"max_unavailable": schema.StringAttribute{Optional: true, Description: "A number or a percentage."},
					},
				},
			},
		},
		"agent_pull_secrets": schema.ListAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Image pull Secrets for the agent (`agentPullSecrets`). Unset: Fleet copies its global pull secrets; " +
				"`[]`: none; a list: exactly these (e.g. `fleet_registry.secret_name`). " + compat.Lookup("fleet_cluster", "agent_pull_secrets").Requirement(),
			Validators: []validator.List{listvalidator.ValueStringsAre(validate.ResourceName())},
		},
		"template_values": schema.StringAttribute{
			Optional: true, CustomType: jsontypes.NormalizedType{},
			PlanModifiers: []planmodifier.String{framework.KeepStateSpelling(framework.SameJSON)},
			Description:   "Values for `fleet.yaml` templating, as a JSON object (`jsonencode({...})`).",
			Validators:    []validator.String{validate.JSONObject()},
		},
		"kube_config_secret": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "Secret (key `value`) with the cluster's kubeconfig for manager-initiated registration. Set by " +
				"the provider to `<name>-kubeconfig` when `kubeconfig_wo` is used.",
			Validators:    []validator.String{validate.ResourceName(), stringvalidator.ConflictsWith(path.MatchRoot("kubeconfig_wo_version"))},
			PlanModifiers: []planmodifier.String{kubeconfigSecretNamePlan{}},
		},
		"kube_config_secret_namespace": schema.StringAttribute{
			Optional: true,
			Description: "Namespace of `kube_config_secret` when it is not the cluster's (Fleet must allow it). Not with " +
				"`kubeconfig_wo`: the provider writes that Secret in the cluster's namespace.",
			Validators: []validator.String{validate.NamespaceName(), stringvalidator.ConflictsWith(path.MatchRoot("kubeconfig_wo_version"))},
		},
		"kubeconfig_wo": schema.StringAttribute{
			Optional: true, WriteOnly: true, Sensitive: true,
			Description: "Kubeconfig of the downstream cluster for manager-initiated registration (write-only: never in " +
				"plan or state). The provider stores it in a Secret it owns and Fleet deploys the agent with it. The Fleet " +
				"controller reads it inside the management cluster: the plan warns about an exec plugin, an auth provider, " +
				"file references or a loopback server address, which work where Terraform runs but not there.",
			Validators: []validator.String{validate.Kubeconfig(), validate.ControllerKubeconfig(),
				stringvalidator.AlsoRequires(path.MatchRoot("kubeconfig_wo_version"))},
		},
		"kubeconfig_wo_version": schema.Int64Attribute{
			Optional:    true,
			Description: "Version of `kubeconfig_wo`: change it to write a new kubeconfig.",
			Validators:  []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("kubeconfig_wo"))},
		},
		"api_server_url": schema.StringAttribute{
			Optional: true, Description: "URL of the management cluster's API as the agent reaches it (overrides Fleet's `apiServerURL`).",
			Validators: []validator.String{validate.HTTPURL(), stringvalidator.AlsoRequires(path.MatchRoot("kubeconfig_wo_version"))},
		},
		"api_server_ca": schema.StringAttribute{
			Optional: true, Description: "PEM CA of that API (overrides Fleet's `apiServerCA`).",
			Validators: []validator.String{validate.PEMCertificates(), stringvalidator.AlsoRequires(path.MatchRoot("kubeconfig_wo_version"))},
		},
		"wait_for_ready": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			Description: "Wait after create and update until the cluster's agent has checked in, failing early with Fleet's " +
				"message when registration fails. Needs `kubeconfig_wo` or `kube_config_secret`, with which Fleet deploys " +
				"the agent itself: a `fleet_agent` installs it only after this resource is applied. Defaults to `false`.",
			Validators: []validator.Bool{validate.TrueRequiresOneOf("wait_for_ready would never end",
				"With neither kubeconfig_wo nor kube_config_secret, Fleet does not deploy the agent: an agent registers the "+
					"cluster, and a fleet_agent for it is installed only after this resource, so the wait could never end. "+
					"Set wait_for_ready = false here and let fleet_agent wait for the registration.",
				path.MatchRoot("kubeconfig_wo_version"), path.MatchRoot("kube_config_secret"))},
		},
		"cluster_namespace": schema.StringAttribute{Computed: true, Description: "The per-cluster namespace Fleet creates for the cluster (`status.namespace`). Fleet derives it from the cluster's namespace and name, so it is known as soon as the cluster is created."},
		"ready":             schema.BoolAttribute{Computed: true, Description: "Whether Fleet reports the cluster Ready."},
		"state":             schema.StringAttribute{Computed: true, Description: "The cluster's state as Fleet displays it (e.g. `WaitCheckIn`)."},
		"agent_last_seen":   schema.StringAttribute{Computed: true, Description: "When the agent last checked in (RFC 3339), empty before it ever did."},
		"ready_bundles":     schema.StringAttribute{Computed: true, Description: "Ready and desired bundles, as `ready/desired`."},
	} {
		attrs[name] = a
	}
	return schema.Schema{
		Description: "A Fleet Cluster: a downstream cluster, its labels, and how Fleet renders its agent (proxy, " +
			"registry, tolerations, resources). Registers it manager-initiated with `kubeconfig_wo`, or predefines it for " +
			"an agent (`client_id`, see `fleet_agent`). A Fleet Cluster that Rancher created for one of its clusters is " +
			"refused (on create and import): manage it with `fleet_rancher_cluster`.",
		Attributes: attrs,
	}
}

// kubeconfigSecretNamePlan plans kube_config_secret: the provider's own
// Secret name when kubeconfig_wo_version is set, else what the user set.
type kubeconfigSecretNamePlan struct{}

func (kubeconfigSecretNamePlan) Description(context.Context) string {
	return "`<name>-kubeconfig` when kubeconfig_wo is used"
}

func (p kubeconfigSecretNamePlan) MarkdownDescription(ctx context.Context) string {
	return p.Description(ctx)
}

func (kubeconfigSecretNamePlan) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var version types.Int64
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("kubeconfig_wo_version"), &version)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	switch {
	case version.IsUnknown() || name.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	case version.IsNull():
		resp.PlanValue = types.StringNull()
	default:
		resp.PlanValue = types.StringValue(kubeconfigSecretName(name.ValueString()))
	}
}

// maxUserPriority is the highest value of a PriorityClass whose name does
// not start with "system-" (Kubernetes' HighestUserDefinablePriority).
const maxUserPriority = 1_000_000_000
