package install

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// Paths of the fleet chart's values (charts/fleet/values.yaml) that the
// resource sets from its attributes.
var (
	proxyValue            = []string{"proxy"}
	noProxyValue          = []string{"noProxy"}
	proxyCACertValue      = []string{"proxyCACert"}
	registryValue         = []string{"global", "cattle", "systemDefaultRegistry"}
	pullSecretsValue      = []string{"global", "cattle", "imagePullSecrets"}
	apiServerURLValue     = []string{"apiServerURL"}
	apiServerCAValue      = []string{"apiServerCA"}
	agentTLSModeValue     = []string{"agentTLSMode"}
	bootstrapEnabledValue = []string{"bootstrap", "enabled"}
	gitOpsEnabledValue    = []string{"gitops", "enabled"}
	helmOpsEnabledValue   = []string{"helmops", "enabled"}
	extraEnvValue         = []string{"extraEnv"}
)

var reservedValuePaths = [][]string{
	proxyValue, noProxyValue, proxyCACertValue, registryValue, pullSecretsValue, apiServerURLValue, apiServerCAValue,
	agentTLSModeValue, bootstrapEnabledValue, gitOpsEnabledValue, helmOpsEnabledValue, extraEnvValue,
}

var valuesValidator = helmchart.ValuesValidator{Reserved: reservedValuePaths, SetBy: "the resource (it has an attribute)"}

// chartValues are the fleet chart's values the model decides: `values`
// with the attributes set on top. A value whose attribute is unset is left
// to the chart's default.
func (m *installModel) chartValues(ctx context.Context) (map[string]any, diag.Diagnostics) {
	var diags diag.Diagnostics
	vals, err := helmchart.ParseValues(m.Values.ValueString())
	if err != nil {
		diags.AddError("Invalid chart values", err.Error())
		return nil, diags
	}
	setString := func(p []string, v types.String) {
		if !v.IsNull() && v.ValueString() != "" {
			helmchart.SetNested(vals, p, v.ValueString())
		}
	}
	if p := m.Proxy; p != nil {
		url := p.HTTPSProxy
		if url.IsNull() || url.ValueString() == "" {
			url = p.HTTPProxy
		}
		setString(proxyValue, url)
		setString(noProxyValue, p.NoProxy)
		setString(proxyCACertValue, p.CACert)
	}
	setString(registryValue, m.SystemDefaultRegistry)
	setString(apiServerURLValue, m.APIServerURL)
	setString(apiServerCAValue, m.APIServerCA)
	setString(agentTLSModeValue, m.AgentTLSMode)
	helmchart.SetNested(vals, bootstrapEnabledValue, m.BootstrapLocalCluster.ValueBool())
	helmchart.SetNested(vals, gitOpsEnabledValue, m.GitOps.ValueBool())
	helmchart.SetNested(vals, helmOpsEnabledValue, m.HelmOps.ValueBool())
	var names []string
	if m.ImagePullSecret != nil {
		names = append(names, pullSecretName)
	}
	if !m.ImagePullSecrets.IsNull() {
		var others []string
		diags.Append(m.ImagePullSecrets.ElementsAs(ctx, &others, false)...)
		names = append(names, others...)
	}
	if len(names) > 0 {
		secrets := make([]any, len(names))
		for i, n := range names {
			secrets[i] = map[string]any{"name": n}
		}
		helmchart.SetNested(vals, pullSecretsValue, secrets)
	}
	if !m.ExtraEnv.IsNull() {
		env := map[string]string{}
		diags.Append(m.ExtraEnv.ElementsAs(ctx, &env, false)...)
		names := make([]string, 0, len(env))
		for n := range env {
			names = append(names, n)
		}
		sort.Strings(names)
		list := make([]any, len(names))
		for i, n := range names {
			list[i] = map[string]any{"name": n, "value": env[n]}
		}
		helmchart.SetNested(vals, extraEnvValue, list)
	}
	return vals, diags
}

// checkChartSupports fails when the configuration sets a value the fleet
// chart does not read: an older chart would ignore it silently.
func (m *installModel) checkChartSupports(ch *chart.Chart) error {
	uses := func(value string) bool {
		for _, t := range ch.Templates {
			if strings.Contains(string(t.Data), ".Values."+value) {
				return true
			}
		}
		return false
	}
	var missing []string
	if m.Proxy != nil && !m.Proxy.CACert.IsNull() && !uses("proxyCACert") {
		missing = append(missing, "proxy.ca_cert (proxyCACert)")
	}
	if (m.ImagePullSecret != nil || !m.ImagePullSecrets.IsNull()) && !uses("global.cattle.imagePullSecrets") {
		missing = append(missing, "image_pull_secret(s) (global.cattle.imagePullSecrets)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("the fleet chart %s (Fleet %s) does not read %s, which Fleet v0.16 introduced: use a newer chart, or "+
		"remove them", ch.Metadata.Version, ch.Metadata.AppVersion, strings.Join(missing, " and "))
}

// flattenValues sets the attributes from the values of the installed
// release, so that a change made outside Terraform shows in the plan.
// `values` keeps its spelling while it means what the release holds.
func (m *installModel) flattenValues(config map[string]any) {
	str := func(p []string) types.String {
		if v, ok := helmchart.LookupNested(config, p); ok {
			if s, ok := v.(string); ok && s != "" {
				return types.StringValue(s)
			}
		}
		return types.StringNull()
	}
	boolean := func(p []string) types.Bool {
		v, _ := helmchart.LookupNested(config, p)
		b, ok := v.(bool)
		return types.BoolValue(!ok || b) // the chart's defaults are true
	}
	proxy, noProxy, caCert := str(proxyValue), str(noProxyValue), str(proxyCACertValue)
	switch {
	case proxy.IsNull() && caCert.IsNull():
		m.Proxy = nil
	default:
		p := &proxyModel{ProxyModel: agentspec.ProxyModel{HTTPProxy: types.StringNull(), HTTPSProxy: types.StringNull(), NoProxy: noProxy}, CACert: caCert}
		// The chart's one URL goes back where the configuration had it.
		if m.Proxy != nil && !m.Proxy.HTTPProxy.IsNull() {
			p.HTTPProxy = proxy
		}
		if m.Proxy == nil || !m.Proxy.HTTPSProxy.IsNull() || m.Proxy.HTTPProxy.IsNull() {
			p.HTTPSProxy = proxy
		}
		m.Proxy = p
	}
	m.SystemDefaultRegistry = str(registryValue)
	m.APIServerURL, m.APIServerCA, m.AgentTLSMode = str(apiServerURLValue), str(apiServerCAValue), str(agentTLSModeValue)
	m.BootstrapLocalCluster, m.GitOps, m.HelmOps = boolean(bootstrapEnabledValue), boolean(gitOpsEnabledValue), boolean(helmOpsEnabledValue)
	m.ImagePullSecrets = types.ListNull(types.StringType)
	if list, ok := lookupList(config, pullSecretsValue); ok {
		names := make([]attr.Value, 0, len(list))
		for _, s := range list {
			if e, ok := s.(map[string]any); ok {
				if n, ok := e["name"].(string); ok && n != pullSecretName {
					names = append(names, types.StringValue(n))
				}
			}
		}
		if len(names) > 0 {
			m.ImagePullSecrets = types.ListValueMust(types.StringType, names)
		}
	}
	if !listsPullSecret(config) {
		m.ImagePullSecret = nil // the plan adds it back
	}
	m.ExtraEnv = types.MapNull(types.StringType)
	if list, ok := lookupList(config, extraEnvValue); ok {
		env := map[string]attr.Value{}
		for _, e := range list {
			if e, ok := e.(map[string]any); ok {
				if n, ok := e["name"].(string); ok {
					v, _ := e["value"].(string)
					env[n] = types.StringValue(v)
				}
			}
		}
		m.ExtraEnv = types.MapValueMust(types.StringType, env)
	}
	user := helmchart.WithoutPaths(config, reservedValuePaths)
	if current, err := helmchart.ParseValues(m.Values.ValueString()); err == nil && helmchart.SameValues(current, user) {
		return
	}
	m.Values = types.StringNull()
	if len(user) > 0 {
		data, _ := yaml.Marshal(user)
		m.Values = types.StringValue(string(data))
	}
}

// listsPullSecret reports whether chart values pull with the Secret of
// image_pull_secret.
func listsPullSecret(config map[string]any) bool {
	list, _ := lookupList(config, pullSecretsValue)
	for _, s := range list {
		if e, ok := s.(map[string]any); ok && e["name"] == pullSecretName {
			return true
		}
	}
	return false
}

func lookupList(m map[string]any, p []string) ([]any, bool) {
	v, ok := helmchart.LookupNested(m, p)
	list, isList := v.([]any)
	return list, ok && isList && len(list) > 0
}
