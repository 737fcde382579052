package rancher

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// registrationEphemeral is fleet_rancher_cluster_registration: what a
// downstream cluster needs to import itself into Rancher, never in plan or
// state. It only reads: the token is Rancher's, which keeps it as long as
// the cluster, so Close has nothing to remove.
type registrationEphemeral struct {
	framework.EphemeralResourceBase
}

var _ ephemeral.EphemeralResourceWithConfigure = (*registrationEphemeral)(nil)

// NewRegistrationEphemeralResource is the ephemeral fleet_rancher_cluster_registration.
func NewRegistrationEphemeralResource() ephemeral.EphemeralResource { return &registrationEphemeral{} }

type registrationEphemeralModel struct {
	Cluster             types.String `tfsdk:"cluster"`
	ClusterID           types.String `tfsdk:"cluster_id"`
	ManifestURL         types.String `tfsdk:"manifest_url"`
	RegistrationCommand types.String `tfsdk:"registration_command"`
}

func (e *registrationEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rancher_cluster_registration"
}

func (e *registrationEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Rancher's registration of a `fleet_rancher_cluster`: the import manifest URL and the `kubectl` command, " +
			"both carrying the cluster's registration token, for importing the cluster by hand or from a provisioner. " +
			"Read from Rancher's `management.cattle.io/v3` ClusterRegistrationToken `default-token` of the cluster; it " +
			"creates nothing. Terraform keeps ephemeral values out of the plan and the state; with `fleet_rancher_cluster`'s " +
			"`token_in_state = false` the token never reaches the state. Requires Terraform 1.10 or later.",
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{
				Required:    true,
				Description: "The Rancher cluster, `namespace/name`: the `id` of a `fleet_rancher_cluster`.",
				Validators:  []validator.String{validate.NamespacedName()},
			},
			"cluster_id": schema.StringAttribute{Computed: true, Description: "Rancher's ID of the cluster (`c-m-...`)."},
			"manifest_url": schema.StringAttribute{
				Computed: true, Sensitive: true,
				Description: "URL of the import manifest, with the registration token filled in.",
			},
			"registration_command": schema.StringAttribute{
				Computed: true, Sensitive: true,
				Description: "`kubectl apply -f <manifest_url>`: run it against the downstream cluster to import it.",
			},
		},
	}
}

func (e *registrationEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m registrationEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	reg, diags := registrationOf(ctx, e.Data.Client, m.Cluster.ValueString())
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	m.ClusterID, m.ManifestURL, m.RegistrationCommand = types.StringValue(reg.clusterID), types.StringValue(reg.manifestURL), types.StringValue(reg.command)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
