package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// helmOpTargetModel is one entry of fleet_helmop's `targets`: the clusters
// it selects and what Fleet changes for them. Only the options Fleet v0.16
// merges per target are here (options.Merge, and target.go for the
// namespace labels); the CRD accepts more, which Fleet ignores per target.
type helmOpTargetModel struct {
	targetModel
	DoNotDeploy          types.Bool                `tfsdk:"do_not_deploy"`
	Helm                 *helmChartModel           `tfsdk:"helm"`
	DefaultNamespace     types.String              `tfsdk:"default_namespace"`
	TargetNamespace      types.String              `tfsdk:"target_namespace"`
	ServiceAccount       types.String              `tfsdk:"service_account"`
	ForceSyncGeneration  types.Int64               `tfsdk:"force_sync_generation"`
	KeepResources        types.Bool                `tfsdk:"keep_resources"`
	CorrectDrift         *correctDriftModel        `tfsdk:"correct_drift"`
	Diff                 *diffModel                `tfsdk:"diff"`
	NamespaceLabels      types.Map                 `tfsdk:"namespace_labels"`
	NamespaceAnnotations types.Map                 `tfsdk:"namespace_annotations"`
	DownstreamResources  []downstreamResourceModel `tfsdk:"downstream_resources"`
}

// targetFlag is a switch of a target: unset keeps the HelmOp's, and Fleet
// ORs it with the HelmOp's, so only true changes anything.
func targetFlag(description string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true,
		Description: description + " `true` turns it on for these clusters; unset or `false` keeps the HelmOp's."}
}

func helmOpTargetsAttribute() schema.ListNestedAttribute {
	targets := targetsAttribute("the chart")
	targets.Description = "Clusters to install the chart on, and what to change for them. Fleet tries the entries in order " +
		"and uses the first one a cluster matches (it matches when it meets every criterion set in the entry): that " +
		"entry's options, merged over the HelmOp's, are what the cluster gets. A cluster no entry matches gets nothing. " +
		"Unset, Fleet installs on the cluster group `default` of the namespace."
	attrs := targets.NestedObject.Attributes
	attrs["do_not_deploy"] = schema.BoolAttribute{Optional: true,
		Description: "Keep the chart off the clusters this entry matches. As the first match wins, put it before broader entries."}
	helm := helmChartAttributes(targetFlag)
	attrs["helm"] = schema.SingleNestedAttribute{
		Optional: true,
		Description: "Changes to `helm` for these clusters, merged by Fleet over the HelmOp's: `values` key by key (nested " +
			"mappings too) and `template_values` key by key, `values_from` added to the HelmOp's; `chart`, `repo`, " +
			"`version`, `release_name` and `timeout_seconds` replace the HelmOp's when set. Fleet fills an unset `chart`, " +
			"`repo` and `version` from the HelmOp's. `max_history`, `skip_schema_validation` and " +
			"`disable_dependency_update` exist only on the HelmOp: Fleet does not read them per target.",
		Attributes: helm,
	}
	attrs["default_namespace"] = framework.OptionalString("Replaces `default_namespace` for these clusters.", validate.NamespaceName())
	attrs["target_namespace"] = framework.OptionalString("Replaces `target_namespace` for these clusters.", validate.NamespaceName())
	attrs["service_account"] = framework.OptionalString("Replaces `service_account` for these clusters.", validate.ResourceName())
	attrs["force_sync_generation"] = schema.Int64Attribute{Optional: true,
		Description: "Replaces `force_sync_generation` for these clusters: increase it to redeploy to them alone.",
		Validators:  []validator.Int64{int64validator.AtLeast(1)}}
	attrs["keep_resources"] = targetFlag("Keep the deployed resources in these clusters when the HelmOp is deleted.")
	attrs["correct_drift"] = schema.SingleNestedAttribute{
		Optional:    true,
		Description: "Replaces `correct_drift` for these clusters.",
		Attributes:  correctDriftAttributes(),
	}
	attrs["diff"] = diffAttribute(", added to the HelmOp's `diff` for these clusters")
	attrs["namespace_labels"] = schema.MapAttribute{Optional: true, ElementType: types.StringType,
		Description: "Labels for the namespace Fleet creates. Fleet v0.16 puts the namespace labels of every entry on the " +
			"namespace in every targeted cluster, not only in the clusters this entry matches.",
		Validators: []validator.Map{validate.LabelMap()}}
	attrs["namespace_annotations"] = schema.MapAttribute{Optional: true, ElementType: types.StringType,
		Description: "Annotations for the namespace Fleet creates; like `namespace_labels`, Fleet v0.16 puts those of " +
			"every entry on the namespace in every targeted cluster.",
		Validators: []validator.Map{validate.AnnotationMap()}}
	attrs["downstream_resources"] = downstreamResourcesAttribute(", added to the HelmOp's for these clusters")
	return targets
}

func downstreamResourcesAttribute(scope string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional:    true,
		Description: "Secrets and ConfigMaps of the HelmOp's namespace that Fleet copies to the downstream clusters" + scope + ".",
		Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"kind": schema.StringAttribute{Required: true, Description: "`Secret` or `ConfigMap`.",
				Validators: []validator.String{stringvalidator.OneOf("Secret", "ConfigMap")}},
			"name": schema.StringAttribute{Required: true, Description: "Name of the Secret or ConfigMap.",
				Validators: []validator.String{validate.ResourceName()}},
		}},
	}
}

func expandHelmOpTargets(ctx context.Context, targets []helmOpTargetModel) ([]fleet.BundleTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	var out []fleet.BundleTarget
	for i, t := range targets {
		selection, d := t.targetModel.expand(ctx)
		diags.Append(d...)
		target := fleet.BundleTarget{
			Name: selection.Name, ClusterName: selection.ClusterName, ClusterSelector: selection.ClusterSelector,
			ClusterGroup: selection.ClusterGroup, ClusterGroupSelector: selection.ClusterGroupSelector,
			DoNotDeploy: flex.BoolPtr(t.DoNotDeploy),
			BundleDeploymentOptions: fleet.BundleDeploymentOptions{
				DefaultNamespace:    t.DefaultNamespace.ValueString(),
				TargetNamespace:     t.TargetNamespace.ValueString(),
				ServiceAccount:      t.ServiceAccount.ValueString(),
				ForceSyncGeneration: t.ForceSyncGeneration.ValueInt64(),
				KeepResources:       flex.BoolPtr(t.KeepResources),
				CorrectDrift:        t.CorrectDrift.Expand(),
				DownstreamResources: expandDownstreamResources(t.DownstreamResources),
			},
		}
		opts := &target.BundleDeploymentOptions
		if t.Helm != nil {
			opts.Helm, d = t.Helm.Expand(ctx, path.Root("targets").AtListIndex(i).AtName("helm"))
			diags.Append(d...)
		}
		opts.Diff, d = t.Diff.Expand(ctx)
		diags.Append(d...)
		diags.Append(t.NamespaceLabels.ElementsAs(ctx, &opts.NamespaceLabels, false)...)
		diags.Append(t.NamespaceAnnotations.ElementsAs(ctx, &opts.NamespaceAnnotations, false)...)
		out = append(out, target)
	}
	return out, diags
}

func flattenHelmOpTargets(targets []fleet.BundleTarget) []helmOpTargetModel {
	var out []helmOpTargetModel
	for _, t := range targets {
		m := helmOpTargetModel{
			targetModel: flattenTarget(fleet.GitTarget{
				Name: t.Name, ClusterName: t.ClusterName, ClusterSelector: t.ClusterSelector,
				ClusterGroup: t.ClusterGroup, ClusterGroupSelector: t.ClusterGroupSelector,
			}),
			DoNotDeploy:          flex.BoolOrNull(t.DoNotDeploy),
			DefaultNamespace:     flex.StringOrNull(t.DefaultNamespace),
			TargetNamespace:      flex.StringOrNull(t.TargetNamespace),
			ServiceAccount:       flex.StringOrNull(t.ServiceAccount),
			ForceSyncGeneration:  flex.NonZeroInt64(t.ForceSyncGeneration),
			KeepResources:        flex.BoolOrNull(t.KeepResources),
			Diff:                 flattenDiff(t.Diff),
			NamespaceLabels:      flex.StringMapOrNull(t.NamespaceLabels),
			NamespaceAnnotations: flex.StringMapOrNull(t.NamespaceAnnotations),
			DownstreamResources:  flattenDownstreamResources(t.DownstreamResources),
		}
		if t.Helm != nil {
			helm := flattenHelmChart(t.Helm, flex.BoolOrNull)
			m.Helm = &helm
		}
		if t.CorrectDrift != nil {
			m.CorrectDrift = flattenCorrectDrift(t.CorrectDrift)
		}
		out = append(out, m)
	}
	return out
}

func expandDownstreamResources(resources []downstreamResourceModel) []fleet.DownstreamResource {
	var out []fleet.DownstreamResource
	for _, r := range resources {
		out = append(out, fleet.DownstreamResource{Kind: r.Kind.ValueString(), Name: r.Name.ValueString()})
	}
	return out
}

func flattenDownstreamResources(resources []fleet.DownstreamResource) []downstreamResourceModel {
	var out []downstreamResourceModel
	for _, r := range resources {
		out = append(out, downstreamResourceModel{Kind: flex.StringOrNull(r.Kind), Name: flex.StringOrNull(r.Name)})
	}
	return out
}
