package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
)

// TestDataSourceSchemas builds every data source schema (the converter
// panics on an attribute kind it does not know) and lets the framework check it.
func TestDataSourceSchemas(t *testing.T) {
	ctx := context.Background()
	for _, newDataSource := range DataSources() {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "fleet"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp datasource.SchemaResponse
			ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatal(diags)
			}
			for name, a := range resp.Schema.Attributes {
				if a.GetDescription() == "" {
					t.Errorf("attribute %s has no description", name)
				}
			}
		})
	}
}

// TestEphemeralResourceSchemas lists the ephemeral resources (so that none
// goes missing from the provider) and lets the framework check each schema:
// every attribute has a description, and every attribute that carries the
// registration token is marked sensitive.
func TestEphemeralResourceSchemas(t *testing.T) {
	ctx := context.Background()
	want := map[string][]string{
		"fleet_cluster_registration_token":   {"values", "token"},
		"fleet_rancher_cluster_registration": {"manifest_url", "registration_command"},
	}
	got := map[string]bool{}
	for _, newEphemeral := range EphemeralResources() {
		e := newEphemeral()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "fleet"}, &meta)
		got[meta.TypeName] = true
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp ephemeral.SchemaResponse
			e.Schema(ctx, ephemeral.SchemaRequest{}, &resp)
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatal(diags)
			}
			for name, a := range resp.Schema.Attributes {
				if a.GetDescription() == "" {
					t.Errorf("attribute %s has no description", name)
				}
			}
			for _, name := range want[meta.TypeName] {
				if a, ok := resp.Schema.Attributes[name]; !ok || !a.IsSensitive() {
					t.Errorf("attribute %s carries the token and is not sensitive", name)
				}
			}
		})
	}
	for name := range want {
		if !got[name] {
			t.Errorf("the provider does not offer the ephemeral resource %s", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("ephemeral resources %v, want %v", got, want)
	}
}
