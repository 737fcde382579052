package framework

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

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/providerdata"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// DataSourceBase is embedded by every data source: it keeps the provider data.
type DataSourceBase struct {
	Data *providerdata.Data
}

func (b *DataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d, diags := providerData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	b.Data = d
}

// Namespace returns the configured namespace, else the provider's
// default_namespace.
func (b *DataSourceBase) Namespace(configured types.String) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if ns := configured.ValueString(); ns != "" {
		return ns, diags
	}
	if b.Data == nil || b.Data.DefaultNamespace == "" {
		diags.AddError("No namespace", "Set namespace, or the provider's default_namespace.")
		return "", diags
	}
	return b.Data.DefaultNamespace, diags
}

// DataSourceNamespaceAttribute is the namespace a data source reads in.
func DataSourceNamespaceAttribute(what string) dschema.StringAttribute {
	return dschema.StringAttribute{
		Optional:    true,
		Description: "Namespace (Fleet workspace) " + what + ". Defaults to the provider's `default_namespace`.",
		Validators:  []validator.String{validate.NamespaceName()},
	}
}

// Data sources reuse the resource schemas' attributes, so that the same
// Fleet field reads the same in both. The two schema packages have distinct
// types; DataSourceAttribute converts between them.

// attributeMode says how a converted attribute is used.
type attributeMode int

const (
	// AsInput keeps Optional/Required and the validators: the data source
	// takes it from the configuration (e.g. a label selector to filter by).
	AsInput attributeMode = iota
	// AsOutput makes it, and everything nested in it, Computed.
	AsOutput
)

// DataSourceAttribute converts a resource schema attribute of the kinds the
// provider's schemas use, custom types included. Plan modifiers and defaults, which data sources do
// not have, are dropped. Any other kind is a bug that the schema unit test
// catches, so it panics rather than returning a half-converted schema.
func DataSourceAttribute(a rschema.Attribute, mode attributeMode) dschema.Attribute {
	out := mode == AsOutput
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
			Attributes: DataSourceAttributes(a.Attributes, mode)}
		if !out {
			s.Validators = a.Validators
		}
		return s
	case rschema.ListNestedAttribute:
		s := dschema.ListNestedAttribute{Required: req, Optional: opt, Computed: out, Description: a.Description,
			NestedObject: dschema.NestedAttributeObject{Attributes: DataSourceAttributes(a.NestedObject.Attributes, mode)}}
		if !out {
			s.Validators = a.Validators
			s.NestedObject.Validators = a.NestedObject.Validators
		}
		return s
	default:
		panic(fmt.Sprintf("dataSourceAttribute: no conversion for %T", a))
	}
}

func DataSourceAttributes(attrs map[string]rschema.Attribute, mode attributeMode) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = DataSourceAttribute(a, mode)
	}
	return out
}

// AddNamedObjectAttributes sets the attributes of a data source that reads
// one named object: name (and namespace) in, id and every label and
// annotation out.
func AddNamedObjectAttributes(attrs map[string]dschema.Attribute, kind string) {
	attrs["id"] = dschema.StringAttribute{Computed: true, Description: "`namespace/name` of the " + kind + "."}
	attrs["name"] = dschema.StringAttribute{
		Required:    true,
		Description: "Name of the " + kind + " to read.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	ns := DataSourceNamespaceAttribute("of the " + kind)
	ns.Computed = true
	attrs["namespace"] = ns
	attrs["labels"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All labels of the " + kind + ", system ones included."}
	attrs["annotations"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All annotations of the " + kind + "."}
}

// ReadNamedObject reads the object a data source names, in its namespace or
// the provider's default one; a missing object is an error.
func ReadNamedObject[T any](ctx context.Context, d *DataSourceBase, api ObjectAPI[T], config ObjectMetaModel, diags *diag.Diagnostics) *T {
	namespace, ds := d.Namespace(config.Namespace)
	if diags.Append(ds...); diags.HasError() {
		return nil
	}
	name := config.Name.ValueString()
	obj, err := api.Get(ctx, d.Data.Client, namespace, name)
	switch {
	case errors.Is(err, ErrNotFound):
		diags.AddError(api.Kind+" not found", fmt.Sprintf("There is no Fleet %s %s/%s.", api.Kind, namespace, name))
		return nil
	case err != nil:
		diags.AddError("Cannot read the "+api.Kind, err.Error())
		return nil
	}
	return obj
}

// ShowAllKeys makes a data source report every label and annotation.
func (m *ObjectMetaModel) ShowAllKeys(meta metav1.ObjectMeta) {
	m.Labels, m.Annotations = flex.StringMapValue(meta.Labels), flex.StringMapValue(meta.Annotations)
}
