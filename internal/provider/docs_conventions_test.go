package provider

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestResourceDocsConventions holds the registry pages to the conventions
// users rely on: every attribute is described, an Optional attribute with a
// default states it, and one with a fixed set of values lists them. make
// docs-check runs it.
func TestResourceDocsConventions(t *testing.T) {
	ctx := context.Background()
	for _, newResource := range Resources() {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "fleet"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			for name, a := range resp.Schema.Attributes {
				checkAttributeDocs(ctx, t, name, a)
			}
			for name, b := range resp.Schema.Blocks {
				for child, a := range nestedBlockAttributes(b) {
					checkAttributeDocs(ctx, t, name+"."+child, a)
				}
			}
		})
	}
}

// oneOf matches the description of stringvalidator.OneOf.
var oneOf = regexp.MustCompile(`^value must be one of: \[(.*)\]$`)

func checkAttributeDocs(ctx context.Context, t *testing.T, path string, a schema.Attribute) {
	t.Helper()
	description := a.GetMarkdownDescription()
	if description == "" {
		description = a.GetDescription()
	}
	if description == "" {
		t.Errorf("%s has no description", path)
	}
	v := reflect.ValueOf(a)
	if d := v.FieldByName("Default"); d.IsValid() && !d.IsNil() && !strings.Contains(strings.ToLower(description), "default") {
		t.Errorf("%s has a default that its description does not state", path)
	}
	if vs := v.FieldByName("Validators"); vs.IsValid() {
		for i := range vs.Len() {
			described, ok := vs.Index(i).Interface().(interface{ Description(context.Context) string })
			if !ok {
				continue
			}
			m := oneOf.FindStringSubmatch(described.Description(ctx))
			if m == nil {
				continue
			}
			for _, value := range strings.Fields(m[1]) {
				if value = strings.Trim(value, `"`); !strings.Contains(description, value) {
					t.Errorf("%s accepts %q, which its description does not list", path, value)
				}
			}
		}
	}
	for child, nested := range nestedAttributes(a) {
		checkAttributeDocs(ctx, t, path+"."+child, nested)
	}
}

// nestedAttributes returns the attributes of a nested attribute, nil for others.
func nestedAttributes(a schema.Attribute) map[string]schema.Attribute {
	if n, ok := a.(schema.NestedAttribute); ok {
		return n.GetNestedObject().(schema.NestedAttributeObject).Attributes
	}
	return nil
}

func nestedBlockAttributes(b schema.Block) map[string]schema.Attribute {
	if o, ok := b.GetNestedObject().(schema.NestedBlockObject); ok {
		return o.Attributes
	}
	return nil
}
