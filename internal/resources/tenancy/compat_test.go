package tenancy_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCompatGitRepoRestriction: a restriction's lifecycle on every Fleet
// release (see acctest.LifecycleSteps), and allowed_target_namespace_selector
// applied where Fleet has it (v0.15 and later), refused at plan, naming the
// release, where it does not.
func TestAccCompatGitRepoRestriction(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_gitrepo_restriction.test"
	steps := acctest.LifecycleSteps(gitRepoRestrictionConfig(ns, restrictionSmaller), address, ns+"/tenant-a",
		resource.TestCheckResourceAttr(address, "allowed_repo_patterns.0", `^https://git\.example\.org/`))
	selector := gitRepoRestrictionConfig(ns, restrictionSmaller+"  allowed_target_namespace_selector = { match_labels = { tenant = \"a\" } }\n")
	step := acctest.GatedStep(compat.Lookup("fleet_gitrepo_restriction", "allowed_target_namespace_selector"), selector,
		resource.TestCheckResourceAttr(address, "allowed_target_namespace_selector.match_labels.tenant", "a"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepoRestrictions, ns, "tenant-a"),
		Steps:                    append(steps, step),
	})
}

// TestAccCompatPolicy: a Policy's lifecycle where Fleet has the kind (v0.16
// and later), and the resource refused at plan, naming the release, where it
// does not.
func TestAccCompatPolicy(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_policy.test"
	config := policyConfig(ns, policySmaller)
	kind := compat.Lookup("fleet_policy", "")
	if !acctest.FleetHas(kind) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps:                    []resource.TestStep{acctest.GatedStep(kind, config, nil)},
		})
		return
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.Policies, ns, "team-a"),
		Steps: acctest.LifecycleSteps(config, address, ns+"/team-a",
			resource.TestCheckResourceAttr(address, "helmop.allowed_chart_patterns.0", "web")),
	})
}

// TestAccCompatBundleNamespaceMapping: a mapping's lifecycle on every Fleet
// release (see acctest.LifecycleSteps).
func TestAccCompatBundleNamespaceMapping(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_bundle_namespace_mapping.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.BundleNamespaceMappings, ns, "shared-apps"),
		Steps: acctest.LifecycleSteps(bundleNamespaceMappingConfig(ns, "a", sharedBundles), address, ns+"/shared-apps",
			resource.TestCheckResourceAttr(address, "bundle_selector.match_labels.shared", "true")),
	})
}

// TestAccCompatWorkspace: a workspace's lifecycle on every Fleet release.
func TestAccCompatWorkspace(t *testing.T) {
	acctest.PreCheck(t)
	name := workspaceName(t)
	const address = "fleet_workspace.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: acctest.LifecycleSteps(workspaceConfig(name, "a", false), address, name,
			resource.TestCheckResourceAttr(address, "labels.team", "a"), "force_destroy"),
	})
}
