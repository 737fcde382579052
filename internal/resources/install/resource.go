package install

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Waits of fleet_install: pulling the controller images may take a while.
const (
	installCreateTimeout = 10 * time.Minute
	installUpdateTimeout = 10 * time.Minute
)

type installResource struct {
	framework.ResourceBase
	framework.WithTimeouts
	framework.WithIdentity
}

var (
	_ resource.ResourceWithValidateConfig = (*installResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*installResource)(nil)
	_ resource.ResourceWithImportState    = (*installResource)(nil)
	_ resource.ResourceWithIdentity       = (*installResource)(nil)
)

// NewResource is fleet_install.
func NewResource() resource.Resource {
	return &installResource{
		WithTimeouts: framework.WithTimeouts{CreateTimeout: installCreateTimeout, UpdateTimeout: installUpdateTimeout},
		WithIdentity: framework.WithIdentity{{Name: "namespace", Description: "The namespace Fleet is installed in (`namespace`)."}},
	}
}

func (r *installResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_install"
}

func (r *installResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = installSchema(r.TimeoutsBlock(ctx))
}

func (r *installResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(checkProxyOnce(ctx, req.Config)...)
}

func (r *installResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportByName(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "namespace", validate.CheckNamespaceName)
}

// ModifyPlan plans an upgrade when a release is not deployed
// (release_status), and leaves the installed versions known when an update
// cannot change them: same chart source, pinned to the installed version.
func (r *installResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("release_status"), release.StatusDeployed.String())...)
	if req.State.Raw.IsNull() {
		return
	}
	var planChart, stateChart types.Object
	var installed types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, chartPath, &planChart)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, chartPath, &stateChart)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("chart_version"), &installed)...)
	// Unknown or different charts short-circuit before their version is read.
	if !agentspec.SameChartSource(planChart, stateChart) || !planChart.Attributes()["version"].Equal(installed) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("chart_version"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("fleet_version"), types.StringUnknown())...)
	}
	framework.SettleNoOpPlan(req, resp)
}

// clients are what fleet_install's operations use in the cluster.
type clients struct {
	helm      *action.Configuration
	dynamic   dynamic.Interface
	core      kubernetes.Interface
	namespace string
}

// connect returns the clients for Fleet's namespace, nil when the cluster
// cannot be reached (diags says why).
func (r *installResource) connect(namespace string, diags *diag.Diagnostics) *clients {
	rc, err := r.Data.Client.RESTConfig()
	c := &clients{namespace: namespace}
	if err == nil {
		c.dynamic, err = r.Data.Client.Dynamic()
	}
	if err == nil {
		c.core, err = r.Data.Client.Core()
	}
	if err == nil {
		c.helm, err = helmchart.NewConfiguration(rc, namespace)
	}
	if err != nil {
		diags.AddError("Cannot connect to the cluster", err.Error())
		return nil
	}
	return c
}

func (r *installResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan installModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	c := r.connect(plan.Namespace.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	if err := c.checkNotInstalled(ctx); err != nil {
		resp.Diagnostics.AddError("Fleet is already installed", err.Error())
		return
	}
	r.apply(ctx, req.Config, c, &plan, nil, &resp.State, &resp.Diagnostics)
}

func (r *installResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, state installModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	c := r.connect(plan.Namespace.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	r.apply(ctx, req.Config, c, &plan, &state, &resp.State, &resp.Diagnostics)
}

// apply installs or upgrades both releases, CRDs first, and waits for them.
// Both charts are loaded before anything is written. The state is saved as
// soon as the fleet release is written, also when the wait fails.
func (r *installResource) apply(ctx context.Context, config tfsdk.Config, c *clients, plan, prior *installModel, state *tfsdk.State, diags *diag.Diagnostics) {
	var password types.String
	diags.Append(config.GetAttribute(ctx, chartPath.AtName("password_wo"), &password)...)
	vals, d := plan.chartValues(ctx)
	if diags.Append(d...); diags.HasError() {
		return
	}
	charts, err := loadCharts(plan.Chart, password.ValueString())
	if err != nil {
		diags.AddAttributeError(chartPath, helmchart.ErrorSummary(err), err.Error())
		return
	}
	if err := plan.checkChartSupports(charts.fleet); err != nil {
		diags.AddAttributeError(chartPath.AtName("version"), "The chart does not read these values", err.Error())
		return
	}
	if prior != nil && !plan.AllowDowngrade.ValueBool() {
		if err := checkDowngrade(prior.ChartVersion.ValueString(), charts.fleet.Metadata.Version); err != nil {
			diags.AddAttributeError(chartPath.AtName("version"), "Downgrade refused", err.Error())
			return
		}
	}
	var pullPassword types.String
	diags.Append(config.GetAttribute(ctx, path.Root("image_pull_secret").AtName("password_wo"), &pullPassword)...)
	var priorPull *agentspec.PullSecretModel
	if prior != nil {
		priorPull = prior.ImagePullSecret
	}
	if err := syncPullSecret(ctx, r.Data.Client, c.namespace, plan.ImagePullSecret, priorPull, pullPassword.ValueString()); err != nil {
		diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot write the image pull Secret", err.Error())
		return
	}
	crds, err := c.upgradeIfNeeded(ctx, crdRelease, charts.crds, map[string]any{})
	if err == nil {
		err = awaitCRDs(ctx, c.dynamic, crds)
	}
	if err != nil {
		diags.AddError("Cannot install Fleet's CRDs", err.Error())
		return
	}
	rel, err := c.upgradeIfNeeded(ctx, fleetRelease, charts.fleet, vals)
	if rel == nil {
		diags.AddError("Cannot install Fleet", err.Error())
		return
	}
	plan.ID = plan.Namespace
	plan.setRelease(rel, crds)
	diags.Append(state.Set(ctx, plan)...)
	if err == nil {
		err = awaitControllers(ctx, c.core, rel)
	}
	if err != nil {
		diags.AddError("Fleet's controllers are not available", err.Error())
	}
}

// upgradeIfNeeded installs or upgrades the release unless it is already
// what ch and vals install. A failed Helm operation may still return the
// release it wrote.
func (c *clients) upgradeIfNeeded(ctx context.Context, name string, ch *chart.Chart, vals map[string]any) (*release.Release, error) {
	current, err := helmchart.Last(c.helm, name, c.namespace)
	if err == nil && !needsUpgrade(current, ch, vals) {
		return current, nil
	}
	return installOrUpgrade(ctx, c.helm, name, c.namespace, ch, vals)
}

// checkNotInstalled refuses a cluster where Fleet runs already and not
// from this provider's releases.
func (c *clients) checkNotInstalled(ctx context.Context) error {
	rancher, err := installedByRancher(ctx, c.dynamic)
	if err != nil {
		return err
	}
	if rancher {
		return errors.New("Rancher runs in this cluster (it serves " + rancherSettingsCRD + "), and Rancher installs and upgrades " +
			"Fleet itself: remove fleet_install, and manage Fleet's objects with the other resources")
	}
	importHint := fmt.Sprintf("to manage it with Terraform, import it: terraform import <resource address> %s", c.namespace)
	if rel, err := helmchart.Last(c.helm, fleetRelease, c.namespace); err == nil && helmchart.Status(rel) != release.StatusUninstalled {
		return fmt.Errorf("the Helm release %s/%s (chart %s) exists: %s", c.namespace, fleetRelease, helmchart.ChartVersion(rel), importHint)
	}
	crdRel, err := helmchart.Last(c.helm, crdRelease, c.namespace)
	switch {
	case err == nil && !releaseIsOurs(crdRel):
		return fmt.Errorf("the Helm release %s/%s exists and was not installed by fleet_install: %s", c.namespace, crdRelease, importHint)
	case errors.Is(err, helmchart.ErrReleaseNotFound):
		_, err := c.dynamic.Resource(crdResource).Get(ctx, "clusters.fleet.cattle.io", metav1.GetOptions{})
		if err == nil {
			return fmt.Errorf("Fleet's CRDs exist, but not from a Helm release %s in %s: Fleet was installed another way "+
				"(another namespace, or kubectl); fleet_install does not take it over", crdRelease, c.namespace)
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
	case err != nil:
		return err
	}
	return nil
}

// setRelease records what the releases hold.
func (m *installModel) setRelease(fleet, crds *release.Release) {
	m.ChartVersion = types.StringValue(helmchart.ChartVersion(fleet))
	m.FleetVersion = types.StringValue("")
	if fleet.Chart != nil && fleet.Chart.Metadata != nil {
		m.FleetVersion = types.StringValue(fleet.Chart.Metadata.AppVersion)
	}
	m.ReleaseStatus = types.StringValue(helmchart.Status(fleet).String())
	if s := helmchart.Status(crds); s != release.StatusDeployed {
		m.ReleaseStatus = types.StringValue(crdRelease + " " + s.String())
	}
}

func (r *installResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state installModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	c := r.connect(state.Namespace.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	imported := framework.WasImported(ctx, req.Private)
	fleet, err := helmchart.Last(c.helm, fleetRelease, c.namespace)
	if errors.Is(err, helmchart.ErrReleaseNotFound) || (err == nil && helmchart.Status(fleet) == release.StatusUninstalled) {
		if imported {
			resp.Diagnostics.AddError("Cannot import Fleet", fmt.Sprintf("There is no Helm release %s in %s.", fleetRelease, c.namespace))
			return
		}
		resp.Diagnostics.AddWarning("Fleet was uninstalled", fmt.Sprintf("The Helm release %s in %s is gone (uninstalled outside "+
			"Terraform?): fleet_install leaves the state, and the plan installs Fleet again.", fleetRelease, c.namespace))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the fleet release", err.Error())
		return
	}
	crds, err := helmchart.Last(c.helm, crdRelease, c.namespace)
	if err != nil && !errors.Is(err, helmchart.ErrReleaseNotFound) {
		resp.Diagnostics.AddError("Cannot read the fleet-crd release", err.Error())
		return
	}
	state.readRelease(fleet, crds, imported)
	if imported && listsPullSecret(fleet.Config) {
		if state.ImagePullSecret, err = importedPullSecret(ctx, r.Data.Client, c.namespace); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("image_pull_secret"), "Cannot read the image pull Secret", err.Error())
			return
		}
	} else if state.ImagePullSecret != nil {
		gone, err := pullSecretGone(ctx, r.Data.Client, c.namespace)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("image_pull_secret"), "Cannot read the image pull Secret", err.Error())
			return
		}
		if gone {
			state.ImagePullSecret = nil // the plan writes it again
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

// readRelease sets the state from the installed releases. A chart version
// outside the configured one (an upgrade outside Terraform) shows in the
// plan as a change of chart.version.
func (m *installModel) readRelease(fleet, crds *release.Release, imported bool) {
	m.ID = m.Namespace
	m.setRelease(fleet, crds)
	installed := m.ChartVersion.ValueString()
	if m.Chart == nil {
		source := agentspec.ImportedChartSource(installed)
		m.Chart = &source
	} else if v := m.Chart.Version.ValueString(); v != "" && !helmchart.VersionMatches(installed, v) {
		m.Chart.Version = types.StringValue(installed)
	}
	if imported { // the defaults of what only the configuration says
		m.AllowDowngrade, m.ForceDestroy, m.DeleteCRDs = types.BoolValue(false), types.BoolValue(false), types.BoolValue(false)
	}
	m.flattenValues(fleet.Config)
}

func (r *installResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state installModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, d := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	resp.Diagnostics.Append(d...)
	c := r.connect(state.Namespace.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	if !state.ForceDestroy.ValueBool() {
		objects, err := userObjects(ctx, c.dynamic, 20)
		if err != nil {
			resp.Diagnostics.AddError("Cannot list Fleet's objects", err.Error())
			return
		}
		if len(objects) > 0 {
			resp.Diagnostics.AddError("Fleet still manages objects", "Uninstalling Fleet now would leave these objects "+
				"unserved (and their deployments unmanaged downstream):\n  "+strings.Join(objects, "\n  ")+
				"\nDestroy them first, or set force_destroy = true (and apply) to uninstall Fleet anyway.")
			return
		}
	}
	if err := helmchart.Uninstall(ctx, c.helm, fleetRelease, c.namespace); err != nil {
		resp.Diagnostics.AddError("Cannot uninstall Fleet", err.Error())
		return
	}
	if state.ImagePullSecret != nil {
		if err := framework.DeleteOwnedSecret(ctx, r.Data.Client, pullSecretOwner(c.namespace), c.namespace, pullSecretName); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("image_pull_secret"), "Cannot delete the image pull Secret", err.Error())
		}
	}
	if state.DeleteCRDs.ValueBool() {
		if err := helmchart.Uninstall(ctx, c.helm, crdRelease, c.namespace); err != nil {
			resp.Diagnostics.AddError("Cannot uninstall Fleet's CRDs", err.Error())
		}
	}
}
