package workloads_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
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
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// unreachableRepo is a git URL nothing answers: CRUD tests need no git
// server, and Fleet then never runs a git job.
const unreachableRepo = "git://127.0.0.1:9/none.git"

func gitRepoConfig(namespace, extra string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_gitrepo" "test" {
  name      = "apps"
  namespace = %q
  repo      = %q
  labels    = { team = "platform" }
  %s
}
`, namespace, unreachableRepo, extra)
}

// TestAccGitRepo covers create with most spec fields, Fleet's re-spelling
// of durations and dropping of false booleans (no diff), import, drift
// (edited and deleted out of band), labels Fleet or others add (no drift),
// update and destroy.
func TestAccGitRepo(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	repos := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns)
	const address = "fleet_gitrepo.test"
	ca := acctest.TestCertificatePEM(t)
	full := fmt.Sprintf(`
  branch           = "main"
  paths            = ["charts/*", "manifests"]
  target_namespace = "apps"
  service_account  = "deployer"
  polling_interval = "1h"
  keep_resources   = true
  paused           = false
  force_sync_generation = 1
  helm_repo_url_regex   = "^https://charts\\.example\\.com/"
  ca_bundle        = %q
  correct_drift    = { enabled = true }
  bundles          = [{ base = "apps/web", options = "fleet-prod.yaml" }, { base = "apps/db" }]
  image_scan_commit = { author_name = "fleet", author_email = "fleet@example.com" }
  targets = [
    { name = "prod", cluster_selector = { match_labels = { env = "prod" }, match_expressions = [{ key = "region", operator = "In", values = ["eu"] }] } },
    { cluster_group = "edge" },
  ]
`, ca)
	updated := `
  revision         = "v1.2.3"
  paths            = ["manifests"]
  paused           = true
  polling_interval = "90s"
  targets          = [{ cluster_name = "one" }]
`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := repos.Get(ctx, "apps", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("GitRepo %s/apps still exists after destroy", ns)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: gitRepoConfig(ns, full),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/apps"),
					resource.TestCheckResourceAttr(address, "polling_interval", "1h"),
					resource.TestCheckResourceAttr(address, "paused", "false"),
					resource.TestCheckResourceAttr(address, "correct_drift.enabled", "true"),
					resource.TestCheckResourceAttr(address, "correct_drift.force", "false"),
					resource.TestCheckResourceAttr(address, "targets.0.cluster_selector.match_expressions.0.values.0", "eu"),
					resource.TestCheckResourceAttr(address, "targets.1.cluster_group", "edge"),
					resource.TestCheckResourceAttr(address, "bundles.1.base", "apps/db"),
					resource.TestCheckNoResourceAttr(address, "client_secret_name"),
					resource.TestCheckResourceAttr(address, "wait_for_ready", "false"),
					func(*terraform.State) error {
						g, err := repos.Get(ctx, "apps", metav1.GetOptions{})
						if err != nil {
							return err
						}
						spec := g.Object["spec"].(map[string]any)
						if spec["branch"] != "main" || spec["targetNamespace"] != "apps" || spec["forceSyncGeneration"] != int64(1) {
							return fmt.Errorf("spec not written: %v", spec)
						}
						if _, err := certificateFromSpec(spec); err != nil {
							return err
						}
						for _, f := range g.GetManagedFields() {
							if f.Operation == metav1.ManagedFieldsOperationApply && f.Manager != framework.FieldManager {
								return fmt.Errorf("unexpected apply manager %q", f.Manager)
							}
						}
						return nil
					},
				),
			},
			{
				// The Fleet controller rewrites the spec when it adds its
				// finalizer ("1h" becomes "1h0m0s", false booleans vanish):
				// no diff.
				PreConfig: func() { waitForGitRepoSpec(t, ns, "apps", "pollingInterval", "1h0m0s") },
				Config:    gitRepoConfig(ns, full),
				PlanOnly:  true,
			},
			{
				// The same interval spelled otherwise: no change.
				Config:   gitRepoConfig(ns, strings.Replace(full, `"1h"`, `"60m"`, 1)),
				PlanOnly: true,
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/apps",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Importing with the configuration plans no change.
				Config:          gitRepoConfig(ns, full),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/apps",
			},
			{
				// Labels and annotations others add are not drift.
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"added-by":"someone-else"},"annotations":{"note":"x"}}}`
					if _, err := repos.Patch(ctx, "apps", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   gitRepoConfig(ns, full),
				PlanOnly: true,
			},
			{
				// A managed field edited out of band is drift...
				PreConfig: func() {
					patch := `{"spec":{"branch":"tampered","paused":true}}`
					if _, err := repos.Patch(ctx, "apps", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             gitRepoConfig(ns, full),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...which apply puts back, false included.
				Config: gitRepoConfig(ns, full),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "branch", "main"),
					resource.TestCheckResourceAttr(address, "paused", "false"),
				),
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: func() {
					if err := repos.Delete(ctx, "apps", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					acctest.WaitObjectGone(t, repos, "apps")
				},
				Config:             gitRepoConfig(ns, full),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Re-created, then updated in place.
				Config: gitRepoConfig(ns, updated),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "revision", "v1.2.3"),
					resource.TestCheckNoResourceAttr(address, "branch"),
					resource.TestCheckNoResourceAttr(address, "ca_bundle"),
					resource.TestCheckResourceAttr(address, "paused", "true"),
					resource.TestCheckResourceAttr(address, "polling_interval", "90s"),
					resource.TestCheckResourceAttr(address, "correct_drift.enabled", "false"),
					resource.TestCheckResourceAttr(address, "targets.#", "1"),
					func(*terraform.State) error {
						g, err := repos.Get(ctx, "apps", metav1.GetOptions{})
						if err != nil {
							return err
						}
						spec := g.Object["spec"].(map[string]any)
						for _, gone := range []string{"branch", "caBundle", "bundles", "imageScanCommit", "helmRepoURLRegex"} {
							if v, ok := spec[gone]; ok {
								return fmt.Errorf("spec.%s = %v was not removed", gone, v)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// waitForGitRepoSpec waits until the Fleet controller has rewritten a spec field.
func waitForGitRepoSpec(t *testing.T, namespace, name, field, want string) {
	t.Helper()
	repos := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(namespace)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		g, err := repos.Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			if v, _, _ := unstructured.NestedString(g.Object, "spec", field); v == want {
				return
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("GitRepo %s/%s: spec.%s never became %q", namespace, name, field, want)
}

// certificateFromSpec decodes spec.caBundle (base64 of the PEM).
func certificateFromSpec(spec map[string]any) (*x509.Certificate, error) {
	s, _ := spec["caBundle"].(string)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("spec.caBundle %q: %w", s, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("spec.caBundle holds no PEM: %q", raw)
	}
	return x509.ParseCertificate(block.Bytes)
}
