package fuzzmodel

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// NullModel returns a new M read from a state of s whose attributes are all
// null: typed nulls everywhere (timeouts included), as a model is before
// an import reads into it.
func NullModel[M any](t testing.TB, s schema.Schema) *M {
	t.Helper()
	ctx := context.Background()
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	attrs := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	m := new(M)
	if diags := (tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, attrs)}).Get(ctx, m); diags.HasError() {
		t.Fatalf("a null state does not read into the model: %v", diags)
	}
	return m
}

// Raw is the state m makes in schema s; it fails t when m does not fit s,
// which Read would report as an error for that server object.
func Raw[M any](t testing.TB, s schema.Schema, m *M) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("the flattened model does not fit the schema: %v", diags)
	}
	return state.Raw
}

// RoundTrip checks the expand/flatten pair of an object resource on obj, an
// object as the API server might return it:
//   - an import (Flatten with no prior model) never panics and its model fits the schema;
//   - expanding that model and flattening what the server returns for it
//     (the expanded object, with serverFields of obj copied over) gives the
//     same state: what an import reads applies without a change, and an
//     apply reads back what was planned.
//
// An expand that reports an error (input the validators refuse) ends the check.
func RoundTrip[T any, M any, PM interface {
	*M
	framework.ObjectModel[T]
}](t testing.TB, s schema.Schema, obj *T, serverFields func(from, to *T)) {
	t.Helper()
	ctx := context.Background()
	imported := NullModel[M](t, s)
	PM(imported).Flatten(obj, true)
	want := Raw(t, s, imported)

	sent, diags := PM(imported).Expand(ctx)
	if diags.HasError() {
		return
	}
	serverFields(obj, sent)
	readBack := new(M)
	*readBack = *imported // the prior model, as after an apply
	PM(readBack).Flatten(sent, false)
	if got := Raw(t, s, readBack); !got.Equal(want) {
		diffs, _ := want.Diff(got)
		t.Fatalf("flatten(expand(import)) differs from the import: %v", diffs)
	}
}
