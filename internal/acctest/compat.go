package acctest

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
)

// The compatibility suite: tests named TestAccCompat* run against every Fleet
// release of testenv.Releases (`make test` runs the rest against the default
// release only). They use what every release serves, and where a release
// lacks something they assert the provider's refusal instead; FleetHas says
// which.

// FleetHas reports whether the environment's Fleet has the feature (by its
// minimum release; TestAccCompatVersionDataSource checks that the provider
// learns the same from the cluster).
func FleetHas(f compat.Feature) bool { return Env.Fleet.AtLeast(f.Since) }

// Refused matches the error with which the provider refuses a feature that
// the environment's Fleet does not have, at plan or apply time.
func Refused(f compat.Feature) *regexp.Regexp {
	name := "`" + f.Attribute + "`"
	if f.Attribute == "" {
		name = "`" + f.Resource + "`"
	}
	return Fragments("Not available in this Fleet release", fmt.Sprintf("%s needs Fleet ≥ %s; this management cluster runs %s.",
		name, f.Since, Env.Fleet.Version))
}

// ObjectGone checks that a Fleet object no longer exists (a CheckDestroy).
func ObjectGone(gvr schema.GroupVersionResource, namespace, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := Env.Upstream.Dynamic.Resource(gvr).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{}); err == nil {
			return fmt.Errorf("%s %s/%s still exists after destroy", gvr.Resource, namespace, name)
		}
		return nil
	}
}

// LifecycleSteps are the steps of a resource that every release runs:
// create (with check), a plan that changes nothing, import of the object
// (ImportStateVerify, ignoring what import cannot know) and an import block
// whose plan is empty. The destroy at the end of the test case follows.
func LifecycleSteps(config, address, importID string, check resource.TestCheckFunc, verifyIgnore ...string) []resource.TestStep {
	return []resource.TestStep{
		{Config: config, Check: check},
		{Config: config, PlanOnly: true},
		{
			ResourceName: address, ImportState: true, ImportStateId: importID,
			ImportStateVerify: true, ImportStateVerifyIgnore: append([]string{"timeouts"}, verifyIgnore...),
		},
		{Config: config, ResourceName: address, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: importID},
	}
}

// GatedStep applies config and runs check where the environment's Fleet has
// the feature, and expects the plan to be refused, naming the release, where
// it does not.
func GatedStep(f compat.Feature, config string, check resource.TestCheckFunc) resource.TestStep {
	if !FleetHas(f) {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: Refused(f)}
	}
	return resource.TestStep{Config: config, Check: check}
}

// ProviderConfigKnownAtApply is a provider block whose connection comes from
// a resource, so it is unknown at plan time: nothing can be checked against
// the cluster before the apply.
func ProviderConfigKnownAtApply() string {
	return fmt.Sprintf(`
resource "terraform_data" "kubeconfig" {
  input = %q
}

provider "fleet" {
  config_path = terraform_data.kubeconfig.output
}
`, Env.Upstream.Kubeconfig)
}
