module github.com/fleetform/terraform-provider-fleet/tools/opentofu-v1.12.6

go 1.26.6

require github.com/opentofu/opentofu v1.12.6
