package framework

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// LabelSelectorModel is a Kubernetes label selector, the same everywhere in
// the provider: { match_labels = map, match_expressions = [{ key, operator, values }] }.
type LabelSelectorModel struct {
	MatchLabels      types.Map                       `tfsdk:"match_labels"`
	MatchExpressions []LabelSelectorRequirementModel `tfsdk:"match_expressions"`
}

type LabelSelectorRequirementModel struct {
	Key      types.String `tfsdk:"key"`
	Operator types.String `tfsdk:"operator"`
	Values   types.List   `tfsdk:"values"`
}

// LabelSelectorAttribute returns the schema of a label selector.
func LabelSelectorAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:    true,
		Description: description,
		Attributes: map[string]schema.Attribute{
			"match_labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Labels a selected object must carry, all of them, with these values.",
				Validators:  []validator.Map{mapvalidator.SizeAtLeast(1), validate.LabelMap()},
			},
			"match_expressions": schema.ListNestedAttribute{
				Optional:    true,
				Description: "Set-based requirements on labels; all must hold.",
				Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"key": schema.StringAttribute{
							Required:    true,
							Description: "The label key the requirement applies to.",
							Validators:  []validator.String{validate.LabelKey()},
						},
						"operator": schema.StringAttribute{
							Required:    true,
							Description: "One of `In`, `NotIn`, `Exists`, `DoesNotExist`.",
							Validators:  []validator.String{validate.SelectorOperator()},
						},
						"values": schema.ListAttribute{
							Optional:    true,
							ElementType: types.StringType,
							Description: "Values for `In` and `NotIn` (at least one, each a label value); must be unset for `Exists` and `DoesNotExist`.",
							Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(validate.LabelValue())},
						},
					},
					Validators: []validator.Object{validate.SelectorRequirement()},
				},
			},
		},
	}
}

// ExpandLabelSelector converts the model; nil stays nil (Fleet: selects nothing).
func ExpandLabelSelector(ctx context.Context, m *LabelSelectorModel) (*metav1.LabelSelector, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	var diags diag.Diagnostics
	out := &metav1.LabelSelector{}
	diags.Append(m.MatchLabels.ElementsAs(ctx, &out.MatchLabels, false)...)
	for _, e := range m.MatchExpressions {
		req := metav1.LabelSelectorRequirement{Key: e.Key.ValueString(), Operator: metav1.LabelSelectorOperator(e.Operator.ValueString())}
		diags.Append(e.Values.ElementsAs(ctx, &req.Values, false)...)
		out.MatchExpressions = append(out.MatchExpressions, req)
	}
	return out, diags
}

// FlattenLabelSelector converts what the server holds back into the model.
func FlattenLabelSelector(s *metav1.LabelSelector) *LabelSelectorModel {
	if s == nil {
		return nil
	}
	m := &LabelSelectorModel{MatchLabels: flex.StringMapOrNull(s.MatchLabels)}
	for _, e := range s.MatchExpressions {
		m.MatchExpressions = append(m.MatchExpressions, LabelSelectorRequirementModel{
			Key:      types.StringValue(e.Key),
			Operator: types.StringValue(string(e.Operator)),
			Values:   flex.StringListOrNull(e.Values),
		})
	}
	return m
}
