// Package fuzzmodel turns fuzz input into Terraform plans of a resource's
// schema and into the Go objects its API returns, for the fuzz targets over
// every expand/flatten pair. It imports no resource, so a resource
// package's own (internal) tests can use it.
package fuzzmodel

import (
	"context"
	"math/big"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Source hands out fuzz input piece by piece; once it is used up, every
// piece is zero, so any input makes a complete value.
type Source struct{ data []byte }

// NewSource reads data.
func NewSource(data []byte) *Source { return &Source{data: data} }

// Byte returns the next byte.
func (s *Source) Byte() byte {
	if len(s.data) == 0 {
		return 0
	}
	b := s.data[0]
	s.data = s.data[1:]
	return b
}

// Text returns a string of up to 23 bytes of any content.
func (s *Source) Text() string {
	n := min(int(s.Byte()%24), len(s.data))
	out := string(s.data[:n])
	s.data = s.data[n:]
	return out
}

// Value makes a value of type t: null, unknown, or known with known or
// unknown parts. The top level is always known.
func (s *Source) Value(t tftypes.Type, top bool) tftypes.Value {
	if !top {
		switch s.Byte() % 8 {
		case 0:
			return tftypes.NewValue(t, nil)
		case 1:
			return tftypes.NewValue(t, tftypes.UnknownValue)
		}
	}
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, s.Text())
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, s.Byte()%2 == 0)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, new(big.Float).SetInt64(int64(int8(s.Byte()))))
	case t.Is(tftypes.List{}):
		elem := t.(tftypes.List).ElementType
		var elems []tftypes.Value
		for range int(s.Byte() % 3) {
			elems = append(elems, s.Value(elem, false))
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Map{}):
		elem := t.(tftypes.Map).ElementType
		elems := map[string]tftypes.Value{}
		for range int(s.Byte() % 3) {
			elems[s.Text()] = s.Value(elem, false)
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Object{}):
		attrs := map[string]tftypes.Value{}
		for name, at := range t.(tftypes.Object).AttributeTypes {
			attrs[name] = s.Value(at, false)
		}
		return tftypes.NewValue(t, attrs)
	}
	return tftypes.NewValue(t, nil)
}

// Model reads a plan of s made from data into a new M; ok is false when M
// cannot hold the plan (an unknown where the model takes none), which the
// framework reports as a diagnostic, never a panic.
func Model[M any](s schema.Schema, data []byte) (m *M, ok bool) {
	ctx := context.Background()
	plan := tfsdk.Plan{Schema: s, Raw: NewSource(data).Value(s.Type().TerraformType(ctx), true)}
	m = new(M)
	return m, !plan.Get(ctx, m).HasError()
}

// maxDepth bounds how deep Fill nests structs, pointers and collections.
const maxDepth = 12

// Fill sets *v from the source: every exported struct field, pointers nil
// or set, zero to two elements of slices and maps, strings and byte slices
// of any content, interfaces nil or a string. Unexported fields (e.g. of
// time.Time) stay zero.
func (s *Source) Fill(v any) { s.fill(reflect.ValueOf(v).Elem(), 0) }

func (s *Source) fill(v reflect.Value, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				s.fill(v.Field(i), depth+1)
			}
		}
	case reflect.Pointer:
		if s.Byte()%3 != 0 {
			v.Set(reflect.New(v.Type().Elem()))
			s.fill(v.Elem(), depth+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(s.Text()))
			return
		}
		n := int(s.Byte() % 3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			s.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range int(s.Byte() % 3) {
			key, elem := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			s.fill(key, depth+1)
			s.fill(elem, depth+1)
			v.SetMapIndex(key, elem)
		}
	case reflect.Interface:
		if s.Byte()%2 == 0 && reflect.TypeOf("").Implements(v.Type()) {
			v.Set(reflect.ValueOf(s.Text()))
		}
	case reflect.String:
		v.SetString(s.Text())
	case reflect.Bool:
		v.SetBool(s.Byte()%2 == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := int64(int8(s.Byte()))
		if n == 0 { // now and then a large one, beyond int32
			n = int64(s.Byte())<<40 | int64(s.Byte())<<24 | int64(s.Byte())
		}
		if !v.OverflowInt(n) {
			v.SetInt(n)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(s.Byte()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(int8(s.Byte())) / 4)
	}
}
