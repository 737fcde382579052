package framework

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// ObjectMetaModel is the part every namespaced resource's model starts with.
type ObjectMetaModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Namespace   types.String `tfsdk:"namespace"`
	Labels      types.Map    `tfsdk:"labels"`
	Annotations types.Map    `tfsdk:"annotations"`
}

// ObjectMetaAttributes returns the id, name, namespace, labels and
// annotations attributes of a resource managing a Fleet kind.
func ObjectMetaAttributes(kind string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			Description:   "`namespace/name` of the " + kind + "; also its import ID.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required:      true,
			Description:   "Name of the " + kind + " (an RFC 1123 subdomain). Changing it replaces the object.",
			Validators:    []validator.String{validate.ResourceName()},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"namespace": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Description: "Namespace (Fleet workspace) of the " + kind + ". Defaults to the provider's " +
				"`default_namespace`. Changing it replaces the object.",
			Validators: []validator.String{validate.NamespaceName()},
			// The default is applied in ModifyPlan (PlanDefaultNamespace).
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured()},
		},
		"labels": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Labels of the " + kind + ". Only the keys set here are managed: labels Fleet or others add are ignored.",
			Validators:  []validator.Map{validate.LabelMap()},
		},
		"annotations": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Annotations of the " + kind + ". Only the keys set here are managed: annotations Fleet or others add are ignored.",
			Validators:  []validator.Map{validate.AnnotationMap()},
		},
	}
}

// ObjectMeta expands the model into Kubernetes object metadata.
func (m ObjectMetaModel) ObjectMeta(ctx context.Context) (metav1.ObjectMeta, diag.Diagnostics) {
	var diags diag.Diagnostics
	meta := metav1.ObjectMeta{Name: m.Name.ValueString(), Namespace: m.Namespace.ValueString()}
	diags.Append(m.Labels.ElementsAs(ctx, &meta.Labels, false)...)
	diags.Append(m.Annotations.ElementsAs(ctx, &meta.Annotations, false)...)
	return meta, diags
}

// SetFromServer fills the model from the object the server returned. Labels
// and annotations keep only the keys this configuration manages (those in
// prior state), so keys Fleet adds never show as drift; after an import, all
// keys but the system ones are taken.
func (m *ObjectMetaModel) SetFromServer(meta metav1.ObjectMeta, imported bool) {
	m.ID = types.StringValue(meta.Namespace + "/" + meta.Name)
	m.Name = types.StringValue(meta.Name)
	m.Namespace = types.StringValue(meta.Namespace)
	m.Labels = ManagedKeys(meta.Labels, m.Labels, imported)
	m.Annotations = ManagedKeys(meta.Annotations, m.Annotations, imported)
}

// systemKeyPrefixes are the label and annotation keys that Kubernetes, Fleet
// and Rancher write; an import does not take them into the configuration.
var systemKeyPrefixes = []string{
	"fleet.cattle.io/", "management.cattle.io/", "objectset.rio.cattle.io/", "meta.helm.sh/",
	"kubectl.kubernetes.io/", "kubernetes.io/", "app.kubernetes.io/managed-by",
}

func ManagedKeys(live map[string]string, prior types.Map, imported bool) types.Map {
	out := map[string]string{}
	switch {
	case imported:
		for k, v := range live {
			if !hasAnyPrefix(k, systemKeyPrefixes) {
				out[k] = v
			}
		}
		if len(out) == 0 {
			return types.MapNull(types.StringType)
		}
	case prior.IsNull() || prior.IsUnknown():
		return types.MapNull(types.StringType)
	default:
		for k := range prior.Elements() {
			if v, ok := live[k]; ok {
				out[k] = v
			}
		}
	}
	return flex.StringMapValue(out)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
