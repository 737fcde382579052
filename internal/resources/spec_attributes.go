package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Attribute builders and converters for the spec fields of fleet_gitrepo and
// fleet_helmop.

// nonEmptyString rejects "": Fleet drops empty strings, which would read
// back as unset and fail Terraform's consistency check.
func nonEmptyString() []validator.String {
	return []validator.String{stringvalidator.LengthAtLeast(1)}
}

// optionalString is an optional string that must not be empty.
func optionalString(description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Description: description, Validators: append(nonEmptyString(), validators...)}
}

// falseByDefault is a boolean Fleet treats as false when unset. It is always
// sent, so the provider owns it and can set it back to false after someone
// else set it; Fleet omits false, so reading absent as false never diffs.
func falseByDefault(description string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false), Description: description + " Defaults to `false`."}
}

// intervalAttribute is a Fleet interval such as pollingInterval.
func intervalAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:      true,
		CustomType:    duration.Type{},
		Description:   description + " A Go duration in `ns`, `us`, `ms`, `s`, `m` or `h` (e.g. `30s`, `5m`, `1h30m`); any equal spelling does not diff.",
		Validators:    []validator.String{validate.FleetDuration()},
		PlanModifiers: []planmodifier.String{keepStateSpelling{same: semantic.Same[duration.Meaning]}},
	}
}

// boolPtr sends a known boolean, false included; null or unknown send nothing.
func boolPtr(b types.Bool) *bool {
	if b.IsNull() || b.IsUnknown() {
		return nil
	}
	v := b.ValueBool()
	return &v
}

// boolValue reads a boolean Fleet omits when false.
func boolValue(b *bool) types.Bool { return types.BoolValue(b != nil && *b) }

// expandInterval parses a duration attribute; null sends nothing.
func expandInterval(v duration.Value, p path.Path) (*metav1.Duration, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v.IsNull() || v.IsUnknown() {
		return nil, diags
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(p, "Invalid Fleet duration", err.Error())
		return nil, diags
	}
	return &metav1.Duration{Duration: d}, diags
}

// flattenInterval reads a duration; the attribute's semantic equality keeps
// the configured spelling when it is equal to Fleet's.
func flattenInterval(d *metav1.Duration) duration.Value {
	if d == nil {
		return duration.NewNull()
	}
	return duration.FromDuration(d.Duration)
}

// nonZeroInt64 reads an integer Fleet omits when zero.
func nonZeroInt64(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

// namedAttribute makes the errors of v name the attribute: Terraform points
// at the resource, not at the line, for attributes nested in objects and
// lists, and the validate package's messages quote only the value.
func namedAttribute(v validator.String) validator.String { return namedStringValidator{v} }

type namedStringValidator struct{ validator.String }

func (v namedStringValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	var inner validator.StringResponse
	v.String.ValidateString(ctx, req, &inner)
	for _, d := range inner.Diagnostics {
		detail := "Attribute " + req.Path.String() + ": " + d.Detail()
		if d.Severity() == diag.SeverityError {
			resp.Diagnostics.AddAttributeError(req.Path, d.Summary(), detail)
		} else {
			resp.Diagnostics.AddAttributeWarning(req.Path, d.Summary(), detail)
		}
	}
}

// someAttributesSet requires at least one (or, with exactlyOne, exactly one)
// of the named attributes of an object to be set. The framework validators'
// AtLeastOneOf counts the object itself, so it cannot say this.
type someAttributesSet struct {
	summary    string
	names      []string
	exactlyOne bool
}

func (v someAttributesSet) Description(context.Context) string {
	quantity := "at least one"
	if v.exactlyOne {
		quantity = "exactly one"
	}
	return quantity + " of " + strings.Join(v.names, ", ") + " must be set"
}

func (v someAttributesSet) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v someAttributesSet) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	set := 0
	for _, name := range v.names {
		a, ok := req.ConfigValue.Attributes()[name]
		if ok && a.IsUnknown() {
			return
		}
		if ok && !a.IsNull() {
			set++
		}
	}
	if set == 0 || (v.exactlyOne && set > 1) {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("Attribute %s: %s.", req.Path, v.Description(ctx)))
	}
}
