// Package quantity is a Terraform string type for Kubernetes resource
// quantities whose spelling does not matter: "1000m" and "1" are the same
// CPU. Fleet's controller rewrites a Cluster's agent resources in canonical
// form, so without semantic equality a configured "1000m" would diff forever.
package quantity

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Type is the attribute type (ElementType of a map of quantities).
type Type struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = Type{}

func (t Type) Equal(o attr.Type) bool {
	other, ok := o.(Type)
	return ok && t.StringType.Equal(other.StringType)
}

func (Type) String() string { return "quantity.Type" }

func (Type) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Value{StringValue: in}, nil
}

func (t Type) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return Value{StringValue: s}, nil
}

func (Type) ValueType(context.Context) attr.Value { return Value{} }

// Value is a quantity as the user spelled it.
type Value struct {
	basetypes.StringValue
}

var _ basetypes.StringValuableWithSemanticEquals = Value{}

// NewValue returns a known quantity.
func NewValue(s string) Value { return Value{StringValue: basetypes.NewStringValue(s)} }

func (v Value) Equal(o attr.Value) bool {
	other, ok := o.(Value)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (Value) Type(context.Context) attr.Type { return Type{} }

// StringSemanticEquals reports whether both are the same amount. Strings
// that do not parse are equal only when identical.
func (v Value) StringSemanticEquals(ctx context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, diags := other.ToStringValue(ctx)
	if diags.HasError() {
		return false, diags
	}
	a, errA := resource.ParseQuantity(v.ValueString())
	b, errB := resource.ParseQuantity(o.ValueString())
	if errA != nil || errB != nil {
		return v.ValueString() == o.ValueString(), diags
	}
	return a.Cmp(b) == 0, diags
}
