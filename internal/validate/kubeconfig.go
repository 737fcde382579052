package validate

import (
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// CheckKubeconfig checks offline that a kubeconfig parses and names a
// cluster; errors never repeat the content.
func CheckKubeconfig(s string) error {
	_, err := (kube.Config{Kubeconfig: s}).RESTConfig()
	return err
}

// Kubeconfig accepts a kubeconfig that CheckKubeconfig accepts.
func Kubeconfig() validator.String {
	return stringValidator{description: "must be a kubeconfig that parses", summary: "Invalid kubeconfig", check: CheckKubeconfig}
}

// CheckInlineKubeconfig is CheckKubeconfig for a kubeconfig the provider
// keeps and reads back later: its credentials must be inline (no exec
// plugin, auth provider or file path, see kube.CheckInlineKubeconfig).
func CheckInlineKubeconfig(s string) error {
	if err := kube.CheckInlineKubeconfig(s); err != nil {
		return err
	}
	return CheckKubeconfig(s)
}

// InlineKubeconfig accepts a kubeconfig that CheckInlineKubeconfig accepts.
func InlineKubeconfig() validator.String {
	return stringValidator{
		description: "must be a kubeconfig that parses, with inline credentials only (no exec plugin, auth provider or file paths)",
		summary:     "Invalid kubeconfig", check: CheckInlineKubeconfig,
	}
}
