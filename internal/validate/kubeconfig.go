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
