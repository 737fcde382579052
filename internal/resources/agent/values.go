package agent

import (
	"errors"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// Values of the fleet-agent chart (charts/fleet-agent/values.yaml) that the
// Resource sets from its attributes.
const (
	valueAPIServerURL = "apiServerURL"
	valueAPIServerCA  = "apiServerCA"
	valueClientID     = "clientID"
	valueAgentTLSMode = "agentTLSMode"
	valueProxy        = "proxy"
	valueNoProxy      = "noProxy"
)

// systemDefaultRegistryPath is global.cattle.systemDefaultRegistry.
var systemDefaultRegistryPath = []string{"global", "cattle", "systemDefaultRegistry"}

// agentRegistration is the registration values Fleet writes for a token:
// the chart values that carry the token and where it registers.
type agentRegistration struct {
	APIServerURL                string `json:"apiServerURL"`
	APIServerCA                 string `json:"apiServerCA"`
	ClusterNamespace            string `json:"clusterNamespace"`
	SystemRegistrationNamespace string `json:"systemRegistrationNamespace"`
	Token                       string `json:"token"`
	// TokenName is written by Fleet v0.16 and later, whose chart requires it.
	TokenName string `json:"tokenName,omitempty"`
}

// registrationValueKeys are the chart values taken from the token and never
// from the configuration. They are not in state, so drift checks skip them.
var registrationValueKeys = []string{"token", "tokenName", "clusterNamespace", "systemRegistrationNamespace"}

// registrationValuePaths are registrationValueKeys as paths of values.
var registrationValuePaths = func() [][]string {
	var out [][]string
	for _, k := range registrationValueKeys {
		out = append(out, []string{k})
	}
	return out
}()

// reservedValuePaths are the values `values` must not set.
var reservedValuePaths = append([][]string{
	{valueAPIServerURL}, {valueAPIServerCA}, {valueClientID}, {valueAgentTLSMode}, {valueProxy}, {valueNoProxy},
	systemDefaultRegistryPath,
}, registrationValuePaths...)

// parseRegistration reads the `values` YAML of a token's Secret. The error
// never quotes the input, which holds the token.
func parseRegistration(values string) (agentRegistration, error) {
	var reg agentRegistration
	if err := yaml.Unmarshal([]byte(values), &reg); err != nil {
		return reg, errors.New("the registration values are not valid YAML")
	}
	if reg.Token == "" || reg.ClusterNamespace == "" {
		return reg, errors.New("the registration values lack token or clusterNamespace")
	}
	return reg, nil
}

// values returns the registration as chart values (the token's part only).
// tokenName only when Fleet wrote one: the charts before v0.16 do not know it.
func (r agentRegistration) values() map[string]any {
	out := map[string]any{
		"token": r.Token, "clusterNamespace": r.ClusterNamespace, "systemRegistrationNamespace": r.SystemRegistrationNamespace,
	}
	if r.TokenName != "" {
		out["tokenName"] = r.TokenName
	}
	return out
}

// registrationFromRelease takes the token's values back from an installed
// release, for upgrades: the token itself may be gone by then.
func registrationFromRelease(config map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range registrationValueKeys {
		if v, ok := config[k]; ok {
			out[k] = v
		}
	}
	return out
}

// managedValues are the chart values the model decides: `values` with the
// attributes' values set on top. The token's values are added separately,
// so this also works from state, which does not hold them.
func (m *agentModel) managedValues() (map[string]any, error) {
	vals, err := helmchart.ParseValues(m.Values.ValueString())
	if err != nil {
		return nil, err
	}
	set := func(key string, v types.String) {
		if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
			vals[key] = v.ValueString()
		}
	}
	set(valueAPIServerURL, m.APIServerURL)
	set(valueAPIServerCA, m.APIServerCA)
	set(valueClientID, m.ClientID)
	set(valueAgentTLSMode, m.AgentTLSMode)
	if p := m.AgentProxy; p != nil {
		// The chart has one proxy for HTTP and HTTPS; the agent talks HTTPS to
		// the management cluster, so that one wins.
		proxy := p.HTTPSProxy
		if proxy.IsNull() || proxy.ValueString() == "" {
			proxy = p.HTTPProxy
		}
		set(valueProxy, proxy)
		set(valueNoProxy, p.NoProxy)
	}
	if r := m.SystemDefaultRegistry; !r.IsNull() && !r.IsUnknown() && r.ValueString() != "" {
		helmchart.SetNested(vals, systemDefaultRegistryPath, r.ValueString())
	}
	return vals, nil
}

// chartValues are all values to install with: the managed ones plus the
// token's.
func chartValues(managed, registration map[string]any) map[string]any {
	out := maps.Clone(managed)
	maps.Copy(out, registration)
	return out
}

// userValues is the part of a release's values that came from `values`:
// all but the resource's own and the token's. Import uses it.
func userValues(config map[string]any) map[string]any {
	return helmchart.WithoutPaths(config, reservedValuePaths)
}

// chartValuesValidator checks `values` offline: an object that leaves the
// resource's own values (its attributes and the token's) alone.
var chartValuesValidator = helmchart.ValuesValidator{Reserved: reservedValuePaths, SetBy: "the resource (its own attribute or the registration token)"}
