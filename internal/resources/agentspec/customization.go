package agentspec

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/quantity"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// The agent settings of a Fleet Cluster: how Fleet renders the agent
// Deployment downstream. Each has an expand (model → Fleet) and a flatten.

type TolerationModel struct {
	Key               types.String `tfsdk:"key"`
	Operator          types.String `tfsdk:"operator"`
	Value             types.String `tfsdk:"value"`
	Effect            types.String `tfsdk:"effect"`
	TolerationSeconds types.Int64  `tfsdk:"toleration_seconds"`
}

func ExpandTolerations(in []TolerationModel) []corev1.Toleration {
	var out []corev1.Toleration
	for _, t := range in {
		tol := corev1.Toleration{
			Key:      t.Key.ValueString(),
			Operator: corev1.TolerationOperator(t.Operator.ValueString()),
			Value:    t.Value.ValueString(),
			Effect:   corev1.TaintEffect(t.Effect.ValueString()),
		}
		if !t.TolerationSeconds.IsNull() {
			tol.TolerationSeconds = t.TolerationSeconds.ValueInt64Pointer()
		}
		out = append(out, tol)
	}
	return out
}

func FlattenTolerations(in []corev1.Toleration) []TolerationModel {
	var out []TolerationModel
	for _, t := range in {
		out = append(out, TolerationModel{
			Key:               flex.StringOrNull(t.Key),
			Operator:          flex.StringOrNull(string(t.Operator)),
			Value:             flex.StringOrNull(t.Value),
			Effect:            flex.StringOrNull(string(t.Effect)),
			TolerationSeconds: types.Int64PointerValue(t.TolerationSeconds),
		})
	}
	return out
}

type ResourcesModel struct {
	Limits   types.Map `tfsdk:"limits"`
	Requests types.Map `tfsdk:"requests"`
}

func ExpandResources(ctx context.Context, m *ResourcesModel, at path.Path) (*fleet.ResourceRequirements, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	limits, diags := expandQuantities(ctx, m.Limits, at.AtName("limits"))
	requests, d := expandQuantities(ctx, m.Requests, at.AtName("requests"))
	diags.Append(d...)
	return &fleet.ResourceRequirements{Limits: limits, Requests: requests}, diags
}

// expandQuantities checks each quantity and sends it as written. (Fleet's
// controller may rewrite it canonically; quantity.Value compares amounts.)
func expandQuantities(ctx context.Context, m types.Map, at path.Path) (map[string]intstr.IntOrString, diag.Diagnostics) {
	var raw map[string]string
	diags := m.ElementsAs(ctx, &raw, false)
	if len(raw) == 0 {
		return nil, diags
	}
	out := map[string]intstr.IntOrString{}
	for name, value := range raw {
		if _, err := resource.ParseQuantity(value); err != nil {
			diags.AddAttributeError(at.AtMapKey(name), "Invalid quantity", validate.Detail(at.AtMapKey(name), err.Error()))
			continue
		}
		out[name] = intstr.FromString(value)
	}
	return out, diags
}

func FlattenResources(in *fleet.ResourceRequirements) *ResourcesModel {
	if in == nil {
		return nil
	}
	return &ResourcesModel{Limits: flattenQuantities(in.Limits), Requests: flattenQuantities(in.Requests)}
}

func flattenQuantities(in map[string]intstr.IntOrString) types.Map {
	if len(in) == 0 {
		return types.MapNull(quantity.Type{})
	}
	elems := make(map[string]attr.Value, len(in))
	for name, q := range in {
		elems[name] = quantity.NewValue(q.String())
	}
	return types.MapValueMust(quantity.Type{}, elems)
}

type SchedulingModel struct {
	PriorityClass       *priorityClassModel       `tfsdk:"priority_class"`
	PodDisruptionBudget *podDisruptionBudgetModel `tfsdk:"pod_disruption_budget"`
}

type priorityClassModel struct {
	Value            types.Int64  `tfsdk:"value"`
	PreemptionPolicy types.String `tfsdk:"preemption_policy"`
}

type podDisruptionBudgetModel struct {
	MinAvailable   types.String `tfsdk:"min_available"`
	MaxUnavailable types.String `tfsdk:"max_unavailable"`
}

func ExpandScheduling(m *SchedulingModel) *fleet.AgentSchedulingCustomization {
	if m == nil {
		return nil
	}
	out := &fleet.AgentSchedulingCustomization{}
	if pc := m.PriorityClass; pc != nil {
		out.PriorityClass = &fleet.PriorityClassSpec{Value: int(pc.Value.ValueInt64())}
		if !pc.PreemptionPolicy.IsNull() {
			policy := corev1.PreemptionPolicy(pc.PreemptionPolicy.ValueString())
			out.PriorityClass.PreemptionPolicy = &policy
		}
	}
	if pdb := m.PodDisruptionBudget; pdb != nil {
		out.PodDisruptionBudget = &fleet.PodDisruptionBudgetSpec{
			MinAvailable:   pdb.MinAvailable.ValueString(),
			MaxUnavailable: pdb.MaxUnavailable.ValueString(),
		}
	}
	return out
}

func FlattenScheduling(in *fleet.AgentSchedulingCustomization) *SchedulingModel {
	if in == nil {
		return nil
	}
	out := &SchedulingModel{}
	if pc := in.PriorityClass; pc != nil {
		out.PriorityClass = &priorityClassModel{Value: types.Int64Value(int64(pc.Value)), PreemptionPolicy: types.StringNull()}
		if pc.PreemptionPolicy != nil {
			out.PriorityClass.PreemptionPolicy = types.StringValue(string(*pc.PreemptionPolicy))
		}
	}
	if pdb := in.PodDisruptionBudget; pdb != nil {
		out.PodDisruptionBudget = &podDisruptionBudgetModel{
			MinAvailable:   flex.StringOrNull(pdb.MinAvailable),
			MaxUnavailable: flex.StringOrNull(pdb.MaxUnavailable),
		}
	}
	return out
}

// ExpandPullSecrets keeps Fleet's three cases apart: null (copy the global
// pull secrets), empty (none) and a list (exactly these).
func ExpandPullSecrets(ctx context.Context, l types.List) (*[]corev1.LocalObjectReference, diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return nil, nil
	}
	var names []string
	diags := l.ElementsAs(ctx, &names, false)
	refs := make([]corev1.LocalObjectReference, 0, len(names))
	for _, n := range names {
		refs = append(refs, corev1.LocalObjectReference{Name: n})
	}
	return &refs, diags
}

func FlattenPullSecrets(in *[]corev1.LocalObjectReference) types.List {
	if in == nil {
		return types.ListNull(types.StringType)
	}
	names := make([]string, 0, len(*in))
	for _, r := range *in {
		names = append(names, r.Name)
	}
	return flex.StringListValue(names)
}

// ExpandJSON decodes a normalized JSON attribute into T (nil when null),
// strictly as validate.StrictJSON checks it at plan time: a misspelled
// field is an error, never dropped.
func ExpandJSON[T any](v jsontypes.Normalized, at path.Path) (*T, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v.IsNull() || v.IsUnknown() {
		return nil, diags
	}
	out, err := validate.DecodeStrictJSON[T](v.ValueString())
	if err != nil {
		diags.AddAttributeError(at, "Invalid JSON", validate.Detail(at, err.Error()))
		return nil, diags
	}
	return out, diags
}

// AffinityAttribute is a core/v1 Affinity as JSON, decoded strictly.
func AffinityAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true, CustomType: jsontypes.NormalizedType{},
		PlanModifiers: []planmodifier.String{framework.KeepStateSpelling(framework.SameJSON)},
		Validators:    []validator.String{validate.StrictJSON[corev1.Affinity]("a core/v1 Affinity")},
		Description:   description,
	}
}

// FlattenJSON encodes a Fleet value for a normalized JSON attribute; semantic
// equality keeps the configuration's formatting when the content is equal.
func FlattenJSON(v any, isNil bool) jsontypes.Normalized {
	if isNil {
		return jsontypes.NewNormalizedNull()
	}
	data, err := json.Marshal(v)
	if err != nil {
		return jsontypes.NewNormalizedNull()
	}
	return jsontypes.NewNormalizedValue(string(data))
}

// The agent attributes fleet_cluster and fleet_rancher_cluster share.

// TolerationsAttribute is a list of core/v1 tolerations.
func TolerationsAttribute(description string, validators ...validator.List) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true, Description: description, Validators: validators,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"key": schema.StringAttribute{Optional: true, Description: "Taint key the toleration matches (a label key); unset " +
				"matches every key, with `operator = \"Exists\"`."},
			"operator": schema.StringAttribute{Optional: true, Description: "`Equal` (default) or `Exists`.",
				Validators: []validator.String{stringvalidator.OneOf("Equal", "Exists")}},
			"value": schema.StringAttribute{Optional: true, Description: "Taint value for `Equal` (a label value); unset for `Exists`."},
			"effect": schema.StringAttribute{Optional: true, Description: "`NoSchedule`, `PreferNoSchedule` or `NoExecute`; unset matches all.",
				Validators: []validator.String{stringvalidator.OneOf("NoSchedule", "PreferNoSchedule", "NoExecute")}},
			"toleration_seconds": schema.Int64Attribute{Optional: true, Description: "How long a `NoExecute` taint is tolerated " +
				"(with `effect = \"NoExecute\"` only)."},
		}, Validators: []validator.Object{validate.Toleration()}},
	}
}

// ResourcesAttribute is the limits and requests of a container; quantities
// compare by amount.
func ResourcesAttribute() schema.SingleNestedAttribute {
	quantities := func(description string) schema.MapAttribute {
		return schema.MapAttribute{Optional: true, ElementType: quantity.Type{}, Description: description,
			PlanModifiers: []planmodifier.Map{framework.KeepStateSpellingInMap(semantic.Same[quantity.Meaning])}}
	}
	return schema.SingleNestedAttribute{
		Optional: true, Description: "Resource limits and requests of the agent container.",
		Validators: []validator.Object{validate.ContainerResources()},
		Attributes: map[string]schema.Attribute{
			"limits":   quantities("Limits by resource name, e.g. `{ cpu = \"500m\", memory = \"256Mi\" }`."),
			"requests": quantities("Requests by resource name."),
		},
	}
}
