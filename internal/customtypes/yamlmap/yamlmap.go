// Package yamlmap is a Terraform string type holding a YAML (or JSON)
// mapping, such as Helm values. Two values are equal when they hold the same
// data, so formatting, key order, comments and YAML vs JSON never diff.
package yamlmap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"sigs.k8s.io/yaml"
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

func (Type) String() string { return "yamlmap.Type" }

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

// Value is a YAML mapping as the user wrote it.
type Value struct {
	basetypes.StringValue
}

var (
	_ basetypes.StringValuableWithSemanticEquals = Value{}
	_ xattr.ValidateableAttribute                = Value{}
)

// NewValue returns a known value.
func NewValue(s string) Value { return Value{StringValue: basetypes.NewStringValue(s)} }

// NewNull returns a null value.
func NewNull() Value { return Value{StringValue: basetypes.NewStringNull()} }

// FromJSON returns a value read from the server as compact JSON with sorted
// keys and numbers as written, the text jsonencode gives for the same data
// (valid YAML too). An empty message is null.
func FromJSON(raw json.RawMessage) (Value, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return NewNull(), nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var data any
	if err := d.Decode(&data); err != nil {
		return NewNull(), err
	}
	out, err := json.Marshal(data)
	if err != nil {
		return NewNull(), err
	}
	return NewValue(string(out)), nil
}

func (v Value) Equal(o attr.Value) bool {
	other, ok := o.(Value)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (Value) Type(context.Context) attr.Type { return Type{} }

// JSON converts the mapping to a JSON object.
func (v Value) JSON() (json.RawMessage, error) {
	return ToJSON(v.ValueString())
}

// ToJSON converts a YAML or JSON mapping to a JSON object. Anything but a
// mapping (a list, a scalar, an empty document) is an error.
func ToJSON(s string) (json.RawMessage, error) {
	out, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 || out[0] != '{' {
		return nil, errors.New("must be a YAML or JSON mapping (key: value pairs), not a list or a single value")
	}
	return out, nil
}

// ValidateAttribute reports a value that is not a YAML mapping.
func (v Value) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, err := v.JSON(); err != nil {
		// Name the attribute: Terraform points at the resource for nested ones.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid YAML mapping", "Attribute "+req.Path.String()+": "+err.Error())
	}
}

// StringSemanticEquals reports whether both hold the same data. Values that
// do not parse are equal only when identical.
func (v Value) StringSemanticEquals(ctx context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, diags := other.ToStringValue(ctx)
	if diags.HasError() {
		return false, diags
	}
	a, errA := decode(v.ValueString())
	b, errB := decode(o.ValueString())
	if errA != nil || errB != nil {
		return v.ValueString() == o.ValueString(), diags
	}
	return reflect.DeepEqual(a, b), diags
}

// decode parses a mapping into comparable Go values: numbers become exact
// rationals, so 1, 1.0 and 1e0 compare equal and large integers stay exact.
func decode(s string) (any, error) {
	raw, err := ToJSON(s)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return normalize(out), nil
}

// number keeps a normalized number apart from a string of the same text.
type number string

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
		return v
	case json.Number:
		if r, ok := new(big.Rat).SetString(v.String()); ok {
			return number(r.RatString())
		}
		return number(v.String())
	default:
		return v
	}
}
