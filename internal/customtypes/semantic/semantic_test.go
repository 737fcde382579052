package semantic

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// caseless is a test meaning: spellings differing in case are the same;
// "bad" does not parse.
type caseless struct{}

func (caseless) Name() string    { return "caseless" }
func (caseless) Invalid() string { return "Invalid caseless" }
func (caseless) Parse(s string) (any, error) {
	if s == "bad" {
		return nil, errors.New("bad value")
	}
	return strings.ToLower(s), nil
}

func TestSemanticEquals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"ABC", "abc", true}, {"abc", "abd", false}, {"bad", "bad", true}, {"bad", "BAD", false}} {
		got, diags := NewValue[caseless](tc.a).StringSemanticEquals(ctx, NewValue[caseless](tc.b))
		if diags.HasError() || got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTypeRoundTrip(t *testing.T) {
	ctx := context.Background()
	v, err := Type[caseless]{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "x"))
	if err != nil || !v.Equal(NewValue[caseless]("x")) {
		t.Fatalf("got %v, %v", v, err)
	}
	if !(Type[caseless]{}).Equal(v.Type(ctx)) || (Type[caseless]{}).String() != "caseless.Type" {
		t.Fatal("type identity")
	}
	if NewNull[caseless]().Equal(NewValue[caseless]("")) {
		t.Fatal("null equals empty")
	}
}

func TestValidateAttribute(t *testing.T) {
	resp := &xattr.ValidateAttributeResponse{}
	NewValue[caseless]("bad").ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("x")}, resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), "Attribute x: bad value") {
		t.Fatalf("diagnostics: %v", resp.Diagnostics)
	}
	resp = &xattr.ValidateAttributeResponse{}
	NewValue[caseless]("fine").ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("x")}, resp)
	NewNull[caseless]().ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("x")}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("diagnostics: %v", resp.Diagnostics)
	}
}
