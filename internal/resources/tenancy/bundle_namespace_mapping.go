package tenancy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

var bundleNamespaceMappingAPI = framework.ObjectAPI[fleet.BundleNamespaceMapping]{GVR: fleet.BundleNamespaceMappings, Kind: fleet.KindBundleNamespaceMapping}

// bundleNamespaceMappingModel is the state of fleet_bundle_namespace_mapping.
type bundleNamespaceMappingModel struct {
	framework.ObjectMetaModel
	BundleSelector    *framework.LabelSelectorModel `tfsdk:"bundle_selector"`
	NamespaceSelector *framework.LabelSelectorModel `tfsdk:"namespace_selector"`
	Timeouts          timeouts.Value                `tfsdk:"timeouts"`
}

func (m *bundleNamespaceMappingModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *bundleNamespaceMappingModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *bundleNamespaceMappingModel) Expand(ctx context.Context) (*fleet.BundleNamespaceMapping, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	bundles, d := framework.ExpandLabelSelector(ctx, m.BundleSelector)
	diags.Append(d...)
	namespaces, d := framework.ExpandLabelSelector(ctx, m.NamespaceSelector)
	diags.Append(d...)
	return &fleet.BundleNamespaceMapping{
		Object:            fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindBundleNamespaceMapping), ObjectMeta: meta},
		BundleSelector:    bundles,
		NamespaceSelector: namespaces,
	}, diags
}

func (m *bundleNamespaceMappingModel) Flatten(b *fleet.BundleNamespaceMapping, imported bool) {
	m.SetFromServer(b.ObjectMeta, imported)
	m.BundleSelector = framework.FlattenLabelSelector(b.BundleSelector)
	m.NamespaceSelector = framework.FlattenLabelSelector(b.NamespaceSelector)
}

// bundleNamespaceMappingResource is fleet_bundle_namespace_mapping on the generic object resource.
type bundleNamespaceMappingResource = framework.ObjectResource[fleet.BundleNamespaceMapping, bundleNamespaceMappingModel, *bundleNamespaceMappingModel]

var (
	_ resource.ResourceWithImportState = (*bundleNamespaceMappingResource)(nil)
	_ resource.ResourceWithIdentity    = (*bundleNamespaceMappingResource)(nil)
)

// NewBundleNamespaceMappingResource is fleet_bundle_namespace_mapping.
func NewBundleNamespaceMappingResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.BundleNamespaceMapping, bundleNamespaceMappingModel]{
		TypeName: "fleet_bundle_namespace_mapping",
		API:      bundleNamespaceMappingAPI,
		Schema:   bundleNamespaceMappingSchema,
	})
}

// requiredSelector is a label selector that must be set: Fleet ignores a
// mapping that lacks either selector, so leaving one out is a mistake.
func requiredSelector(description string) schema.SingleNestedAttribute {
	a := framework.LabelSelectorAttribute(description + " An empty selector (`{}`) selects all.")
	a.Optional, a.Required = false, true
	return a
}

func bundleNamespaceMappingSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("bundle namespace mapping")
	attrs["bundle_selector"] = requiredSelector("Selects, by their labels, the bundles of the mapping's namespace that may target clusters of other namespaces.")
	attrs["namespace_selector"] = requiredSelector("Selects, by their labels on the Fleet management cluster, the namespaces (Fleet workspaces) " +
		"whose clusters and cluster groups the selected bundles may target.")
	return schema.Schema{
		Description: "A Fleet BundleNamespaceMapping: lets the bundles (from GitRepos and HelmOps) of its namespace target the " +
			"clusters of other namespaces. Fleet evaluates the targets of the selected bundles against the clusters and " +
			"cluster groups of every namespace the namespace selector matches, in addition to their own namespace.",
		Attributes: attrs,
	}
}
