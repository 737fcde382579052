package validate

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// SplitNamespacedName parses `<namespace>/<name>`, the form of every import
// ID and every reference to another object of the provider.
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

// NamespacedName accepts `<namespace>/<name>`.
func NamespacedName() validator.String {
	return stringValidator{
		description: "must be `<namespace>/<name>`",
		summary:     "Invalid reference",
		check: func(s string) error {
			_, _, err := SplitNamespacedName(s)
			return err
		},
	}
}
