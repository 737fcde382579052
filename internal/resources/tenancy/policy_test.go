package tenancy_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

const policyFull = `
  require_service_account  = true
  allowed_service_accounts = ["deployer", "auditor"]
  gitrepo = {
    default_service_account     = "deployer"
    default_client_secret_name  = "git-creds"
    allowed_client_secret_names = ["git-creds"]
    allowed_repo_patterns       = ["https://git\\.example\\.com/.*"]
  }
  helmop = {
    default_service_account    = "deployer"
    default_helm_secret_name   = "helm-creds"
    allowed_helm_secret_names  = ["helm-creds", "helm-ro"]
    allowed_helm_repo_patterns = ["https://charts\\.example\\.com/.*"]
    allowed_chart_patterns     = ["web", "api-.*"]
  }
`

const policySmaller = `
  labels = { team = "platform" }
  helmop = {
    allowed_chart_patterns = ["web"]
  }
`

func policyConfig(namespace, body string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_policy" "test" {
  name      = "team-a"
  namespace = %q
%s}
`, namespace, body)
}

// policyFields checks fields of the Policy object, by their dotted path from
// its top level; nil: the field is absent.
func policyFields(ctx context.Context, policies dynamic.ResourceInterface, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		u, err := policies.Get(ctx, "team-a", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			got, found, _ := unstructured.NestedFieldNoCopy(u.Object, strings.Split(k, ".")...)
			switch {
			case want[k] == nil && found:
				return fmt.Errorf("%s should be gone, is %v", k, got)
			case want[k] != nil && fmt.Sprint(got) != fmt.Sprint(want[k]):
				return fmt.Errorf("%s = %v, want %v", k, got, want[k])
			}
		}
		if _, found := u.Object["spec"]; found {
			return fmt.Errorf("a Policy has no spec, got %v", u.Object["spec"])
		}
		return acctest.SoleApplyManagerIsProvider(u)
	}
}

// TestAccPolicy covers create (every field, at the top level of the object
// and in its gitRepo and helmOp parts), an empty plan after apply, import,
// drift (edited and deleted out of band), an update that removes fields, and
// destroy.
func TestAccPolicy(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	policies := acctest.Env.Upstream.Dynamic.Resource(fleet.Policies).Namespace(ns)
	const address = "fleet_policy.test"
	full := policyConfig(ns, policyFull)

	steps := acctest.LifecycleSteps(full, address, ns+"/team-a", resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(address, "id", ns+"/team-a"),
		resource.TestCheckResourceAttr(address, "require_service_account", "true"),
		resource.TestCheckResourceAttr(address, "helmop.allowed_chart_patterns.1", "api-.*"),
		policyFields(ctx, policies, map[string]any{
			"requireServiceAccount":            true,
			"allowedServiceAccounts":           []any{"deployer", "auditor"},
			"gitRepo.defaultServiceAccount":    "deployer",
			"gitRepo.defaultClientSecretName":  "git-creds",
			"gitRepo.allowedClientSecretNames": []any{"git-creds"},
			"gitRepo.allowedRepoPatterns":      []any{`https://git\.example\.com/.*`},
			"helmOp.defaultServiceAccount":     "deployer",
			"helmOp.defaultHelmSecretName":     "helm-creds",
			"helmOp.allowedHelmSecretNames":    []any{"helm-creds", "helm-ro"},
			"helmOp.allowedHelmRepoPatterns":   []any{`https://charts\.example\.com/.*`},
			"helmOp.allowedChartPatterns":      []any{"web", "api-.*"},
		}),
	))
	steps = append(steps,
		resource.TestStep{
			// A managed field edited out of band is drift.
			PreConfig: func() {
				patch := `{"helmOp":{"allowedChartPatterns":[".*"]}}`
				if _, err := policies.Patch(ctx, "team-a", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
					t.Fatal(err)
				}
			},
			Config: full, PlanOnly: true, ExpectNonEmptyPlan: true,
		},
		resource.TestStep{
			// Apply restores it.
			Config: full,
			Check:  policyFields(ctx, policies, map[string]any{"helmOp.allowedChartPatterns": []any{"web", "api-.*"}}),
		},
		resource.TestStep{
			// Deleted out of band: planned for re-creation.
			PreConfig: func() {
				if err := policies.Delete(ctx, "team-a", metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			Config: full, PlanOnly: true, ExpectNonEmptyPlan: true,
		},
		resource.TestStep{Config: full},
		resource.TestStep{
			// Fields left out of the configuration are removed from the object.
			Config: policyConfig(ns, policySmaller),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(address, "require_service_account", "false"),
				resource.TestCheckNoResourceAttr(address, "gitrepo"),
				resource.TestCheckNoResourceAttr(address, "helmop.default_service_account"),
				resource.TestCheckResourceAttr(address, "labels.team", "platform"),
				policyFields(ctx, policies, map[string]any{
					"requireServiceAccount":        nil,
					"allowedServiceAccounts":       nil,
					"gitRepo":                      nil,
					"helmOp.defaultServiceAccount": nil,
					"helmOp.allowedChartPatterns":  []any{"web"},
				}),
			),
		},
		resource.TestStep{Config: policyConfig(ns, policySmaller), PlanOnly: true},
		resource.TestStep{
			// An empty block is kept as an empty object: no diff after apply.
			Config: policyConfig(ns, policySmaller+"  gitrepo = {}\n"),
			Check:  policyFields(ctx, policies, map[string]any{"gitRepo": map[string]any{}}),
		},
		resource.TestStep{Config: policyConfig(ns, policySmaller+"  gitrepo = {}\n"), PlanOnly: true},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.Policies, ns, "team-a"),
		Steps:                    steps,
	})
}

// TestAccPolicyRefusesHelmOp proves the Policy reaches the real Fleet HelmOp
// controller: a fleet_helmop whose chart no pattern allows is refused with
// Fleet's own message. The pattern "we" would match "web" unanchored:
// Fleet anchors Policy patterns, so it does not.
func TestAccPolicyRefusesHelmOp(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	policy := policyConfig(ns, `
  helmop = {
    allowed_helm_repo_patterns = ["https://127\\.0\\.0\\.1:9/.*"]
    allowed_chart_patterns     = ["team-a-.*", "we"]
  }
`)
	// The HelmOp controller reads Policies when it reconciles the HelmOp and
	// does not watch them: the Policy exists a step before the HelmOp.
	withHelmOp := policy + fmt.Sprintf(`
resource "fleet_helmop" "web" {
  name           = "web"
  namespace      = %q
  wait_for_ready = true
  helm = {
    repo  = "https://127.0.0.1:9/charts"
    chart = "web"
  }
  depends_on = [fleet_policy.test]
}
`, ns)
	refusal := []string{"The HelmOp failed to deploy", "disallowed helm chart web: web not in allowed set [team-a-.* we]"}
	warnings, factories := acctest.RecordWarnings()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, ns, "web"),
		Steps: []resource.TestStep{
			{Config: policy},
			{
				// The create keeps the HelmOp and warns with Fleet's message
				// (the next apply would wait again: an update is planned);
				// Fleet refused it before making its Bundle.
				Config:             withHelmOp,
				Check:              resource.ComposeAggregateTestCheckFunc(warnings.Check(refusal...), noBundle(ns, "web")),
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// noBundle checks that Fleet made no Bundle of that name.
func noBundle(namespace, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := acctest.Env.Upstream.Dynamic.Resource(fleet.Resource("bundles")).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			return fmt.Errorf("Fleet made Bundle %s/%s of a HelmOp the Policy forbids", namespace, name)
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	}
}

// TestPolicyInvalidInput checks offline that bad input fails the plan, the
// diagnostic naming the attribute (nested paths in full).
func TestPolicyInvalidInput(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty service account list", `allowed_service_accounts = []`, `allowed_service_accounts list must contain at least 1 elements`},
		{"service account not a name", `allowed_service_accounts = ["Deployer"]`, `Invalid Kubernetes resource name.*"Deployer"`},
		{"git repo pattern", `gitrepo = { allowed_repo_patterns = ["https://(x"] }`, `Invalid regular expression.*gitrepo.allowed_repo_patterns\[0\].*missing closing \)`},
		{"git default secret", `gitrepo = { default_client_secret_name = "Git Creds" }`, `Invalid Kubernetes resource name.*gitrepo.default_client_secret_name`},
		{"git default service account", `gitrepo = { default_service_account = "a_b" }`, `Invalid Kubernetes resource name.*gitrepo.default_service_account`},
		{"git empty secret list", `gitrepo = { allowed_client_secret_names = [] }`, `gitrepo.allowed_client_secret_names list must contain at least 1`},
		{"helm repo pattern", `helmop = { allowed_helm_repo_patterns = ["[z"] }`, `Invalid regular expression.*helmop.allowed_helm_repo_patterns\[0\]`},
		{"chart pattern", `helmop = { allowed_chart_patterns = ["ok", "a(b"] }`, `Invalid regular expression.*helmop.allowed_chart_patterns\[1\]`},
		{"helm default secret", `helmop = { default_helm_secret_name = "-creds" }`, `Invalid Kubernetes resource name.*helmop.default_helm_secret_name`},
		{"helm secret names", `helmop = { allowed_helm_secret_names = ["ok", "Not.OK"] }`, `Invalid Kubernetes resource name.*"Not.OK"`},
		{"helm default service account", `helmop = { default_service_account = "UPPER" }`, `Invalid Kubernetes resource name.*helmop.default_service_account`},
		{"empty chart pattern list", `helmop = { allowed_chart_patterns = [] }`, `helmop.allowed_chart_patterns list must contain at least 1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "fleet" {
  host = "https://127.0.0.1:1"
}
resource "fleet_policy" "bad" {
  name = "bad"
  %s
}
`, c.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)` + spaced(c.want)),
				}},
			})
		})
	}
}

// spaced lets a pattern's spaces match Terraform's line wrapping.
func spaced(pattern string) string {
	return regexp.MustCompile(` `).ReplaceAllString(pattern, `\s+`)
}

// TestAccPolicyExample applies examples/resources/fleet_policy as written,
// in a namespace of its own: Fleet's CRD accepts it and a second plan is empty.
func TestAccPolicyExample(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	example, err := os.ReadFile("../../../examples/resources/fleet_policy/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	const written = `namespace = "team-a"`
	if !strings.Contains(string(example), written) {
		t.Fatalf("the example no longer sets %s", written)
	}
	config := acctest.ProviderConfig() + strings.Replace(string(example), written, fmt.Sprintf("namespace = %q", ns), 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.Policies, ns, "team-a"),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.TestCheckResourceAttr("fleet_policy.team_a", "helmop.allowed_chart_patterns.0", "team-a-.*")},
			{Config: config, PlanOnly: true},
		},
	})
}
