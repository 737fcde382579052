package framework

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IdentityAttribute is one part of a resource's identity (Terraform >= 1.12)
// and of its import ID.
type IdentityAttribute struct {
	// Name is the identity attribute, and the state attribute that holds
	// its value.
	Name        string
	Description string
}

// NamespacedIdentity is the identity of a namespaced object; its import ID
// is `<namespace>/<name>`.
func NamespacedIdentity(kind string) WithIdentity {
	return WithIdentity{
		{Name: "namespace", Description: "Namespace of the " + kind + "."},
		{Name: "name", Description: "Name of the " + kind + "."},
	}
}

// WithIdentity gives a resource its identity: the attributes its import ID
// is made of, in the order they appear in it, joined by "/". Each is a
// string its state holds under the same name, so an
// `import` block may name the object by `identity = { ... }` instead of `id`.
// The identity never changes for an object: every part of it is an attribute
// whose change replaces the resource.
type WithIdentity []IdentityAttribute

func (w WithIdentity) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	attrs := make(map[string]identityschema.Attribute, len(w))
	for _, a := range w {
		attrs[a.Name] = identityschema.StringAttribute{RequiredForImport: true, Description: a.Description}
	}
	resp.IdentitySchema = identityschema.Schema{Attributes: attrs}
}

// ImportID returns the import ID of an import by ID as it is, and builds the
// one of an import by identity from its attributes; diags names a missing one.
func (w WithIdentity) ImportID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	parts := make([]string, 0, len(w))
	for _, a := range w {
		var v types.String
		if diags.Append(req.Identity.GetAttribute(ctx, path.Root(a.Name), &v)...); diags.HasError() {
			return ""
		}
		if v.ValueString() == "" {
			diags.AddAttributeError(path.Root(a.Name), "Invalid import identity", "identity."+a.Name+" must not be empty.")
			return ""
		}
		parts = append(parts, v.ValueString())
	}
	return strings.Join(parts, "/")
}

// RecordIdentity copies the identity attributes from state into identity.
// Create and Update defer it with their response state; Read calls it with
// the request's, so an object found gone keeps the identity it had.
// A null state (a failed create) leaves identity as it is.
func (w WithIdentity) RecordIdentity(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil || state.Raw.IsNull() {
		return
	}
	for _, a := range w {
		var v types.String
		diags.Append(state.GetAttribute(ctx, path.Root(a.Name), &v)...)
		diags.Append(identity.SetAttribute(ctx, path.Root(a.Name), v)...)
	}
}
