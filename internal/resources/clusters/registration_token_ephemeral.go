package clusters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// registrationTokenEphemeral is the ephemeral fleet_cluster_registration_token:
// the registration values of an existing token, never in plan or state.
//
// It reads a token and creates none. A token it created would have to go in
// Close, at the end of the Terraform run that opened it, but an agent
// registers after it is installed, often after that run (by hand, or a Helm
// release that does not wait): it would find its token gone. Open also runs
// at plan and again at apply, which would churn tokens. So the token's
// lifetime is that of a fleet_cluster_registration_token (or of whatever
// created it), and Close has nothing to remove.
type registrationTokenEphemeral struct {
	framework.EphemeralResourceBase
}

var _ ephemeral.EphemeralResourceWithConfigure = (*registrationTokenEphemeral)(nil)

// NewRegistrationTokenEphemeralResource is the ephemeral fleet_cluster_registration_token.
func NewRegistrationTokenEphemeralResource() ephemeral.EphemeralResource {
	return &registrationTokenEphemeral{}
}

type registrationTokenEphemeralModel struct {
	RegistrationToken types.String `tfsdk:"registration_token"`
	Values            types.String `tfsdk:"values"`
	Token             types.String `tfsdk:"token"`
	APIServerURL      types.String `tfsdk:"api_server_url"`
	APIServerCA       types.String `tfsdk:"api_server_ca"`
	Expires           types.String `tfsdk:"expires"`
}

// registrationValues are the fields of the values Fleet writes for a token
// that the ephemeral resource returns one by one.
type registrationValues struct {
	APIServerURL string `json:"apiServerURL"`
	APIServerCA  string `json:"apiServerCA"`
	Token        string `json:"token"`
}

func (e *registrationTokenEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_registration_token"
}

func (e *registrationTokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The registration values of an existing Fleet ClusterRegistrationToken, for installing an agent " +
			"outside `fleet_agent` (a Helm release's write-only values, a provisioner, a command run by hand). Terraform " +
			"keeps ephemeral values out of the plan and the state; with `fleet_cluster_registration_token`'s " +
			"`token_in_state = false` the token never reaches the state. It reads the token and creates none: the " +
			"token lives as long as the `fleet_cluster_registration_token` (or its `ttl`), so an agent that registers " +
			"after the Terraform run can still use it. Requires Terraform 1.10 or later.",
		Attributes: map[string]schema.Attribute{
			"registration_token": schema.StringAttribute{
				Required: true,
				Description: "The ClusterRegistrationToken, `<namespace>/<name>`: the `id` of a `fleet_cluster_registration_token` " +
					"(which also makes Terraform read it only once the token exists).",
				Validators: []validator.String{validate.NamespacedName()},
			},
			"values": schema.StringAttribute{
				Computed: true, Sensitive: true,
				Description: "The registration values Fleet generated (YAML: `apiServerURL`, `apiServerCA`, `clusterNamespace`, " +
					"`systemRegistrationNamespace`, `token`, `tokenName`): the token's part of the fleet-agent chart's values.",
			},
			"token":          schema.StringAttribute{Computed: true, Sensitive: true, Description: "The registration token itself (`token` of `values`)."},
			"api_server_url": schema.StringAttribute{Computed: true, Description: "The management cluster's API server URL (`apiServerURL` of `values`); empty when Fleet does not know it."},
			"api_server_ca":  schema.StringAttribute{Computed: true, Description: "The management cluster's CA, PEM (`apiServerCA` of `values`); empty when Fleet does not know it."},
			"expires":        schema.StringAttribute{Computed: true, Description: "When the token expires (RFC 3339); empty when it never does."},
		},
	}
}

func (e *registrationTokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m registrationTokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	namespace, name, _ := validate.SplitNamespacedName(m.RegistrationToken.ValueString()) // validated
	token := framework.ReadNamedObject(ctx, &e.DataSourceBase, RegistrationTokenAPI,
		framework.ObjectMetaModel{Name: types.StringValue(name), Namespace: types.StringValue(namespace)}, &resp.Diagnostics)
	if token == nil {
		return
	}
	resp.Diagnostics.Append(m.fill(ctx, e, token)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	}
}

// fill reads the values Fleet wrote for a token that has not expired.
func (m *registrationTokenEphemeralModel) fill(ctx context.Context, e *registrationTokenEphemeral, token *fleet.ClusterRegistrationToken) diag.Diagnostics {
	var diags diag.Diagnostics
	at, id := path.Root("registration_token"), token.Namespace+"/"+token.Name
	m.Expires = types.StringValue("")
	if expires, ok := TokenExpiry(token); ok {
		if expires.Before(time.Now()) {
			diags.AddAttributeError(at, "Registration token expired",
				fmt.Sprintf("ClusterRegistrationToken %s expired at %s.", id, expires.UTC().Format(time.RFC3339)))
			return diags
		}
		m.Expires = types.StringValue(expires.UTC().Format(time.RFC3339))
	}
	var values string
	err := framework.ErrNotFound
	if token.Status != nil && token.Status.SecretName != "" {
		values, err = RegistrationValues(ctx, e.Data.Client, token.Namespace, token.Status.SecretName)
	}
	switch {
	case errors.Is(err, framework.ErrNotFound):
		diags.AddAttributeError(at, "The registration values are not there yet",
			fmt.Sprintf("Fleet has not written the registration values of ClusterRegistrationToken %s. Is the Fleet controller running?", id))
		return diags
	case err != nil:
		diags.AddAttributeError(at, "Cannot read the registration values", err.Error())
		return diags
	}
	var parsed registrationValues
	if err := yaml.Unmarshal([]byte(values), &parsed); err != nil || parsed.Token == "" {
		diags.AddAttributeError(at, "Unusable registration values",
			fmt.Sprintf("The registration values of ClusterRegistrationToken %s are not YAML with a token.", id))
		return diags
	}
	m.Values, m.Token = types.StringValue(values), types.StringValue(parsed.Token)
	m.APIServerURL, m.APIServerCA = types.StringValue(parsed.APIServerURL), types.StringValue(parsed.APIServerCA)
	return diags
}
