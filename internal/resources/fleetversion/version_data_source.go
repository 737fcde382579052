package fleetversion

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

type versionModel struct {
	Version       types.String `tfsdk:"version"`
	VersionSource types.String `tfsdk:"version_source"`
	Kinds         types.Set    `tfsdk:"kinds"`
	Features      types.Map    `tfsdk:"features"`
	FieldsSource  types.String `tfsdk:"features_source"`
}

type versionDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*versionDataSource)(nil)

// NewVersionDataSource is data source fleet_version.
func NewVersionDataSource() datasource.DataSource { return &versionDataSource{} }

func (d *versionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_version"
}

func (d *versionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	var names []string
	for _, f := range compat.Features {
		names = append(names, fmt.Sprintf("`%s` (%s)", f.Name(), f.Since))
	}
	resp.Schema = schema.Schema{
		Description: "What the provider learned of the management cluster's Fleet: its release as far as it can be known, the " +
			"kinds it serves, and which provider features it has, so that a module can branch on them. The provider learns " +
			"this once per provider configuration, from discovery of `fleet.cattle.io/v1alpha1`, the CRD schemas the API " +
			"server publishes (OpenAPI v3) and the `fleet-controller` Deployment in `cattle-fleet-system`; only discovery is " +
			"required. Resources use the same answer to refuse, at plan time, attributes this Fleet does not have.",
		Attributes: map[string]schema.Attribute{
			"version": schema.StringAttribute{Computed: true,
				Description: "The Fleet release: the tag of the `fleet-controller` image (e.g. `v0.15.0`) when the credentials may " +
					"read that Deployment, else the release series the served kinds show (`v0.16.x` serves Policy, `v0.15.x` " +
					"HelmOp, `v0.12.x` HelmApp; releases between them serve what the older one does)."},
			"version_source": schema.StringAttribute{Computed: true,
				Description: fmt.Sprintf("Where `version` comes from: `%s` or `%s`.", compat.SourceControllerImage, compat.SourceServedKinds)},
			"kinds": schema.SetAttribute{Computed: true, ElementType: types.StringType,
				Description: "The Fleet kinds the management cluster serves, e.g. `GitRepo`, `HelmOp`."},
			"features": schema.MapAttribute{Computed: true, ElementType: types.BoolType,
				Description: "Whether this Fleet has each version-gated provider feature, by name (minimum release): " +
					strings.Join(names, ", ") + ". A resource type alone stands for its kind."},
			"features_source": schema.StringAttribute{Computed: true,
				Description: fmt.Sprintf("How `features` were learned: `%s` (the fields each CRD declares) or `%s` (from `version`, "+
					"when the schemas cannot be read).", compat.SourceSchemas, compat.SourceRelease)},
		},
	}
}

func (d *versionDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.Data == nil {
		resp.Diagnostics.AddError("Provider not configured", "fleet_version needs the provider's connection.")
		return
	}
	fleet, err := compat.Learn(ctx, d.Data.Client)
	if err != nil {
		resp.Diagnostics.AddError("Cannot learn the management cluster's Fleet release", err.Error())
		return
	}
	if !fleet.Installed {
		resp.Diagnostics.AddError("Fleet is not installed",
			"The management cluster does not serve fleet.cattle.io/v1alpha1: install Fleet (or Rancher) first, or check the provider's connection.")
		return
	}
	kinds, diags := types.SetValueFrom(ctx, types.StringType, fleet.Kinds)
	resp.Diagnostics.Append(diags...)
	features := map[string]attr.Value{}
	for _, f := range compat.Features {
		features[f.Name()] = types.BoolValue(fleet.Has(f))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &versionModel{
		Version:       types.StringValue(fleet.Version),
		VersionSource: types.StringValue(fleet.VersionSource),
		Kinds:         kinds,
		Features:      types.MapValueMust(types.BoolType, features),
		FieldsSource:  types.StringValue(fleet.FieldsSource),
	})...)
}
