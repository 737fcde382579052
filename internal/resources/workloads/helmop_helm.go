package workloads

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/yamlmap"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// helmChartModel is what `helm` of fleet_helmop and `helm` of each of its
// targets have in common: the chart, its values and how Helm runs. A
// target's `helm` has only these, the options Fleet merges per target
// (options.Merge of Fleet v0.16).
type helmChartModel struct {
	Chart             types.String      `tfsdk:"chart"`
	Repo              types.String      `tfsdk:"repo"`
	Version           types.String      `tfsdk:"version"`
	ReleaseName       types.String      `tfsdk:"release_name"`
	Values            yamlmap.Value     `tfsdk:"values"`
	TemplateValues    types.Map         `tfsdk:"template_values"`
	ValuesFrom        []valuesFromModel `tfsdk:"values_from"`
	TimeoutSeconds    types.Int64       `tfsdk:"timeout_seconds"`
	Atomic            types.Bool        `tfsdk:"atomic"`
	Force             types.Bool        `tfsdk:"force"`
	TakeOwnership     types.Bool        `tfsdk:"take_ownership"`
	WaitForJobs       types.Bool        `tfsdk:"wait_for_jobs"`
	DisablePreProcess types.Bool        `tfsdk:"disable_pre_process"`
	DisableDNS        types.Bool        `tfsdk:"disable_dns"`
}

// helmOptionsModel is the HelmOp's `helm`: the common part and the options
// Fleet reads only there.
type helmOptionsModel struct {
	helmChartModel
	MaxHistory              types.Int64 `tfsdk:"max_history"`
	SkipSchemaValidation    types.Bool  `tfsdk:"skip_schema_validation"`
	DisableDependencyUpdate types.Bool  `tfsdk:"disable_dependency_update"`
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

// helmFlag makes one Helm switch; the HelmOp's default to false, a target's
// are unset unless given.
type helmFlag func(description string) schema.BoolAttribute

func helmOptionsAttribute() schema.SingleNestedAttribute {
	attrs := helmChartAttributes(framework.FalseByDefault)
	attrs["max_history"] = schema.Int64Attribute{Optional: true, Description: "Release revisions Helm keeps.",
		Validators: []validator.Int64{int64validator.AtLeast(1)}}
	attrs["skip_schema_validation"] = framework.FalseByDefault("Do not validate the values against the chart's schema.")
	attrs["disable_dependency_update"] = framework.FalseByDefault("Do not update the chart's dependencies.")
	return schema.SingleNestedAttribute{
		Required:    true,
		Description: "The chart and how Helm installs it.",
		Validators:  []validator.Object{chartSource{}},
		Attributes:  attrs,
	}
}

func helmChartAttributes(flag helmFlag) map[string]schema.Attribute {
	keyRef := func(kind string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			Optional:    true,
			Description: "A key of a " + kind + " holding values (YAML).",
			Attributes: map[string]schema.Attribute{
				"name":      schema.StringAttribute{Required: true, Description: "Name of the " + kind + ".", Validators: []validator.String{validate.ResourceName()}},
				"namespace": framework.OptionalString("Namespace of the "+kind+" in the downstream cluster; defaults to the release's.", validate.NamespaceName()),
				"key":       schema.StringAttribute{Required: true, Description: "The key.", Validators: framework.NonEmptyString()},
			},
		}
	}
	return map[string]schema.Attribute{
		"chart": framework.OptionalString("Chart name in `repo` (an HTTP(S) chart repository), or the URL of a chart archive "+
			"(`.tgz`) without `repo` and `version`. Leave it unset for an OCI chart: `repo` then holds the whole "+
			"`oci://` reference, as Fleet requires. Fleet's HelmOp field `chart`, the name `helm_release` uses too.",
			validate.URLPassword("set helm_credentials (or helm_secret_name) instead")),
		"repo": framework.OptionalString("URL of the chart repository (`https://` or `oci://`): Fleet's HelmOp field `repo`, "+
			"which `helm_release` and `fleet_agent.chart` call `repository`. Not sensitive: give credentials "+
			"with `helm_credentials`, not in the URL.",
			validate.ChartRepositoryURL(), validate.URLPassword("set helm_credentials (or helm_secret_name) instead")),
		"version": framework.OptionalString("Chart version or semver constraint as Helm reads it (e.g. `1.2.3`, `^1.2`, "+
			"`>= 1.0 < 2.0`); unset, the latest.", validate.VersionConstraint()),
		"release_name": framework.OptionalString("Name of the Helm release (at most 53 characters); unset, Fleet derives one.",
			stringvalidator.LengthAtMost(53), validate.ResourceName()),
		"values": schema.StringAttribute{
			Optional: true, CustomType: yamlmap.Type{},
			PlanModifiers: []planmodifier.String{framework.KeepStateSpelling(semantic.Same[yamlmap.Meaning])},
			Description: "Helm values as a YAML or JSON mapping, e.g. `yamlencode({...})` or a heredoc. Only the data " +
				"counts: formatting, comments, key order and YAML vs JSON never show as a change. May hold " +
				"Fleet's `${ }` templates.",
		},
		"template_values": schema.MapAttribute{Optional: true, ElementType: types.StringType,
			Description: "Values rendered per cluster as Go templates, one key each, merged over `values`."},
		"values_from": schema.ListNestedAttribute{
			Optional:    true,
			Description: "ConfigMap and Secret keys in the downstream clusters to read more values from.",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"config_map_key_ref": keyRef("ConfigMap"),
					"secret_key_ref":     keyRef("Secret"),
				},
				Validators: []validator.Object{validate.ExactlyOneAttribute("Invalid values source", "config_map_key_ref", "secret_key_ref")},
			},
		},
		"timeout_seconds": schema.Int64Attribute{Optional: true, Description: "Timeout of Helm operations, in seconds.",
			Validators: []validator.Int64{int64validator.AtLeast(1)}},
		"atomic":              flag("Roll back a failed upgrade (Helm `--atomic`)."),
		"force":               flag("Replace resources that cannot be updated (Helm `--force`)."),
		"take_ownership":      flag("Adopt existing resources not created by Helm."),
		"wait_for_jobs":       flag("Wait for the chart's Jobs to complete, up to `timeout_seconds`."),
		"disable_pre_process": flag("Do not render Fleet's `${ }` templates in `values`."),
		"disable_dns":         flag("Turn off DNS lookups in the chart's templates."),
	}
}

// chartSource checks offline the chart/repo/version combinations Fleet's
// helmops controller accepts (v0.16, helmop_controller.go): a .tgz chart
// without repo and version; an oci:// repo without chart; otherwise both
// chart and repo.
type chartSource struct{}

func (chartSource) Description(context.Context) string {
	return "chart and repo must form a source Fleet accepts: chart .tgz alone, repo oci:// alone, or chart with an HTTP(S) repo"
}

func (v chartSource) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (chartSource) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	chart, _ := attrs["chart"].(types.String)
	repo, _ := attrs["repo"].(types.String)
	version, _ := attrs["version"].(types.String)
	if chart.IsUnknown() || repo.IsUnknown() || version.IsUnknown() {
		return
	}
	c, r := strings.ToLower(chart.ValueString()), strings.ToLower(repo.ValueString())
	fail := func(at, detail string) {
		resp.Diagnostics.AddAttributeError(req.Path.AtName(at), "Invalid chart source", validate.Detail(req.Path.AtName(at), detail))
	}
	switch {
	case strings.HasSuffix(c, ".tgz"):
		if r != "" {
			fail("repo", "a chart archive (.tgz) is fetched by its URL: leave repo unset")
		}
		if !version.IsNull() {
			fail("version", "a chart archive (.tgz) has its version: leave version unset")
		}
	case strings.HasPrefix(r, "oci://"):
		if c != "" {
			fail("chart", "for an OCI chart, repo holds the whole oci:// reference: leave chart unset")
		}
	case c == "":
		fail("chart", "set chart (a name in repo, or a .tgz URL), or an oci:// repo")
	case r == "":
		fail("repo", "a chart name needs repo, the chart repository URL")
	}
}

func (h *helmOptionsModel) Expand(ctx context.Context) (*fleet.HelmOptions, diag.Diagnostics) {
	if h == nil {
		return nil, nil
	}
	out, diags := h.helmChartModel.Expand(ctx, path.Root("helm"))
	out.MaxHistory = int(h.MaxHistory.ValueInt64())
	out.SkipSchemaValidation = flex.BoolPtr(h.SkipSchemaValidation)
	out.DisableDependencyUpdate = flex.BoolPtr(h.DisableDependencyUpdate)
	return out, diags
}

// Expand converts the common part; at is the attribute's path, for errors.
func (h *helmChartModel) Expand(ctx context.Context, at path.Path) (*fleet.HelmOptions, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := &fleet.HelmOptions{
		Chart:             h.Chart.ValueString(),
		Repo:              h.Repo.ValueString(),
		Version:           h.Version.ValueString(),
		ReleaseName:       h.ReleaseName.ValueString(),
		TimeoutSeconds:    int(h.TimeoutSeconds.ValueInt64()),
		Atomic:            flex.BoolPtr(h.Atomic),
		Force:             flex.BoolPtr(h.Force),
		TakeOwnership:     flex.BoolPtr(h.TakeOwnership),
		WaitForJobs:       flex.BoolPtr(h.WaitForJobs),
		DisablePreProcess: flex.BoolPtr(h.DisablePreProcess),
		DisableDNS:        flex.BoolPtr(h.DisableDNS),
	}
	if !h.Values.IsNull() && !h.Values.IsUnknown() {
		values, err := yamlmap.JSON(h.Values)
		if err != nil {
			diags.AddAttributeError(at.AtName("values"), "Invalid YAML mapping", validate.Detail(at.AtName("values"), err.Error()))
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

func flattenHelmOptions(h *fleet.HelmOptions) *helmOptionsModel {
	if h == nil {
		return nil
	}
	return &helmOptionsModel{
		helmChartModel:          flattenHelmChart(h, flex.BoolValue),
		MaxHistory:              flex.NonZeroInt64(int64(h.MaxHistory)),
		SkipSchemaValidation:    flex.BoolValue(h.SkipSchemaValidation),
		DisableDependencyUpdate: flex.BoolValue(h.DisableDependencyUpdate),
	}
}

// flattenHelmChart reads the common part; flag reads a switch (false or
// null when Fleet omits it).
func flattenHelmChart(h *fleet.HelmOptions, flag func(*bool) types.Bool) helmChartModel {
	values, err := yamlmap.FromJSON(h.Values)
	if err != nil {
		// Not a mapping on the server: show it as is, so the plan replaces it.
		values = yamlmap.NewValue(string(h.Values))
	}
	out := helmChartModel{
		Chart:             flex.StringOrNull(h.Chart),
		Repo:              flex.StringOrNull(h.Repo),
		Version:           flex.StringOrNull(h.Version),
		ReleaseName:       flex.StringOrNull(h.ReleaseName),
		Values:            values,
		TemplateValues:    flex.StringMapOrNull(h.TemplateValues),
		TimeoutSeconds:    flex.NonZeroInt64(int64(h.TimeoutSeconds)),
		Atomic:            flag(h.Atomic),
		Force:             flag(h.Force),
		TakeOwnership:     flag(h.TakeOwnership),
		WaitForJobs:       flag(h.WaitForJobs),
		DisablePreProcess: flag(h.DisablePreProcess),
		DisableDNS:        flag(h.DisableDNS),
	}
	for _, v := range h.ValuesFrom {
		out.ValuesFrom = append(out.ValuesFrom, valuesFromModel{
			ConfigMapKeyRef: flattenKeyRef(v.ConfigMapKeyRef),
			SecretKeyRef:    flattenKeyRef((*keySelector)(v.SecretKeyRef)),
		})
	}
	return out
}
