package framework

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestUnmanagedAttributesBuiltOncePerType: the framework makes a resource
// for every call, and each read and write stores the state, which needs the
// attributes the configuration alone decides: the schema is built for that
// once per type, not on every call.
func TestUnmanagedAttributesBuiltOncePerType(t *testing.T) {
	builds := 0
	spec := ObjectResourceSpec[struct{}, stubModel]{
		TypeName: "test_unmanaged_once",
		Schema: func(context.Context) schema.Schema {
			builds++
			return schema.Schema{Attributes: map[string]schema.Attribute{
				"labels": schema.MapAttribute{Optional: true, ElementType: types.StringType},
				"state":  schema.StringAttribute{Computed: true},
			}}
		},
	}
	for range 3 {
		r := NewObjectResource[struct{}, stubModel, *stubModel](spec)
		if _, diags := r.setState(context.Background(), &discardState{}, tftypes.Value{}, &stubModel{}, tftypes.Value{}); diags.HasError() {
			t.Fatal(diags)
		}
	}
	if builds != 1 {
		t.Errorf("the schema was built %d times for three resources of one type, want once", builds)
	}
}

// stubModel is a model of no object, for what needs only the resource's type.
type stubModel struct{ meta ObjectMetaModel }

func (m *stubModel) Meta() *ObjectMetaModel                               { return &m.meta }
func (m *stubModel) TimeoutsValue() timeouts.Value                        { return timeouts.Value{} }
func (m *stubModel) Expand(context.Context) (*struct{}, diag.Diagnostics) { return &struct{}{}, nil }
func (m *stubModel) Flatten(*struct{}, bool)                              {}

// discardState is a response state that keeps only its raw value.
type discardState struct{ raw tftypes.Value }

func (s *discardState) Set(context.Context, any) diag.Diagnostics { return nil }
func (s *discardState) RawValue() tftypes.Value                   { return s.raw }
func (s *discardState) SetRaw(v tftypes.Value)                    { s.raw = v }
