#!/usr/bin/env bash
# Runs the CLI compatibility subset under OpenTofu v1.12.6 (tools/test-releases.sh
# calls it after the default release's whole suite, with the control plane's
# env sourced and GO_TEST_FLAGS set): the TestAccCLI* tests (examples/quickstart
# applied, re-planned and destroyed; fleet_gitrepo with write-only git
# credentials and fleet_registry with password_wo through create, an empty
# plan, import and destroy, the state files tofu wrote checked for the
# secrets) and TestAccCompatClusterGroup (fleet_cluster_group's lifecycle).
# acctest sees that TF_ACC_TERRAFORM_PATH is OpenTofu and reattaches the
# provider under registry.opentofu.org.
set -uo pipefail
cd "$(dirname "$0")/../.."

# A TF_CLI_CONFIG_FILE naming no file makes tofu print a warning on stdout
# ahead of `tofu version`, which terraform-plugin-testing then cannot parse
# (Terraform prints it on stderr): use no CLI configuration then.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
tofu=$(OPENTOFU_VERSION=v1.12.6 bash tools/build-opentofu.sh) || exit 1
[ "${1:-}" = build ] && exit 0 # only build (tools/test-releases.sh starts that early)
"$tofu" version | head -1
# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags
TF_ACC=1 TF_ACC_TERRAFORM_PATH=$tofu go test ${GO_TEST_FLAGS:--count=1 -p 1} \
	-run '^(TestAccCLI|TestAccCompatClusterGroup$)' ./...
