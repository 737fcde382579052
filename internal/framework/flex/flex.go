package flex

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// BoolPtr sends a known boolean, false included; null or unknown send nothing.
func BoolPtr(b types.Bool) *bool {
	if b.IsNull() || b.IsUnknown() {
		return nil
	}
	v := b.ValueBool()
	return &v
}

// BoolValue reads a boolean Fleet omits when false.
func BoolValue(b *bool) types.Bool { return types.BoolValue(b != nil && *b) }

// BoolOrNull reads an optional boolean without a default: unset is null.
func BoolOrNull(b *bool) types.Bool { return types.BoolPointerValue(b) }

// ExpandInterval parses a duration attribute; null sends nothing.
func ExpandInterval(v duration.Value, p path.Path) (*metav1.Duration, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v.IsNull() || v.IsUnknown() {
		return nil, diags
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(p, "Invalid Fleet duration", validate.Detail(p, err.Error()))
		return nil, diags
	}
	return &metav1.Duration{Duration: d}, diags
}

// FlattenInterval reads a duration; the attribute's semantic equality keeps
// the configured spelling when it is equal to Fleet's.
func FlattenInterval(d *metav1.Duration) duration.Value {
	if d == nil {
		return duration.NewNull()
	}
	return duration.FromDuration(d.Duration)
}

// NonZeroInt64 reads an integer Fleet omits when zero.
func NonZeroInt64(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

// Small typed converters from Go values to Terraform values. "OrNull" ones map
// Go's nil/empty to null, for fields the server omits when empty.

func StringMapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func StringMapOrNull(m map[string]string) types.Map {
	if len(m) == 0 {
		return types.MapNull(types.StringType)
	}
	return StringMapValue(m)
}

func StringListValue(s []string) types.List {
	elems := make([]attr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func StringListOrNull(s []string) types.List {
	if len(s) == 0 {
		return types.ListNull(types.StringType)
	}
	return StringListValue(s)
}

func StringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// StringMapLike returns m as a map value, or null when m is empty and the
// prior value was null: the server drops empty maps, the configuration may not.
func StringMapLike(m map[string]string, prior types.Map) types.Map {
	if len(m) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	return StringMapValue(m)
}

// Int64Like maps Go's zero to null unless the prior value was an explicit 0.
func Int64Like(v int64, prior types.Int64) types.Int64 {
	if v == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}
