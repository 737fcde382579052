package agentspec

import (
	"encoding/base64"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// PullSecretModel is the registry account of an image pull Secret the
// provider creates (fleet_agent, fleet_install).
type PullSecretModel struct {
	Server            types.String `tfsdk:"server"`
	Username          types.String `tfsdk:"username"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
}

// PullSecretAttribute is the image_pull_secret block, described by
// description.
func PullSecretAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:    true,
		Description: description,
		Attributes: map[string]schema.Attribute{
			"server":   schema.StringAttribute{Required: true, Description: "Registry host, e.g. `registry.corp:5000`.", Validators: []validator.String{validate.RegistryServer()}},
			"username": schema.StringAttribute{Required: true, Description: "Registry user name.", Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"password_wo": schema.StringAttribute{
				Required: true, WriteOnly: true, Sensitive: true,
				Description: "Registry password (write-only: never in plan or state).",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password_wo_version": schema.Int64Attribute{
				Required:    true,
				Description: "Version of `password_wo`: change it to write a new password.",
			},
		},
	}
}

// SecretData is the data of a kubernetes.io/dockerconfigjson Secret for
// the account, with password from the configuration.
func (m *PullSecretModel) SecretData(password string) map[string][]byte {
	server, user := m.Server.ValueString(), m.Username.ValueString()
	// Marshalling maps of strings cannot fail.
	config, _ := json.Marshal(map[string]any{"auths": map[string]any{server: map[string]string{
		"username": user, "password": password,
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
	}}})
	return map[string][]byte{corev1.DockerConfigJsonKey: config}
}

// Changed reports whether the Secret must be written again: another account,
// or a new password version.
func (m *PullSecretModel) Changed(prior *PullSecretModel) bool {
	return prior == nil || !m.Server.Equal(prior.Server) || !m.Username.Equal(prior.Username) ||
		!m.PasswordWOVersion.Equal(prior.PasswordWOVersion)
}
