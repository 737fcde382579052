package tenancy

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// Fuzz targets over both directions of fleet_gitrepo_restriction,
// fleet_policy and fleet_bundle_namespace_mapping (fuzzmodel.Object); these
// kinds have no status. `go test` runs the seeds.

func FuzzGitRepoRestriction(f *testing.F) {
	fuzzmodel.Object[fleet.GitRepoRestriction, gitRepoRestrictionModel](f, NewGitRepoRestrictionResource(), func(_, _ *fleet.GitRepoRestriction) {})
}

func FuzzPolicy(f *testing.F) {
	fuzzmodel.Object[fleet.Policy, policyModel](f, NewPolicyResource(), func(_, _ *fleet.Policy) {})
}

func FuzzBundleNamespaceMapping(f *testing.F) {
	fuzzmodel.Object[fleet.BundleNamespaceMapping, bundleNamespaceMappingModel](f, NewBundleNamespaceMappingResource(), func(_, _ *fleet.BundleNamespaceMapping) {})
}
