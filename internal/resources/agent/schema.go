package agent

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// agentModel is the state of fleet_agent.
type agentModel struct {
	ID                    types.String                `tfsdk:"id"`
	Cluster               types.String                `tfsdk:"cluster"`
	Kubernetes            *downstream.KubernetesModel `tfsdk:"kubernetes"`
	RegistrationToken     types.String                `tfsdk:"registration_token"`
	RegistrationTokenTTL  types.String                `tfsdk:"registration_token_ttl"`
	Chart                 *agentChartModel            `tfsdk:"chart"`
	Values                types.String                `tfsdk:"values"`
	APIServerURL          types.String                `tfsdk:"api_server_url"`
	APIServerCA           types.String                `tfsdk:"api_server_ca"`
	AgentTLSMode          types.String                `tfsdk:"agent_tls_mode"`
	AgentProxy            *agentspec.ProxyModel       `tfsdk:"agent_proxy"`
	SystemDefaultRegistry types.String                `tfsdk:"system_default_registry"`
	ImagePullSecret       *agentspec.PullSecretModel  `tfsdk:"image_pull_secret"`
	ClientID              types.String                `tfsdk:"client_id"`
	ReleaseStatus         types.String                `tfsdk:"release_status"`
	ChartVersion          types.String                `tfsdk:"chart_version"`
	Registered            types.Bool                  `tfsdk:"registered"`
	DownstreamUID         types.String                `tfsdk:"downstream_uid"`
	Timeouts              timeouts.Value              `tfsdk:"timeouts"`
}

// agentChartModel is the chart block: a source and the chart's name.
type agentChartModel struct {
	agentspec.ChartSourceModel
	ChartName types.String `tfsdk:"chart"`
}

var chartPath = path.Root("chart")

func agentSchema(ctx context.Context, timeoutsBlock schema.Block) schema.Schema {
	return schema.Schema{
		Description: "Bootstraps a Fleet agent in a downstream cluster (agent-initiated registration): installs the " +
			"`fleet-agent` Helm chart (release `fleet-agent` in `cattle-fleet-system`) with the registration values of a " +
			"cluster registration token, and waits until the cluster has registered with Fleet as the `fleet_cluster` " +
			"named by `cluster`.\n\n" +
			"**What the state holds.** Never in plan or state: the registration token (it goes to the chart values " +
			"downstream only), `kubernetes.kubeconfig_wo`, `image_pull_secret.password_wo` and `chart.password_wo`. In " +
			"state, marked sensitive: the other credentials of `kubernetes` (`token`, `client_key`, `proxy_url`, " +
			"`exec.args`, `exec.env`). Terraform gives refresh and destroy only the state, so they connect with those: for " +
			"short-lived tokens (EKS, GKE) use `kubernetes.exec`, whose plugin runs on every refresh, or " +
			"`kubeconfig_wo`. When the credentials in state are rejected or the cluster does not answer, refresh keeps the " +
			"prior state with a warning and plans an update (`release_status` `unknown`), which connects with the " +
			"configuration's credentials and stores them.\n\n" +
			"**kubeconfig_wo.** So that refresh and destroy can use it, the provider keeps it upstream in the Secret " +
			"`<cluster name>-agent-kubeconfig` in the cluster's namespace (next to the Cluster, as Fleet keeps kubeconfigs for " +
			"manager-initiated registration), and deletes it with the resource. It is bound to the resource by its SHA-256, " +
			"kept in private state: a Secret changed outside Terraform is not used (refresh warns and plans an update, which " +
			"writes it again). And it may only hold inline credentials, refused at plan time otherwise: no `exec` plugin, " +
			"auth provider, `tokenFile` or certificate and key paths (use `kubernetes.exec` for a credential plugin). So " +
			"whoever can edit Secrets in that namespace cannot make Terraform run a command or read a file; whoever can read " +
			"them can read the downstream credentials, as for Fleet's own kubeconfig Secrets.\n\n" +
			"**Chart.** It is only downloaded by create and update, which have the configuration and so its write-only " +
			"values, also when the update is one planned because the release drifted (`release_status`); refresh, import and " +
			"destroy read the release downstream and need no chart.\n\n" +
			"**Adoption.** Once registered, Fleet adopts the agent: it renders the agent Deployment from the Cluster " +
			"(`fleet_cluster`). Settings given only to the chart would be lost then, so `agent_proxy` and " +
			"`image_pull_secret` are also written to the Cluster (`spec.agentEnvVars`, `spec.agentPullSecrets`, with the " +
			"field manager `" + agentFieldManager + "`, apart from `fleet_cluster`'s). The Cluster's `agentEnvVars` and " +
			"`agentPullSecrets` are lists Fleet keeps whole: if `fleet_cluster` sets `agent_env_vars`, `agent_proxy` or " +
			"`agent_pull_secrets` too, it must carry the same proxy and pull secret, which the provider checks on both " +
			"sides: `fleet_cluster` refuses to apply a list without them, and a refresh that finds them gone from the Cluster " +
			"plans an update that puts them back.\n\n" +
			"**Destroy** uninstalls the release (the agent stops); deletes downstream the agent's credentials for the " +
			"management cluster (the Secrets `fleet-agent` and `fleet-agent-bootstrap`), the pull Secret, and " +
			"`cattle-fleet-system` when the provider created it (labelled `app.kubernetes.io/managed-by=terraform-provider-fleet`); " +
			"removes the proxy variables and pull secret it put on the Cluster; and deletes the registration token it created " +
			"and the stored kubeconfig. A failed create removes the same. What stays by design: the Cluster and its client ID " +
			"(`fleet_cluster`'s), and, in a `cattle-fleet-system` the provider did not create, what Fleet's own agent " +
			"bundle left there (its Helm release record `fleet-agent-<cluster>`). " +
			"Import with `<cluster namespace>/<cluster name>`; see the import example for what import cannot read back.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "`<cluster namespace>/<cluster name>`, the Cluster the agent registers as; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster": schema.StringAttribute{
				Required: true,
				Description: "The Fleet Cluster the agent registers as, `<namespace>/<name>` (e.g. `fleet_cluster.edge.id`). " +
					"It must exist. The agent claims it by its `client_id`; when the Cluster has none, the provider " +
					"generates one and sets it on the Cluster. Changing it, or a `kubernetes` that reaches another cluster " +
					"(`downstream_uid`), reinstalls the agent.",
				Validators:    []validator.String{validate.NamespacedName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes": downstream.KubernetesAttribute("Connection to the downstream cluster the agent is installed into; it is checked before anything is installed.", "the Secret `<cluster name>-agent-kubeconfig` next to the Cluster upstream"),
			"registration_token": schema.StringAttribute{
				Optional: true,
				Description: "ClusterRegistrationToken to register with, `<namespace>/<name>` (e.g. " +
					"`fleet_cluster_registration_token.edge.id`), in the cluster's namespace. Unset: the provider creates " +
					"one for the installation (`<cluster name>-agent-token`, see `registration_token_ttl`) and deletes it " +
					"once the cluster has registered. Only the installation uses it: changing it later changes nothing.",
				Validators: []validator.String{validate.NamespacedName()},
			},
			"registration_token_ttl": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString("1h"),
				Description: "Lifetime of the token the provider creates when `registration_token` is unset, a Go duration " +
					"in units up to hours (default `1h`), at least `1m`. It must cover the installation and registration.",
				Validators: []validator.String{
					validate.FleetTTL(), minimumTokenTTL{},
					stringvalidator.ConflictsWith(path.MatchRoot("registration_token")),
				},
			},
			"chart": schema.SingleNestedAttribute{
				Required: true,
				Description: "Where the `fleet-agent` chart comes from: a chart repository (`repository` and `chart`, as `helm_release` names them, with " +
					"`ca_bundle` and `username`/`password_wo` for a private one, e.g. an OCI registry inside an air gap), " +
					"or a local chart (`path`). Use the chart of the Fleet version the management cluster runs, e.g. " +
					"from `https://rancher.github.io/fleet-helm-charts/`. Terraform's machine downloads it; nothing is " +
					"written to Helm's configuration or cache.",
				Attributes: chartAttributes(),
				Validators: []validator.Object{agentspec.ChartSourceValidator{}},
			},
			"values": schema.StringAttribute{
				Optional: true,
				Description: "Extra chart values, YAML or JSON (e.g. `yamlencode({ agent = { replicas = 2 } })`), merged " +
					"under the values the resource sets itself. Values that have an attribute here (`apiServerURL`, " +
					"`apiServerCA`, `clientID`, `agentTLSMode`, `proxy`, `noProxy`, " +
					"`global.cattle.systemDefaultRegistry`) or come from the token (`token`, `tokenName`, " +
					"`clusterNamespace`, `systemRegistrationNamespace`) are refused.",
				Validators: []validator.String{chartValuesValidator},
			},
			"api_server_url": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "URL of the management cluster's API as the agent reaches it (`apiServerURL`). Default: the " +
					"token's, i.e. Fleet's `apiServerURL`.",
				Validators:    []validator.String{validate.HTTPURL()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_server_ca": schema.StringAttribute{
				Optional: true, Computed: true,
				Description:   "PEM CA of that API (`apiServerCA`). Default: the token's.",
				Validators:    []validator.String{validate.PEMCertificates()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"agent_tls_mode": schema.StringAttribute{
				Optional: true,
				Description: "`system-store` (trust the OS CAs as well as `api_server_ca`, the chart's default) or " +
					"`strict` (only `api_server_ca`).",
				Validators: []validator.String{stringvalidator.OneOf("system-store", "strict")},
			},
			"agent_proxy": agentspec.ProxyAttribute("The agent's proxy. Sets the chart's `proxy` (`https_proxy`, else " +
				"`http_proxy`) and `noProxy`, and the proxy variables on the Cluster's `agentEnvVars`, so the agent Fleet " +
				"renders after adoption keeps them. Set it here, on `fleet_cluster`, or on both with the same values."),
			"system_default_registry": schema.StringAttribute{
				Optional: true,
				Description: "Registry prefixing the agent image (`global.cattle.systemDefaultRegistry`), e.g. " +
					"`registry.corp:5000` for air-gapped sites. After adoption Fleet uses the Cluster's `private_repo_url`: " +
					"set it to the same registry.",
				Validators: []validator.String{validate.RegistryServer()},
			},
			"image_pull_secret": agentspec.PullSecretAttribute("Credentials for pulling the agent image: the provider creates the Secret `" + agentPullSecretName +
				"` (type `kubernetes.io/dockerconfigjson`) in `cattle-fleet-system` downstream, adds it to the chart's " +
				"agent Deployment, and to the Cluster's `agentPullSecrets` so the adopted agent keeps it. " +
				compat.Lookup("fleet_agent", "image_pull_secret").Requirement()),
			"client_id": schema.StringAttribute{
				Computed:      true,
				Description:   "The client ID the agent registers with: the Cluster's, or the one the provider generated for it.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"release_status": schema.StringAttribute{
				Computed: true,
				Description: "Status of the Helm release downstream (`deployed`, `failed`, ...), or `modified` when it was " +
					"upgraded out of band to another chart version or other values. Anything but `deployed` plans an upgrade.",
			},
			"chart_version": schema.StringAttribute{Computed: true, Description: "Version of the installed chart."},
			"registered": schema.BoolAttribute{
				Computed: true,
				Description: "Whether the agent installed by this resource has checked in with Fleet: the Cluster's " +
					"`status.agent.lastSeen` is later than the installation (a check-in of an agent installed before does not count).",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"downstream_uid": downstream.UIDAttribute(),
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock},
	}
}

// chartAttributes are the chart source attributes and the chart's name.
func chartAttributes() map[string]schema.Attribute {
	attrs := agentspec.ChartSourceAttributes("A local chart: a packaged `.tgz` or a chart directory, e.g. a copy of Fleet's `charts/fleet-agent`.")
	attrs["chart"] = schema.StringAttribute{
		Optional: true, Computed: true,
		Default:     stringdefault.StaticString("fleet-agent"),
		Description: "Name of the chart in `repository` (default `fleet-agent`).",
		Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	return attrs
}

// minimumTokenTTL refuses a token that never expires or that expires
// before it can be used: the provider's token only has to outlive one
// installation, and any zero duration ("0", "0s", "0m") never expires.
type minimumTokenTTL struct{}

// minTokenTTL is the shortest registration_token_ttl: installing the chart
// and registering take longer than that.
const minTokenTTL = time.Minute

func (minimumTokenTTL) Description(context.Context) string {
	return "must be at least 1m"
}

func (v minimumTokenTTL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (minimumTokenTTL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	ttl, err := time.ParseDuration(req.ConfigValue.ValueString())
	switch {
	case err != nil: // FleetTTL reports it
	case ttl == 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid token TTL",
			"The token the provider creates must expire (a zero TTL never does); use a duration such as 1h.")
	case ttl < minTokenTTL:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid token TTL",
			"The token must outlive the installation and registration: use at least 1m, e.g. 1h.")
	}
}
