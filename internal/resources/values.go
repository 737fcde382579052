package resources

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Small typed converters from Go values to Terraform values. "OrNull" ones map
// Go's nil/empty to null, for fields the server omits when empty.

func stringMapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringMapOrNull(m map[string]string) types.Map {
	if len(m) == 0 {
		return types.MapNull(types.StringType)
	}
	return stringMapValue(m)
}

func stringListValue(s []string) types.List {
	elems := make([]attr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func stringListOrNull(s []string) types.List {
	if len(s) == 0 {
		return types.ListNull(types.StringType)
	}
	return stringListValue(s)
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringMapLike returns m as a map value, or null when m is empty and the
// prior value was null: the server drops empty maps, the configuration may not.
func stringMapLike(m map[string]string, prior types.Map) types.Map {
	if len(m) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	return stringMapValue(m)
}

// int64Like maps Go's zero to null unless the prior value was an explicit 0.
func int64Like(v int64, prior types.Int64) types.Int64 {
	if v == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}
