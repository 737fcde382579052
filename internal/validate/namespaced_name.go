package validate

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// NamespacedName accepts `<namespace>/<name>`.
type NamespacedName struct{}

func (NamespacedName) Description(context.Context) string {
	return "must be `<namespace>/<name>`"
}

func (v NamespacedName) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (NamespacedName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, _, err := SplitNamespacedName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid reference", err.Error())
	}
}

func SplitNamespacedName(s string) (namespace, name string, err error) {
	namespace, name, ok := strings.Cut(s, "/")
	if !ok {
		return "", "", fmt.Errorf("expected `<namespace>/<name>`, got %q", s)
	}
	if err := CheckNamespaceName(namespace); err != nil {
		return "", "", fmt.Errorf("namespace of %q: %w", s, err)
	}
	if err := CheckResourceName(name); err != nil {
		return "", "", fmt.Errorf("name of %q: %w", s, err)
	}
	return namespace, name, nil
}
