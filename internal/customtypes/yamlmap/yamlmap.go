// Package yamlmap is a Terraform string type holding a YAML (or JSON)
// mapping, such as Helm values. Two values are equal when they hold the same
// data, so formatting, key order, comments and YAML vs JSON never diff.
package yamlmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"

	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
)

// Meaning compares mappings by their data.
type Meaning struct{}

func (Meaning) Name() string                { return "yamlmap" }
func (Meaning) Invalid() string             { return "Invalid YAML mapping" }
func (Meaning) Parse(s string) (any, error) { return decode(s) }

// Type is the attribute type (CustomType of a schema.StringAttribute).
type Type = semantic.Type[Meaning]

// Value is a mapping as the user wrote it.
type Value = semantic.Value[Meaning]

// NewValue returns a known mapping.
func NewValue(s string) Value { return semantic.NewValue[Meaning](s) }

// NewNull returns a null mapping.
func NewNull() Value { return semantic.NewNull[Meaning]() }

// JSON returns the mapping of v as JSON.
func JSON(v Value) (json.RawMessage, error) { return ToJSON(v.ValueString()) }

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
