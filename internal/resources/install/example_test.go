package install_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestStandaloneAirGappedExamplePlansOffline plans
// examples/standalone-airgapped as it is, with the management cluster
// unreachable: everything validates offline, what to mirror is known at plan
// time, and every resource that needs Fleet's CRDs depends on fleet_install,
// so that one apply can start from an empty cluster.
func TestStandaloneAirGappedExamplePlansOffline(t *testing.T) {
	// The example names its provider fleetform/fleet, as users write it.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "fleetform")
	ca, kubeconfig := acctest.OfflineSiteFiles(t)
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// With a terraform block in the configuration, the testing
			// framework takes the providers at the step level only.
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../../../examples/standalone-airgapped"),
			ConfigVariables: config.Variables{
				"fleet_host":        config.StringVariable("https://127.0.0.1:1"),
				"fleet_token":       config.StringVariable("unused"),
				"fleet_ca_file":     config.StringVariable(ca),
				"registry_password": config.StringVariable("s3cret"),
				"site_ca_file":      config.StringVariable(ca),
				"downstream_kubeconfigs": config.MapVariable(map[string]config.Variable{
					"line-a": config.StringVariable(kubeconfig),
					"line-b": config.StringVariable(kubeconfig),
				}),
			},
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("fleet_install.this", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_workspace.site", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_registry.site", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(`fleet_cluster.downstream["line-a"]`, plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(`fleet_agent.downstream["line-a"]`, plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(`fleet_agent.downstream["line-b"]`, plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("fleet_gitrepo.workloads", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("fleet_install.this", tfjsonpath.New("namespace"),
					knownvalue.StringExact("cattle-fleet-system")),
				plancheck.ExpectKnownValue("fleet_install.this", tfjsonpath.New("system_default_registry"),
					knownvalue.StringExact("registry.plant.internal:5000/mirror")),
				// The controllers' pull Secret is keyed by the registry's host, without the images' path.
				plancheck.ExpectKnownValue("fleet_install.this", tfjsonpath.New("image_pull_secret").AtMapKey("server"),
					knownvalue.StringExact("registry.plant.internal:5000")),
				plancheck.ExpectKnownValue("fleet_install.this", tfjsonpath.New("proxy").AtMapKey("https_proxy"),
					knownvalue.StringExact("http://proxy.plant.internal:3128")),
				plancheck.ExpectKnownOutputValue("images_to_mirror", knownvalue.StringRegexp(regexp.MustCompile(
					`(?m)^rancher/fleet:v0\.16\.0 registry\.plant\.internal:5000/mirror/rancher/fleet:v0\.16\.0$`))),
				plancheck.ExpectKnownOutputValue("charts_to_mirror", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("registry.plant.internal:5000/charts/fleet-crd:0.16.0"),
					knownvalue.StringExact("registry.plant.internal:5000/charts/fleet:0.16.0"),
					knownvalue.StringExact("registry.plant.internal:5000/charts/fleet-agent:0.16.0"),
				})),
				dependsOnInstall{install: "fleet_install.this", independent: []string{"fleet_registries_yaml", "fleet_images"}},
			}},
		}},
	})
}

// dependsOnInstall checks the configuration's dependency graph (references
// and depends_on): every fleet_* resource and data source other than the
// install and the independent types depends on the install, directly or
// through others. Otherwise Terraform could create it before Fleet's CRDs
// exist.
type dependsOnInstall struct {
	install     string
	independent []string
}

func (c dependsOnInstall) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.Config == nil || req.Plan.Config.RootModule == nil {
		resp.Error = fmt.Errorf("the plan has no configuration")
		return
	}
	deps := map[string][]string{}
	var fleetObjects []string
	for _, r := range req.Plan.Config.RootModule.Resources {
		var refs []string
		for _, e := range r.Expressions {
			refs = append(refs, expressionReferences(e)...)
		}
		refs = append(refs, r.DependsOn...)
		for _, ref := range refs {
			deps[r.Address] = append(deps[r.Address], resourceAddress(ref))
		}
		if strings.HasPrefix(r.Type, "fleet_") && r.Address != c.install && !slices.Contains(c.independent, r.Type) {
			fleetObjects = append(fleetObjects, r.Address)
		}
	}
	var reaches func(from string, seen map[string]bool) bool
	reaches = func(from string, seen map[string]bool) bool {
		if from == c.install {
			return true
		}
		if seen[from] {
			return false
		}
		seen[from] = true
		return slices.ContainsFunc(deps[from], func(to string) bool { return reaches(to, seen) })
	}
	var missing []string
	for _, r := range fleetObjects {
		if !reaches(r, map[string]bool{}) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		resp.Error = fmt.Errorf("%s do not depend on %s: Terraform may create them before Fleet is installed",
			strings.Join(missing, ", "), c.install)
	}
}

// expressionReferences lists what an expression and its nested blocks refer to.
func expressionReferences(e *tfjson.Expression) []string {
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	refs := slices.Clone(e.References)
	for _, block := range e.NestedBlocks {
		for _, nested := range block {
			refs = append(refs, expressionReferences(nested)...)
		}
	}
	return refs
}

// resourceAddress turns a reference (fleet_cluster.downstream[each.key].id,
// data.fleet_images.site, var.x) into the configuration address of what it
// refers to: type.name or data.type.name.
func resourceAddress(ref string) string {
	parts := strings.Split(ref, ".")
	n := 2
	if parts[0] == "data" {
		n = 3
	}
	if len(parts) < n {
		return ref
	}
	address := strings.Join(parts[:n], ".")
	if i := strings.Index(address, "["); i >= 0 {
		address = address[:i]
	}
	return address
}
