// Pins hashicorp/time, the no-I/O framework provider whose time_static is the
// floor `make bench` compares the provider with: what Terraform itself costs
// per resource. build.sh builds it; nothing imports it, so do not run
// `go mod tidy` here.
module github.com/fleetform/terraform-provider-fleet/tools/terraform-provider-time-v0.14.2

go 1.26.8

require github.com/hashicorp/terraform-provider-time v0.14.2
