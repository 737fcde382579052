package quantity

import (
	"context"
	"testing"
)

func TestSemanticEquals(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1000m", "1", true},
		{"256Mi", "268435456", true},
		{"0.5", "500m", true},
		{"1", "2", false},
		{"1Gi", "1G", false},
		{"bogus", "bogus", true},
		{"bogus", "1", false},
	} {
		got, diags := NewValue(tc.a).StringSemanticEquals(context.Background(), NewValue(tc.b))
		if diags.HasError() || got != tc.want {
			t.Errorf("%q ~ %q = %v (%v), want %v", tc.a, tc.b, got, diags, tc.want)
		}
	}
}
