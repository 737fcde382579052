package workloads

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// diffModel is `diff`: what the agent leaves out when it checks the
// deployed resources for modifications (Fleet's DiffOptions).
type diffModel struct {
	ComparePatches []comparePatchModel `tfsdk:"compare_patches"`
}

type comparePatchModel struct {
	APIVersion   types.String          `tfsdk:"api_version"`
	Kind         types.String          `tfsdk:"kind"`
	Name         types.String          `tfsdk:"name"`
	Namespace    types.String          `tfsdk:"namespace"`
	JSONPointers types.List            `tfsdk:"json_pointers"`
	Operations   []patchOperationModel `tfsdk:"operations"`
}

type patchOperationModel struct {
	Op    types.String `tfsdk:"op"`
	Path  types.String `tfsdk:"path"`
	Value types.String `tfsdk:"value"`
}

// patchOps are the operations Fleet's agent applies to a resource before
// comparing it: "ignore" (leave the resource out) and the JSON patch ones.
var patchOps = []string{"ignore", "remove", "add", "replace", "move", "copy", "test"}

func diffAttribute(scope string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "What Fleet's agent leaves out when it checks the deployed resources for changes made in the cluster " +
			"(Fleet's `diff`), e.g. a webhook's `caBundle` or a replica count an autoscaler sets, so that they do not " +
			"mark the deployment Modified" + scope + ".",
		Attributes: map[string]schema.Attribute{
			"compare_patches": schema.ListNestedAttribute{
				Required:    true,
				Description: "Resources, and the fields of them, to leave out of the check.",
				Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"api_version": framework.OptionalString("API version of the resources, e.g. `apps/v1`.", validate.APIVersion()),
						"kind":        framework.OptionalString("Kind of the resources, e.g. `Deployment`.", framework.NonEmptyString()...),
						"name": framework.OptionalString("Name of the resource. For the `ignore` operation Fleet reads it as a "+
							"regular expression.", framework.NonEmptyString()...),
						"namespace": framework.OptionalString("Namespace of the resource.", validate.NamespaceName()),
						"json_pointers": schema.ListAttribute{
							Optional: true, ElementType: types.StringType,
							Description: "JSON pointers (RFC 6901) of fields to leave out, e.g. `/spec/replicas`.",
							Validators: []validator.List{listvalidator.SizeAtLeast(1),
								listvalidator.ValueStringsAre(validate.JSONPointer())},
						},
						"operations": schema.ListNestedAttribute{
							Optional: true,
							Description: "Operations on the resource before the comparison: `remove` with a `path` drops a " +
								"field, `ignore` leaves the whole resource out; the other JSON patch operations " +
								"(`add`, `replace`, `move`, `copy`, `test`) work as well.",
							Validators: []validator.List{listvalidator.SizeAtLeast(1)},
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"op": schema.StringAttribute{Required: true, Description: "The operation: one of `" +
										strings.Join(patchOps, "`, `") + "`.", Validators: []validator.String{stringvalidator.OneOf(patchOps...)}},
									"path":  framework.OptionalString("JSON pointer the operation applies to.", validate.JSONPointer()),
									"value": framework.OptionalString("Value of `add`, `replace` and `test`; source of `move` and `copy`."),
								},
								Validators: []validator.Object{patchOperationPath{}},
							},
						},
					},
					Validators: []validator.Object{validate.AtLeastOneAttribute("Compare patch does nothing",
						"json_pointers", "operations")},
				},
			},
		},
	}
}

func ignoreAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:    true,
		Description: "Conditions of the deployed resources that do not make the deployment not ready (Fleet's `ignore`).",
		Attributes: map[string]schema.Attribute{
			"conditions": schema.ListAttribute{
				Required:    true,
				ElementType: types.MapType{ElemType: types.StringType},
				Description: "Each entry matches a resource condition on every field it names, e.g. " +
					"`{ type = \"Available\", status = \"False\" }`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.ValueMapsAre(mapvalidator.SizeAtLeast(1))},
			},
		},
	}
}

// patchOperationPath requires `path` for every operation but `ignore`.
type patchOperationPath struct{}

func (patchOperationPath) Description(context.Context) string {
	return "every operation but ignore needs a path"
}

func (v patchOperationPath) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (patchOperationPath) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	op, _ := attrs["op"].(types.String)
	p, _ := attrs["path"].(types.String)
	if op.IsUnknown() || op.IsNull() || p.IsUnknown() {
		return
	}
	if op.ValueString() != "ignore" && p.IsNull() {
		at := req.Path.AtName("path")
		resp.Diagnostics.AddAttributeError(at, "Missing path", validate.Detail(at, "the "+op.ValueString()+" operation needs a path, a JSON pointer such as /spec/replicas"))
	}
}

func (m *diffModel) Expand(ctx context.Context) (*fleet.DiffOptions, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	var diags diag.Diagnostics
	out := &fleet.DiffOptions{}
	for _, p := range m.ComparePatches {
		patch := fleet.ComparePatch{
			APIVersion: p.APIVersion.ValueString(), Kind: p.Kind.ValueString(),
			Name: p.Name.ValueString(), Namespace: p.Namespace.ValueString(),
		}
		diags.Append(p.JSONPointers.ElementsAs(ctx, &patch.JSONPointers, false)...)
		for _, o := range p.Operations {
			patch.Operations = append(patch.Operations, fleet.Operation{Op: o.Op.ValueString(), Path: o.Path.ValueString(), Value: o.Value.ValueString()})
		}
		out.ComparePatches = append(out.ComparePatches, patch)
	}
	return out, diags
}

func flattenDiff(d *fleet.DiffOptions) *diffModel {
	if d == nil {
		return nil
	}
	out := &diffModel{}
	for _, p := range d.ComparePatches {
		patch := comparePatchModel{
			APIVersion: flex.StringOrNull(p.APIVersion), Kind: flex.StringOrNull(p.Kind),
			Name: flex.StringOrNull(p.Name), Namespace: flex.StringOrNull(p.Namespace),
			JSONPointers: flex.StringListOrNull(p.JSONPointers),
		}
		for _, o := range p.Operations {
			patch.Operations = append(patch.Operations, patchOperationModel{
				Op: flex.StringOrNull(o.Op), Path: flex.StringOrNull(o.Path), Value: flex.StringOrNull(o.Value),
			})
		}
		out.ComparePatches = append(out.ComparePatches, patch)
	}
	return out
}

// ignoreModel is `ignore` (Fleet's IgnoreOptions).
type ignoreModel struct {
	Conditions types.List `tfsdk:"conditions"`
}

var conditionType = types.MapType{ElemType: types.StringType}

func (m *ignoreModel) Expand(ctx context.Context) (*fleet.IgnoreOptions, diag.Diagnostics) {
	if m == nil {
		return nil, nil
	}
	out := &fleet.IgnoreOptions{}
	return out, m.Conditions.ElementsAs(ctx, &out.Conditions, false)
}

func flattenIgnore(o *fleet.IgnoreOptions) *ignoreModel {
	if o == nil {
		return nil
	}
	conditions := types.ListNull(conditionType)
	if len(o.Conditions) > 0 {
		elems := make([]attr.Value, len(o.Conditions))
		for i, c := range o.Conditions {
			elems[i] = flex.StringMapValue(c)
		}
		conditions = types.ListValueMust(conditionType, elems)
	}
	return &ignoreModel{Conditions: conditions}
}
