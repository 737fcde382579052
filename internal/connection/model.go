package connection

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Model holds the connection attributes of ProviderAttributes. It can be
// embedded in a larger model (the framework supports embedded structs).
type Model struct {
	ConfigPath           types.String `tfsdk:"config_path"`
	ConfigPaths          types.List   `tfsdk:"config_paths"`
	ConfigContext        types.String `tfsdk:"config_context"`
	Host                 types.String `tfsdk:"host"`
	Token                types.String `tfsdk:"token"`
	ClusterCACertificate types.String `tfsdk:"cluster_ca_certificate"`
	ClientCertificate    types.String `tfsdk:"client_certificate"`
	ClientKey            types.String `tfsdk:"client_key"`
	Insecure             types.Bool   `tfsdk:"insecure"`
	TLSServerName        types.String `tfsdk:"tls_server_name"`
	ProxyURL             types.String `tfsdk:"proxy_url"`
	Exec                 types.Object `tfsdk:"exec"` // ExecModel, types from ExecAttrTypes
}

// ExecModel is the content of the exec object.
type ExecModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Command    types.String `tfsdk:"command"`
	Args       types.List   `tfsdk:"args"`
	Env        types.Map    `tfsdk:"env"`
}

// ResourceModel holds the attributes of ResourceAttributes.
//
// KubeconfigWO is write-only: it is only set when the model is read from the
// configuration (req.Config), never from the plan or the state.
type ResourceModel struct {
	Model
	KubeconfigWO types.String `tfsdk:"kubeconfig_wo"`
}

// Config converts the provider's connection attributes into a kube.Config.
// A null attribute falls back to its KUBE_* environment variable (see the
// Env* constants; KUBE_CONFIG_PATH and KUBE_CONFIG_PATHS only apply when
// both config_path and config_paths are null). An attribute set to "" does
// not fall back: it leaves the setting unset.
//
// If any attribute is unknown, unknown is true and the configuration must
// not be used: the caller should defer building a client. Diagnostics are
// attached to the attribute at fault; the settings are validated offline
// (no file or network access).
func (m Model) Config(ctx context.Context) (cfg kube.Config, diags diag.Diagnostics, unknown bool) {
	return m.convert(ctx, path.Empty(), os.LookupEnv, types.StringNull())
}

// Config converts a resource's connection attributes, found at base (for
// example path.Root("kubernetes")), into a kube.Config. Unlike Model.Config
// it does not read environment variables: those describe the provider's
// own cluster. See Model.Config for the unknown result and diagnostics.
func (m ResourceModel) Config(ctx context.Context, base path.Path) (cfg kube.Config, diags diag.Diagnostics, unknown bool) {
	return m.Model.convert(ctx, base, nil, m.KubeconfigWO)
}

// IsEmpty reports whether no connection attribute is set (all null). The
// environment is not considered.
func (m ResourceModel) IsEmpty() bool {
	for _, v := range m.values() {
		if !v.IsNull() {
			return false
		}
	}
	return m.KubeconfigWO.IsNull()
}

type nullable interface {
	IsNull() bool
	IsUnknown() bool
}

func (m Model) values() []nullable {
	return []nullable{
		m.ConfigPath, m.ConfigPaths, m.ConfigContext, m.Host, m.Token,
		m.ClusterCACertificate, m.ClientCertificate, m.ClientKey, m.Insecure,
		m.TLSServerName, m.ProxyURL, m.Exec,
	}
}

// converter accumulates the result of one conversion.
type converter struct {
	ctx     context.Context
	base    path.Path
	lookup  func(string) (string, bool) // nil: no environment fallbacks
	diags   diag.Diagnostics
	fromEnv map[string]string // setting -> environment variable it came from
}

func (m Model) convert(ctx context.Context, base path.Path, lookup func(string) (string, bool), kubeconfig types.String) (kube.Config, diag.Diagnostics, bool) {
	if m.hasUnknown(ctx) || kubeconfig.IsUnknown() {
		return kube.Config{}, nil, true
	}
	c := &converter{ctx: ctx, base: base, lookup: lookup, fromEnv: map[string]string{}}

	var cfg kube.Config
	if m.ConfigPath.IsNull() && m.ConfigPaths.IsNull() {
		cfg.ConfigPath = c.env(AttrConfigPath, EnvConfigPath)
		if v := c.env(AttrConfigPaths, EnvConfigPaths); v != "" {
			for _, p := range filepath.SplitList(v) {
				if p = strings.TrimSpace(p); p != "" {
					cfg.ConfigPaths = append(cfg.ConfigPaths, p)
				}
			}
		}
	} else {
		cfg.ConfigPath = m.ConfigPath.ValueString()
		cfg.ConfigPaths = c.stringList(m.ConfigPaths, base.AtName(AttrConfigPaths))
	}
	cfg.ConfigContext = c.str(m.ConfigContext, AttrConfigContext, EnvConfigContext)
	cfg.Host = c.str(m.Host, AttrHost, EnvHost)
	cfg.Token = c.str(m.Token, AttrToken, EnvToken)
	cfg.ClusterCACertificate = c.str(m.ClusterCACertificate, AttrClusterCACertificate, EnvClusterCACertificate)
	cfg.ClientCertificate = c.str(m.ClientCertificate, AttrClientCertificate, EnvClientCertificate)
	cfg.ClientKey = c.str(m.ClientKey, AttrClientKey, EnvClientKey)
	cfg.Insecure = c.boolean(m.Insecure, AttrInsecure, EnvInsecure)
	cfg.TLSServerName = c.str(m.TLSServerName, AttrTLSServerName, EnvTLSServerName)
	cfg.ProxyURL = c.str(m.ProxyURL, AttrProxyURL, EnvProxyURL)
	cfg.Exec = c.exec(m.Exec)
	cfg.Kubeconfig = kubeconfig.ValueString()

	if c.diags.HasError() {
		return kube.Config{}, c.diags, false
	}
	if err := cfg.Validate(); err != nil {
		c.diags.Append(c.diagnostic(err))
		return kube.Config{}, c.diags, false
	}
	return cfg, c.diags, false
}

// hasUnknown reports whether any value, including list, map and object
// elements, is unknown.
func (m Model) hasUnknown(ctx context.Context) bool {
	for _, v := range m.values() {
		if v.IsUnknown() {
			return true
		}
	}
	if listHasUnknown(m.ConfigPaths) {
		return true
	}
	if m.Exec.IsNull() {
		return false
	}
	var e ExecModel
	if diags := m.Exec.As(ctx, &e, basetypes.ObjectAsOptions{}); diags.HasError() {
		return false // reported by the conversion
	}
	if e.APIVersion.IsUnknown() || e.Command.IsUnknown() || e.Args.IsUnknown() || e.Env.IsUnknown() || listHasUnknown(e.Args) {
		return true
	}
	for _, v := range e.Env.Elements() {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

func listHasUnknown(l types.List) bool {
	for _, v := range l.Elements() {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// env returns the value of an environment variable (empty means unset) and
// remembers where the setting came from.
func (c *converter) env(setting, name string) string {
	if c.lookup == nil {
		return ""
	}
	v, ok := c.lookup(name)
	if !ok || v == "" {
		return ""
	}
	c.fromEnv[setting] = name
	return v
}

func (c *converter) str(v types.String, setting, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return c.env(setting, env)
}

func (c *converter) boolean(v types.Bool, setting, env string) bool {
	if !v.IsNull() {
		return v.ValueBool()
	}
	s := c.env(setting, env)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		c.diags.AddAttributeError(c.base.AtName(setting), "Invalid environment variable "+env, validate.Detail(c.base.AtName(setting),
			fmt.Sprintf("The %s environment variable, used because %q is not set, must be true or false.", env, setting)))
	}
	return b
}

func (c *converter) stringList(l types.List, p path.Path) []string {
	if l.IsNull() {
		return nil
	}
	var elems []types.String
	c.diags.Append(l.ElementsAs(c.ctx, &elems, false)...)
	out := make([]string, 0, len(elems))
	for i, e := range elems {
		if e.IsNull() {
			c.diags.AddAttributeError(p.AtListIndex(i), "Invalid list element", validate.Detail(p.AtListIndex(i), "The list must not contain null values."))
			continue
		}
		out = append(out, e.ValueString())
	}
	return out
}

func (c *converter) exec(o types.Object) *kube.ExecConfig {
	if o.IsNull() {
		return nil
	}
	p := c.base.AtName(AttrExec)
	var e ExecModel
	if diags := o.As(c.ctx, &e, basetypes.ObjectAsOptions{}); diags.HasError() {
		c.diags.Append(diags...)
		return nil
	}
	out := &kube.ExecConfig{
		APIVersion: e.APIVersion.ValueString(),
		Command:    e.Command.ValueString(),
		Args:       c.stringList(e.Args, p.AtName(AttrExecArgs)),
	}
	if !e.Env.IsNull() {
		var env map[string]types.String
		c.diags.Append(e.Env.ElementsAs(c.ctx, &env, false)...)
		out.Env = make(map[string]string, len(env))
		for k, v := range env {
			if v.IsNull() {
				c.diags.AddAttributeError(p.AtName(AttrExecEnv).AtMapKey(k), "Invalid map value", validate.Detail(p.AtName(AttrExecEnv).AtMapKey(k), "The map must not contain null values."))
				continue
			}
			out.Env[k] = v.ValueString()
		}
	}
	return out
}

func (c *converter) diagnostic(err error) diag.Diagnostic {
	d := Diagnostic(c.base, "Invalid Kubernetes connection settings", err)
	var se *kube.SettingError
	if errors.As(err, &se) {
		if env, ok := c.fromEnv[se.Setting]; ok {
			d = Diagnostic(c.base, "Invalid Kubernetes connection settings",
				fmt.Errorf("%w (the value comes from the %s environment variable)", err, env))
		}
	}
	return d
}

// SettingPath returns the attribute path, below base, of a setting named in
// a kube.SettingError ("host", "exec.command", ...).
func SettingPath(base path.Path, setting string) path.Path {
	p := base
	for _, step := range strings.Split(setting, ".") {
		if step != "" {
			p = p.AtName(step)
		}
	}
	return p
}

// Diagnostic turns an error from package kube into an error diagnostic.
// When the error is a *kube.SettingError naming a setting, the diagnostic is
// attached to that attribute below base; otherwise to base itself, or to no
// attribute when base is empty. Use it for errors of kube.Client methods.
func Diagnostic(base path.Path, summary string, err error) diag.Diagnostic {
	p := base
	var se *kube.SettingError
	if errors.As(err, &se) && se.Setting != "" {
		p = SettingPath(base, se.Setting)
	}
	if len(p.Steps()) == 0 {
		return diag.NewErrorDiagnostic(summary, err.Error())
	}
	return diag.NewAttributeErrorDiagnostic(p, summary, err.Error())
}
