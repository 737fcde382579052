package downstream

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// KubernetesModel is KubernetesAttribute's model.
type KubernetesModel struct {
	connection.ResourceModel
	KubeconfigWOVersion types.Int64 `tfsdk:"kubeconfig_wo_version"`
}

// Attribute paths that diagnostics name.
var (
	KubernetesPath   = path.Root("kubernetes")
	KubeconfigWOPath = KubernetesPath.AtName(connection.AttrKubeconfigWO)
)

// KubernetesAttribute is the connection of fleet_agent and
// fleet_rancher_agent to a downstream cluster: the provider's connection
// attributes plus kubeconfig_wo, which the provider keeps in an upstream
// Secret (storedIn says which) because Terraform passes no write-only value
// to refresh and destroy, and the version that makes a new one take effect.
func KubernetesAttribute(description, storedIn string) schema.SingleNestedAttribute {
	a := connection.ResourceNestedAttribute(description + " The same settings as the provider's, plus `kubeconfig_wo`; " +
		"the provider's `KUBE_*` environment variables do not apply.")
	a.Optional, a.Required = false, true
	wo := a.Attributes[connection.AttrKubeconfigWO].(schema.StringAttribute)
	wo.Description += " Terraform passes no write-only value to refresh and destroy, so the provider keeps it in " +
		storedIn + " and deletes it with the resource. Requires `kubeconfig_wo_version`."
	wo.Validators = append(wo.Validators, validate.Kubeconfig(),
		stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("kubeconfig_wo_version")))
	a.Attributes[connection.AttrKubeconfigWO] = wo
	a.Attributes["kubeconfig_wo_version"] = schema.Int64Attribute{
		Optional:    true,
		Description: "Version of `kubeconfig_wo`: change it to store a new kubeconfig.",
		Validators:  []validator.Int64{int64validator.AlsoRequires(path.MatchRelative().AtParent().AtName(connection.AttrKubeconfigWO))},
	}
	return a
}
