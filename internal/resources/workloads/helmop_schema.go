package workloads

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/yamlmap"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// bundleStates are the states a bundle dependency may accept.
var bundleStates = []string{"Ready", "NotReady", "WaitApplied", "ErrApplied", "OutOfSync", "Pending", "Modified"}

func helmOpSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("HelmOp")
	for name, a := range helmOpSpecAttributes() {
		attrs[name] = a
	}
	attrs["helm_credentials"] = helmCredentialsAttribute("HelmOp", "helm_secret_name", helmOpCredentialsSuffix)
	attrs["wait_for_ready"] = waitForReadyAttribute("HelmOp")
	return schema.Schema{
		Description: "A Fleet HelmOp: a Helm chart from a chart repository or OCI registry that Fleet installs " +
			"on the targeted clusters, without git. Optionally manages the chart repository's credentials " +
			"Secret and waits until the release is ready (`wait_for_ready` also reads the HelmOp's Bundle). " +
			compat.Lookup("fleet_helmop", "").Requirement() + " (Fleet v0.12's experimental HelmApp is a different kind, not managed.)",
		Attributes: attrs,
	}
}

func helmOpSpecAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"helm":    helmOptionsAttribute(),
		"targets": targetsAttribute("the chart"),
		"target_customization_mode": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "Fleet's `targetCustomizationMode`: `FirstMatch` applies the first target that matches a cluster, " +
				"`AllMatches` merges all that match. Sent only when set; otherwise Fleet's default (`FirstMatch`) is read back. " +
				"In Fleet v0.16 the mode changes nothing for a HelmOp: Fleet applies it only to bundles with target " +
				"restrictions, which GitRepos make and HelmOps do not, so the first matching target is used either way. " +
				compat.Lookup("fleet_helmop", "target_customization_mode").Requirement(),
			Validators: []validator.String{stringvalidator.OneOf("FirstMatch", "AllMatches")},
		},
		"default_namespace": framework.OptionalString("Namespace for the chart's resources that name none (and of the Helm release).", validate.NamespaceName()),
		"target_namespace": framework.OptionalString("Force every resource of the chart into this namespace; cluster-scoped resources are then rejected. "+
			"(Fleet's `namespace` field.)", validate.NamespaceName()),
		"service_account":          framework.OptionalString("Service account in the downstream clusters that Fleet installs the chart with.", validate.ResourceName()),
		"paused":                   framework.FalseByDefault("Stop deploying changes: they mark the bundle OutOfSync instead."),
		"polling_interval":         intervalAttribute("How often Fleet checks the chart repository for a new version matching `helm.version` (off when unset)."),
		"helm_secret_name":         secretNameAttribute("Name of a Secret with credentials (`username`, `password`) for the chart repository.", "helm_credentials", helmOpCredentialsSuffix),
		"insecure_skip_tls_verify": framework.FalseByDefault("Do not verify the chart repository's TLS certificate."),
		"correct_drift":            correctDriftAttribute(),
		"bundle_depends_on": schema.ListNestedAttribute{
			Optional:    true,
			Description: "Bundles that must be ready before the chart is deployed (Fleet's `dependsOn`).",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"name":     framework.OptionalString("Name of the bundle.", validate.ResourceName()),
					"selector": framework.LabelSelectorAttribute("Selects the bundles by their labels."),
					"accepted_states": schema.ListAttribute{
						Optional: true, ElementType: types.StringType,
						Description: "Bundle states that count as ready; Fleet's default is `[\"Ready\"]`.",
						Validators: []validator.List{listvalidator.SizeAtLeast(1),
							listvalidator.ValueStringsAre(stringvalidator.OneOf(bundleStates...))},
					},
				},
				Validators: []validator.Object{validate.ExactlyOneAttribute("Invalid bundle dependency", "name", "selector")},
			},
		},
		"bundle_labels": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Labels Fleet puts on the HelmOp's bundle, e.g. for another bundle's `bundle_depends_on.selector`.",
			Validators:  []validator.Map{validate.LabelMap()},
		},
		"force_sync_generation": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(0),
			Description: "Increase to make Fleet redeploy the chart. Defaults to `0`.",
			Validators:  []validator.Int64{int64validator.AtLeast(0)},
		},
		"keep_resources":       framework.FalseByDefault("Keep the deployed resources in the clusters when the HelmOp is deleted."),
		"delete_namespace":     framework.FalseByDefault("Delete the namespace the chart was deployed to when the HelmOp is deleted."),
		"delete_crd_resources": framework.FalseByDefault("Delete the chart's CRDs, and so all their objects, when the HelmOp is deleted."),
		"namespace_labels": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Labels for the namespace Fleet creates in the downstream clusters.",
			Validators:  []validator.Map{validate.LabelMap()},
		},
		"namespace_annotations": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "Annotations for the namespace Fleet creates in the downstream clusters.",
			Validators:  []validator.Map{validate.AnnotationMap()},
		},
		"downstream_resources": schema.ListNestedAttribute{
			Optional:    true,
			Description: "Secrets and ConfigMaps of the HelmOp's namespace that Fleet copies to the downstream clusters.",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"kind": schema.StringAttribute{Required: true, Description: "`Secret` or `ConfigMap`.",
					Validators: []validator.String{stringvalidator.OneOf("Secret", "ConfigMap")}},
				"name": schema.StringAttribute{Required: true, Description: "Name of the Secret or ConfigMap.",
					Validators: []validator.String{validate.ResourceName()}},
			}},
		},
		"version": schema.StringAttribute{Computed: true, Description: "The chart version Fleet resolved from `helm.version` and deploys."},
	}
	deployStatusAttributes(attrs, "HelmOp")
	return attrs
}

func helmOptionsAttribute() schema.SingleNestedAttribute {
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
	return schema.SingleNestedAttribute{
		Required:    true,
		Description: "The chart and how Helm installs it.",
		Validators:  []validator.Object{chartSource{}},
		Attributes: map[string]schema.Attribute{
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
			"max_history": schema.Int64Attribute{Optional: true, Description: "Release revisions Helm keeps.",
				Validators: []validator.Int64{int64validator.AtLeast(1)}},
			"atomic":                    framework.FalseByDefault("Roll back a failed upgrade (Helm `--atomic`)."),
			"force":                     framework.FalseByDefault("Replace resources that cannot be updated (Helm `--force`)."),
			"take_ownership":            framework.FalseByDefault("Adopt existing resources not created by Helm."),
			"wait_for_jobs":             framework.FalseByDefault("Wait for the chart's Jobs to complete, up to `timeout_seconds`."),
			"disable_pre_process":       framework.FalseByDefault("Do not render Fleet's `${ }` templates in `values`."),
			"disable_dns":               framework.FalseByDefault("Turn off DNS lookups in the chart's templates."),
			"skip_schema_validation":    framework.FalseByDefault("Do not validate the values against the chart's schema."),
			"disable_dependency_update": framework.FalseByDefault("Do not update the chart's dependencies."),
		},
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
