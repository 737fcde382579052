// Package semantic builds Terraform string types whose values compare by
// meaning rather than spelling. Fleet and Kubernetes store many values
// re-spelled ("1h" as "1h0m0s", "1000m" as "1", YAML as JSON); a type from
// here keeps the configuration's spelling whenever the server's means the
// same, so those never show as changes. Each meaning is a zero-size type
// implementing Meaning; duration, quantity and yamlmap are built on it.
package semantic

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Meaning says what a spelling means.
type Meaning interface {
	// Name names the type, e.g. "duration".
	Name() string
	// Parse returns a comparable form of s (compared with reflect.DeepEqual),
	// or an error when s does not parse; then only identical spellings are
	// equal, and Validate reports the error.
	Parse(s string) (any, error)
	// Invalid is the summary of the diagnostic for a value that does not
	// parse, or "" when validators of the attribute check it instead.
	Invalid() string
}

// Same reports whether a and b mean the same under M.
func Same[M Meaning](a, b string) bool {
	if a == b {
		return true
	}
	var m M
	x, errA := m.Parse(a)
	y, errB := m.Parse(b)
	return errA == nil && errB == nil && reflect.DeepEqual(x, y)
}

// Type is the attribute type (CustomType, or ElementType of a collection).
type Type[M Meaning] struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = Type[Meaning]{}

func (t Type[M]) Equal(o attr.Type) bool {
	other, ok := o.(Type[M])
	return ok && t.StringType.Equal(other.StringType)
}

func (Type[M]) String() string {
	var m M
	return m.Name() + ".Type"
}

func (Type[M]) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Value[M]{StringValue: in}, nil
}

func (t Type[M]) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return Value[M]{StringValue: s}, nil
}

func (Type[M]) ValueType(context.Context) attr.Value { return Value[M]{} }

// Value is a string as the configuration spelled it.
type Value[M Meaning] struct {
	basetypes.StringValue
}

var (
	_ basetypes.StringValuableWithSemanticEquals = Value[Meaning]{}
	_ xattr.ValidateableAttribute                = Value[Meaning]{}
)

// NewValue returns a known value.
func NewValue[M Meaning](s string) Value[M] {
	return Value[M]{StringValue: basetypes.NewStringValue(s)}
}

// NewNull returns a null value.
func NewNull[M Meaning]() Value[M] { return Value[M]{StringValue: basetypes.NewStringNull()} }

func (v Value[M]) Equal(o attr.Value) bool {
	other, ok := o.(Value[M])
	return ok && v.StringValue.Equal(other.StringValue)
}

func (Value[M]) Type(context.Context) attr.Type { return Type[M]{} }

// StringSemanticEquals reports whether both mean the same.
func (v Value[M]) StringSemanticEquals(ctx context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, diags := other.ToStringValue(ctx)
	if diags.HasError() {
		return false, diags
	}
	return Same[M](v.ValueString(), o.ValueString()), diags
}

// ValidateAttribute rejects a value that does not parse, naming the
// attribute in the detail (Terraform points at the resource for nested ones).
func (v Value[M]) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	var m M
	if m.Invalid() == "" {
		return
	}
	if _, err := m.Parse(v.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, m.Invalid(), "Attribute "+req.Path.String()+": "+err.Error())
	}
}
