package workloads

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Fuzz targets over the conversion from Terraform values to Fleet objects:
// any plan, nulls and unknowns anywhere, strings of any content, must give
// an object or diagnostics, never a panic.

// valueSource turns fuzz input into Terraform values of a given type.
type valueSource struct{ data []byte }

func (s *valueSource) next() byte {
	if len(s.data) == 0 {
		return 0
	}
	b := s.data[0]
	s.data = s.data[1:]
	return b
}

func (s *valueSource) text() string {
	n := int(s.next() % 24)
	n = min(n, len(s.data))
	out := string(s.data[:n])
	s.data = s.data[n:]
	return out
}

// value makes a value of type t: null, unknown, or known with known or
// unknown parts. The top level is always known.
func (s *valueSource) value(t tftypes.Type, top bool) tftypes.Value {
	if !top {
		switch s.next() % 8 {
		case 0:
			return tftypes.NewValue(t, nil)
		case 1:
			return tftypes.NewValue(t, tftypes.UnknownValue)
		}
	}
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, s.text())
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, s.next()%2 == 0)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, new(big.Float).SetInt64(int64(int8(s.next()))))
	case t.Is(tftypes.List{}):
		elem := t.(tftypes.List).ElementType
		var elems []tftypes.Value
		for range int(s.next() % 3) {
			elems = append(elems, s.value(elem, false))
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Map{}):
		elem := t.(tftypes.Map).ElementType
		elems := map[string]tftypes.Value{}
		for range int(s.next() % 3) {
			elems[s.text()] = s.value(elem, false)
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Object{}):
		attrs := map[string]tftypes.Value{}
		for name, at := range t.(tftypes.Object).AttributeTypes {
			attrs[name] = s.value(at, false)
		}
		return tftypes.NewValue(t, attrs)
	}
	return tftypes.NewValue(t, nil)
}

// fuzzExpand reads a plan made from data into a model and expands it.
func fuzzExpand[M any](s schema.Schema, data []byte, expand func(context.Context, *M)) {
	ctx := context.Background()
	src := &valueSource{data: data}
	plan := tfsdk.Plan{Schema: s, Raw: src.value(s.Type().TerraformType(ctx), true)}
	m := new(M)
	if diags := plan.Get(ctx, m); diags.HasError() {
		return // an unknown where the model takes none: a diagnostic, fine
	}
	expand(ctx, m)
}

var fuzzSeeds = [][]byte{
	nil,
	[]byte("\x02\x05https\x02\x03abc\x07\x07\x07\x07\x07\x07\x07\x07"),
	[]byte("\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03"),
	[]byte("\x05\x0aa: [1, 2]\x05\x041h3x\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"),
}

func FuzzGitRepoExpand(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	s := resourceSchema(NewGitRepoResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExpand(s, data, func(ctx context.Context, m *gitRepoModel) { _, _ = m.Expand(ctx) })
	})
}

func FuzzHelmOpExpand(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	s := resourceSchema(NewHelmOpResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExpand(s, data, func(ctx context.Context, m *helmOpModel) { _, _ = m.Expand(ctx) })
	})
}
