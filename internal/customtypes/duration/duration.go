// Package duration is a Terraform string type for Go durations whose
// spelling does not matter: "1h", "60m" and "1h0m0s" are the same value.
// Fleet stores intervals re-spelled (metav1.Duration writes "1h0m0s"), so
// without semantic equality a configured "1h" would diff forever.
package duration

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Type is the attribute type (CustomType of a schema.StringAttribute).
type Type struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = Type{}

func (t Type) Equal(o attr.Type) bool {
	other, ok := o.(Type)
	return ok && t.StringType.Equal(other.StringType)
}

func (Type) String() string { return "duration.Type" }

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

// Value is a duration as the user spelled it.
type Value struct {
	basetypes.StringValue
}

var _ basetypes.StringValuableWithSemanticEquals = Value{}

// NewValue returns a known duration.
func NewValue(s string) Value { return Value{StringValue: basetypes.NewStringValue(s)} }

// FromDuration returns d in its shortest usual spelling ("1h", "10m",
// "1m30s"), which is how people write durations: a configuration written so
// plans nothing after an import, where the server's spelling is all there is.
func FromDuration(d time.Duration) Value {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return NewValue(s)
}

// NewNull returns a null duration.
func NewNull() Value { return Value{StringValue: basetypes.NewStringNull()} }

// NewUnknown returns an unknown duration.
func NewUnknown() Value { return Value{StringValue: basetypes.NewStringUnknown()} }

func (v Value) Equal(o attr.Value) bool {
	other, ok := o.(Value)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (Value) Type(context.Context) attr.Type { return Type{} }

// StringSemanticEquals reports whether both spell the same duration. Strings
// that do not parse are equal only when identical.
func (v Value) StringSemanticEquals(ctx context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, diags := other.ToStringValue(ctx)
	if diags.HasError() {
		return false, diags
	}
	a, errA := time.ParseDuration(v.ValueString())
	b, errB := time.ParseDuration(o.ValueString())
	if errA != nil || errB != nil {
		return v.ValueString() == o.ValueString(), diags
	}
	return a == b, diags
}

// Duration parses the value; null, unknown and unparsable values give ok false.
func (v Value) Duration() (d time.Duration, ok bool) {
	if v.IsNull() || v.IsUnknown() {
		return 0, false
	}
	d, err := time.ParseDuration(v.ValueString())
	return d, err == nil
}
