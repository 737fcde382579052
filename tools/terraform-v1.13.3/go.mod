// Pins the Terraform CLI that the identity tests run with (resource identity
// needs Terraform >= 1.12; the suite itself runs on the Terraform on the PATH).
// build.sh builds it; nothing imports it, so do not run `go mod tidy` here.
module github.com/fleetform/terraform-provider-fleet/tools/terraform-v1.13.3

go 1.26.0

require github.com/hashicorp/terraform v1.13.3
