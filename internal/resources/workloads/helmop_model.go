package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/yamlmap"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// helmOpSpecModel is the spec and status of a HelmOp.
type helmOpSpecModel struct {
	Helm                    *helmOptionsModel         `tfsdk:"helm"`
	Targets                 []targetModel             `tfsdk:"targets"`
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
	Version                 types.String              `tfsdk:"version"`
	deployStatusModel
}

// helmOptionsModel is `helm`: the chart and how Helm installs it.
type helmOptionsModel struct {
	Chart                   types.String      `tfsdk:"chart"`
	Repo                    types.String      `tfsdk:"repo"`
	Version                 types.String      `tfsdk:"version"`
	ReleaseName             types.String      `tfsdk:"release_name"`
	Values                  yamlmap.Value     `tfsdk:"values"`
	TemplateValues          types.Map         `tfsdk:"template_values"`
	ValuesFrom              []valuesFromModel `tfsdk:"values_from"`
	TimeoutSeconds          types.Int64       `tfsdk:"timeout_seconds"`
	MaxHistory              types.Int64       `tfsdk:"max_history"`
	Atomic                  types.Bool        `tfsdk:"atomic"`
	Force                   types.Bool        `tfsdk:"force"`
	TakeOwnership           types.Bool        `tfsdk:"take_ownership"`
	WaitForJobs             types.Bool        `tfsdk:"wait_for_jobs"`
	DisablePreProcess       types.Bool        `tfsdk:"disable_pre_process"`
	DisableDNS              types.Bool        `tfsdk:"disable_dns"`
	SkipSchemaValidation    types.Bool        `tfsdk:"skip_schema_validation"`
	DisableDependencyUpdate types.Bool        `tfsdk:"disable_dependency_update"`
}

type valuesFromModel struct {
	ConfigMapKeyRef *keyRefModel `tfsdk:"config_map_key_ref"`
	SecretKeyRef    *keyRefModel `tfsdk:"secret_key_ref"`
}

type keyRefModel struct {
	Name      types.String `tfsdk:"name"`
	Namespace types.String `tfsdk:"namespace"`
	Key       types.String `tfsdk:"key"`
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
	for _, r := range m.DownstreamResources {
		opts.DownstreamResources = append(opts.DownstreamResources, fleet.DownstreamResource{Kind: r.Kind.ValueString(), Name: r.Name.ValueString()})
	}
	helm, d := m.Helm.Expand(ctx)
	diags.Append(d...)
	opts.Helm = helm
	targets, d := expandTargets(ctx, m.Targets)
	diags.Append(d...)
	spec.Targets = bundleTargets(targets)
	for _, r := range m.BundleDependsOn {
		selector, d := framework.ExpandLabelSelector(ctx, r.Selector)
		diags.Append(d...)
		ref := fleet.BundleRef{Name: r.Name.ValueString(), Selector: selector}
		diags.Append(r.AcceptedStates.ElementsAs(ctx, &ref.AcceptedStates, false)...)
		spec.DependsOn = append(spec.DependsOn, ref)
	}
	var d2 diag.Diagnostics
	spec.PollingInterval, d2 = flex.ExpandInterval(m.PollingInterval, path.Root("polling_interval"))
	diags.Append(d2...)
	return spec, diags
}

func (h *helmOptionsModel) Expand(ctx context.Context) (*fleet.HelmOptions, diag.Diagnostics) {
	var diags diag.Diagnostics
	if h == nil {
		return nil, diags
	}
	out := &fleet.HelmOptions{
		Chart:                   h.Chart.ValueString(),
		Repo:                    h.Repo.ValueString(),
		Version:                 h.Version.ValueString(),
		ReleaseName:             h.ReleaseName.ValueString(),
		TimeoutSeconds:          int(h.TimeoutSeconds.ValueInt64()),
		MaxHistory:              int(h.MaxHistory.ValueInt64()),
		Atomic:                  flex.BoolPtr(h.Atomic),
		Force:                   flex.BoolPtr(h.Force),
		TakeOwnership:           flex.BoolPtr(h.TakeOwnership),
		WaitForJobs:             flex.BoolPtr(h.WaitForJobs),
		DisablePreProcess:       flex.BoolPtr(h.DisablePreProcess),
		DisableDNS:              flex.BoolPtr(h.DisableDNS),
		SkipSchemaValidation:    flex.BoolPtr(h.SkipSchemaValidation),
		DisableDependencyUpdate: flex.BoolPtr(h.DisableDependencyUpdate),
	}
	if !h.Values.IsNull() && !h.Values.IsUnknown() {
		values, err := yamlmap.JSON(h.Values)
		if err != nil {
			diags.AddAttributeError(path.Root("helm").AtName("values"), "Invalid YAML mapping", validate.Detail(path.Root("helm").AtName("values"), err.Error()))
		}
		out.Values = values
	}
	diags.Append(h.TemplateValues.ElementsAs(ctx, &out.TemplateValues, false)...)
	for _, v := range h.ValuesFrom {
		out.ValuesFrom = append(out.ValuesFrom, fleet.ValuesFrom{
			ConfigMapKeyRef: (*fleet.ConfigMapKeySelector)(v.ConfigMapKeyRef.Expand()),
			SecretKeyRef:    (*fleet.SecretKeySelector)(v.SecretKeyRef.Expand()),
		})
	}
	return out, diags
}

// keySelector is the shape both ConfigMap and Secret key selectors share.
type keySelector = fleet.ConfigMapKeySelector

func (k *keyRefModel) Expand() *keySelector {
	if k == nil {
		return nil
	}
	return &keySelector{Name: k.Name.ValueString(), Namespace: k.Namespace.ValueString(), Key: k.Key.ValueString()}
}

func flattenKeyRef(k *keySelector) *keyRefModel {
	if k == nil {
		return nil
	}
	return &keyRefModel{Name: flex.StringOrNull(k.Name), Namespace: flex.StringOrNull(k.Namespace), Key: flex.StringOrNull(k.Key)}
}

func (m *helmOpSpecModel) Flatten(op *fleet.HelmOp) {
	s := op.Spec
	m.Helm = flattenHelmOptions(s.Helm)
	m.Targets = flattenTargets(gitTargets(s.Targets))
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
	m.DownstreamResources = nil
	for _, r := range s.DownstreamResources {
		m.DownstreamResources = append(m.DownstreamResources, downstreamResourceModel{Kind: flex.StringOrNull(r.Kind), Name: flex.StringOrNull(r.Name)})
	}
	status := op.Status
	if status == nil {
		status = &fleet.HelmOpStatus{}
	}
	m.Version = types.StringValue(status.Version)
	m.deployStatusModel = flattenDeployStatus(status.StatusBase)
}

func flattenHelmOptions(h *fleet.HelmOptions) *helmOptionsModel {
	if h == nil {
		return nil
	}
	values, err := yamlmap.FromJSON(h.Values)
	if err != nil {
		// Not a mapping on the server: show it as is, so the plan replaces it.
		values = yamlmap.NewValue(string(h.Values))
	}
	out := &helmOptionsModel{
		Chart:                   flex.StringOrNull(h.Chart),
		Repo:                    flex.StringOrNull(h.Repo),
		Version:                 flex.StringOrNull(h.Version),
		ReleaseName:             flex.StringOrNull(h.ReleaseName),
		Values:                  values,
		TemplateValues:          flex.StringMapOrNull(h.TemplateValues),
		TimeoutSeconds:          flex.NonZeroInt64(int64(h.TimeoutSeconds)),
		MaxHistory:              flex.NonZeroInt64(int64(h.MaxHistory)),
		Atomic:                  flex.BoolValue(h.Atomic),
		Force:                   flex.BoolValue(h.Force),
		TakeOwnership:           flex.BoolValue(h.TakeOwnership),
		WaitForJobs:             flex.BoolValue(h.WaitForJobs),
		DisablePreProcess:       flex.BoolValue(h.DisablePreProcess),
		DisableDNS:              flex.BoolValue(h.DisableDNS),
		SkipSchemaValidation:    flex.BoolValue(h.SkipSchemaValidation),
		DisableDependencyUpdate: flex.BoolValue(h.DisableDependencyUpdate),
	}
	for _, v := range h.ValuesFrom {
		out.ValuesFrom = append(out.ValuesFrom, valuesFromModel{
			ConfigMapKeyRef: flattenKeyRef(v.ConfigMapKeyRef),
			SecretKeyRef:    flattenKeyRef((*keySelector)(v.SecretKeyRef)),
		})
	}
	return out
}
