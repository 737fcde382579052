package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

var settingAPI = framework.ObjectAPI[rancherapi.Setting]{GVR: rancherapi.Settings, Kind: "Rancher setting"}

// settingModel is the state of fleet_rancher_setting.
type settingModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	Value    types.String   `tfsdk:"value"`
	Default  types.String   `tfsdk:"default"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// settingPreviousKey is the private state key of what the setting
// held before the provider set it, which destroy restores.
const settingPreviousKey = "previous"

// settingPrevious is that record. Existed false: the provider created the
// setting, and destroy deletes it.
type settingPrevious struct {
	Existed bool   `json:"existed"`
	Value   string `json:"value"`
}

type settingResource struct {
	framework.ResourceBase
	framework.WithTimeouts
	framework.WithIdentity
}

var (
	_ resource.ResourceWithImportState = (*settingResource)(nil)
	_ resource.ResourceWithIdentity    = (*settingResource)(nil)
)

// NewSettingResource is fleet_rancher_setting.
func NewSettingResource() resource.Resource {
	return &settingResource{WithIdentity: framework.WithIdentity{{Name: "name", Description: "Name of the Rancher setting."}}}
}

func (r *settingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rancher_setting"
}

func (r *settingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "One of Rancher's global settings (a `management.cattle.io/v3` Setting), such as `system-default-registry`, " +
			"the registry prefixing every image Rancher deploys to its clusters in an air-gapped site. Rancher creates its " +
			"settings itself: create takes over the value and remembers the one before, which destroy restores (a setting " +
			"that did not exist is deleted). After an import the previous value is unknown, and destroy leaves the value as it is.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The setting's name; also its import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, Description: "Name of the setting, e.g. `system-default-registry`. Changing it replaces the resource.",
				Validators:    []validator.String{validate.ResourceName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"value": schema.StringAttribute{
				Required:    true,
				Description: "Value of the setting. `\"\"` makes Rancher use the setting's default.",
			},
			"default": schema.StringAttribute{
				Computed: true, Description: "Rancher's default for the setting, used while `value` is empty.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

func (r *settingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan settingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	var previous settingPrevious
	existing, err := settingAPI.Get(ctx, r.Data.Client, "", name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
	case err != nil:
		resp.Diagnostics.AddError("Cannot read the Rancher setting", err.Error())
		return
	default:
		previous = settingPrevious{Existed: true, Value: existing.Value}
	}
	data, err := json.Marshal(previous)
	if err != nil {
		resp.Diagnostics.AddError("Cannot record the previous value", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, settingPreviousKey, data)...)
	r.write(ctx, &plan, &resp.State, &resp.Diagnostics)
}

func (r *settingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan settingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, &plan, &resp.State, &resp.Diagnostics)
}

// write applies the value and stores what Rancher holds.
func (r *settingResource) write(ctx context.Context, plan *settingModel, state framework.StateSetter, diags *diag.Diagnostics) {
	name := plan.Name.ValueString()
	applied, err := settingAPI.Apply(ctx, r.Data.Client, "", name, settingObject(name, plan.Value.ValueString()))
	if err != nil {
		diags.AddError("Cannot write the Rancher setting", err.Error())
		return
	}
	if applied.Source == "env" {
		diags.AddAttributeWarning(path.Root("value"), "Rancher takes this setting from its environment",
			fmt.Sprintf("Setting %s has source \"env\": Rancher's CATTLE_* environment variable for it wins over the value set here.", name))
	}
	plan.Flatten(applied)
	diags.Append(state.Set(ctx, plan)...)
}

func (m *settingModel) Flatten(s *rancherapi.Setting) {
	m.ID = types.StringValue(s.Name)
	m.Name = types.StringValue(s.Name)
	m.Value = types.StringValue(s.Value)
	m.Default = types.StringValue(s.Default)
}

func settingObject(name, value string) *rancherapi.Setting {
	return &rancherapi.Setting{
		Object: rancherapi.Object{
			TypeMeta:   metav1.TypeMeta{APIVersion: rancherapi.ManagementVersion.String(), Kind: rancherapi.KindSetting},
			ObjectMeta: metav1.ObjectMeta{Name: name},
		},
		Value: value,
	}
}

func (r *settingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state settingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := settingAPI.Get(ctx, r.Data.Client, "", state.Name.ValueString())
	if errors.Is(err, framework.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Rancher setting", err.Error())
		return
	}
	state.Flatten(s)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

func (r *settingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state settingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	data, d := req.Private.GetKey(ctx, settingPreviousKey)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() || len(data) == 0 {
		return // imported: the previous value is unknown, leave the setting as it is
	}
	var previous settingPrevious
	if err := json.Unmarshal(data, &previous); err != nil {
		resp.Diagnostics.AddError("Cannot read the previous value from private state", err.Error())
		return
	}
	name := state.Name.ValueString()
	if !previous.Existed {
		if err := settingAPI.Delete(ctx, r.Data.Client, "", name); err != nil {
			resp.Diagnostics.AddError("Cannot delete the Rancher setting", err.Error())
		}
		return
	}
	if _, err := settingAPI.Apply(ctx, r.Data.Client, "", name, settingObject(name, previous.Value)); err != nil {
		resp.Diagnostics.AddError("Cannot restore the Rancher setting", err.Error())
	}
}

func (r *settingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportByName(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "name", validate.CheckResourceName)
}
