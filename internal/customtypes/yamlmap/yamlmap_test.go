package yamlmap

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

func TestSemanticEquals(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"a: 1\nb: x\n", `{"b":"x","a":1}`, true},
		{"# comment\nnested:\n  list: [1, 2]\n", "nested: {list: [1, 2]}", true},
		{"n: 1", "n: 1.0", true},
		{"big: 12345678901234567890", "big: 12345678901234567891", false},
		{"list: [1, 2]", "list: [2, 1]", false},
		{"a: 1", "a: '1'", false},
		{"- not a map", "- not a map", true}, // unparsable: identical text only
	}
	for _, c := range cases {
		got, diags := NewValue(c.a).StringSemanticEquals(context.Background(), NewValue(c.b))
		if diags.HasError() || got != c.want {
			t.Errorf("%q ~ %q = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := "controller:\n  replicas: 2\n  args: [\"--x\"]\nport: 8443\n"
	raw, err := JSON(NewValue(in))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m["port"].(float64) != 8443 {
		t.Fatalf("JSON %s: %v", raw, err)
	}
	back, err := FromJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if eq, _ := back.StringSemanticEquals(context.Background(), NewValue(in)); !eq {
		t.Fatalf("round trip changed the data: %q", back.ValueString())
	}
	if back.ValueString() != `{"controller":{"args":["--x"],"replicas":2},"port":8443}` {
		t.Fatalf("not jsonencode's form: %s", back.ValueString())
	}
	if v, err := FromJSON(nil); err != nil || !v.IsNull() {
		t.Fatalf("empty JSON gives %v, %v", v, err)
	}
}

func TestValidateAttribute(t *testing.T) {
	for s, wantErr := range map[string]bool{"a: 1": false, "{}": false, "- a": true, "just text": true, "a: [": true, "": true} {
		var resp xattr.ValidateAttributeResponse
		NewValue(s).ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("values")}, &resp)
		if resp.Diagnostics.HasError() != wantErr {
			t.Errorf("%q: error %v, want %v", s, resp.Diagnostics, wantErr)
		}
	}
}
