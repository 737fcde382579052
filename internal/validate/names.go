package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"k8s.io/apimachinery/pkg/util/validation"
)

// totalAnnotationSizeLimit is the Kubernetes limit on the combined size of
// an object's annotation keys and values (256 KiB).
const totalAnnotationSizeLimit = 256 * 1024

func k8sErr(value, what string, msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%q is not a valid %s: %s", value, what, strings.Join(msgs, "; "))
}

// CheckResourceName checks a Kubernetes object name: an RFC 1123 subdomain
// (lowercase alphanumerics, '-' and '.', starting and ending with an
// alphanumeric, at most 253 characters).
func CheckResourceName(s string) error {
	return k8sErr(s, "Kubernetes resource name", validation.IsDNS1123Subdomain(s))
}

// CheckNamespaceName checks a Kubernetes namespace name: an RFC 1123 label
// (lowercase alphanumerics and '-', no dots, at most 63 characters).
func CheckNamespaceName(s string) error {
	return k8sErr(s, "Kubernetes namespace name", validation.IsDNS1123Label(s))
}

// CheckLabelKey checks a label key: a qualified name with an optional DNS
// subdomain prefix ("example.com/name").
func CheckLabelKey(s string) error {
	return k8sErr(s, "label key", validation.IsQualifiedName(s))
}

// CheckLabelValue checks a label value: empty, or at most 63 alphanumerics,
// '-', '_' and '.', starting and ending with an alphanumeric.
func CheckLabelValue(s string) error {
	return k8sErr(s, "label value", validation.IsValidLabelValue(s))
}

// CheckAnnotationKey checks an annotation key. Like Kubernetes, the key is
// lower-cased before the qualified-name check, so the prefix may use capitals.
func CheckAnnotationKey(s string) error {
	return k8sErr(s, "annotation key", validation.IsQualifiedName(strings.ToLower(s)))
}

// CheckAnnotationsSize checks the Kubernetes limit of 256 KiB on the total
// size of all annotation keys and values.
func CheckAnnotationsSize(m map[string]string) error {
	total := 0
	for k, v := range m {
		total += len(k) + len(v)
	}
	if total > totalAnnotationSizeLimit {
		return fmt.Errorf("annotations total %d bytes; Kubernetes allows at most %d bytes of keys and values", total, totalAnnotationSizeLimit)
	}
	return nil
}

// CheckEnvVarName checks an environment variable name as Kubernetes accepts
// it for containers: [-._a-zA-Z][-._a-zA-Z0-9]*, not ".", ".." or "..*".
func CheckEnvVarName(s string) error {
	return k8sErr(s, "environment variable name", validation.IsEnvVarName(s))
}

var selectorOperators = []string{"In", "NotIn", "Exists", "DoesNotExist"}

// CheckSelectorOperator checks a label selector requirement operator: one of
// In, NotIn, Exists, DoesNotExist (case-sensitive).
func CheckSelectorOperator(s string) error {
	for _, op := range selectorOperators {
		if s == op {
			return nil
		}
	}
	for _, op := range selectorOperators {
		if strings.EqualFold(s, op) {
			return fmt.Errorf("operator %q must be spelled %q (operators are case-sensitive)", s, op)
		}
	}
	if s == "" {
		return errors.New("operator must not be empty; use one of In, NotIn, Exists, DoesNotExist")
	}
	return fmt.Errorf("operator %q is not supported; use one of In, NotIn, Exists, DoesNotExist", s)
}

// ResourceName validates a Kubernetes object name (RFC 1123 subdomain).
func ResourceName() validator.String {
	return stringValidator{
		description: "must be a lowercase RFC 1123 subdomain of at most 253 characters (Kubernetes object name)",
		markdown:    "must be a lowercase RFC 1123 subdomain of at most 253 characters (Kubernetes object name, e.g. `my-app.v1`)",
		summary:     "Invalid Kubernetes resource name",
		check:       CheckResourceName,
	}
}

// NamespaceName validates a Kubernetes namespace name (RFC 1123 label).
func NamespaceName() validator.String {
	return stringValidator{
		description: "must be a lowercase RFC 1123 label of at most 63 characters (Kubernetes namespace name)",
		markdown:    "must be a lowercase RFC 1123 label of at most 63 characters without dots (Kubernetes namespace name, e.g. `fleet-default`)",
		summary:     "Invalid Kubernetes namespace name",
		check:       CheckNamespaceName,
	}
}

// SelectorOperator validates a label selector operator.
func SelectorOperator() validator.String {
	return stringValidator{
		description: "must be one of In, NotIn, Exists, DoesNotExist",
		markdown:    "must be one of `In`, `NotIn`, `Exists`, `DoesNotExist`",
		summary:     "Invalid selector operator",
		check:       CheckSelectorOperator,
	}
}

// LabelMap validates a map of Kubernetes labels: qualified-name keys and
// valid label values. Errors are reported at the offending map key.
func LabelMap() validator.Map {
	return mapValidator{
		description: "keys must be qualified names (optional DNS subdomain prefix and '/', then a name of at most 63 characters); values must be valid label values (at most 63 characters)",
		markdown:    "keys must be qualified names (optional DNS subdomain prefix and `/`, then a name of at most 63 characters, e.g. `example.com/env`); values must be valid label values (at most 63 characters)",
		summary:     "Invalid Kubernetes label",
		key:         CheckLabelKey,
		value:       CheckLabelValue,
	}
}

// AnnotationMap validates a map of Kubernetes annotations: qualified-name
// keys, and at most 256 KiB of keys and values in total.
func AnnotationMap() validator.Map {
	return mapValidator{
		description: "keys must be qualified names (optional DNS subdomain prefix and '/', then a name of at most 63 characters); keys and values together must not exceed 256 KiB",
		markdown:    "keys must be qualified names (optional DNS subdomain prefix and `/`, then a name of at most 63 characters, e.g. `example.com/note`); keys and values together must not exceed 256 KiB",
		summary:     "Invalid Kubernetes annotation",
		key:         CheckAnnotationKey,
		whole:       CheckAnnotationsSize,
	}
}

// EnvVarName validates the keys of a map of environment variables.
func EnvVarName() validator.Map {
	return mapValidator{
		description: "keys must be environment variable names matching [-._a-zA-Z][-._a-zA-Z0-9]*",
		markdown:    "keys must be environment variable names matching `[-._a-zA-Z][-._a-zA-Z0-9]*`",
		summary:     "Invalid environment variable name",
		key:         CheckEnvVarName,
	}
}

// LabelKey validates a label key (a qualified name with an optional DNS prefix).
func LabelKey() validator.String {
	return stringValidator{
		description: "must be a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters",
		summary:     "Invalid label key",
		check:       CheckLabelKey,
	}
}

// CheckClusterName checks the name of a cluster that names other objects
// too (KubeSphere's mc-<name> Service, the agent's --name): an RFC 1123
// label.
func CheckClusterName(s string) error {
	return k8sErr(s, "cluster name", validation.IsDNS1123Label(s))
}

// ClusterName validates such a cluster name.
func ClusterName() validator.String {
	return stringValidator{
		description: "must be a lowercase RFC 1123 label of at most 63 characters (letters, digits and '-')",
		markdown:    "must be a lowercase RFC 1123 label of at most 63 characters (letters, digits and '-', e.g. `edge-berlin-1`)",
		summary:     "Invalid cluster name",
		check:       CheckClusterName,
	}
}

// LabelValue validates a label value, e.g. one of a selector requirement's values.
func LabelValue() validator.String {
	return stringValidator{
		description: "must be a valid label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
		summary:     "Invalid label value",
		check:       CheckLabelValue,
	}
}
