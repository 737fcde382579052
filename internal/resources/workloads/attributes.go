package workloads

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// intervalAttribute is a Fleet interval such as pollingInterval.
func intervalAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:      true,
		CustomType:    duration.Type{},
		Description:   description + " A Go duration in `ns`, `us`, `ms`, `s`, `m` or `h` (e.g. `30s`, `5m`, `1h30m`); any equal spelling does not diff.",
		Validators:    []validator.String{validate.FleetDuration()},
		PlanModifiers: []planmodifier.String{framework.KeepStateSpelling(semantic.Same[duration.Meaning])},
	}
}
