package framework

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ImportedKey marks in private state that the next Read follows an import.
const ImportedKey = "imported"

// ImportNamespacedObject parses a `namespace/name` import ID.
func ImportNamespacedObject(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	namespace, name, ok := strings.Cut(req.ID, "/")
	if !ok || namespace == "" || name == "" || strings.Contains(name, "/") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("expected `namespace/name`, got %q", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("namespace"), namespace)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ImportedKey, []byte(`true`))...)
}

// privateReader is what Read's private state offers.
type privateReader interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// WasImported reports whether this Read is the one right after an import.
func WasImported(ctx context.Context, private privateReader) bool {
	data, _ := private.GetKey(ctx, ImportedKey)
	return string(data) == "true"
}
