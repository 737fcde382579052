package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
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
