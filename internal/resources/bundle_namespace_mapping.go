package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

var bundleNamespaceMappingAPI = objectAPI[fleet.BundleNamespaceMapping]{gvr: fleet.BundleNamespaceMappings, kind: fleet.KindBundleNamespaceMapping}

// bundleNamespaceMappingModel is the state of fleet_bundle_namespace_mapping.
type bundleNamespaceMappingModel struct {
	objectMetaModel
	BundleSelector    *labelSelectorModel `tfsdk:"bundle_selector"`
	NamespaceSelector *labelSelectorModel `tfsdk:"namespace_selector"`
	Timeouts          timeouts.Value      `tfsdk:"timeouts"`
}

func (m *bundleNamespaceMappingModel) meta() *objectMetaModel        { return &m.objectMetaModel }
func (m *bundleNamespaceMappingModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (m *bundleNamespaceMappingModel) expand(ctx context.Context) (*fleet.BundleNamespaceMapping, diag.Diagnostics) {
	meta, diags := m.objectMeta(ctx)
	bundles, d := expandLabelSelector(ctx, m.BundleSelector)
	diags.Append(d...)
	namespaces, d := expandLabelSelector(ctx, m.NamespaceSelector)
	diags.Append(d...)
	return &fleet.BundleNamespaceMapping{
		Object:            fleet.Object{TypeMeta: typeMeta(fleet.KindBundleNamespaceMapping), ObjectMeta: meta},
		BundleSelector:    bundles,
		NamespaceSelector: namespaces,
	}, diags
}

func (m *bundleNamespaceMappingModel) flatten(b *fleet.BundleNamespaceMapping, imported bool) {
	m.setFromServer(b.ObjectMeta, imported)
	m.BundleSelector = flattenLabelSelector(b.BundleSelector)
	m.NamespaceSelector = flattenLabelSelector(b.NamespaceSelector)
}

// NewBundleNamespaceMappingResource is fleet_bundle_namespace_mapping.
func NewBundleNamespaceMappingResource() resource.Resource {
	return &objectResource[fleet.BundleNamespaceMapping, bundleNamespaceMappingModel, *bundleNamespaceMappingModel]{
		typeSuffix: "_bundle_namespace_mapping",
		api:        bundleNamespaceMappingAPI,
		schema:     bundleNamespaceMappingSchema,
	}
}

// requiredSelector is a label selector that must be set: Fleet ignores a
// mapping that lacks either selector, so leaving one out is a mistake.
func requiredSelector(description string) schema.SingleNestedAttribute {
	a := labelSelectorAttribute(description + " An empty selector (`{}`) selects all.")
	a.Optional, a.Required = false, true
	return a
}

func bundleNamespaceMappingSchema(ctx context.Context) schema.Schema {
	attrs := objectMetaAttributes("bundle namespace mapping")
	attrs["bundle_selector"] = requiredSelector("Selects, by their labels, the bundles of the mapping's namespace that may target clusters of other namespaces.")
	attrs["namespace_selector"] = requiredSelector("Selects, by their labels on the Fleet management cluster, the namespaces (Fleet workspaces) " +
		"whose clusters and cluster groups the selected bundles may target.")
	return schema.Schema{
		Description: "A Fleet BundleNamespaceMapping: lets the bundles (from GitRepos and HelmOps) of its namespace target the " +
			"clusters of other namespaces. Fleet evaluates the targets of the selected bundles against the clusters and " +
			"cluster groups of every namespace the namespace selector matches, in addition to their own namespace.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}
