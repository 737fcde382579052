#!/usr/bin/env bash
# Runs the resource identity tests (TestAccIdentity*, which skip on the
# suite's Terraform 1.11) with Terraform v1.13.3 built from its module pinned
# in tools/terraform-v1.13.3/. tools/test-releases.sh calls it with the
# control plane's env sourced and GO_TEST_FLAGS set.
set -euo pipefail
cd "$(dirname "$0")/../.."
terraform=$(bash tools/terraform-v1.13.3/build.sh)
[ "${1:-}" = build ] && exit 0 # only build (tools/test-releases.sh starts that early)
# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags
TF_ACC=1 TF_ACC_TERRAFORM_PATH=$terraform go test ${GO_TEST_FLAGS:--count=1 -p 1} -run '^TestAccIdentity' ./...
