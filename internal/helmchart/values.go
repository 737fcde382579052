package helmchart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"sigs.k8s.io/yaml"
)

// ParseValues parses chart values given as YAML or JSON: an object.
func ParseValues(s string) (map[string]any, error) {
	out := map[string]any{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("the values are neither YAML nor JSON: %s", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the values must be an object (a YAML mapping), e.g. yamlencode({ agent = { replicas = 2 } })")
	}
	return m, nil
}

// SetNested sets m[path...] = v, creating maps on the way.
func SetNested(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// LookupNested returns m[path...].
func LookupNested(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deleteNested removes m[path...] and the maps it leaves empty.
func deleteNested(m map[string]any, path []string) {
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	next, ok := m[path[0]].(map[string]any)
	if !ok {
		return
	}
	deleteNested(next, path[1:])
	if len(next) == 0 {
		delete(m, path[0])
	}
}

// SameValues compares chart values as Helm stores them (JSON), so that 1
// and 1.0, or YAML and JSON spellings, are equal.
func SameValues(a, b map[string]any) bool {
	na, errA := normalizeJSON(a)
	nb, errB := normalizeJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(na, nb)
}

func normalizeJSON(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(data, &out)
	return out, err
}

// ValuesValidator checks a values attribute offline: a YAML or JSON object
// that sets none of the Reserved paths, which SetBy (e.g. "the resource")
// sets.
type ValuesValidator struct {
	Reserved [][]string
	SetBy    string
}

func (ValuesValidator) Description(context.Context) string {
	return "must be a YAML or JSON object that does not set the values the resource sets itself"
}

func (v ValuesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v ValuesValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	vals, err := ParseValues(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid chart values", err.Error())
		return
	}
	for _, p := range v.Reserved {
		if _, ok := LookupNested(vals, p); ok {
			resp.Diagnostics.AddAttributeError(req.Path, "Chart value set twice",
				fmt.Sprintf("%s is set by %s; remove it from values.", strings.Join(p, "."), v.SetBy))
		}
		if prefix := nonMappingOn(vals, p); prefix != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid chart values",
				fmt.Sprintf("%s must be a mapping: the resource sets %s inside it.", prefix, strings.Join(p, ".")))
		}
	}
}

// nonMappingOn returns the first value on the way to m[path...] that is set
// and is not a mapping (SetNested would replace it), "" when there is none.
func nonMappingOn(m map[string]any, path []string) string {
	for i, k := range path[:len(path)-1] {
		v, ok := m[k]
		if !ok {
			return ""
		}
		if m, ok = v.(map[string]any); !ok {
			return strings.Join(path[:i+1], ".")
		}
	}
	return ""
}

// WithoutPaths returns a deep copy of m without the values at paths (and
// the maps that leaves empty): the part of a release's values that came
// from a values attribute.
func WithoutPaths(m map[string]any, paths [][]string) map[string]any {
	out := map[string]any{}
	if n, err := normalizeJSON(m); err == nil {
		if nm, ok := n.(map[string]any); ok {
			out = nm
		}
	}
	for _, p := range paths {
		deleteNested(out, p)
	}
	return out
}
