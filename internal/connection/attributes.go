// Package connection is the Terraform side of a Kubernetes connection: the
// schema attributes, the model and the conversion into a kube.Config. It is
// used by the provider block (attributes at the root, with KUBE_*
// environment fallbacks) and by resources that connect to a downstream
// cluster (attributes inside a "kubernetes" single nested attribute, with a
// write-only kubeconfig_wo and no environment fallbacks).
package connection

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Attribute names.
const (
	AttrConfigPath           = "config_path"
	AttrConfigPaths          = "config_paths"
	AttrConfigContext        = "config_context"
	AttrHost                 = "host"
	AttrToken                = "token"
	AttrClusterCACertificate = "cluster_ca_certificate"
	AttrClientCertificate    = "client_certificate"
	AttrClientKey            = "client_key"
	AttrInsecure             = "insecure"
	AttrTLSServerName        = "tls_server_name"
	AttrProxyURL             = "proxy_url"
	AttrExec                 = "exec"
	AttrExecAPIVersion       = "api_version"
	AttrExecCommand          = "command"
	AttrExecArgs             = "args"
	AttrExecEnv              = "env"
	AttrKubeconfigWO         = "kubeconfig_wo"
)

// Environment variables read by Model.Config when an attribute is null.
const (
	EnvConfigPath           = "KUBE_CONFIG_PATH"
	EnvConfigPaths          = "KUBE_CONFIG_PATHS"
	EnvConfigContext        = "KUBE_CTX"
	EnvHost                 = "KUBE_HOST"
	EnvToken                = "KUBE_TOKEN"
	EnvClusterCACertificate = "KUBE_CLUSTER_CA_CERT_DATA"
	EnvClientCertificate    = "KUBE_CLIENT_CERT_DATA"
	EnvClientKey            = "KUBE_CLIENT_KEY_DATA"
	EnvInsecure             = "KUBE_INSECURE"
	EnvTLSServerName        = "KUBE_TLS_SERVER_NAME"
	EnvProxyURL             = "KUBE_PROXY_URL"
)

type kind int

const (
	kindString kind = iota
	kindBool
	kindStringList
	kindStringMap
	kindObject
)

// attrSpec describes one attribute once, for both the provider and the
// resource schema.
type attrSpec struct {
	name        string
	kind        kind
	description string
	env         string // provider only: environment fallback
	required    bool
	sensitive   bool
	writeOnly   bool // resource only
	strings     []validator.String
	lists       []validator.List
	maps        []validator.Map
	nested      []attrSpec
}

func sibling(name string) path.Expression {
	return path.MatchRelative().AtParent().AtName(name)
}

// commonSpecs are the attributes shared by the provider and resources.
func commonSpecs() []attrSpec {
	return []attrSpec{
		{
			name: AttrConfigPath, kind: kindString, env: EnvConfigPath,
			description: "Path to a kubeconfig file. A leading `~` is expanded to the home directory. " +
				"The file must exist when the cluster is first used. Conflicts with `config_paths`.",
			strings: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.ConflictsWith(sibling(AttrConfigPaths)),
			},
		},
		{
			name: AttrConfigPaths, kind: kindStringList, env: EnvConfigPaths,
			description: "Kubeconfig files merged in order like the `KUBECONFIG` environment variable: " +
				"the first file that sets a value wins. Missing files are skipped, but at least one must exist. " +
				"Conflicts with `config_path`.",
			lists: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
			},
		},
		{
			name: AttrConfigContext, kind: kindString, env: EnvConfigContext,
			description: "Context of the kubeconfig to use instead of its current context. " +
				"Requires a kubeconfig.",
			strings: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		{
			name: AttrHost, kind: kindString, env: EnvHost,
			description: "Address of the Kubernetes API server, for example `https://cluster.example.com:6443`. " +
				"A bare `host[:port]` gets the `https` scheme. Overrides the server of the kubeconfig.",
			strings: []validator.String{hostValidator()},
		},
		{
			name: AttrToken, kind: kindString, env: EnvToken, sensitive: true,
			description: "Bearer token for authenticating to the API server. " +
				"Replaces the credentials of the kubeconfig user.",
		},
		{
			name: AttrClusterCACertificate, kind: kindString, env: EnvClusterCACertificate,
			description: "PEM-encoded CA certificate(s) used to verify the API server's certificate. " +
				"Replaces the CA of the kubeconfig.",
			strings: []validator.String{pemValidator("certificates", isCertificate)},
		},
		{
			name: AttrClientCertificate, kind: kindString, env: EnvClientCertificate,
			description: "PEM-encoded client certificate for TLS client authentication, used with `client_key`. " +
				"Replaces the credentials of the kubeconfig user.",
			strings: []validator.String{pemValidator("certificates", isCertificate)},
		},
		{
			name: AttrClientKey, kind: kindString, env: EnvClientKey, sensitive: true,
			description: "PEM-encoded private key of `client_certificate`.",
			strings:     []validator.String{pemValidator("private key", isPrivateKey)},
		},
		{
			name: AttrInsecure, kind: kindBool, env: EnvInsecure,
			description: "Skip verification of the API server's TLS certificate. This is insecure; use it only for testing. " +
				"Cannot be combined with `cluster_ca_certificate`. Defaults to `false`.",
		},
		{
			name: AttrTLSServerName, kind: kindString, env: EnvTLSServerName,
			description: "Server name used to verify the API server's certificate, " +
				"when it differs from the host name in `host`.",
			strings: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		{
			name: AttrProxyURL, kind: kindString, env: EnvProxyURL, sensitive: true,
			description: "URL of the proxy for requests to the API server, with scheme `http`, `https` or `socks5`. " +
				"Sensitive, as it may hold the proxy's credentials (`http://user:password@proxy:3128`).",
			strings: []validator.String{proxyURLValidator()},
		},
		{
			name: AttrExec, kind: kindObject,
			description: "Exec credential plugin run to obtain credentials, like the `exec` section of a kubeconfig user. " +
				"Replaces the credentials of the kubeconfig user.",
			nested: []attrSpec{
				{
					name: AttrExecAPIVersion, kind: kindString, required: true,
					description: "API version of the credential plugin protocol: `" + strings.Join(kube.ExecAPIVersions(), "` or `") + "`.",
					strings:     []validator.String{stringvalidator.OneOf(kube.ExecAPIVersions()...)},
				},
				{
					name: AttrExecCommand, kind: kindString, required: true,
					description: "Command to run, an absolute path or a name looked up in `PATH`.",
					strings:     []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				{
					name: AttrExecArgs, kind: kindStringList, sensitive: true,
					description: "Arguments passed to the command. Sensitive, as some plugins take a secret as an argument.",
				},
				{
					name: AttrExecEnv, kind: kindStringMap, sensitive: true,
					description: "Additional environment variables for the command. Sensitive, as they typically hold credentials " +
						"(`AWS_SECRET_ACCESS_KEY`, `VAULT_TOKEN`).",
					maps: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))},
				},
			},
		},
	}
}

// resourceOnlySpecs are the attributes only resources have.
func resourceOnlySpecs() []attrSpec {
	return []attrSpec{{
		name: AttrKubeconfigWO, kind: kindString, sensitive: true, writeOnly: true,
		description: "Content of a kubeconfig file (YAML). Write-only: Terraform does not store it in the state, " +
			"so changing only this value does not cause an update. Conflicts with `config_path` and `config_paths`.",
		strings: []validator.String{
			stringvalidator.LengthAtLeast(1),
			stringvalidator.ConflictsWith(sibling(AttrConfigPath), sibling(AttrConfigPaths)),
		},
	}}
}

// ProviderAttributes returns the connection attributes of the provider
// block. Their descriptions mention the environment variable each one falls
// back to.
func ProviderAttributes() map[string]pschema.Attribute {
	out := make(map[string]pschema.Attribute)
	for _, s := range commonSpecs() {
		out[s.name] = s.provider()
	}
	return out
}

// ResourceAttributes returns the connection attributes for a resource's
// "kubernetes" single nested attribute: the provider's attributes plus the
// write-only kubeconfig_wo. Environment variables do not apply there.
//
// The nested attribute holding them must not be Computed (the framework
// rejects write-only attributes inside computed nested attributes); see
// ResourceNestedAttribute.
func ResourceAttributes() map[string]rschema.Attribute {
	out := make(map[string]rschema.Attribute)
	for _, s := range append(commonSpecs(), resourceOnlySpecs()...) {
		out[s.name] = s.resource()
	}
	return out
}

// ResourceNestedAttribute returns an optional single nested attribute with
// ResourceAttributes, ready to be used as a resource's "kubernetes"
// attribute.
func ResourceNestedAttribute(description string) rschema.SingleNestedAttribute {
	return rschema.SingleNestedAttribute{
		Description: description,
		Optional:    true,
		Attributes:  ResourceAttributes(),
	}
}

// ResourceAttrTypes returns the attribute types of the object produced by
// ResourceAttributes, for building types.Object values of a ResourceModel.
func ResourceAttrTypes() map[string]attr.Type {
	return attrTypes(append(commonSpecs(), resourceOnlySpecs()...))
}

// ExecAttrTypes returns the attribute types of the exec object.
func ExecAttrTypes() map[string]attr.Type {
	for _, s := range commonSpecs() {
		if s.name == AttrExec {
			return attrTypes(s.nested)
		}
	}
	panic("connection: exec attribute missing")
}

func attrTypes(specs []attrSpec) map[string]attr.Type {
	out := make(map[string]attr.Type, len(specs))
	for _, s := range specs {
		out[s.name] = s.attrType()
	}
	return out
}

func (s attrSpec) attrType() attr.Type {
	switch s.kind {
	case kindString:
		return types.StringType
	case kindBool:
		return types.BoolType
	case kindStringList:
		return types.ListType{ElemType: types.StringType}
	case kindStringMap:
		return types.MapType{ElemType: types.StringType}
	case kindObject:
		return types.ObjectType{AttrTypes: attrTypes(s.nested)}
	}
	panic(fmt.Sprintf("connection: unknown kind %d of attribute %q", s.kind, s.name))
}

func (s attrSpec) providerDescription() string {
	if s.env == "" {
		return s.description
	}
	return fmt.Sprintf("%s Can also be set with the `%s` environment variable.", s.description, s.env)
}

func (s attrSpec) provider() pschema.Attribute {
	desc := s.providerDescription()
	optional := !s.required
	switch s.kind {
	case kindString:
		return pschema.StringAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			Validators: s.strings,
		}
	case kindBool:
		return pschema.BoolAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
		}
	case kindStringList:
		return pschema.ListAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			ElementType: types.StringType, Validators: s.lists,
		}
	case kindStringMap:
		return pschema.MapAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			ElementType: types.StringType, Validators: s.maps,
		}
	case kindObject:
		nested := make(map[string]pschema.Attribute, len(s.nested))
		for _, n := range s.nested {
			nested[n.name] = n.provider()
		}
		return pschema.SingleNestedAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			Attributes: nested,
		}
	}
	panic(fmt.Sprintf("connection: unknown kind %d of attribute %q", s.kind, s.name))
}

func (s attrSpec) resource() rschema.Attribute {
	desc := s.description
	optional := !s.required
	switch s.kind {
	case kindString:
		return rschema.StringAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			WriteOnly: s.writeOnly, Validators: s.strings,
		}
	case kindBool:
		return rschema.BoolAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			WriteOnly: s.writeOnly,
		}
	case kindStringList:
		return rschema.ListAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			WriteOnly: s.writeOnly, ElementType: types.StringType, Validators: s.lists,
		}
	case kindStringMap:
		return rschema.MapAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			WriteOnly: s.writeOnly, ElementType: types.StringType, Validators: s.maps,
		}
	case kindObject:
		nested := make(map[string]rschema.Attribute, len(s.nested))
		for _, n := range s.nested {
			nested[n.name] = n.resource()
		}
		return rschema.SingleNestedAttribute{
			Description: desc, Required: s.required, Optional: optional, Sensitive: s.sensitive,
			WriteOnly: s.writeOnly, Attributes: nested,
		}
	}
	panic(fmt.Sprintf("connection: unknown kind %d of attribute %q", s.kind, s.name))
}
