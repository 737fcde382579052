package tenancy_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

const restrictionFull = `
  default_service_account     = "deployer"
  allowed_service_accounts    = ["deployer", "auditor"]
  allowed_repo_patterns       = ["^https://git\\.example\\.com/", "^ssh://git@git\\.example\\.com/"]
  default_client_secret_name  = "git-creds"
  allowed_client_secret_names = ["git-creds"]
  allowed_target_namespaces   = ["apps"]
  allowed_target_namespace_selector = {
    match_labels = { tenant = "a" }
  }
`

const restrictionSmaller = `
  labels                = { team = "platform" }
  allowed_repo_patterns = ["^https://git\\.example\\.org/"]
`

func gitRepoRestrictionConfig(namespace, body string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_gitrepo_restriction" "test" {
  name      = "tenant-a"
  namespace = %q
%s}
`, namespace, body)
}

// TestAccGitRepoRestriction covers create (every field at the top level of
// the object), import, drift (edited and deleted out of band), an update that
// removes fields, and destroy.
func TestAccGitRepoRestriction(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	restrictions := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepoRestrictions).Namespace(ns)
	const address = "fleet_gitrepo_restriction.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := restrictions.Get(ctx, "tenant-a", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("GitRepoRestriction %s/tenant-a still exists after destroy", ns)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: gitRepoRestrictionConfig(ns, restrictionFull),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/tenant-a"),
					resource.TestCheckResourceAttr(address, "allowed_repo_patterns.0", `^https://git\.example\.com/`),
					resource.TestCheckResourceAttr(address, "allowed_target_namespace_selector.match_labels.tenant", "a"),
					func(*terraform.State) error {
						u, err := restrictions.Get(ctx, "tenant-a", metav1.GetOptions{})
						if err != nil {
							return err
						}
						want := map[string]any{
							"defaultServiceAccount":          "deployer",
							"allowedServiceAccounts":         []any{"deployer", "auditor"},
							"allowedRepoPatterns":            []any{`^https://git\.example\.com/`, `^ssh://git@git\.example\.com/`},
							"defaultClientSecretName":        "git-creds",
							"allowedClientSecretNames":       []any{"git-creds"},
							"allowedTargetNamespaces":        []any{"apps"},
							"allowedTargetNamespaceSelector": map[string]any{"matchLabels": map[string]any{"tenant": "a"}},
						}
						for k, v := range want {
							if got := fmt.Sprint(u.Object[k]); got != fmt.Sprint(v) {
								return fmt.Errorf("top-level field %s = %s, want %s", k, got, fmt.Sprint(v))
							}
						}
						if _, found := u.Object["spec"]; found {
							return fmt.Errorf("a GitRepoRestriction has no spec, got %v", u.Object["spec"])
						}
						return acctest.SoleApplyManagerIsProvider(u)
					},
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/tenant-a",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A managed field edited out of band is drift.
				PreConfig: func() {
					patch := `{"allowedRepoPatterns":[".*"]}`
					if _, err := restrictions.Patch(ctx, "tenant-a", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             gitRepoRestrictionConfig(ns, restrictionFull),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Apply restores it.
				Config: gitRepoRestrictionConfig(ns, restrictionFull),
				Check:  resource.TestCheckResourceAttr(address, "allowed_repo_patterns.#", "2"),
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: func() {
					if err := restrictions.Delete(ctx, "tenant-a", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             gitRepoRestrictionConfig(ns, restrictionFull),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: gitRepoRestrictionConfig(ns, restrictionFull),
			},
			{
				// Fields left out of the configuration are removed from the object.
				Config: gitRepoRestrictionConfig(ns, restrictionSmaller),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(address, "default_service_account"),
					resource.TestCheckNoResourceAttr(address, "allowed_target_namespace_selector"),
					resource.TestCheckResourceAttr(address, "labels.team", "platform"),
					func(*terraform.State) error {
						u, err := restrictions.Get(ctx, "tenant-a", metav1.GetOptions{})
						if err != nil {
							return err
						}
						for _, k := range []string{"defaultServiceAccount", "allowedServiceAccounts", "allowedTargetNamespaceSelector", "allowedTargetNamespaces"} {
							if v, found := u.Object[k]; found {
								return fmt.Errorf("%s should be gone, is %v", k, v)
							}
						}
						if got := fmt.Sprint(u.Object["allowedRepoPatterns"]); got != `[^https://git\.example\.org/]` {
							return fmt.Errorf("allowedRepoPatterns = %s", got)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccGitRepoRestrictionEnforcedByFleet proves the restriction reaches the
// real Fleet controller: a GitRepo from a repository the patterns do not
// allow is refused with Fleet's own message.
func TestAccGitRepoRestrictionEnforcedByFleet(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: gitRepoRestrictionConfig(ns, restrictionFull),
			Check: func(*terraform.State) error {
				repo := &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": fleet.APIVersion, "kind": fleet.KindGitRepo,
					"metadata": map[string]any{"name": "outsider", "namespace": ns},
					"spec":     map[string]any{"repo": "https://elsewhere.example.org/app", "targetNamespace": "apps"},
				}}
				gitrepos := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns)
				if _, err := gitrepos.Create(ctx, repo, metav1.CreateOptions{}); err != nil {
					return err
				}
				deadline := time.Now().Add(2 * time.Minute)
				var last string
				for time.Now().Before(deadline) {
					u, err := gitrepos.Get(ctx, "outsider", metav1.GetOptions{})
					if err != nil {
						return err
					}
					conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
					for _, c := range conditions {
						c, _ := c.(map[string]any)
						if c["type"] == "Accepted" {
							last = fmt.Sprint(c["message"])
						}
					}
					if strings.Contains(last, "disallowed repo https://elsewhere.example.org/app") {
						return nil
					}
					time.Sleep(time.Second)
				}
				return fmt.Errorf("Fleet did not refuse the GitRepo; last Accepted message: %q", last)
			},
		}},
	})
}

// TestGitRepoRestrictionInvalidPattern checks offline that a pattern that is
// not a regular expression fails the plan, naming the list element.
func TestGitRepoRestrictionInvalidPattern(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "fleet" {
  host = "https://127.0.0.1:1"
}
resource "fleet_gitrepo_restriction" "bad" {
  name                  = "bad"
  allowed_repo_patterns = ["^https://ok/", "https://example.com/(repo"]
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid regular expression.*allowed_repo_patterns.*example.com/\(repo.*missing\s+closing\s+\)`),
		}},
	})
}
