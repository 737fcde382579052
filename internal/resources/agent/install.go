package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

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

// agentWriteInputs is what create and update need before writing anything.
type agentWriteInputs struct {
	kubeconfig, pullSecretPassword string // write-only values from the configuration
	down                           *downstream.Cluster
	chart                          *chart.Chart
	cluster                        *fleet.Cluster
}

// prepareAgentWrite reads the write-only values and does everything that can
// fail without side effects: reach the downstream cluster and check it is
// the one the state recorded (priorUID; null on create), load the chart,
// read the target Cluster.
func prepareAgentWrite(ctx context.Context, upstream *kube.Client, config tfsdk.Config, plan *agentModel, priorUID types.String) (*agentWriteInputs, diag.Diagnostics) {
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
	plan.DownstreamUID, d = in.down.IdentityOf(ctx, priorUID)
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	var err error
	if in.chart, err = loadAgentChart(plan.Chart, chartPassword); err != nil {
		diags.AddAttributeError(chartPath, helmchart.ErrorSummary(err), err.Error())
		return nil, diags
	}
	if plan.AgentProxy != nil && !chartSetsProxy(in.chart) {
		diags.AddAttributeError(path.Root("agent_proxy"), "The chart cannot set a proxy",
			fmt.Sprintf("The fleet-agent chart %s has no proxy value (Fleet's agent chart gained it after v0.12): the agent would "+
				"start without the proxy and could not reach the management cluster through it. Use the chart of Fleet v0.15.0 or later, "+
				"or remove agent_proxy.", in.chart.Metadata.Version))
		return nil, diags
	}
	in.cluster, d = readTargetCluster(ctx, upstream, plan.target())
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	return &in, diags
}

// chartSetsProxy reports whether the fleet-agent chart renders the proxy
// value, as its deployment template does since Fleet v0.15 (v0.12's has none).
func chartSetsProxy(ch *chart.Chart) bool {
	for _, t := range ch.Templates {
		if strings.Contains(string(t.Data), ".Values.proxy") {
			return true
		}
	}
	return false
}

// clusterFieldsError reports a failed write of the Cluster fields, with
// Fleet's release when it lacks one (agentPullSecrets before v0.16).
func clusterFieldsError(ctx context.Context, upstream *kube.Client, err error) diag.Diagnostics {
	if d := compat.GatesFor("fleet_agent").ExplainApplyError(ctx, upstream, err); d.HasError() {
		return d
	}
	var diags diag.Diagnostics
	diags.AddAttributeError(path.Root("cluster"), "Cannot update the Cluster", err.Error())
	return diags
}

// conflictPath is the attribute a Cluster settings conflict is about.
func conflictPath(m agentModel) path.Path {
	if m.AgentProxy != nil {
		return path.Root("agent_proxy")
	}
	return path.Root("image_pull_secret")
}

func (m *agentModel) setRelease(rel *release.Release) {
	m.ReleaseStatus = types.StringValue(helmchart.Status(rel).String())
	m.ChartVersion = types.StringValue(helmchart.ChartVersion(rel))
}

// syncKubeconfig stores kubeconfig_wo unless the Secret holds it with its
// version already (a Secret changed outside Terraform is written again),
// removes the stored one when the connection no longer uses it, and keeps
// the digest that binds it to the resource in private state.
func syncKubeconfig(ctx context.Context, c *kube.Client, t agentTarget, plan *agentModel, kubeconfig string, private privateSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	digest, err := t.kubeconfigStore().Sync(ctx, c, kubeconfig, plan.Kubernetes.KubeconfigWOVersion)
	if err != nil {
		diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
		return diags
	}
	return downstream.KeepDigest(ctx, private, digest)
}

// installInputs is what a create settled before writing anything, and what
// the installation leaves for the private state.
type installInputs struct {
	clientID string
	fields   agentClusterSpec
	helm     *action.Configuration

	digest      string    // of the stored kubeconfig, "" without kubeconfig_wo
	installedAt time.Time // by the downstream cluster's clock
}

// prepareInstall settles the client ID and the Cluster fields, and checks
// that no fleet-agent release is installed downstream: nothing is written
// yet.
func prepareInstall(ctx context.Context, in *agentWriteInputs, plan *agentModel) (*installInputs, diag.Diagnostics) {
	var diags diag.Diagnostics
	down, target := in.down, plan.target()
	// The agent's own default client ID: the kube-system UID.
	clientID, generated := in.cluster.Spec.ClientID, false
	if clientID == "" {
		clientID, generated = plan.DownstreamUID.ValueString(), true
	}
	fields, err := agentClusterFields(in.cluster, clientID, generated, plan.AgentProxy, plan.ImagePullSecret != nil)
	if err != nil {
		diags.AddAttributeError(conflictPath(*plan), "Conflicting Cluster settings", err.Error())
		return nil, diags
	}
	helm, err := newHelm(down.RESTConfig(ctx))
	if err != nil {
		diags.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return nil, diags
	}
	// Never take over (nor, on failure, uninstall) a release of someone else's.
	if _, err := lastRelease(helm); !errors.Is(err, framework.ErrNotFound) {
		detail := fmt.Sprintf("The downstream cluster at %s has a %s release in %s already. Uninstall it first "+
			"(helm -n %[3]s uninstall %[2]s), or, if Terraform installed it with kubernetes.kubeconfig_wo and lost track of it, "+
			"import it: terraform import <address> %[4]s", down.Host(), agentReleaseName, agentNamespace, target)
		if err != nil {
			detail = err.Error()
		}
		diags.AddAttributeError(downstream.KubernetesPath, "fleet-agent already installed", detail)
		return nil, diags
	}
	return &installInputs{clientID: clientID, fields: fields, helm: helm}, diags
}

// install writes what the agent needs (registration token, stored
// kubeconfig, Cluster fields, pull Secret) and installs the chart. When a
// step fails it removes what it wrote and returns nil.
func (r *agentResource) install(ctx context.Context, in *agentWriteInputs, inst *installInputs, plan *agentModel, diags *diag.Diagnostics) *release.Release {
	upstream, down, target := r.Data.Client, in.down, plan.target()
	var written undo
	fail := func() *release.Release {
		written.run(ctx, diags)
		return nil
	}
	reg, d := r.registration(ctx, plan, target, &written)
	if diags.Append(d...); diags.HasError() {
		return fail()
	}
	if in.kubeconfig != "" {
		store := target.kubeconfigStore()
		digest, err := store.Save(ctx, upstream, in.kubeconfig, plan.Kubernetes.KubeconfigWOVersion.ValueInt64())
		if err != nil {
			diags.AddAttributeError(downstream.KubeconfigWOPath, "Cannot store the kubeconfig", err.Error())
			return fail()
		}
		inst.digest = digest
		written.add(func(ctx context.Context) error { return store.Delete(ctx, upstream) })
	}
	// The client ID goes on the Cluster before the agent can register with
	// it: an unknown client ID would make Fleet create another Cluster.
	if err := applyAgentClusterFields(ctx, upstream, target.namespace, target.name, inst.fields); err != nil {
		diags.Append(clusterFieldsError(ctx, upstream, err)...)
		return fail()
	}
	written.add(func(ctx context.Context) error { return releaseClusterFields(ctx, upstream, target) })
	// The namespace first, marked as the provider's, so destroy knows it
	// may remove it; removing it also removes what the agent wrote there.
	if _, err := ensureAgentNamespace(ctx, down); err != nil {
		diags.AddAttributeError(downstream.KubernetesPath, "Cannot create the agent's namespace", err.Error())
		return fail()
	}
	written.add(func(ctx context.Context) error { return removeAgentLeftovers(ctx, down) })
	if plan.ImagePullSecret != nil {
		if err := writePullSecret(ctx, down, target.owner(), plan.ImagePullSecret, in.pullSecretPassword); err != nil {
			diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot write the image pull Secret", err.Error())
			return fail()
		}
		written.add(func(ctx context.Context) error { return deletePullSecret(ctx, down, target.owner()) })
	}
	plan.ID = types.StringValue(target.String())
	plan.ClientID = types.StringValue(inst.clientID)
	if plan.APIServerURL.IsUnknown() {
		plan.APIServerURL = types.StringValue(reg.APIServerURL)
	}
	if plan.APIServerCA.IsUnknown() {
		plan.APIServerCA = types.StringValue(reg.APIServerCA)
	}
	managed, err := plan.managedValues()
	if err != nil {
		diags.AddAttributeError(path.Root("values"), "Invalid chart values", err.Error())
		return fail()
	}
	before := time.Now()
	rel, err := installAgent(ctx, inst.helm, in.chart, chartValues(managed, reg.values()), plan.ImagePullSecret != nil)
	if err != nil {
		written.add(func(ctx context.Context) error {
			return helmchart.Uninstall(ctx, inst.helm, agentReleaseName, agentNamespace)
		})
		diags.AddError("Cannot install the fleet-agent chart", err.Error())
		return fail()
	}
	inst.installedAt = installedAt(ctx, down, rel, before)
	return rel
}

// undo collects what an installation wrote, to remove it when a later step
// fails.
type undo []func(context.Context) error

func (u *undo) add(f func(context.Context) error) { *u = append(*u, f) }

// run removes what was written, newest first. The create context may be
// what ran out, so cleaning up gets a minute of its own.
func (u undo) run(ctx context.Context, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for i := len(u) - 1; i >= 0; i-- {
		if err := u[i](ctx); err != nil {
			diags.AddWarning("Incomplete cleanup after the failed installation", err.Error())
		}
	}
}
