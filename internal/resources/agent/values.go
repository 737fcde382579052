package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"
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

// reservedValuePaths are the values `values` must not set.
var reservedValuePaths = append([][]string{
	{valueAPIServerURL}, {valueAPIServerCA}, {valueClientID}, {valueAgentTLSMode}, {valueProxy}, {valueNoProxy},
	systemDefaultRegistryPath,
}, func() [][]string {
	var out [][]string
	for _, k := range registrationValueKeys {
		out = append(out, []string{k})
	}
	return out
}()...)

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

// parseChartValues parses the values attribute, a YAML or JSON object.
func parseChartValues(s string) (map[string]any, error) {
	out := map[string]any{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("the values are neither YAML nor JSON: %s", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the values must be an object (a YAML mapping), e.g. yamlencode({ agent = { replicas = 2 } })")
	}
	return m, nil
}

// managedValues are the chart values the model decides: `values` with the
// attributes' values set on top. The token's values are added separately,
// so this also works from state, which does not hold them.
func (m *agentModel) managedValues() (map[string]any, error) {
	vals, err := parseChartValues(m.Values.ValueString())
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
		setNested(vals, systemDefaultRegistryPath, r.ValueString())
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

// setNested sets m[path...] = v, creating maps on the way.
func setNested(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// lookupNested returns m[path...].
func lookupNested(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deleteNested removes m[path...] and the maps it leaves empty.
func deleteNested(m map[string]any, path []string) {
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	next, ok := m[path[0]].(map[string]any)
	if !ok {
		return
	}
	deleteNested(next, path[1:])
	if len(next) == 0 {
		delete(m, path[0])
	}
}

// sameValues compares chart values as Helm stores them (JSON), so that 1
// and 1.0, or YAML and JSON spellings, are equal.
func sameValues(a, b map[string]any) bool {
	na, errA := normalizeJSON(a)
	nb, errB := normalizeJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(na, nb)
}

func normalizeJSON(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(data, &out)
	return out, err
}

// withoutKeys returns a deep copy of m without the given top-level keys.
func withoutKeys(m map[string]any, keys []string) map[string]any {
	out := map[string]any{}
	if n, err := normalizeJSON(m); err == nil {
		if nm, ok := n.(map[string]any); ok {
			out = nm
		}
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// userValues is the part of a release's values that came from `values`:
// all but the resource's own and the token's. Import uses it.
func userValues(config map[string]any) map[string]any {
	out := withoutKeys(config, nil)
	for _, p := range reservedValuePaths {
		deleteNested(out, p)
	}
	return out
}

// chartValuesValidator checks `values` offline: an object that leaves the
// Resource's own values alone.
type chartValuesValidator struct{}

func (chartValuesValidator) Description(context.Context) string {
	return "must be a YAML or JSON object that does not set the values the resource sets itself"
}

func (v chartValuesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (chartValuesValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	vals, err := parseChartValues(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid chart values", err.Error())
		return
	}
	for _, p := range reservedValuePaths {
		if _, ok := lookupNested(vals, p); ok {
			resp.Diagnostics.AddAttributeError(req.Path, "Chart value set twice",
				fmt.Sprintf("%s is set by the resource (its own attribute or the registration token); remove it from values.", strings.Join(p, ".")))
		}
		if prefix := nonMappingOn(vals, p); prefix != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid chart values",
				fmt.Sprintf("%s must be a mapping: the resource sets %s inside it.", prefix, strings.Join(p, ".")))
		}
	}
}

// nonMappingOn returns the first value on the way to m[path...] that is set
// and is not a mapping (setNested would replace it), "" when there is none.
func nonMappingOn(m map[string]any, path []string) string {
	for i, k := range path[:len(path)-1] {
		v, ok := m[k]
		if !ok {
			return ""
		}
		if m, ok = v.(map[string]any); !ok {
			return strings.Join(path[:i+1], ".")
		}
	}
	return ""
}
