# No provider block: the caller configures the fleet provider (the management
# cluster) once and passes it in, so that one configuration serves every site.
terraform {
  required_version = ">= 1.11" # write-only attributes and ephemeral variables
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}
