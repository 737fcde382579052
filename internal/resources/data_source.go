package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/providerdata"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// dataSourceBase is embedded by every data source: it keeps the provider data.
type dataSourceBase struct {
	data *providerdata.Data
}

func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d, diags := providerData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	b.data = d
}

// namespace returns the configured namespace, else the provider's
// default_namespace.
func (b *dataSourceBase) namespace(configured types.String) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if ns := configured.ValueString(); ns != "" {
		return ns, diags
	}
	if b.data == nil || b.data.DefaultNamespace == "" {
		diags.AddError("No namespace", "Set namespace, or the provider's default_namespace.")
		return "", diags
	}
	return b.data.DefaultNamespace, diags
}

// dataSourceNamespaceAttribute is the namespace a data source reads in.
func dataSourceNamespaceAttribute(what string) dschema.StringAttribute {
	return dschema.StringAttribute{
		Optional:    true,
		Description: "Namespace (Fleet workspace) " + what + ". Defaults to the provider's `default_namespace`.",
		Validators:  []validator.String{validate.NamespaceName()},
	}
}

// list returns the objects of a namespace matching a label selector (in
// the string form of labels.Selector; empty selects all).
func (a objectAPI[T]) list(ctx context.Context, c *kube.Client, namespace, selector string) ([]T, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	l, err := dyn.Resource(a.gvr).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("list %s objects in namespace %s: %w", a.kind, namespace, err)
	}
	out := make([]T, 0, len(l.Items))
	for _, item := range l.Items {
		obj, err := decode[T](item.Object)
		if err != nil {
			return nil, err
		}
		out = append(out, *obj)
	}
	return out, nil
}

// Data sources reuse the resource schemas' attributes, so that the same
// Fleet field reads the same in both. The two schema packages have distinct
// types; dataSourceAttribute converts between them.

// attributeMode says how a converted attribute is used.
type attributeMode int

const (
	// asInput keeps Optional/Required and the validators: the data source
	// takes it from the configuration (e.g. a label selector to filter by).
	asInput attributeMode = iota
	// asOutput makes it, and everything nested in it, Computed.
	asOutput
)

// dataSourceAttribute converts a resource schema attribute of the kinds the
// provider's schemas use, custom types included. Plan modifiers and defaults, which data sources do
// not have, are dropped. Any other kind is a bug that the schema unit test
// catches, so it panics rather than returning a half-converted schema.
func dataSourceAttribute(a rschema.Attribute, mode attributeMode) dschema.Attribute {
	out := mode == asOutput
	req, opt := !out && a.IsRequired(), !out && a.IsOptional()
	switch a := a.(type) {
	case rschema.StringAttribute:
		// The custom type stays, so the data source reads into the same model types.
		s := dschema.StringAttribute{Required: req, Optional: opt, Computed: out, Sensitive: a.Sensitive, Description: a.Description,
			CustomType: a.CustomType}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.Int64Attribute:
		s := dschema.Int64Attribute{Required: req, Optional: opt, Computed: out, Description: a.Description}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.BoolAttribute:
		return dschema.BoolAttribute{Required: req, Optional: opt, Computed: out, Description: a.Description}
	case rschema.MapAttribute:
		s := dschema.MapAttribute{Required: req, Optional: opt, Computed: out, ElementType: a.ElementType, Description: a.Description}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.ListAttribute:
		s := dschema.ListAttribute{Required: req, Optional: opt, Computed: out, ElementType: a.ElementType, Description: a.Description}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.SingleNestedAttribute:
		s := dschema.SingleNestedAttribute{Required: req, Optional: opt, Computed: out, Description: a.Description,
			Attributes: dataSourceAttributes(a.Attributes, mode)}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.ListNestedAttribute:
		s := dschema.ListNestedAttribute{Required: req, Optional: opt, Computed: out, Description: a.Description,
			NestedObject: dschema.NestedAttributeObject{Attributes: dataSourceAttributes(a.NestedObject.Attributes, mode)}}
		if !out {
			s.Validators = a.Validators
			s.NestedObject.Validators = a.NestedObject.Validators
		}
		return s
	default:
		panic(fmt.Sprintf("dataSourceAttribute: no conversion for %T", a))
	}
}

func dataSourceAttributes(attrs map[string]rschema.Attribute, mode attributeMode) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = dataSourceAttribute(a, mode)
	}
	return out
}

// addNamedObjectAttributes sets the attributes of a data source that reads
// one named object: name (and namespace) in, id and every label and
// annotation out.
func addNamedObjectAttributes(attrs map[string]dschema.Attribute, kind string) {
	attrs["id"] = dschema.StringAttribute{Computed: true, Description: "`namespace/name` of the " + kind + "."}
	attrs["name"] = dschema.StringAttribute{
		Required:    true,
		Description: "Name of the " + kind + " to read.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	ns := dataSourceNamespaceAttribute("of the " + kind)
	ns.Computed = true
	attrs["namespace"] = ns
	attrs["labels"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All labels of the " + kind + ", system ones included."}
	attrs["annotations"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All annotations of the " + kind + "."}
}

// readNamedObject reads the object a data source names, in its namespace or
// the provider's default one; a missing object is an error.
func readNamedObject[T any](ctx context.Context, d *dataSourceBase, api objectAPI[T], config objectMetaModel, diags *diag.Diagnostics) *T {
	namespace, ds := d.namespace(config.Namespace)
	if diags.Append(ds...); diags.HasError() {
		return nil
	}
	name := config.Name.ValueString()
	obj, err := api.get(ctx, d.data.Client, namespace, name)
	switch {
	case errors.Is(err, errNotFound):
		diags.AddError(api.kind+" not found", fmt.Sprintf("There is no Fleet %s %s/%s.", api.kind, namespace, name))
		return nil
	case err != nil:
		diags.AddError("Cannot read the "+api.kind, err.Error())
		return nil
	}
	return obj
}

// showAllKeys makes a data source report every label and annotation.
func (m *objectMetaModel) showAllKeys(meta metav1.ObjectMeta) {
	m.Labels, m.Annotations = stringMapValue(meta.Labels), stringMapValue(meta.Annotations)
}
