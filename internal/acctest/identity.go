package acctest

import (
	"encoding/json"
	"os/exec"
	"testing"

	goversion "github.com/hashicorp/go-version"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The identity tests (TestAccIdentity*) need Terraform >= 1.12, which stores
// resource identities and takes `identity` in import blocks: they skip on an
// older Terraform (the suite's), and tools/cli-runs/terraform-v1.13.3.sh runs
// them with Terraform 1.13 built under tools/.

// SkipBelowIdentityCLI skips the test at once on a CLI that stores no
// identities (TestIdentity would skip it too, but only after the test set up
// what the configuration names, e.g. a control plane of its own).
func SkipBelowIdentityCLI(t *testing.T) {
	t.Helper()
	out, err := exec.Command(terraformBinary(), "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", terraformBinary(), err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", terraformBinary(), err)
	}
	if version, err := goversion.NewVersion(v.Version); err != nil || version.LessThan(tfversion.Version1_12_0) {
		t.Skipf("Terraform CLI version %s is below 1.12.0, which stores resource identities", v.Version)
	}
}

// Identity is what an identity test expects of one resource of its
// configuration.
type Identity struct {
	Address string
	// Values is the whole identity Terraform must store.
	Values map[string]string
	// ImportID is the string import ID, which must import the same object.
	ImportID string
	// VerifyIgnore lists what an import cannot know (timeouts always).
	VerifyIgnore []string
	// ImportUpdates says that the plan of the import block is an update in
	// place: the resource's configuration holds what the object cannot tell
	// (the connection of an agent resource).
	ImportUpdates bool
}

// TestIdentity applies config and checks the identity stored for each
// resource, then imports each one by identity (an import block whose plan
// must be empty unless ImportUpdates) and by its string ID (ImportStateVerify), and finally
// applies again: the refresh before it fails if an identity changed.
func TestIdentity(t *testing.T, config string, resources ...Identity) {
	t.Helper()
	checks := make([]statecheck.StateCheck, 0, len(resources))
	for _, r := range resources {
		values := make(map[string]knownvalue.Check, len(r.Values))
		for k, v := range r.Values {
			values[k] = knownvalue.StringExact(v)
		}
		checks = append(checks, statecheck.ExpectIdentity(r.Address, values))
	}
	steps := []resource.TestStep{{Config: config, ConfigStateChecks: checks}}
	for _, r := range resources {
		steps = append(steps,
			resource.TestStep{
				Config: config, ResourceName: r.Address, ImportState: true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity, ExpectNonEmptyPlan: r.ImportUpdates,
			},
			resource.TestStep{
				ResourceName: r.Address, ImportState: true, ImportStateId: r.ImportID,
				ImportStateVerify: true, ImportStateVerifyIgnore: append([]string{"timeouts"}, r.VerifyIgnore...),
			},
		)
	}
	steps = append(steps, resource.TestStep{Config: config, ConfigStateChecks: checks})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
