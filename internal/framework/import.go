package framework

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Every import ID of the provider is `<namespace>/<name>`, parsed by
// validate.SplitNamespacedName, or a cluster-scoped object's name; an import
// by identity builds the same ID (WithIdentity.ImportID), so the importers
// below take the ID and do nothing once diagnostics hold an error. An import
// marks the next Read in private state, which then takes every field the
// object holds instead of only those the configuration manages.

// importedKey marks in private state that the next Read follows an import.
const importedKey = "imported"

// ImportNamespaced imports by `<namespace>/<name>` into id and the
// namespaceAttr and nameAttr attributes.
func ImportNamespaced(ctx context.Context, id string, resp *resource.ImportStateResponse, namespaceAttr, nameAttr string) {
	if resp.Diagnostics.HasError() {
		return
	}
	namespace, name, err := validate.SplitNamespacedName(id)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(namespaceAttr), namespace)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(nameAttr), name)...)
	markImported(ctx, resp)
}

// ImportReference imports a resource that another object identifies (a
// fleet_agent by its Cluster), `<namespace>/<name>`, into id and attr; what
// names that object in the error.
func ImportReference(ctx context.Context, id string, resp *resource.ImportStateResponse, attr, what string) {
	if resp.Diagnostics.HasError() {
		return
	}
	if _, _, err := validate.SplitNamespacedName(id); err != nil {
		resp.Diagnostics.AddError("Invalid import ID", "Import by "+what+", `<namespace>/<name>`: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), id)...)
	markImported(ctx, resp)
}

// ImportByName imports a cluster-scoped object by its name, which check
// accepts, into id and nameAttr.
func ImportByName(ctx context.Context, id string, resp *resource.ImportStateResponse, nameAttr string, check func(string) error) {
	if resp.Diagnostics.HasError() {
		return
	}
	if err := check(id); err != nil {
		resp.Diagnostics.AddError("Invalid import ID", "expected a name: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(nameAttr), id)...)
	markImported(ctx, resp)
}

func markImported(ctx context.Context, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte(`true`))...)
}

// privateReader is the private state of a Read request.
type privateReader interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// privateWriter is the private state of a Read response.
type privateWriter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// WasImported reports whether this Read is the one right after an import.
func WasImported(ctx context.Context, private privateReader) bool {
	data, _ := private.GetKey(ctx, importedKey)
	return string(data) == "true"
}

// ImportRead ends the import: a Read that succeeded calls it, so the next one
// is a refresh (a failed one leaves the mark, and the retry is an import).
func ImportRead(ctx context.Context, private privateWriter) diag.Diagnostics {
	return private.SetKey(ctx, importedKey, nil)
}
