// Package provider implements the Terraform provider for Rancher Fleet.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/providerdata"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

const (
	// TypeName is the provider's name in Terraform configurations.
	TypeName = "fleet"

	// DefaultNamespace is the namespace used when neither default_namespace
	// nor FLEET_DEFAULT_NAMESPACE is set: Fleet's namespace for downstream
	// clusters managed through Rancher.
	DefaultNamespace = "fleet-default"

	// EnvDefaultNamespace is the fallback for default_namespace.
	EnvDefaultNamespace = "FLEET_DEFAULT_NAMESPACE"

	attrDefaultNamespace = "default_namespace"
	attrQPS              = "qps"
	attrBurst            = "burst"
)

// ErrConnectionUnknown is returned by the Kubernetes client when the
// provider's connection settings depend on values Terraform computes during
// apply.
var ErrConnectionUnknown = errors.New("the fleet provider's connection settings were not known during plan; they become known during apply")

var (
	_ provider.Provider                       = (*fleetProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*fleetProvider)(nil)
)

type fleetProvider struct {
	version string
}

// New returns a constructor of the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &fleetProvider{version: version}
	}
}

// providerModel is the provider block.
type providerModel struct {
	connection.Model
	DefaultNamespace types.String  `tfsdk:"default_namespace"`
	QPS              types.Float64 `tfsdk:"qps"`
	Burst            types.Int64   `tfsdk:"burst"`
}

func (p *fleetProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *fleetProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := connection.ProviderAttributes()
	attrs[attrDefaultNamespace] = schema.StringAttribute{
		Description: fmt.Sprintf("Namespace of Fleet objects that do not set one. Defaults to `%s`, "+
			"the namespace Rancher uses for downstream clusters. Can also be set with the `%s` environment variable.",
			DefaultNamespace, EnvDefaultNamespace),
		Optional:   true,
		Validators: []validator.String{validate.NamespaceName()},
	}
	attrs[attrQPS] = schema.Float64Attribute{
		Description: "Requests per second the provider sends to the cluster at most. Unset, the provider does not " +
			"throttle itself: the API server's priority and fairness decides, and the provider waits when it is told " +
			"to (HTTP 429). Set it to be gentle with a shared or small API server.",
		Optional:   true,
		Validators: []validator.Float64{float64validator.AtLeast(0.1)},
	}
	attrs[attrBurst] = schema.Int64Attribute{
		Description: "Requests the provider may send at once above `qps` before it throttles. Needs `qps`; defaults to `qps`, rounded up.",
		Optional:    true,
		Validators: []validator.Int64{int64validator.AtLeast(1),
			int64validator.AlsoRequires(path.MatchRoot(attrQPS))},
	}
	resp.Schema = schema.Schema{
		Description: "Manages Rancher Fleet objects (cluster groups, GitRepos, bundles and more) " +
			"in the Fleet management cluster through the Kubernetes API.",
		MarkdownDescription: "The Fleet provider manages [Rancher Fleet](https://fleet.rancher.io/) objects, " +
			"such as cluster groups and GitRepos, in the Fleet management cluster through the Kubernetes API.\n\n" +
			"Configure the connection like the `kubernetes` and `helm` providers: with a kubeconfig " +
			"(`config_path`, `config_paths`) or with `host` and credentials, or the matching `KUBE_*` " +
			"environment variables. The provider contacts the cluster only when a resource or data source needs it.",
		Attributes: attrs,
	}
}

// Configure prepares the client; it never contacts the cluster.
func (p *fleetProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	namespace, diags := defaultNamespace(m.DefaultNamespace, os.LookupEnv)
	resp.Diagnostics.Append(diags...)

	cfg, diags, unknown := m.Config(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg.QPS, cfg.Burst = m.QPS.ValueFloat64(), int(m.Burst.ValueInt64())
	var client *kube.Client
	if unknown {
		tflog.Debug(ctx, "fleet provider connection settings are unknown; deferring the client")
		client = kube.NewClientError(ErrConnectionUnknown)
	} else {
		tflog.Debug(ctx, "configured fleet provider", map[string]any{
			"host":           cfg.Host,
			"config_path":    cfg.ConfigPath,
			"config_paths":   cfg.ConfigPaths,
			"config_context": cfg.ConfigContext,
		})
		client = kube.NewClient(cfg)
	}

	data := &providerdata.Data{Client: client, DefaultNamespace: namespace}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

// defaultNamespace resolves default_namespace: the attribute, else the
// environment, else DefaultNamespace; "" when the attribute is unknown.
func defaultNamespace(v types.String, lookup func(string) (string, bool)) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case v.IsUnknown():
		return "", diags
	case !v.IsNull():
		return v.ValueString(), diags
	}
	env, ok := lookup(EnvDefaultNamespace)
	if !ok || env == "" {
		return DefaultNamespace, diags
	}
	if err := validate.CheckNamespaceName(env); err != nil {
		diags.AddAttributeError(path.Root(attrDefaultNamespace), "Invalid environment variable "+EnvDefaultNamespace,
			fmt.Sprintf("The %s environment variable, used because %s is not set: %v; got %q.",
				EnvDefaultNamespace, attrDefaultNamespace, err, env))
	}
	return env, diags
}

func (p *fleetProvider) Resources(context.Context) []func() resource.Resource {
	return Resources()
}

func (p *fleetProvider) DataSources(context.Context) []func() datasource.DataSource {
	return DataSources()
}

func (p *fleetProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return EphemeralResources()
}
