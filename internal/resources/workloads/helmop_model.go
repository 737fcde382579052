package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// helmOpSpecModel is the spec and status of a HelmOp.
type helmOpSpecModel struct {
	Helm                    *helmOptionsModel         `tfsdk:"helm"`
	Targets                 []helmOpTargetModel       `tfsdk:"targets"`
	TargetCustomizationMode types.String              `tfsdk:"target_customization_mode"`
	DefaultNamespace        types.String              `tfsdk:"default_namespace"`
	TargetNamespace         types.String              `tfsdk:"target_namespace"`
	ServiceAccount          types.String              `tfsdk:"service_account"`
	Paused                  types.Bool                `tfsdk:"paused"`
	PollingInterval         duration.Value            `tfsdk:"polling_interval"`
	HelmSecretName          types.String              `tfsdk:"helm_secret_name"`
	InsecureSkipTLSVerify   types.Bool                `tfsdk:"insecure_skip_tls_verify"`
	CorrectDrift            *correctDriftModel        `tfsdk:"correct_drift"`
	BundleDependsOn         []bundleRefModel          `tfsdk:"bundle_depends_on"`
	BundleLabels            types.Map                 `tfsdk:"bundle_labels"`
	ForceSyncGeneration     types.Int64               `tfsdk:"force_sync_generation"`
	KeepResources           types.Bool                `tfsdk:"keep_resources"`
	DeleteNamespace         types.Bool                `tfsdk:"delete_namespace"`
	DeleteCRDResources      types.Bool                `tfsdk:"delete_crd_resources"`
	NamespaceLabels         types.Map                 `tfsdk:"namespace_labels"`
	NamespaceAnnotations    types.Map                 `tfsdk:"namespace_annotations"`
	DownstreamResources     []downstreamResourceModel `tfsdk:"downstream_resources"`
	RolloutStrategy         *rolloutStrategyModel     `tfsdk:"rollout_strategy"`
	Diff                    *diffModel                `tfsdk:"diff"`
	Ignore                  *ignoreModel              `tfsdk:"ignore"`
	Version                 types.String              `tfsdk:"version"`
	deployStatusModel
}

type bundleRefModel struct {
	Name           types.String                  `tfsdk:"name"`
	Selector       *framework.LabelSelectorModel `tfsdk:"selector"`
	AcceptedStates types.List                    `tfsdk:"accepted_states"`
}

type downstreamResourceModel struct {
	Kind types.String `tfsdk:"kind"`
	Name types.String `tfsdk:"name"`
}

// helmOpModel is the state of fleet_helmop.
type helmOpModel struct {
	framework.ObjectMetaModel
	helmOpSpecModel
	HelmCredentials *helmCredentialsModel `tfsdk:"helm_credentials"`
	WaitForReady    types.Bool            `tfsdk:"wait_for_ready"`
	Timeouts        timeouts.Value        `tfsdk:"timeouts"`

	// staleSecrets: see gitRepoModel.
	staleSecrets []string
}

func (m *helmOpModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *helmOpModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *helmOpModel) Expand(ctx context.Context) (*fleet.HelmOp, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	spec, d := m.helmOpSpecModel.Expand(ctx)
	diags.Append(d...)
	return &fleet.HelmOp{Object: fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindHelmOp), ObjectMeta: meta}, Spec: spec}, diags
}

func (m *helmOpModel) Flatten(op *fleet.HelmOp, imported bool) {
	m.SetFromServer(op.ObjectMeta, imported)
	m.helmOpSpecModel.Flatten(op)
	if m.WaitForReady.IsNull() {
		m.WaitForReady = types.BoolValue(false)
	}
}

func (m *helmOpSpecModel) Expand(ctx context.Context) (fleet.HelmOpSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	spec := fleet.HelmOpSpec{
		BundleDeploymentOptions: fleet.BundleDeploymentOptions{
			DefaultNamespace:    m.DefaultNamespace.ValueString(),
			TargetNamespace:     m.TargetNamespace.ValueString(),
			ServiceAccount:      m.ServiceAccount.ValueString(),
			ForceSyncGeneration: m.ForceSyncGeneration.ValueInt64(),
			KeepResources:       flex.BoolPtr(m.KeepResources),
			DeleteNamespace:     flex.BoolPtr(m.DeleteNamespace),
			DeleteCRDResources:  flex.BoolPtr(m.DeleteCRDResources),
			CorrectDrift:        m.CorrectDrift.Expand(),
		},
		Paused:                  flex.BoolPtr(m.Paused),
		TargetCustomizationMode: m.TargetCustomizationMode.ValueString(),
		HelmSecretName:          m.HelmSecretName.ValueString(),
		InsecureSkipTLSVerify:   flex.BoolPtr(m.InsecureSkipTLSVerify),
	}
	opts := &spec.BundleDeploymentOptions
	diags.Append(m.NamespaceLabels.ElementsAs(ctx, &opts.NamespaceLabels, false)...)
	diags.Append(m.NamespaceAnnotations.ElementsAs(ctx, &opts.NamespaceAnnotations, false)...)
	diags.Append(m.BundleLabels.ElementsAs(ctx, &spec.Labels, false)...)
	opts.DownstreamResources = expandDownstreamResources(m.DownstreamResources)
	var d diag.Diagnostics
	opts.Helm, d = m.Helm.Expand(ctx)
	diags.Append(d...)
	opts.Diff, d = m.Diff.Expand(ctx)
	diags.Append(d...)
	opts.IgnoreOptions, d = m.Ignore.Expand(ctx)
	diags.Append(d...)
	spec.Targets, d = expandHelmOpTargets(ctx, m.Targets)
	diags.Append(d...)
	spec.RolloutStrategy, d = m.RolloutStrategy.Expand(ctx)
	diags.Append(d...)
	for _, r := range m.BundleDependsOn {
		selector, d := framework.ExpandLabelSelector(ctx, r.Selector)
		diags.Append(d...)
		ref := fleet.BundleRef{Name: r.Name.ValueString(), Selector: selector}
		diags.Append(r.AcceptedStates.ElementsAs(ctx, &ref.AcceptedStates, false)...)
		spec.DependsOn = append(spec.DependsOn, ref)
	}
	spec.PollingInterval, d = flex.ExpandInterval(m.PollingInterval, path.Root("polling_interval"))
	diags.Append(d...)
	return spec, diags
}

func (m *helmOpSpecModel) Flatten(op *fleet.HelmOp) {
	s := op.Spec
	m.Helm = flattenHelmOptions(s.Helm)
	m.Targets = flattenHelmOpTargets(s.Targets)
	m.RolloutStrategy = flattenRolloutStrategy(s.RolloutStrategy)
	m.Diff = flattenDiff(s.Diff)
	m.Ignore = flattenIgnore(s.IgnoreOptions)
	m.TargetCustomizationMode = flex.StringOrNull(s.TargetCustomizationMode)
	m.DefaultNamespace = flex.StringOrNull(s.DefaultNamespace)
	m.TargetNamespace = flex.StringOrNull(s.TargetNamespace)
	m.ServiceAccount = flex.StringOrNull(s.ServiceAccount)
	m.Paused = flex.BoolValue(s.Paused)
	m.PollingInterval = flex.FlattenInterval(s.PollingInterval)
	m.HelmSecretName = flex.StringOrNull(s.HelmSecretName)
	m.InsecureSkipTLSVerify = flex.BoolValue(s.InsecureSkipTLSVerify)
	m.CorrectDrift = flattenCorrectDrift(s.CorrectDrift)
	m.BundleDependsOn = nil
	for _, r := range s.DependsOn {
		m.BundleDependsOn = append(m.BundleDependsOn, bundleRefModel{
			Name: flex.StringOrNull(r.Name), Selector: framework.FlattenLabelSelector(r.Selector), AcceptedStates: flex.StringListOrNull(r.AcceptedStates),
		})
	}
	m.BundleLabels = flex.StringMapOrNull(s.Labels)
	m.ForceSyncGeneration = types.Int64Value(s.ForceSyncGeneration)
	m.KeepResources = flex.BoolValue(s.KeepResources)
	m.DeleteNamespace = flex.BoolValue(s.DeleteNamespace)
	m.DeleteCRDResources = flex.BoolValue(s.DeleteCRDResources)
	m.NamespaceLabels = flex.StringMapOrNull(s.NamespaceLabels)
	m.NamespaceAnnotations = flex.StringMapOrNull(s.NamespaceAnnotations)
	m.DownstreamResources = flattenDownstreamResources(s.DownstreamResources)
	status := op.Status
	if status == nil {
		status = &fleet.HelmOpStatus{}
	}
	m.Version = types.StringValue(status.Version)
	m.deployStatusModel = flattenDeployStatus(status.StatusBase)
}
