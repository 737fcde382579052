package airgap

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// registriesYAMLModel is data source fleet_registries_yaml.
type registriesYAMLModel struct {
	Registries []nodeRegistryModel `tfsdk:"registries"`
	Content    types.String        `tfsdk:"content"`
}

type nodeRegistryModel struct {
	Server                types.String `tfsdk:"server"`
	Mirrors               []string     `tfsdk:"mirrors"`
	Username              types.String `tfsdk:"username"`
	Password              types.String `tfsdk:"password"`
	CAFile                types.String `tfsdk:"ca_file"`
	InsecureSkipTLSVerify types.Bool   `tfsdk:"insecure_skip_tls_verify"`
	Rewrite               types.Map    `tfsdk:"rewrite"`
}

// The registries.yaml format K3s and RKE2 read (mirrors and configs), with
// the keys their private registry documentation gives.
type registriesFile struct {
	Mirrors map[string]registryMirror `json:"mirrors,omitempty"`
	Configs map[string]registryConfig `json:"configs,omitempty"`
}

type registryMirror struct {
	Endpoint []string          `json:"endpoint"`
	Rewrite  map[string]string `json:"rewrite,omitempty"`
}

type registryConfig struct {
	Auth *registryAuth `json:"auth,omitempty"`
	TLS  *registryTLS  `json:"tls,omitempty"`
}

type registryAuth struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type registryTLS struct {
	CAFile             string `json:"ca_file,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty"`
}

type registriesYAMLDataSource struct{}

var _ datasource.DataSource = (*registriesYAMLDataSource)(nil)

// NewRegistriesYAMLDataSource is data source fleet_registries_yaml.
func NewRegistriesYAMLDataSource() datasource.DataSource { return &registriesYAMLDataSource{} }

func (d *registriesYAMLDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registries_yaml"
}

func (d *registriesYAMLDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	sibling := func(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }
	resp.Schema = schema.Schema{
		Description: "Renders the containerd registry configuration of K3s and RKE2 nodes " +
			"(`/etc/rancher/k3s/registries.yaml`, `/etc/rancher/rke2/registries.yaml`) so that every image the " +
			"cluster pulls, Fleet's agent and the workloads Fleet deploys included, comes from the private " +
			"registries: each mirrored registry (docker.io, ghcr.io, ...) gets the private registry as its " +
			"endpoint, and each private registry its credentials and TLS settings. Computed offline. Put " +
			"`content` on the nodes before K3s or RKE2 starts (cloud-init, Ignition, configuration management).",
		Attributes: map[string]schema.Attribute{
			"registries": schema.ListNestedAttribute{
				Required:    true,
				Description: "The private registries, in the order containerd tries them for a registry they both mirror.",
				Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"server": schema.StringAttribute{
						Required: true,
						Description: "The private registry, `host[:port][/path]` (e.g. `fleet_registry.image_prefix`). A path " +
							"is where the mirrored images live: without `rewrite`, each mirror rewrites every image to `<path>/<image>`.",
						Validators: []validator.String{validate.RegistryServer()},
					},
					"mirrors": schema.ListAttribute{
						Optional: true, ElementType: types.StringType,
						Description: "Registries this one mirrors, e.g. `[\"docker.io\", \"ghcr.io\", \"registry.k8s.io\"]`, or " +
							"`[\"*\"]` for all (e.g. `fleet_registry.mirrors`).",
						Validators: []validator.List{listvalidator.ValueStringsAre(validate.MirroredRegistry()), listvalidator.UniqueValues()},
					},
					"username": schema.StringAttribute{
						Optional:    true,
						Description: "User name for the registry.",
						Validators:  []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("password"))},
					},
					"password": schema.StringAttribute{
						Optional: true, Sensitive: true,
						Description: "Password for the registry. It ends up in `content` (sensitive) and in the state, as " +
							"every data source result does; the nodes need it in clear text.",
						Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("username"))},
					},
					"ca_file": schema.StringAttribute{
						Optional:    true,
						Description: "Path, on the nodes, of the PEM CA bundle that signed the registry's certificate (write `fleet_registry.ca_bundle` there).",
						Validators:  []validator.String{validate.NodeFilePath()},
					},
					"insecure_skip_tls_verify": schema.BoolAttribute{
						Optional: true,
						Description: "Do not verify the registry's TLS certificate. Prefer `ca_file`. Written as `tls.insecure_skip_verify`, " +
							"the registries.yaml file format's own key.",
					},
					"rewrite": schema.MapAttribute{
						Optional: true, ElementType: types.StringType,
						Description: "Rewrites applied to image names pulled through this registry as a mirror: a Go " +
							"regular expression to its replacement (`$1` for groups), e.g. `{ \"^rancher/(.*)\" = \"mirror/rancher/$1\" }`. " +
							"Replaces the rewrite derived from the server's path.",
						Validators: []validator.Map{validate.RegexpKeys()},
					},
				}},
			},
			"content": schema.StringAttribute{
				Computed: true, Sensitive: true,
				Description: "The registries.yaml file. Always sensitive, since it carries the passwords: Terraform " +
					"cannot make one attribute sensitive only sometimes. Wrap it in `nonsensitive()` to show a " +
					"configuration without passwords.",
			},
		},
	}
}

func (d *registriesYAMLDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m registriesYAMLModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	file, diags := renderRegistries(ctx, m.Registries)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	content, err := yaml.Marshal(file)
	if err != nil {
		resp.Diagnostics.AddError("Cannot render registries.yaml", err.Error())
		return
	}
	m.Content = types.StringValue(string(content))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// renderRegistries builds the file. A registry host appears once in
// configs; registries mirroring the same one become its endpoints in order,
// and must then agree on the rewrite.
func renderRegistries(ctx context.Context, registries []nodeRegistryModel) (registriesFile, diag.Diagnostics) {
	var diags diag.Diagnostics
	file := registriesFile{Mirrors: map[string]registryMirror{}, Configs: map[string]registryConfig{}}
	for i, r := range registries {
		at := path.Root("registries").AtListIndex(i)
		host, repoPath, _ := strings.Cut(r.Server.ValueString(), "/")
		if _, dup := file.Configs[host]; dup {
			diags.AddAttributeError(at.AtName("server"), "Registry listed twice", validate.Detail(at.AtName("server"),
				fmt.Sprintf("Registry host %s is in registries more than once; list each host once.", host)))
			continue
		}
		var config registryConfig
		if !r.Username.IsNull() {
			config.Auth = &registryAuth{Username: r.Username.ValueString(), Password: r.Password.ValueString()}
		}
		if !r.CAFile.IsNull() || r.InsecureSkipTLSVerify.ValueBool() {
			config.TLS = &registryTLS{CAFile: r.CAFile.ValueString(), InsecureSkipVerify: r.InsecureSkipTLSVerify.ValueBool()}
		}
		file.Configs[host] = config

		var rewrite map[string]string
		switch {
		case !r.Rewrite.IsNull():
			diags.Append(r.Rewrite.ElementsAs(ctx, &rewrite, false)...)
		case repoPath != "":
			rewrite = map[string]string{"^(.*)$": repoPath + "/$1"}
		}
		for _, mirrored := range r.Mirrors {
			mirror := file.Mirrors[mirrored]
			if len(mirror.Endpoint) > 0 && !maps.Equal(mirror.Rewrite, rewrite) {
				diags.AddAttributeError(at.AtName("mirrors"), "Conflicting rewrites", validate.Detail(at.AtName("mirrors"),
					fmt.Sprintf("%s is mirrored by more than one registry with different rewrites (or server paths); "+
						"containerd applies one rewrite to all endpoints of a mirror.", mirrored)))
				continue
			}
			mirror.Endpoint = append(mirror.Endpoint, "https://"+host)
			if len(rewrite) > 0 {
				mirror.Rewrite = rewrite
			}
			file.Mirrors[mirrored] = mirror
		}
	}
	return file, diags
}
