package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
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
		"targets": helmOpTargetsAttribute(),
		"target_customization_mode": schema.StringAttribute{
			Optional: true, Computed: true,
			Description: "Fleet's `targetCustomizationMode`: with `FirstMatch` a cluster gets the options of the first " +
				"target it matches, with `AllMatches` those of every target it matches, merged in order. Fleet v0.16 " +
				"merges only the `targetCustomizations` of a GitRepo's `fleet.yaml` that way: a HelmOp's targets are " +
				"not customizations to it, so a cluster gets the first matching target's options in both modes (the " +
				"provider warns when `AllMatches` is set). Sent only when set; otherwise Fleet's default " +
				"(`FirstMatch`) is read back. " + compat.Lookup("fleet_helmop", "target_customization_mode").Requirement(),
			Validators: []validator.String{stringvalidator.OneOf("FirstMatch", "AllMatches"), allMatchesHasNoEffect{}},
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
		"downstream_resources": downstreamResourcesAttribute(""),
		"rollout_strategy":     rolloutStrategyAttribute(),
		"diff":                 diffAttribute(""),
		"ignore":               ignoreAttribute(),
		"version":              schema.StringAttribute{Computed: true, Description: "The chart version Fleet resolved from `helm.version` and deploys."},
	}
	deployStatusAttributes(attrs, "HelmOp")
	return attrs
}

// allMatchesHasNoEffect warns that AllMatches changes nothing for a HelmOp
// in Fleet v0.16 (target/matcher/bundlematch.go: a target counts as a
// customization only in a bundle with target restrictions, which the HelmOp
// controller never writes).
type allMatchesHasNoEffect struct{}

func (allMatchesHasNoEffect) Description(context.Context) string {
	return "AllMatches has no effect on a HelmOp in Fleet v0.16"
}

func (v allMatchesHasNoEffect) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (allMatchesHasNoEffect) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.ValueString() == "AllMatches" {
		resp.Diagnostics.AddAttributeWarning(req.Path, "AllMatches has no effect on a HelmOp", validate.Detail(req.Path,
			"Fleet v0.16 gives each cluster the options of the first target it matches, in both modes: AllMatches merges "+
				"only the targetCustomizations of a GitRepo's fleet.yaml. Order the targets so that the first match is the "+
				"one meant, or remove target_customization_mode."))
	}
}
