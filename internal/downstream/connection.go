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
		storedIn + ", bound to the resource by its SHA-256 in private state (a Secret changed outside Terraform is not " +
		"used, and the next apply writes it again), and deletes it with the resource. It may only hold inline " +
		"credentials: no `exec` plugin, auth provider, `tokenFile` or certificate, key and CA paths, which would run or " +
		"read something on the machine running Terraform (use `exec` here for a credential plugin). Requires " +
		"`kubeconfig_wo_version`."
	wo.Validators = append(wo.Validators, validate.InlineKubeconfig(),
		stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("kubeconfig_wo_version")))
	a.Attributes[connection.AttrKubeconfigWO] = wo
	for _, name := range []string{connection.AttrToken, connection.AttrClientKey, connection.AttrProxyURL} {
		attr := a.Attributes[name].(schema.StringAttribute)
		attr.Description += " Kept in the state (sensitive): refresh and destroy connect with it."
		a.Attributes[name] = attr
	}
	exec := a.Attributes[connection.AttrExec].(schema.SingleNestedAttribute)
	exec.Description += " It runs for every refresh, apply and destroy, so it suits short-lived credentials; " +
		"`args` and `env` are kept in the state (sensitive)."
	a.Attributes[connection.AttrExec] = exec
	token := a.Attributes[connection.AttrToken].(schema.StringAttribute)
	token.Description += " A short-lived token (EKS, GKE) has expired by then: refresh warns and plans an update that uses " +
		"the configuration's; prefer `exec` or `kubeconfig_wo`."
	a.Attributes[connection.AttrToken] = token
	insecure := a.Attributes[connection.AttrInsecure].(schema.BoolAttribute)
	insecure.Validators = append(insecure.Validators, validate.InsecureWarning("the downstream cluster's API server"))
	a.Attributes[connection.AttrInsecure] = insecure
	a.Attributes["kubeconfig_wo_version"] = schema.Int64Attribute{
		Optional:    true,
		Description: "Version of `kubeconfig_wo`: change it to store a new kubeconfig.",
		Validators:  []validator.Int64{int64validator.AlsoRequires(path.MatchRelative().AtParent().AtName(connection.AttrKubeconfigWO))},
	}
	return a
}
