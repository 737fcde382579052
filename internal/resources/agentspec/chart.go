package agentspec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// ChartSourceModel is the state of ChartSourceAttributes.
type ChartSourceModel struct {
	Repository            types.String `tfsdk:"repository"`
	Version               types.String `tfsdk:"version"`
	Path                  types.String `tfsdk:"path"`
	CABundle              types.String `tfsdk:"ca_bundle"`
	Username              types.String `tfsdk:"username"`
	PasswordWO            types.String `tfsdk:"password_wo"`
	PasswordWOVersion     types.Int64  `tfsdk:"password_wo_version"`
	InsecureSkipTLSVerify types.Bool   `tfsdk:"insecure_skip_tls_verify"`
}

// Source is where to load the chart name from: path, when set, is the
// chart's own folder or archive. password is the configuration's.
func (m *ChartSourceModel) Source(name, path, password string) helmchart.Source {
	return helmchart.Source{
		Repository: m.Repository.ValueString(), Chart: name, Version: m.Version.ValueString(), Path: path,
		CABundle: m.CABundle.ValueString(), Username: m.Username.ValueString(), Password: password,
		InsecureSkipTLSVerify: m.InsecureSkipTLSVerify.ValueBool(),
	}
}

// ImportedChartSource is what an import knows of a chart block: the
// installed version. Where the chart came from is recorded nowhere.
func ImportedChartSource(version string) ChartSourceModel {
	return ChartSourceModel{
		Repository: types.StringNull(), Version: types.StringValue(version), Path: types.StringNull(),
		CABundle: types.StringNull(), Username: types.StringNull(), PasswordWO: types.StringNull(),
		PasswordWOVersion: types.Int64Null(), InsecureSkipTLSVerify: types.BoolNull(),
	}
}

// SameChartSource reports whether two chart blocks name the same chart:
// repository, chart name (where the block has one), version and path.
// Credentials and TLS settings only say how to reach it, so a new password
// alone leaves the installed chart version known.
func SameChartSource(a, b types.Object) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.Equal(b)
	}
	x, y := a.Attributes(), b.Attributes()
	for _, name := range []string{"repository", "chart", "version", "path"} {
		if vx, vy := x[name], y[name]; (vx == nil) != (vy == nil) || (vx != nil && !vx.Equal(vy)) {
			return false
		}
	}
	return true
}

// ChartSourceAttributes are the attributes of a chart block that say where
// Fleet's charts come from (fleet_agent, fleet_install): a chart repository
// with its CA and credentials, or a local path, described by
// pathDescription. The block takes ChartSourceValidator.
func ChartSourceAttributes(pathDescription string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"repository": schema.StringAttribute{
			Optional: true,
			Description: "An HTTP(S) chart repository URL (`https://rancher.github.io/fleet-helm-charts/`) or an OCI " +
				"registry path (`oci://registry.corp/charts`; a chart is `<repository>/<chart name>:<version>`). " +
				"Credentials: `username` and `password_wo`; without them, an OCI registry gets those of " +
				"`helm registry login` on the machine running Terraform, if any.",
			Validators: []validator.String{validate.ChartRepositoryURL(),
				validate.URLPassword("set chart.username and chart.password_wo instead")},
		},
		"version": schema.StringAttribute{
			Optional: true,
			Description: "Chart version or version constraint as Helm reads it (e.g. `0.16.0` or `~0.16`). Unset " +
				"installs the latest version of the repository; for `path` it must match the chart's version.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1), validate.VersionConstraint()},
		},
		"path": schema.StringAttribute{
			Optional:    true,
			Description: pathDescription,
			Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"ca_bundle": schema.StringAttribute{
			Optional: true,
			Description: "PEM CA certificates to trust, besides the system's, for downloading the chart from " +
				"`repository` (HTTPS or OCI), e.g. `fleet_registry.site.ca_bundle`. Only Terraform's machine uses it.",
			Validators: []validator.String{validate.PEMCertificates(), stringvalidator.ConflictsWith(chartSibling("path"))},
		},
		"username": schema.StringAttribute{
			Optional:    true,
			Description: "User name for `repository` (basic authentication). Requires `password_wo` and `password_wo_version`.",
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.AlsoRequires(chartSibling("password_wo"), chartSibling("password_wo_version")),
				stringvalidator.ConflictsWith(chartSibling("path")),
			},
		},
		"password_wo": schema.StringAttribute{
			Optional: true, WriteOnly: true, Sensitive: true,
			Description: "Password or token of `username` (write-only: never in plan or state). The chart is " +
				"only downloaded when it is installed or upgraded, when Terraform has the configuration " +
				"and so the password; refresh and destroy do not need it.",
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.AlsoRequires(chartSibling("username"), chartSibling("password_wo_version")),
			},
		},
		"password_wo_version": schema.Int64Attribute{
			Optional: true,
			Description: "Version of `password_wo`: Terraform cannot see a write-only value change, so change " +
				"this number with the password. The next apply downloads the chart with it (the release is only " +
				"upgraded if the chart or values changed).",
			Validators: []validator.Int64{int64validator.AlsoRequires(chartSibling("password_wo"))},
		},
		"insecure_skip_tls_verify": schema.BoolAttribute{
			Optional:    true,
			Description: "Do not verify the TLS certificate of `repository`. Prefer `ca_bundle`.",
			Validators: []validator.Bool{
				boolvalidator.ConflictsWith(chartSibling("ca_bundle")),
				boolvalidator.ConflictsWith(chartSibling("path")),
			},
		},
	}
}

// chartSibling matches the chart attribute name next to the one validated.
func chartSibling(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }

// ChartSourceValidator requires exactly one of repository and path.
type ChartSourceValidator struct{}

func (ChartSourceValidator) Description(context.Context) string {
	return "exactly one of repository and path must be set"
}

func (v ChartSourceValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ChartSourceValidator) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	repo, local := attrs["repository"], attrs["path"]
	if repo == nil || local == nil || repo.IsUnknown() || local.IsUnknown() {
		return
	}
	switch {
	case repo.IsNull() && local.IsNull():
		resp.Diagnostics.AddAttributeError(req.Path, "Missing chart source", validate.Detail(req.Path, "Set chart.repository or chart.path."))
	case !repo.IsNull() && !local.IsNull():
		resp.Diagnostics.AddAttributeError(req.Path.AtName("path"), "Conflicting chart sources",
			validate.Detail(req.Path.AtName("path"), "Set chart.repository or chart.path, not both."))
	}
}
