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

// ControllerKubeconfig warns about what the Fleet controller cannot use of a
// kubeconfig for manager-initiated registration (see
// kube.CheckControllerKubeconfig). A warning, not an error: a controller run
// outside the cluster (as in development) can use it.
func ControllerKubeconfig() validator.String {
	return stringValidator{
		description: "should have inline credentials and a server address the Fleet controller reaches from inside the management cluster",
		summary:     "The Fleet controller may not be able to use this kubeconfig", check: kube.CheckControllerKubeconfig, warning: true,
	}
}
