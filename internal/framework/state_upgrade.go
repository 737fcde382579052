package framework

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// RenamedSchemaVersion is the schema version of a resource that renamed
// attributes (see RenameUpgraders); version 0 holds the old names.
const RenamedSchemaVersion = 1

// RenameUpgraders upgrade a state of schema version 0 by moving each value
// from its old attribute name to its new one (old => new; a dotted path
// renames an attribute of a nested object, e.g. "chart.name" => "chart.chart"
// with the same parent). Without it Terraform would drop the old value: a
// renamed attribute would plan a change, and a renamed one that forces
// replacement (a namespace) would plan to destroy the object.
func RenameUpgraders(renames map[string]string) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: func(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
		var state map[string]any
		if req.RawState == nil || json.Unmarshal(req.RawState.JSON, &state) != nil {
			resp.Diagnostics.AddError("Cannot upgrade the state", "The prior state is not a JSON object; remove the resource from the state and import it.")
			return
		}
		for old, renamed := range renames {
			renameAt(state, strings.Split(old, "."), renamed[strings.LastIndex(renamed, ".")+1:])
		}
		upgraded, err := json.Marshal(state)
		if err != nil {
			resp.Diagnostics.AddError("Cannot upgrade the state", err.Error())
			return
		}
		resp.DynamicValue = &tfprotov6.DynamicValue{JSON: upgraded}
	}}}
}

// renameAt moves the value at path (within nested objects) to the key
// renamed beside it; a path that is absent or null on the way is left alone.
func renameAt(object map[string]any, path []string, renamed string) {
	if len(path) > 1 {
		if nested, ok := object[path[0]].(map[string]any); ok {
			renameAt(nested, path[1:], renamed)
		}
		return
	}
	if v, ok := object[path[0]]; ok {
		delete(object, path[0])
		object[renamed] = v
	}
}

// UpgradeState upgrades the states of renamed attributes (ObjectResourceSpec.Renames).
func (r *ObjectResource[T, M, PM]) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	if len(r.Renames) == 0 {
		return nil
	}
	return RenameUpgraders(r.Renames)
}
