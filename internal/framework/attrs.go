package framework

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Attribute builders and converters for the spec fields of fleet_gitrepo and
// fleet_helmop.

// NonEmptyString rejects "": Fleet drops empty strings, which would read
// back as unset and fail Terraform's consistency check.
func NonEmptyString() []validator.String {
	return []validator.String{stringvalidator.LengthAtLeast(1)}
}

// OptionalString is an optional string that must not be empty.
func OptionalString(description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Description: description, Validators: append(NonEmptyString(), validators...)}
}

// FalseByDefault is a boolean Fleet treats as false when unset. It is always
// sent, so the provider owns it and can set it back to false after someone
// else set it; Fleet omits false, so reading absent as false never diffs.
func FalseByDefault(description string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false), Description: description + " Defaults to `false`."}
}

// TokenInState is the `token_in_state` switch of a resource whose computed
// attributes carry a registration token that users only pass on: true (the
// default) keeps them in the state, marked sensitive; false plans them null
// (see NullUnless), and the ephemeral resource named in instead reads them
// where they are needed. Flipping it updates in place.
func TokenInState(attributes, instead string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(true),
		Description: "Whether " + attributes + ", which carry the registration token, are kept in the state (marked " +
			"sensitive). `false` keeps them null, so the token never reaches the state; read them with " + instead +
			" (Terraform 1.10 and later) where they are needed. Changing it updates in place. Defaults to `true`.",
	}
}
