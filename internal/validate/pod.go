package validate

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Rules Kubernetes applies to the agent's pod settings (tolerations,
// resources, PodDisruptionBudget) that no single attribute can check.
// Fleet copies them into objects downstream, where the API server would
// reject them long after the apply succeeded.

// objectRule adapts a rule over the known attributes of an object to
// validator.Object. check returns the problems, each at an attribute of the
// object ("" for the object itself), or at an entry of a map attribute.
type objectRule struct {
	description string
	summary     string
	check       func(object) []problem
}

type problem struct{ attribute, key, detail string }

// object reads the attributes of a configured object.
type object map[string]attr.Value

// str returns a string attribute: set is false when null, known false when
// unknown (then rules about it are skipped).
func (o object) str(name string) (s string, set, known bool) {
	v, ok := o[name]
	if !ok || v.IsNull() {
		return "", false, true
	}
	if v.IsUnknown() {
		return "", false, false
	}
	sv, ok := v.(basetypes.StringValuable)
	if !ok {
		return "", false, false
	}
	str, diags := sv.ToStringValue(context.Background())
	if diags.HasError() || str.IsUnknown() {
		return "", false, false
	}
	return str.ValueString(), !str.IsNull(), true
}

// stringMap returns the known entries of a map attribute of strings;
// known is false when the map or any entry is unknown.
func (o object) stringMap(name string) (m map[string]string, known bool) {
	v, ok := o[name].(basetypes.MapValue)
	if !ok || v.IsNull() {
		return nil, true
	}
	if v.IsUnknown() {
		return nil, false
	}
	m = map[string]string{}
	for k, e := range v.Elements() {
		s, set, known := object{"e": e}.str("e")
		if !known {
			return nil, false
		}
		if set {
			m[k] = s
		}
	}
	return m, true
}

func (r objectRule) Description(context.Context) string { return r.description }

func (r objectRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r objectRule) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, p := range r.check(req.ConfigValue.Attributes()) {
		at := req.Path
		if p.attribute != "" {
			at = at.AtName(p.attribute)
		}
		if p.key != "" {
			at = at.AtMapKey(p.key)
		}
		resp.Diagnostics.AddAttributeError(at, r.summary, Detail(at, p.detail))
	}
}

// Toleration checks a core/v1 toleration as Kubernetes validates it
// (ValidateTolerations), with the attributes key, operator, value, effect
// and toleration_seconds: a key is a label key; without a key the operator
// must be Exists; Exists takes no value; Equal's value is a label value;
// toleration_seconds needs effect NoExecute. An empty key or value is
// refused too: it is sent as unset and would read back as unset.
func Toleration() validator.Object {
	return objectRule{
		description: "must be a toleration Kubernetes accepts: without key, operator Exists; with Exists, no value; toleration_seconds only with effect NoExecute",
		summary:     "Invalid toleration",
		check:       checkToleration,
	}
}

func checkToleration(o object) []problem {
	var out []problem
	key, hasKey, keyKnown := o.str("key")
	operator, hasOperator, operatorKnown := o.str("operator")
	value, hasValue, _ := o.str("value")
	effect, _, effectKnown := o.str("effect")
	exists := operator == "Exists"
	switch {
	case hasKey && key == "":
		out = append(out, problem{"key", "", `an empty key is sent as no key; to match every taint key, omit key and set operator = "Exists"`})
	case hasKey:
		if err := CheckLabelKey(key); err != nil {
			out = append(out, problem{"key", "", err.Error()})
		}
	case keyKnown && operatorKnown && !exists:
		out = append(out, problem{"operator", "", `without a key the operator must be "Exists" (which matches every taint key)`})
	}
	switch {
	case hasValue && value == "":
		out = append(out, problem{"value", "", "an empty value is sent as no value; omit value"})
	case hasValue && operatorKnown && exists:
		out = append(out, problem{"value", "", `operator "Exists" takes no value; omit value`})
	case hasValue && operatorKnown && (!hasOperator || operator == "Equal"):
		if err := CheckLabelValue(value); err != nil {
			out = append(out, problem{"value", "", err.Error()})
		}
	}
	if secs, ok := o["toleration_seconds"]; ok && !secs.IsNull() && effectKnown && effect != "NoExecute" {
		out = append(out, problem{"toleration_seconds", "", `toleration_seconds applies to effect "NoExecute" only; set effect = "NoExecute"`})
	}
	return out
}

// CheckIntOrPercent checks a PodDisruptionBudget bound as Fleet parses it
// (intstr.Parse) and Kubernetes validates it: a whole number from 0 to
// 2147483647, or a percentage from 0% to 100%.
func CheckIntOrPercent(s string) error {
	if s == "" {
		return fmt.Errorf("the value must not be empty; omit it instead")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt32 {
			return fmt.Errorf("%q is out of range: a number of pods from 0 to %d", s, math.MaxInt32)
		}
		return nil
	}
	digits, isPercent := strings.CutSuffix(s, "%")
	n, err := strconv.Atoi(digits)
	if !isPercent || err != nil || strings.ContainsAny(digits, "+-") {
		return fmt.Errorf("%q is neither a number of pods (e.g. 1) nor a percentage (e.g. 50%%)", s)
	}
	if n > 100 {
		return fmt.Errorf("%q is more than 100%%", s)
	}
	return nil
}

// PodDisruptionBudget checks min_available and max_unavailable: each a
// number or percentage, and not both (Fleet then creates no budget).
func PodDisruptionBudget() validator.Object {
	return objectRule{
		description: "min_available and max_unavailable are each a number or a percentage, and at most one is set",
		summary:     "Invalid PodDisruptionBudget",
		check: func(o object) []problem {
			var out []problem
			_, hasMin, _ := o.str("min_available")
			_, hasMax, _ := o.str("max_unavailable")
			for _, name := range []string{"min_available", "max_unavailable"} {
				if s, set, _ := o.str(name); set {
					if err := CheckIntOrPercent(s); err != nil {
						out = append(out, problem{name, "", err.Error()})
					}
				}
			}
			if hasMin && hasMax {
				out = append(out, problem{"max_unavailable", "", "set min_available or max_unavailable, not both: Fleet creates no PodDisruptionBudget when both are set"})
			}
			return out
		},
	}
}

// ContainerResources checks the limits and requests maps of a container as
// Kubernetes validates them: resource names are qualified names, amounts
// are quantities of at least zero, and no request exceeds its limit.
func ContainerResources() validator.Object {
	return objectRule{
		description: "resource names are qualified names, quantities are not negative, and requests do not exceed limits",
		summary:     "Invalid resource requirements",
		check: func(o object) []problem {
			limits, limitsKnown := o.stringMap("limits")
			requests, requestsKnown := o.stringMap("requests")
			var out []problem
			parsed := map[string]map[string]resource.Quantity{}
			for _, group := range []struct {
				name   string
				values map[string]string
			}{{"limits", limits}, {"requests", requests}} {
				parsed[group.name] = map[string]resource.Quantity{}
				for _, name := range sortedKeys(group.values) {
					if err := k8sErr(name, "resource name", validation.IsQualifiedName(name)); err != nil {
						out = append(out, problem{group.name, name, err.Error()})
						continue
					}
					q, err := resource.ParseQuantity(group.values[name])
					if err != nil {
						continue // the quantity type reports it at the entry
					}
					if q.Sign() < 0 {
						out = append(out, problem{group.name, name, fmt.Sprintf("the amount %s is negative", group.values[name])})
						continue
					}
					parsed[group.name][name] = q
				}
			}
			if !limitsKnown || !requestsKnown {
				return out
			}
			for _, name := range sortedKeys(requests) {
				req, okReq := parsed["requests"][name]
				limit, okLimit := parsed["limits"][name]
				if okReq && okLimit && req.Cmp(limit) > 0 {
					out = append(out, problem{"requests", name, fmt.Sprintf("the request (%s) exceeds the limit (%s); Kubernetes requires requests <= limits",
						requests[name], limits[name])})
				}
			}
			return out
		},
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
