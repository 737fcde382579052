package fuzzmodel

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// seeds are inputs every target starts from, so a plain `go test` (and so
// `make test`) runs each target on them: empty input (all zero), short
// strings, nulls and unknowns (bytes 0 and 1 of Value), collections of
// two, and YAML-, duration- and URL-like text.
var seeds = [][]byte{
	nil,
	[]byte("\x02\x05https\x02\x03abc\x07\x07\x07\x07\x07\x07\x07\x07"),
	[]byte("\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03"),
	[]byte("\x05\x0aa: [1, 2]\x05\x041h3x\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"),
	[]byte("\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"),
}

// AddSeeds adds the common seeds to f.
func AddSeeds(f *testing.F) {
	for _, seed := range seeds {
		f.Add(seed)
	}
}

// ResourceSchema is the schema Terraform sees for r, timeouts block included.
func ResourceSchema(r resource.Resource) schema.Schema {
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema
}

// Object fuzzes both directions of the expand/flatten pair of r, a resource
// on framework.ObjectResource whose model is M: any plan, nulls and unknowns
// anywhere, expands into an object or diagnostics, never a panic; and any
// object the API server may return passes RoundTrip (serverFields copies
// what only the server writes, e.g. the status).
func Object[T any, M any, PM interface {
	*M
	framework.ObjectModel[T]
}](f *testing.F, r resource.Resource, serverFields func(from, to *T)) {
	AddSeeds(f)
	s := ResourceSchema(r)
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, ok := Model[M](s, data); ok {
			_, _ = PM(m).Expand(context.Background())
		}
		obj := new(T)
		NewSource(data).Fill(obj)
		RoundTrip[T, M, PM](t, s, obj, serverFields)
	})
}
