package agentspec

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// ProxyModel is the typed proxy environment of a Fleet agent. It expands
// into HTTP_PROXY, HTTPS_PROXY and NO_PROXY and their lower-case twins, the
// Names Go, curl and Helm each read.
type ProxyModel struct {
	HTTPProxy  types.String `tfsdk:"http_proxy"`
	HTTPSProxy types.String `tfsdk:"https_proxy"`
	NoProxy    types.String `tfsdk:"no_proxy"`
}

// proxyEnvNames are the variables agent_proxy owns.
var proxyEnvNames = map[string]bool{
	"HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true,
	"http_proxy": true, "https_proxy": true, "no_proxy": true,
}

func ProxyAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:    true,
		Description: description,
		Attributes: map[string]schema.Attribute{
			"http_proxy": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true, // proxy URLs often carry credentials
				Description: "Proxy for HTTP requests (`HTTP_PROXY`/`http_proxy`), e.g. `http://proxy.corp:3128`.",
				Validators:  []validator.String{validate.ProxyURL()},
			},
			"https_proxy": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "Proxy for HTTPS requests (`HTTPS_PROXY`/`https_proxy`), the one the agent uses to reach the management cluster.",
				Validators:  []validator.String{validate.ProxyURL()},
			},
			"no_proxy": schema.StringAttribute{
				Optional: true,
				Description: "Comma-separated hosts, domains (`.suffix`), IPs and CIDRs reached directly (`NO_PROXY`/`no_proxy`). " +
					"Include the cluster-internal ranges and `.svc,.cluster.local`; a warning says what is missing.",
				Validators: []validator.String{validate.NoProxy(), validate.NoProxyDefaults()},
			},
		},
	}
}

// EnvVars returns the proxy variables, upper and lower case, in a stable order.
func (p *ProxyModel) EnvVars() []corev1.EnvVar {
	if p == nil {
		return nil
	}
	var out []corev1.EnvVar
	for _, v := range []struct {
		name  string
		value types.String
	}{{"HTTP_PROXY", p.HTTPProxy}, {"HTTPS_PROXY", p.HTTPSProxy}, {"NO_PROXY", p.NoProxy}} {
		if v.value.IsNull() || v.value.ValueString() == "" {
			continue
		}
		out = append(out,
			corev1.EnvVar{Name: v.name, Value: v.value.ValueString()},
			corev1.EnvVar{Name: strings.ToLower(v.name), Value: v.value.ValueString()})
	}
	return out
}

// AgentEnv merges user variables (sorted by name) and the proxy variables.
func AgentEnv(vars map[string]string, proxy *ProxyModel) []corev1.EnvVar {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]corev1.EnvVar, 0, len(vars)+6)
	for _, name := range names {
		out = append(out, corev1.EnvVar{Name: name, Value: vars[name]})
	}
	return append(out, proxy.EnvVars()...)
}

// SplitAgentEnv is the inverse of AgentEnv. Proxy variables go to the proxy
// model when the configuration manages the proxy (or an import finds one);
// otherwise they stay ordinary variables.
func SplitAgentEnv(env []corev1.EnvVar, proxyManaged bool) (map[string]string, *ProxyModel) {
	vars := map[string]string{}
	proxyVars := map[string]string{}
	for _, e := range env {
		if proxyManaged && proxyEnvNames[e.Name] {
			proxyVars[e.Name] = e.Value
			continue
		}
		vars[e.Name] = e.Value
	}
	if !proxyManaged || len(proxyVars) == 0 {
		return vars, nil
	}
	pick := func(name string) types.String {
		if v, ok := proxyVars[name]; ok {
			return types.StringValue(v)
		}
		return flex.StringOrNull(proxyVars[strings.ToLower(name)])
	}
	return vars, &ProxyModel{HTTPProxy: pick("HTTP_PROXY"), HTTPSProxy: pick("HTTPS_PROXY"), NoProxy: pick("NO_PROXY")}
}

// HasProxyVars reports whether env carries any proxy variable.
func HasProxyVars(env []corev1.EnvVar) bool {
	for _, e := range env {
		if proxyEnvNames[e.Name] {
			return true
		}
	}
	return false
}

// ProxyEnvConflict rejects agent_env_vars entries that agent_proxy owns, when
// agent_proxy is set: two sources for one variable would fight on every apply.
type ProxyEnvConflict struct{ ProxyAttribute string }

func (v ProxyEnvConflict) Description(context.Context) string {
	return fmt.Sprintf("must not set proxy variables when %s is set", v.ProxyAttribute)
}

func (v ProxyEnvConflict) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v ProxyEnvConflict) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var proxy types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(v.ProxyAttribute), &proxy)...)
	if proxy.IsNull() {
		return
	}
	for name := range req.ConfigValue.Elements() {
		if proxyEnvNames[name] {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(name), "Proxy variable set twice",
				fmt.Sprintf("%s is set by %s; remove it from %s.", name, v.ProxyAttribute, req.Path))
		}
	}
}
