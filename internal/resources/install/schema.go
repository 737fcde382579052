package install

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// installModel is the state of fleet_install.
type installModel struct {
	ID                    types.String                `tfsdk:"id"`
	Chart                 *agentspec.ChartSourceModel `tfsdk:"chart"`
	Namespace             types.String                `tfsdk:"namespace"`
	Proxy                 *proxyModel                 `tfsdk:"proxy"`
	SystemDefaultRegistry types.String                `tfsdk:"system_default_registry"`
	ImagePullSecret       *agentspec.PullSecretModel  `tfsdk:"image_pull_secret"`
	ImagePullSecrets      types.List                  `tfsdk:"image_pull_secrets"`
	APIServerURL          types.String                `tfsdk:"api_server_url"`
	APIServerCA           types.String                `tfsdk:"api_server_ca"`
	AgentTLSMode          types.String                `tfsdk:"agent_tls_mode"`
	BootstrapLocalCluster types.Bool                  `tfsdk:"bootstrap_local_cluster"`
	GitOps                types.Bool                  `tfsdk:"gitops"`
	HelmOps               types.Bool                  `tfsdk:"helmops"`
	ExtraEnv              types.Map                   `tfsdk:"extra_env"`
	Values                types.String                `tfsdk:"values"`
	AllowDowngrade        types.Bool                  `tfsdk:"allow_downgrade"`
	ForceDestroy          types.Bool                  `tfsdk:"force_destroy"`
	DeleteCRDs            types.Bool                  `tfsdk:"delete_crds"`
	FleetVersion          types.String                `tfsdk:"fleet_version"`
	ChartVersion          types.String                `tfsdk:"chart_version"`
	ReleaseStatus         types.String                `tfsdk:"release_status"`
	Timeouts              timeouts.Value              `tfsdk:"timeouts"`
}

// proxyModel is agent_proxy's shape and the proxy's CA.
type proxyModel struct {
	agentspec.ProxyModel
	CACert types.String `tfsdk:"ca_cert"`
}

var chartPath = path.Root("chart")

func installSchema(timeoutsBlock schema.Block) schema.Schema {
	proxy := agentspec.ProxyAttribute("The proxy of the Fleet controllers (the chart's `proxy`, `noProxy` and " +
		"`proxyCACert`): they reach git servers, Helm and OCI registries through it, and the git jobs inherit it. The chart " +
		"has one proxy URL for HTTP and HTTPS: `https_proxy`, else `http_proxy` (both set must be equal). Agents do not " +
		"inherit it: give them `agent_proxy` on `fleet_cluster` or `fleet_agent`.")
	proxy.Attributes["ca_cert"] = schema.StringAttribute{
		Optional: true,
		Description: "PEM CA of an HTTPS proxy that intercepts TLS (`proxyCACert`, the variable `PROXY_CA_BUNDLE`): git " +
			"cloning, chart downloads and OCI storage trust it. Fleet v0.16 and later; with an older chart the apply fails.",
		Validators: []validator.String{validate.PEMCertificates()},
	}
	// The agent's wording does not fit the controllers.
	https := proxy.Attributes["https_proxy"].(schema.StringAttribute)
	https.Description = "Proxy for HTTPS requests (`HTTPS_PROXY`), e.g. `http://proxy.corp:3128`: git servers, Helm and OCI registries, downstream API servers."
	proxy.Attributes["https_proxy"] = https
	proxy.Validators = []validator.Object{oneProxyURL{}}
	return schema.Schema{
		Description: "Installs Fleet into the management cluster the provider connects to, standalone (without " +
			"Rancher): the `fleet-crd` Helm chart, then the `fleet` chart, as releases of those names in `namespace`, " +
			"and waits until the CRDs are established and the controllers are available. An upgrade installs the CRD " +
			"chart first; a downgrade is refused unless `allow_downgrade`.\n\n" +
			"**Air-gapped sites** take the charts from a private OCI registry (`chart`, with `ca_bundle` and " +
			"`username`/`password_wo`), the images from `system_default_registry` with `image_pull_secret`, and reach " +
			"the outside through `proxy`.\n\n" +
			"**Where Fleet is already installed** the create fails and says so: by Rancher (which installs and upgrades " +
			"Fleet itself; manage Fleet's objects with the other resources), or by Helm outside Terraform (import it).\n\n" +
			"**Drift.** Refresh reads both releases: one uninstalled outside Terraform leaves the state (the plan " +
			"installs it again); one upgraded or changed outside Terraform shows as a change of `chart.version` or of " +
			"the values' attributes, which the apply reverts.\n\n" +
			"**Destroy** uninstalls the `fleet` release, and is refused while the cluster holds Fleet objects that users " +
			"created (GitRepos, HelmOps, Clusters and ClusterGroups outside `fleet-local`, registration tokens; not " +
			"those a controller made, which have an owner), which it lists, unless `force_destroy`. The CRDs stay (the `fleet-crd` release is kept) unless `delete_crds`: " +
			"deleting them deletes every Fleet object. Import with the namespace, e.g. `cattle-fleet-system`.\n\n" +
			"**The state** holds `chart.password_wo` and `image_pull_secret.password_wo` nowhere (write-only); the proxy " +
			"URLs, which may carry credentials, are kept marked sensitive.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The namespace Fleet is installed in; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"chart": schema.SingleNestedAttribute{
				Required: true,
				Description: "Where the `fleet-crd` and `fleet` charts come from, both of the same `version`: a chart " +
					"repository (`https://rancher.github.io/fleet-helm-charts/`, or an OCI registry path holding both, " +
					"`oci://registry.corp/charts`), or a local folder (`path`). Terraform's machine downloads them; nothing " +
					"is written to Helm's configuration or cache. Only create and update download the charts.",
				Attributes: agentspec.ChartSourceAttributes("A local folder holding the two charts as folders named " +
					"`fleet-crd` and `fleet`, as in Fleet's source (`charts/`) or unpacked from the release's chart archives."),
				Validators: []validator.Object{agentspec.ChartSourceValidator{}},
			},
			"namespace": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:       stringdefault.StaticString(defaultNamespace),
				Description:   "Namespace of the controllers and of the two Helm releases (default `" + defaultNamespace + "`). Changing it reinstalls Fleet.",
				Validators:    []validator.String{validate.NamespaceName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"proxy": proxy,
			"system_default_registry": schema.StringAttribute{
				Optional: true,
				Description: "Registry prefixing every Fleet image (`global.cattle.systemDefaultRegistry`), the " +
					"controllers' and the agents' they deploy, e.g. `registry.corp:5000`. A Cluster's `private_repo_url` " +
					"replaces it for that cluster's agent.",
				Validators: []validator.String{validate.RegistryServer()},
			},
			"image_pull_secret": agentspec.PullSecretAttribute("An account of the private registry for pulling Fleet's " +
				"images: the provider creates the Secret `" + pullSecretName + "` (type `kubernetes.io/dockerconfigjson`) in " +
				"`namespace` before the charts (creating the namespace when missing) and adds it to " +
				"`global.cattle.imagePullSecrets`; destroy deletes it. Fleet copies these Secrets downstream for the agents " +
				"of Clusters without `agent_pull_secrets`. Fleet v0.16 and later; with an older chart the apply fails."),
			"image_pull_secrets": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Description: "Names of other `kubernetes.io/dockerconfigjson` Secrets in `namespace` for pulling the images " +
					"(`global.cattle.imagePullSecrets`, after `image_pull_secret`'s). They must exist before the install, so in " +
					"one apply from an empty cluster use `image_pull_secret`. Fleet v0.16 and later; with an older chart the " +
					"apply fails.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(validate.ResourceName())},
			},
			"api_server_url": schema.StringAttribute{
				Optional: true,
				Description: "URL of this cluster's API as agents reach it (`apiServerURL`), written into the " +
					"registration values Fleet gives agents. Needed for agent-initiated registration (`fleet_agent`).",
				Validators: []validator.String{validate.HTTPURL()},
			},
			"api_server_ca": schema.StringAttribute{
				Optional:    true,
				Description: "PEM CA of that API (`apiServerCA`); unset, agents trust the system's CAs.",
				Validators:  []validator.String{validate.PEMCertificates()},
			},
			"agent_tls_mode": schema.StringAttribute{
				Optional: true,
				Description: "How agents verify that API (`agentTLSMode`): `system-store` (the OS CAs as well as " +
					"`api_server_ca`, the chart's default) or `strict` (only `api_server_ca`).",
				Validators: []validator.String{stringvalidator.OneOf("system-store", "strict")},
			},
			"bootstrap_local_cluster": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				Description: "Register the management cluster itself as the Cluster `local` in `fleet-local` and run an " +
					"agent there (`bootstrap.enabled`, default `true`).",
			},
			"gitops": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				Description: "Run the gitjob controller, which serves GitRepos (`gitops.enabled`, default `true`).",
			},
			"helmops": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				Description: "Run the HelmOps controller, which serves HelmOps (`helmops.enabled`, default `true`).",
			},
			"extra_env": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Description: "Extra environment variables of the controllers (`extraEnv`: fleet-controller, " +
					"fleet-agentmanagement, gitjob, helmops), e.g. `{ OCI_STORAGE = \"false\" }`. The chart gives " +
					"fleet-agentmanagement, which connects to downstream clusters for manager-initiated registration, no " +
					"`proxy`: to give it one, set the proxy variables here instead of `proxy` (both together are refused: " +
					"the other controllers would get each variable twice).",
				Validators: []validator.Map{validate.EnvVarName()},
			},
			"values": schema.StringAttribute{
				Optional: true,
				Description: "Extra values of the `fleet` chart, YAML or JSON (e.g. `yamlencode({ controller = { replicas = 2 } })`), " +
					"merged under the values the resource sets: those with an attribute here are refused.",
				Validators: []validator.String{valuesValidator},
			},
			"allow_downgrade": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Allow installing an older chart version than the installed one (default `false`). Fleet does not support " +
					"downgrades: the CRDs of the newer release stay, and objects may hold fields the older one drops.",
			},
			"force_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Let destroy uninstall Fleet while users' Fleet objects exist (default `false`). Their deployments stay in " +
					"the downstream clusters, unmanaged.",
			},
			"delete_crds": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Let destroy also uninstall the `fleet-crd` release (default `false`), which deletes Fleet's CRDs and with " +
					"them every GitRepo, HelmOp, Cluster and Bundle of the cluster.",
			},
			"fleet_version": schema.StringAttribute{
				Computed:      true,
				Description:   "The Fleet release installed: the `fleet` chart's `appVersion`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"chart_version": schema.StringAttribute{
				Computed:      true,
				Description:   "Version of the installed `fleet` chart.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"release_status": schema.StringAttribute{
				Computed: true,
				Description: "Status of the `fleet` release (`deployed`, `failed`, ...). Anything but `deployed`, " +
					"or a `fleet-crd` release that is not deployed, plans an upgrade.",
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock},
	}
}

// oneProxyURL refuses different http_proxy and https_proxy: the chart has
// one proxy value for both.
type oneProxyURL struct{}

func (oneProxyURL) Description(context.Context) string {
	return "http_proxy and https_proxy, when both are set, must be equal"
}

func (v oneProxyURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (oneProxyURL) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	h, s := attrs["http_proxy"], attrs["https_proxy"]
	if h == nil || s == nil || h.IsNull() || s.IsNull() || h.IsUnknown() || s.IsUnknown() || h.Equal(s) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path.AtName("http_proxy"), "Two proxy URLs",
		validate.Detail(req.Path.AtName("http_proxy"), "The fleet chart has one proxy URL (proxy) for HTTP and HTTPS: "+
			"set http_proxy and https_proxy to the same URL, or only one of them."))
}

// proxyEnvNames are the variables the chart's proxy values set on the
// controllers.
var proxyEnvNames = []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "PROXY_CA_BUNDLE"}

// checkProxyOnce refuses the proxy variables in extra_env next to proxy:
// fleet-controller, gitjob and helmops would get each twice.
func checkProxyOnce(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var proxy types.Object
	var env types.Map
	diags := config.GetAttribute(ctx, path.Root("proxy"), &proxy)
	diags.Append(config.GetAttribute(ctx, path.Root("extra_env"), &env)...)
	if diags.HasError() || proxy.IsNull() || env.IsNull() || env.IsUnknown() {
		return diags
	}
	for _, name := range proxyEnvNames {
		if _, ok := env.Elements()[name]; ok {
			p := path.Root("extra_env").AtMapKey(name)
			diags.AddAttributeError(p, "Proxy set twice", validate.Detail(p, fmt.Sprintf("proxy sets %s on fleet-controller, "+
				"gitjob and helmops, which extra_env reaches too. Use one of them: extra_env alone also gives the proxy to "+
				"fleet-agentmanagement.", name)))
		}
	}
	return diags
}
