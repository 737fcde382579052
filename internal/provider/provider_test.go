package provider

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/providerdata"
)

// protoV6ProviderFactories serves the provider as built by New.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"fleet": providerserver.NewProtocol6WithError(New("test")()),
}

// probeProvider is the provider plus the data source fleet_probe, which
// makes Terraform validate and configure the provider (it skips providers
// nothing uses) and records what Configure handed over, without using the
// client.
type probeProvider struct {
	fwprovider.Provider
	probe *probe
}

func (p probeProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	return append(p.Provider.DataSources(ctx), func() datasource.DataSource { return p.probe })
}

type probe struct {
	mu   sync.Mutex
	data *providerdata.Data
}

func (d *probe) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_probe"
}

func (d *probe) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{Attributes: map[string]dschema.Attribute{
		"default_namespace": dschema.StringAttribute{Computed: true, Description: "The provider's default namespace."},
	}}
}

func (d *probe) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerdata.Data)
	if !ok {
		resp.Diagnostics.AddError("unexpected provider data", fmt.Sprintf("%T", req.ProviderData))
		return
	}
	d.mu.Lock()
	d.data = data
	d.mu.Unlock()
}

func (d *probe) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	d.mu.Lock()
	data := d.data
	d.mu.Unlock()
	if data == nil {
		resp.Diagnostics.AddError("provider not configured", "fleet_probe read before the provider was configured")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("default_namespace"), data.DefaultNamespace)...)
}

func (d *probe) configured() *providerdata.Data {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.data
}

func probeFactories(p *probe) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"fleet": providerserver.NewProtocol6WithError(probeProvider{Provider: New("test")(), probe: p}),
	}
}

// clearEnv isolates a test from connection settings of the environment
// running it (empty counts as unset).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		connection.EnvConfigPath, connection.EnvConfigPaths, connection.EnvConfigContext,
		connection.EnvHost, connection.EnvToken, connection.EnvClusterCACertificate,
		connection.EnvClientCertificate, connection.EnvClientKey, connection.EnvInsecure,
		connection.EnvTLSServerName, connection.EnvProxyURL, EnvDefaultNamespace,
	} {
		t.Setenv(name, "")
	}
}

func providerSchema(t *testing.T) schema.Schema {
	t.Helper()
	resp := &fwprovider.SchemaResponse{}
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

func TestProviderSchema(t *testing.T) {
	s := providerSchema(t)
	if diags := s.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("invalid schema: %v", diags)
	}
	if s.MarkdownDescription == "" || s.Description == "" {
		t.Error("provider has no description")
	}
	for name, a := range s.Attributes {
		if strings.TrimSpace(a.GetDescription()) == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	for _, name := range []string{"host", "config_path", "config_paths", "exec", "default_namespace"} {
		if _, ok := s.Attributes[name]; !ok {
			t.Errorf("attribute %s missing", name)
		}
	}
	desc := s.Attributes["default_namespace"].GetDescription()
	if !strings.Contains(desc, "fleet-default") || !strings.Contains(desc, EnvDefaultNamespace) {
		t.Errorf("default_namespace description: %q", desc)
	}
}

func TestProviderMetadata(t *testing.T) {
	resp := &fwprovider.MetadataResponse{}
	New("1.2.3")().Metadata(context.Background(), fwprovider.MetadataRequest{}, resp)
	if resp.TypeName != "fleet" || resp.Version != "1.2.3" {
		t.Errorf("metadata = %+v", resp)
	}
}

// configure runs Configure with the given attribute values (others null).
func configure(t *testing.T, values map[string]tftypes.Value) (*providerdata.Data, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	s := providerSchema(t)
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range values {
		vals[name] = v
	}
	req := fwprovider.ConfigureRequest{Config: tfsdk.Config{Schema: s, Raw: tftypes.NewValue(typ, vals)}}
	resp := &fwprovider.ConfigureResponse{}
	New("test")().Configure(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return nil, resp.Diagnostics
	}
	data, ok := resp.ResourceData.(*providerdata.Data)
	if !ok {
		t.Fatalf("ResourceData is %T", resp.ResourceData)
	}
	if resp.DataSourceData != resp.ResourceData {
		t.Error("DataSourceData differs from ResourceData")
	}
	if data.Client == nil {
		t.Fatal("Client is nil")
	}
	return data, resp.Diagnostics
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func TestConfigure(t *testing.T) {
	clearEnv(t)

	data, diags := configure(t, map[string]tftypes.Value{"host": str("127.0.0.1:1"), "token": str("t")})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if data.DefaultNamespace != DefaultNamespace {
		t.Errorf("DefaultNamespace = %q", data.DefaultNamespace)
	}
	rc, err := data.Client.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://127.0.0.1:1" || rc.BearerToken != "t" {
		t.Errorf("rest config: host %q", rc.Host)
	}

	// The attribute wins over the environment, which wins over the default.
	t.Setenv(EnvDefaultNamespace, "from-env")
	data, _ = configure(t, map[string]tftypes.Value{"default_namespace": str("from-attr")})
	if data.DefaultNamespace != "from-attr" {
		t.Errorf("DefaultNamespace = %q", data.DefaultNamespace)
	}
	data, _ = configure(t, nil)
	if data.DefaultNamespace != "from-env" {
		t.Errorf("DefaultNamespace = %q", data.DefaultNamespace)
	}

	// Nothing configured: Configure succeeds, the first use reports it.
	clearEnv(t)
	data, diags = configure(t, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, err := data.Client.Dynamic(); err == nil || !strings.Contains(err.Error(), "no cluster connection configured") {
		t.Errorf("Dynamic() error = %v", err)
	}
}

// TestConfigureRateLimit: qps and burst reach the clients, which otherwise
// do not throttle themselves.
func TestConfigureRateLimit(t *testing.T) {
	clearEnv(t)
	limits := func(values map[string]tftypes.Value) (float32, int) {
		t.Helper()
		values["host"], values["token"] = str("127.0.0.1:1"), str("t")
		data, diags := configure(t, values)
		if diags.HasError() {
			t.Fatal(diags)
		}
		rc, err := data.Client.RESTConfig()
		if err != nil {
			t.Fatal(err)
		}
		return rc.QPS, rc.Burst
	}
	if qps, _ := limits(map[string]tftypes.Value{}); qps >= 0 {
		t.Errorf("without qps: QPS %v, want no client-side limit (negative)", qps)
	}
	qps, burst := limits(map[string]tftypes.Value{
		"qps": tftypes.NewValue(tftypes.Number, big.NewFloat(7.5)), "burst": tftypes.NewValue(tftypes.Number, big.NewFloat(30)),
	})
	if qps != 7.5 || burst != 30 {
		t.Errorf("qps 7.5, burst 30: QPS %v, Burst %v", qps, burst)
	}
}

func TestConfigureUnknown(t *testing.T) {
	clearEnv(t)
	data, diags := configure(t, map[string]tftypes.Value{
		"host":              tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"default_namespace": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, err := data.Client.Core(); !errors.Is(err, ErrConnectionUnknown) {
		t.Errorf("Core() error = %v", err)
	}
	if data.DefaultNamespace != "" {
		t.Errorf("DefaultNamespace = %q, want empty while unknown", data.DefaultNamespace)
	}
}

func TestConfigureInvalid(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvDefaultNamespace, "Not_Valid")
	_, diags := configure(t, map[string]tftypes.Value{"host": str("h")})
	wantDiagAt(t, diags, path.Root("default_namespace"))

	clearEnv(t)
	t.Setenv(connection.EnvProxyURL, "ftp://proxy")
	_, diags = configure(t, map[string]tftypes.Value{"host": str("h")})
	wantDiagAt(t, diags, path.Root("proxy_url"))
}

func wantDiagAt(t *testing.T, diags diag.Diagnostics, p path.Path) {
	t.Helper()
	for _, d := range diags.Errors() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(p) {
			return
		}
	}
	t.Errorf("no error at %s in %v", p, diags)
}

// TestProvider_PlanOnly plans a configuration with a provider block and no
// resources, and one with only the probe data source, which makes Terraform
// configure the provider: neither may contact the (unreachable) cluster.
func TestProvider_PlanOnly(t *testing.T) {
	clearEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
`,
			PlanOnly: true,
		}},
	})

	p := &probe{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: probeFactories(p),
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  token = "not-a-real-token"
}

data "fleet_probe" "p" {}
`,
			PlanOnly: true,
		}},
	})
	data := p.configured()
	if data == nil {
		t.Fatal("the provider was not configured")
	}
	if data.DefaultNamespace != DefaultNamespace {
		t.Errorf("DefaultNamespace = %q", data.DefaultNamespace)
	}
	rc, err := data.Client.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://127.0.0.1:1" || rc.BearerToken != "not-a-real-token" {
		t.Errorf("client config: host %q", rc.Host)
	}
}

// TestProvider_InvalidConfig checks offline validation of the provider block
// (Terraform validates a provider's configuration only when something uses
// the provider, hence the probe data source).
func TestProvider_InvalidConfig(t *testing.T) {
	clearEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: probeFactories(&probe{}),
		Steps: []resource.TestStep{
			{
				Config: `
provider "fleet" {
  host              = "https://127.0.0.1:1"
  default_namespace = "Not_A_Namespace"
}

data "fleet_probe" "p" {}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)default_namespace.*not a valid Kubernetes namespace name`),
			},
			{
				Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
  qps  = 0
}

data "fleet_probe" "p" {}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)qps.*at least 0.1`),
			},
			{
				Config: `
provider "fleet" {
  host  = "https://127.0.0.1:1"
  burst = 10
}

data "fleet_probe" "p" {}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)burst.*qps`),
			},
			{
				Config: `
provider "fleet" {
  config_path  = "~/.kube/config"
  config_paths = ["~/.kube/other"]
}

data "fleet_probe" "p" {}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`config_paths`),
			},
			{
				Config: `
provider "fleet" {
  host      = "https://127.0.0.1:1"
  proxy_url = "ftp://user:hunter22@proxy"
}

data "fleet_probe" "p" {}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)proxy_url.*unsupported scheme`),
			},
		},
	})
}
