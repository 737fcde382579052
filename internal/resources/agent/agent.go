package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Waits of fleet_agent: registration includes pulling the agent image.
const (
	agentCreateTimeout = 10 * time.Minute
	agentUpdateTimeout = 5 * time.Minute
)

// releaseModified is release_status when the release was changed out of band.
const releaseModified = "modified"

type agentResource struct {
	framework.ResourceBase
	framework.WithTimeouts
}

var (
	_ resource.ResourceWithModifyPlan     = (*agentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*agentResource)(nil)
	_ resource.ResourceWithImportState    = (*agentResource)(nil)
)

// NewResource is fleet_agent.
func NewResource() resource.Resource {
	return &agentResource{WithTimeouts: framework.WithTimeouts{CreateTimeout: agentCreateTimeout, UpdateTimeout: agentUpdateTimeout}}
}

func (r *agentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent"
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = agentSchema(ctx, r.TimeoutsBlock(ctx))
}

// ValidateConfig checks the downstream connection offline, and that the
// token is in the cluster's namespace (registration happens there).
func (r *agentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var k types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, downstream.KubernetesPath, &k)...)
	if !k.IsNull() && !k.IsUnknown() {
		var m downstream.KubernetesModel
		if d := k.As(ctx, &m, basetypes.ObjectAsOptions{}); !d.HasError() {
			_, d, _ := m.ResourceModel.Config(ctx, downstream.KubernetesPath)
			resp.Diagnostics.Append(d...)
		}
	}
	var cluster, token types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("cluster"), &cluster)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("registration_token"), &token)...)
	if cluster.IsNull() || cluster.IsUnknown() || token.IsNull() || token.IsUnknown() {
		return
	}
	clusterNS, _, err1 := validate.SplitNamespacedName(cluster.ValueString())
	tokenNS, _, err2 := validate.SplitNamespacedName(token.ValueString())
	if err1 == nil && err2 == nil && clusterNS != tokenNS {
		resp.Diagnostics.AddAttributeError(path.Root("registration_token"), "Token in another namespace",
			fmt.Sprintf("An agent registers into the namespace of its token: use a token in %s, the cluster's namespace, not %s.", clusterNS, tokenNS))
	}
}

// ModifyPlan plans an upgrade when the release is not what this
// configuration installed (release_status), and keeps chart_version when an
// update cannot change it: same chart source, pinned to the installed
// version. (A repository's latest version, or a local chart's files, may
// have moved on.)
func (r *agentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("release_status"), release.StatusDeployed.String())...)
	if req.State.Raw.IsNull() {
		return
	}
	var planChart, stateChart types.Object
	var status, installed, pinned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, chartPath, &planChart)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, chartPath.AtName("version"), &pinned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, chartPath, &stateChart)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("release_status"), &status)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("chart_version"), &installed)...)
	if sameChartSource(planChart, stateChart) && pinned.Equal(installed) && status.ValueString() == release.StatusDeployed.String() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("chart_version"), installed)...)
	}
	framework.SettleNoOpPlan(req, resp)
}

// sameChartSource reports whether two chart blocks name the same chart:
// credentials and TLS settings only say how to reach it, so a new password
// alone leaves chart_version known.
func sameChartSource(a, b types.Object) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.Equal(b)
	}
	x, y := a.Attributes(), b.Attributes()
	for _, name := range []string{"repository", "name", "version", "path"} {
		if !x[name].Equal(y[name]) {
			return false
		}
	}
	return true
}

func (r *agentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportReference(ctx, req, resp, "cluster", "the Fleet Cluster the agent registers as")
}

// configKubeconfig returns kubernetes.kubeconfig_wo from the configuration
// ("" when unset); write-only values are only there.
func configKubeconfig(ctx context.Context, config tfsdk.Config) (string, diag.Diagnostics) {
	var v types.String
	diags := config.GetAttribute(ctx, downstream.KubeconfigWOPath, &v)
	return v.ValueString(), diags
}

// configPassword returns the write-only password at p from the
// configuration ("" when unset): image_pull_secret's or chart's.
func configPassword(ctx context.Context, config tfsdk.Config, p path.Path) (string, diag.Diagnostics) {
	var v types.String
	diags := config.GetAttribute(ctx, p, &v)
	return v.ValueString(), diags
}

// Write-only passwords of fleet_agent.
var (
	pullSecretPasswordPath = path.Root("image_pull_secret").AtName("password_wo")
	chartPasswordPath      = chartPath.AtName("password_wo")
)

// agentTarget is the Cluster a fleet_agent registers as.
type agentTarget struct{ namespace, name string }

func (m *agentModel) target() agentTarget {
	ns, name, _ := validate.SplitNamespacedName(m.Cluster.ValueString()) // validated
	return agentTarget{ns, name}
}

func (t agentTarget) String() string { return t.namespace + "/" + t.name }

// ownedTokenName is the token the resource creates when none is configured.
func (t agentTarget) ownedTokenName() string { return t.name + "-agent-token" }

// agentWriteInputs is what create and update need before writing anything.
type agentWriteInputs struct {
	kubeconfig, pullSecretPassword string // write-only values from the configuration
	down                           *downstream.Cluster
	chart                          *chart.Chart
	cluster                        *fleet.Cluster
}

// prepareAgentWrite reads the write-only values and does everything that can
// fail without side effects: reach the downstream cluster, load the chart,
// read the target Cluster.
func prepareAgentWrite(ctx context.Context, upstream *kube.Client, config tfsdk.Config, plan *agentModel) (*agentWriteInputs, diag.Diagnostics) {
	var in agentWriteInputs
	kubeconfig, diags := configKubeconfig(ctx, config)
	password, d := configPassword(ctx, config, pullSecretPasswordPath)
	diags.Append(d...)
	chartPassword, d := configPassword(ctx, config, chartPasswordPath)
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	in.kubeconfig, in.pullSecretPassword = kubeconfig, password
	in.down, d = downstream.Connect(ctx, plan.Kubernetes, kubeconfig)
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	var err error
	if in.chart, err = loadAgentChart(plan.Chart, chartPassword); err != nil {
		diags.AddAttributeError(chartPath, chartErrorSummary(err), err.Error())
		return nil, diags
	}
	in.cluster, d = readTargetCluster(ctx, upstream, plan.target())
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	return &in, diags
}

func (r *agentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	kubeconfig, password, down, ch, cluster := in.kubeconfig, in.pullSecretPassword, in.down, in.chart, in.cluster
	var err error
	clientID, generated := cluster.Spec.ClientID, false
	if clientID == "" {
		if clientID, err = down.KubeSystemUID(ctx); err != nil {
			resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot generate a client ID", err.Error())
			return
		}
		generated = true
	}
	fields, err := agentClusterFields(cluster, clientID, generated, plan.AgentProxy, plan.ImagePullSecret != nil)
	if err != nil {
		resp.Diagnostics.AddAttributeError(conflictPath(plan), "Conflicting Cluster settings", err.Error())
		return
	}
	helm, err := newHelm(mustRESTConfig(down))
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	// Never take over (nor, on failure, uninstall) a release of someone else's.
	if _, err := lastRelease(helm); !errors.Is(err, framework.ErrNotFound) {
		detail := fmt.Sprintf("The downstream cluster at %s has a %s release in %s already. Uninstall it first "+
			"(helm -n %[3]s uninstall %[2]s), or, if Terraform installed it with kubernetes.kubeconfig_wo and lost track of it, "+
			"import it: terraform import <address> %[4]s", down.Host, agentReleaseName, agentNamespace, target)
		if err != nil {
			detail = err.Error()
		}
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "fleet-agent already installed", detail)
		return
	}

	// From here on, undo what was written if the installation fails.
	var undo []func(context.Context) error
	rollback := func() {
		// The create context may be what ran out.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for i := len(undo) - 1; i >= 0; i-- {
			if err := undo[i](ctx); err != nil {
				resp.Diagnostics.AddWarning("Incomplete cleanup after the failed installation", err.Error())
			}
		}
	}
	reg, d := r.registration(ctx, &plan, target, &undo)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		rollback()
		return
	}
	if kubeconfig != "" {
		if err := downstream.StoreKubeconfig(ctx, upstream, target.namespace, target.name, kubeconfig, plan.Kubernetes.KubeconfigWOVersion.ValueInt64()); err != nil {
			resp.Diagnostics.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
			rollback()
			return
		}
		undo = append(undo, func(ctx context.Context) error {
			return framework.DeleteOwnedSecret(ctx, upstream, target.namespace, downstream.AgentKubeconfigSecretName(target.name))
		})
	}
	// The client ID goes on the Cluster before the agent can register with
	// it: an unknown client ID would make Fleet create another Cluster.
	if err := applyAgentClusterFields(ctx, upstream, target.namespace, target.name, fields); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot update the Cluster", err.Error())
		rollback()
		return
	}
	if plan.ImagePullSecret != nil {
		if err := writePullSecret(ctx, down, plan.ImagePullSecret, password); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("image_pull_secret"), "Cannot write the image pull Secret", err.Error())
			rollback()
			return
		}
		undo = append(undo, func(ctx context.Context) error { return deletePullSecret(ctx, down) })
	}

	plan.ID = types.StringValue(target.String())
	plan.ClientID = types.StringValue(clientID)
	if plan.APIServerURL.IsUnknown() {
		plan.APIServerURL = types.StringValue(reg.APIServerURL)
	}
	if plan.APIServerCA.IsUnknown() {
		plan.APIServerCA = types.StringValue(reg.APIServerCA)
	}
	managed, err := plan.managedValues()
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("values"), "Invalid chart values", err.Error())
		rollback()
		return
	}
	rel, err := installAgent(ctx, helm, ch, chartValues(managed, reg.values()), plan.ImagePullSecret != nil)
	if err != nil {
		undo = append(undo, func(context.Context) error { return uninstallAgent(helm) })
		resp.Diagnostics.AddError("Cannot install the fleet-agent chart", err.Error())
		rollback()
		return
	}

	// Installed: the state is saved from here on, even if the wait fails.
	plan.setRelease(rel)
	plan.Registered = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	registered, d := awaitRegistration(ctx, upstream, down, target)
	resp.Diagnostics.Append(d...)
	plan.Registered = types.BoolValue(registered)
	if registered && plan.RegistrationToken.IsNull() {
		// The agent registered: the token has served its purpose.
		if err := clusters.DeleteOwnedToken(ctx, upstream, target.namespace, target.ownedTokenName()); err != nil {
			resp.Diagnostics.AddWarning("Cannot delete the registration token", err.Error())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// conflictPath is the attribute a Cluster settings conflict is about.
func conflictPath(m agentModel) path.Path {
	if m.AgentProxy != nil {
		return path.Root("agent_proxy")
	}
	return path.Root("image_pull_secret")
}

// mustRESTConfig returns the REST configuration Connect already
// built successfully.
func mustRESTConfig(d *downstream.Cluster) *rest.Config {
	rc, _ := d.Client.RESTConfig()
	return rc
}

func (m *agentModel) setRelease(rel *release.Release) {
	m.ReleaseStatus = types.StringValue(rel.Info.Status.String())
	m.ChartVersion = types.StringValue(rel.Chart.Metadata.Version)
}

// readTargetCluster reads the Cluster named by `cluster`.
func readTargetCluster(ctx context.Context, c *kube.Client, t agentTarget) (*fleet.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	cluster, err := clusters.ClusterAPI.Get(ctx, c, t.namespace, t.name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		diags.AddAttributeError(path.Root("cluster"), "Cluster not found",
			fmt.Sprintf("There is no Fleet Cluster %s. Create it first (fleet_cluster), the agent registers as it.", t))
	case err != nil:
		diags.AddAttributeError(path.Root("cluster"), "Cannot read the Cluster", err.Error())
	}
	return cluster, diags
}

// registration returns the registration values: those of the configured
// token, or of a token the resource creates (and adds to undo).
func (r *agentResource) registration(ctx context.Context, plan *agentModel, t agentTarget, undo *[]func(context.Context) error) (agentRegistration, diag.Diagnostics) {
	var diags diag.Diagnostics
	c := r.Data.Client
	at, namespace, name := path.Root("registration_token"), t.namespace, t.ownedTokenName()
	if !plan.RegistrationToken.IsNull() {
		namespace, name, _ = validate.SplitNamespacedName(plan.RegistrationToken.ValueString())
	} else {
		at = path.Root("registration_token_ttl")
		ttl, _ := time.ParseDuration(plan.RegistrationTokenTTL.ValueString()) // validated
		if err := clusters.CreateOwnedToken(ctx, c, namespace, name, ttl); err != nil {
			diags.AddAttributeError(at, "Cannot create a registration token", err.Error())
			return agentRegistration{}, diags
		}
		*undo = append(*undo, func(ctx context.Context) error { return clusters.DeleteOwnedToken(ctx, c, namespace, name) })
	}
	token, err := clusters.RegistrationTokenAPI.Get(ctx, c, namespace, name)
	if errors.Is(err, framework.ErrNotFound) {
		diags.AddAttributeError(at, "Registration token not found", fmt.Sprintf("There is no ClusterRegistrationToken %s/%s.", namespace, name))
		return agentRegistration{}, diags
	}
	if err != nil {
		diags.AddAttributeError(at, "Cannot read the registration token", err.Error())
		return agentRegistration{}, diags
	}
	if token.Status != nil && token.Status.Expires != nil && token.Status.Expires.Before(&metav1.Time{Time: time.Now()}) {
		diags.AddAttributeError(at, "Registration token expired",
			fmt.Sprintf("ClusterRegistrationToken %s/%s expired at %s.", namespace, name, token.Status.Expires.UTC().Format(time.RFC3339)))
		return agentRegistration{}, diags
	}
	token, d := clusters.AwaitRegistrationValues(ctx, c, nil, token, true)
	if diags.Append(d...); diags.HasError() {
		return agentRegistration{}, diags
	}
	values, err := clusters.RegistrationValues(ctx, c, namespace, token.Status.SecretName)
	if err != nil {
		diags.AddAttributeError(at, "Cannot read the registration values", err.Error())
		return agentRegistration{}, diags
	}
	reg, err := parseRegistration(values)
	if err != nil {
		diags.AddAttributeError(at, "Unusable registration values", fmt.Sprintf("ClusterRegistrationToken %s/%s: %s", namespace, name, err))
	}
	return reg, diags
}

// awaitRegistration waits until the agent has checked in with Fleet. On
// timeout the error says what the agent pods downstream report, if any.
func awaitRegistration(ctx context.Context, upstream *kube.Client, down *downstream.Cluster, t agentTarget) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusters.ClusterAPI.Get(ctx, upstream, t.namespace, t.name)
		if err != nil {
			return false, err
		}
		return cluster.Status != nil && cluster.Status.Agent.LastSeen != nil, nil
	})
	if err == nil {
		return true, diags
	}
	detail := err.Error()
	if ctx.Err() != nil {
		detail = "The fleet-agent chart is installed, but the agent did not check in before the create timeout."
		probe, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if problem := agentPodProblems(probe, down); problem != "" {
			detail += " Downstream, the " + problem + "."
		} else {
			detail += " Check the agent's log downstream: kubectl -n " + agentNamespace + " logs deploy/fleet-agent."
		}
	}
	diags.AddError(fmt.Sprintf("Cluster %s has not registered", t), detail)
	return false, diags
}

// kubeconfigFor returns the kubeconfig_wo to connect with outside create
// and update: the one the provider stored, when kubeconfig_wo is used.
func kubeconfigFor(ctx context.Context, c *kube.Client, m *agentModel) (string, error) {
	if m.Kubernetes == nil || m.Kubernetes.KubeconfigWOVersion.IsNull() {
		return "", nil
	}
	t := m.target()
	kubeconfig, _, err := downstream.LoadKubeconfig(ctx, c, t.namespace, t.name)
	if errors.Is(err, framework.ErrNotFound) {
		return "", fmt.Errorf("%w: the Secret %s/%s with the downstream kubeconfig is gone; apply the configuration to store it again",
			framework.ErrNotFound, t.namespace, downstream.AgentKubeconfigSecretName(t.name))
	}
	return kubeconfig, err
}

// importedKubernetes is the connection after an import: only what the
// provider's kubeconfig Secret tells.
func importedKubernetes(ctx context.Context, c *kube.Client, t agentTarget) (*downstream.KubernetesModel, error) {
	_, version, err := downstream.LoadKubeconfig(ctx, c, t.namespace, t.name)
	if errors.Is(err, framework.ErrNotFound) {
		return nil, fmt.Errorf("fleet_agent can only be imported when the provider keeps its downstream kubeconfig, i.e. it was "+
			"installed with kubernetes.kubeconfig_wo: there is no Secret %s/%s", t.namespace, downstream.AgentKubeconfigSecretName(t.name))
	}
	if err != nil {
		return nil, err
	}
	return &downstream.KubernetesModel{
		ResourceModel: connection.ResourceModel{Model: connection.Model{
			ConfigPaths: types.ListNull(types.StringType),
			Exec:        types.ObjectNull(connection.ExecAttrTypes()),
		}},
		KubeconfigWOVersion: types.Int64Value(version),
	}, nil
}

func (r *agentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	upstream, target := r.Data.Client, state.target()
	imported := framework.WasImported(ctx, req.Private)
	if state.Kubernetes == nil {
		k, err := importedKubernetes(ctx, upstream, target)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import the agent", err.Error())
			return
		}
		state.Kubernetes = k
	}
	kubeconfig, err := kubeconfigFor(ctx, upstream, &state)
	if errors.Is(err, framework.ErrNotFound) && !imported {
		// Without it the release cannot be read: plan an update, which
		// stores the configuration's kubeconfig again.
		resp.Diagnostics.AddWarning("Cannot read the fleet-agent release", err.Error())
		state.ReleaseStatus = types.StringValue(release.StatusUnknown.String())
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot connect to the downstream cluster", err.Error())
		return
	}
	down, d := downstream.Connect(ctx, state.Kubernetes, kubeconfig)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	helm, err := newHelm(mustRESTConfig(down))
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	rel, err := lastRelease(helm)
	if errors.Is(err, framework.ErrNotFound) || (err == nil && rel.Info.Status == release.StatusUninstalled) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot read the fleet-agent release", err.Error())
		return
	}

	modified := !imported && state.ReleaseStatus.ValueString() == release.StatusDeployed.String() && !state.releaseMatches(rel)
	if imported {
		resp.Diagnostics.Append(state.flattenImported(ctx, upstream, rel)...)
	}
	state.setRelease(rel)
	if modified {
		state.ReleaseStatus = types.StringValue(releaseModified)
	}
	cluster, err := clusters.ClusterAPI.Get(ctx, upstream, target.namespace, target.name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		state.Registered = types.BoolValue(false)
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot read the Cluster", err.Error())
		return
	default:
		state.Registered = types.BoolValue(cluster.Status != nil && cluster.Status.Agent.LastSeen != nil)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

// releaseMatches reports whether the release holds the chart version and
// the values this state installed (the token's values aside).
func (m *agentModel) releaseMatches(rel *release.Release) bool {
	if rel.Chart == nil || rel.Chart.Metadata == nil || rel.Chart.Metadata.Version != m.ChartVersion.ValueString() {
		return false
	}
	managed, err := m.managedValues()
	return err == nil && sameValues(withoutKeys(rel.Config, registrationValueKeys), managed)
}

// flattenImported fills what an import can read back: from the release
// and the Cluster. The chart's source is not recorded anywhere; the import
// keeps the chart's name and version.
func (m *agentModel) flattenImported(ctx context.Context, upstream *kube.Client, rel *release.Release) diag.Diagnostics {
	var diags diag.Diagnostics
	t := m.target()
	m.ID = types.StringValue(t.String())
	config := rel.Config
	str := func(key string) types.String {
		s, _ := config[key].(string)
		return flex.StringOrNull(s)
	}
	m.ClientID = str(valueClientID)
	m.APIServerURL, m.APIServerCA = str(valueAPIServerURL), str(valueAPIServerCA)
	m.AgentTLSMode = str(valueAgentTLSMode)
	m.SystemDefaultRegistry = types.StringNull()
	if v, ok := lookupNested(config, systemDefaultRegistryPath); ok {
		s, _ := v.(string)
		m.SystemDefaultRegistry = flex.StringOrNull(s)
	}
	m.Values = types.StringNull()
	if user := userValues(config); len(user) > 0 {
		data, err := yaml.Marshal(user)
		if err != nil {
			diags.AddError("Cannot read the release values", err.Error())
		}
		m.Values = types.StringValue(string(data))
	}
	m.Chart = &agentChartModel{
		Name: types.StringValue(rel.Chart.Metadata.Name), Version: types.StringValue(rel.Chart.Metadata.Version),
		Repository: types.StringNull(), Path: types.StringNull(),
		CABundle: types.StringNull(), Username: types.StringNull(), PasswordWO: types.StringNull(),
		PasswordWOVersion: types.Int64Null(), InsecureSkipTLSVerify: types.BoolNull(),
	}
	m.RegistrationToken, m.RegistrationTokenTTL = types.StringNull(), types.StringValue("1h")
	// The Cluster has the proxy exactly (the chart has one URL for both).
	m.AgentProxy = nil
	if cluster, err := clusters.ClusterAPI.Get(ctx, upstream, t.namespace, t.name); err == nil && config[valueProxy] != nil {
		_, m.AgentProxy = agentspec.SplitAgentEnv(cluster.Spec.AgentEnvVars, true)
	}
	return diags
}

func (r *agentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state agentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, plan.target()
	in, d := prepareAgentWrite(ctx, upstream, req.Config, &plan)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	kubeconfig, password, down, ch, cluster := in.kubeconfig, in.pullSecretPassword, in.down, in.chart, in.cluster
	var err error
	fields, err := agentClusterFields(cluster, state.ClientID.ValueString(), false, plan.AgentProxy, plan.ImagePullSecret != nil)
	if err != nil {
		resp.Diagnostics.AddAttributeError(conflictPath(plan), "Conflicting Cluster settings", err.Error())
		return
	}
	helm, err := newHelm(mustRESTConfig(down))
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	current, err := lastRelease(helm)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the fleet-agent release",
			fmt.Sprintf("%s. If it was uninstalled, refresh (terraform apply -refresh-only) to plan a new installation.", err))
		return
	}

	resp.Diagnostics.Append(updateAgentKubeconfig(ctx, upstream, target, &plan, kubeconfig)...)
	if err := applyAgentClusterFields(ctx, upstream, target.namespace, target.name, fields); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot update the Cluster", err.Error())
	}
	resp.Diagnostics.Append(updatePullSecret(ctx, down, &state, &plan, password)...)
	if resp.Diagnostics.HasError() {
		return
	}

	managed, err := plan.managedValues()
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("values"), "Invalid chart values", err.Error())
		return
	}
	rel := current
	vals := chartValues(managed, registrationFromRelease(current.Config))
	// An upgrade that changes nothing would only add a revision.
	if current.Info.Status != release.StatusDeployed || current.Chart.Metadata.Version != ch.Metadata.Version ||
		!sameValues(current.Config, vals) || (plan.ImagePullSecret == nil) != (state.ImagePullSecret == nil) {
		rel, err = upgradeAgent(ctx, helm, ch, vals, plan.ImagePullSecret != nil)
		if err != nil {
			resp.Diagnostics.AddError("Cannot upgrade the fleet-agent chart", err.Error())
			if rel == nil {
				rel, _ = lastRelease(helm)
			}
		}
	}
	if rel != nil {
		plan.setRelease(rel)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateAgentKubeconfig stores kubeconfig_wo when its version changed or
// the stored one is gone, and removes the stored one when the connection no
// longer uses it.
func updateAgentKubeconfig(ctx context.Context, c *kube.Client, t agentTarget, plan *agentModel, kubeconfig string) diag.Diagnostics {
	var diags diag.Diagnostics
	version := plan.Kubernetes.KubeconfigWOVersion
	if version.IsNull() {
		if err := framework.DeleteOwnedSecret(ctx, c, t.namespace, downstream.AgentKubeconfigSecretName(t.name)); err != nil {
			diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot delete the stored kubeconfig", err.Error())
		}
		return diags
	}
	_, stored, err := downstream.LoadKubeconfig(ctx, c, t.namespace, t.name)
	if err != nil && !errors.Is(err, framework.ErrNotFound) {
		diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot read the stored kubeconfig", err.Error())
		return diags
	}
	if err == nil && stored == version.ValueInt64() {
		return diags
	}
	if err := downstream.StoreKubeconfig(ctx, c, t.namespace, t.name, kubeconfig, version.ValueInt64()); err != nil {
		diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
	}
	return diags
}

// updatePullSecret rewrites the pull Secret when its settings or the
// password version change, and deletes it when image_pull_secret goes.
func updatePullSecret(ctx context.Context, down *downstream.Cluster, state, plan *agentModel, password string) diag.Diagnostics {
	var diags diag.Diagnostics
	p, s := plan.ImagePullSecret, state.ImagePullSecret
	switch {
	case p == nil && s != nil:
		if err := deletePullSecret(ctx, down); err != nil {
			diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot delete the image pull Secret", err.Error())
		}
	case p != nil && (s == nil || !p.Server.Equal(s.Server) || !p.Username.Equal(s.Username) || !p.PasswordWOVersion.Equal(s.PasswordWOVersion)):
		if err := writePullSecret(ctx, down, p, password); err != nil {
			diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot write the image pull Secret", err.Error())
		}
	}
	return diags
}

func (r *agentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	upstream, target := r.Data.Client, state.target()
	const hint = " If the downstream cluster no longer exists, remove the agent from the state: terraform state rm <address>."
	kubeconfig, err := kubeconfigFor(ctx, upstream, &state)
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot connect to the downstream cluster", err.Error()+hint)
		return
	}
	down, d := downstream.Connect(ctx, state.Kubernetes, kubeconfig)
	if d.HasError() {
		for _, e := range d.Errors() {
			resp.Diagnostics.AddError(e.Summary(), e.Detail()+hint)
		}
		return
	}
	helm, err := newHelm(mustRESTConfig(down))
	if err == nil {
		err = uninstallAgent(helm)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot uninstall the fleet-agent chart", err.Error())
		return
	}
	if state.ImagePullSecret != nil {
		if err := deletePullSecret(ctx, down); err != nil {
			resp.Diagnostics.AddError("Cannot delete the image pull Secret", err.Error())
		}
	}
	if state.RegistrationToken.IsNull() {
		if err := clusters.DeleteOwnedToken(ctx, upstream, target.namespace, target.ownedTokenName()); err != nil {
			resp.Diagnostics.AddError("Cannot delete the registration token", err.Error())
		}
	}
	if err := framework.DeleteOwnedSecret(ctx, upstream, target.namespace, downstream.AgentKubeconfigSecretName(target.name)); err != nil {
		resp.Diagnostics.AddError("Cannot delete the stored kubeconfig", err.Error())
	}
}
