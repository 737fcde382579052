package duration

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestSemanticEquals(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"1h", "1h0m0s", true},
		{"90s", "1m30s", true},
		{"0", "0s", true},
		{"1.5h", "1h30m0s", true},
		{"1h", "2h", false},
		{"1d", "1d", true},   // unparsable: equal only when identical
		{"1d", "24h", false}, // and never equal to a parsed one
	}
	for _, c := range cases {
		got, diags := NewValue(c.a).StringSemanticEquals(context.Background(), NewValue(c.b))
		if diags.HasError() || got != c.want {
			t.Errorf("%q ~ %q = %v (%v), want %v", c.a, c.b, got, diags, c.want)
		}
	}
}

func TestValueFromTerraform(t *testing.T) {
	v, err := Type{}.ValueFromTerraform(context.Background(), tftypes.NewValue(tftypes.String, "5m"))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := Of(v.(Value))
	if !ok || d.String() != "5m0s" {
		t.Fatalf("got %v %v", d, ok)
	}
	if !(Type{}).Equal(v.Type(context.Background())) {
		t.Fatal("value type does not round-trip")
	}
	if _, ok := Of(NewNull()); ok {
		t.Fatal("null parsed")
	}
}

func TestFromDuration(t *testing.T) {
	for in, want := range map[string]string{"1h0m0s": "1h", "10m": "10m", "90s": "1m30s", "1h30m": "1h30m", "1h0m5s": "1h0m5s", "0": "0s", "1.5s": "1.5s"} {
		d, err := time.ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := FromDuration(d).ValueString(); got != want {
			t.Errorf("FromDuration(%s) = %q, want %q", in, got, want)
		}
	}
}
