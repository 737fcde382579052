package framework

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// identityOf is an identity of w with the given values.
func identityOf(t *testing.T, w WithIdentity, values map[string]string) *tfsdk.ResourceIdentity {
	t.Helper()
	ctx := context.Background()
	var resp resource.IdentitySchemaResponse
	w.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
	attrs := map[string]tftypes.Value{}
	for _, a := range w {
		var v any // null when values lacks it
		if s, ok := values[a.Name]; ok {
			v = s
		}
		attrs[a.Name] = tftypes.NewValue(tftypes.String, v)
	}
	return &tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(resp.IdentitySchema.Type().TerraformType(ctx), attrs)}
}

func TestImportID(t *testing.T) {
	ctx := context.Background()
	w := NamespacedIdentity("GitRepo")
	for _, c := range []struct {
		name      string
		req       resource.ImportStateRequest
		want, err string
	}{
		{"by ID", resource.ImportStateRequest{ID: "fleet-local/apps"}, "fleet-local/apps", ""},
		{"by identity", resource.ImportStateRequest{Identity: identityOf(t, w, map[string]string{"namespace": "fleet-local", "name": "apps"})}, "fleet-local/apps", ""},
		{"name missing", resource.ImportStateRequest{Identity: identityOf(t, w, map[string]string{"namespace": "fleet-local"})}, "", "identity.name must not be empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var diags diag.Diagnostics
			got := w.ImportID(ctx, c.req, &diags)
			if got != c.want {
				t.Errorf("ImportID = %q, want %q", got, c.want)
			}
			if c.err == "" && diags.HasError() || c.err != "" && (!diags.HasError() || !strings.Contains(diags[0].Detail(), c.err)) {
				t.Errorf("diagnostics %v, want an error with %q", diags, c.err)
			}
		})
	}
}

// TestRecordIdentity: the identity comes from the state attributes of the
// same names, and a null state (a failed create) leaves it alone.
func TestRecordIdentity(t *testing.T) {
	ctx := context.Background()
	w := WithIdentity{{Name: "namespace"}, {Name: "name"}}
	stateSchema := schema.Schema{Attributes: map[string]schema.Attribute{
		"namespace": schema.StringAttribute{Required: true}, "name": schema.StringAttribute{Required: true},
	}}
	stateType := stateSchema.Type().TerraformType(ctx)
	state := tfsdk.State{Schema: stateSchema, Raw: tftypes.NewValue(stateType, map[string]tftypes.Value{
		"namespace": tftypes.NewValue(tftypes.String, "fleet-default"), "name": tftypes.NewValue(tftypes.String, "edge-1"),
	})}
	identity := identityOf(t, w, nil)
	var diags diag.Diagnostics
	w.RecordIdentity(ctx, &state, identity, &diags)
	want := identityOf(t, w, map[string]string{"namespace": "fleet-default", "name": "edge-1"})
	if diags.HasError() || !identity.Raw.Equal(want.Raw) {
		t.Fatalf("identity %v (%v), want %v", identity.Raw, diags, want.Raw)
	}
	w.RecordIdentity(ctx, &tfsdk.State{Schema: stateSchema, Raw: tftypes.NewValue(stateType, nil)}, identity, &diags)
	if !identity.Raw.Equal(want.Raw) {
		t.Fatalf("a null state changed the identity to %v", identity.Raw)
	}
}
