package workloads_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// End to end through real Fleet: a git server, Fleet's gitjob controller
// with the environment's job runner, the helmops controller, and an agent in
// a downstream cluster of the test's own. wait_for_ready returns only once
// the workload is in the downstream cluster, and fails early, with Fleet's
// message, when a deployment fails.

const e2eConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
  namespace: default
data:
  color: %s
`

// e2eFixture is one registered downstream cluster, a git repository and a
// chart repository, shared by the subtests of TestAccDeployE2E.
type e2eFixture struct {
	ns      string
	down    *testenv.Cluster
	repoURL string
	commit  string
	charts  *testenv.ChartRepo
}

func TestAccDeployE2E(t *testing.T) {
	acctest.PreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	f := &e2eFixture{ns: acctest.Namespace(t)}
	var err error
	if f.down, err = acctest.Env.StartDownstream(ctx, "e2e"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.down.Stop)
	if _, err := acctest.Env.RegisterDownstream(ctx, f.ns, "e2e", map[string]string{"e2e": f.ns}, f.down); err != nil {
		t.Fatal(err)
	}
	git, err := testenv.StartGitServer(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(git.Stop)
	if f.repoURL, f.commit, err = git.CreateRepo("apps", map[string]string{
		"deploy/cm.yaml": fmt.Sprintf(e2eConfigMap, "e2e-deploy", "blue"),
		"more/cm.yaml":   fmt.Sprintf(e2eConfigMap, "e2e-more", "green"),
		"broken/cm.yaml": "kind: ConfigMap\nmetadata: [this is not, a mapping\n",
		"fixed/cm.yaml":  fmt.Sprintf(e2eConfigMap, "e2e-fixed", "red"),
		// fleet apply cannot read this fleet.yaml: the git job fails.
		"badfleet/fleet.yaml": "defaultNamespace: [unclosed\n",
		"badfleet/cm.yaml":    fmt.Sprintf(e2eConfigMap, "e2e-badfleet", "black"),
	}); err != nil {
		t.Fatal(err)
	}
	if f.charts, err = testenv.StartChartRepo(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.charts.Stop)
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  v: {{ .Values.v | quote }}\n"
	if err := f.charts.AddChart("demo", "1.0.0", map[string]string{"cm.yaml": cm}); err != nil {
		t.Fatal(err)
	}

	t.Run("GitRepoWaitsForDeployment", f.gitRepoWaits)
	t.Run("GitRepoFailsFast", f.gitRepoFails)
	t.Run("GitRepoFixedAfterFailure", f.gitRepoFixed)
	t.Run("HelmOpWaitsForDeployment", f.helmOpWaits)
	t.Run("HelmOpFailsFast", f.helmOpFails)
	t.Run("HelmOpFixedAfterFailure", f.helmOpFixed)
}

// downstreamConfigMap checks a ConfigMap in the downstream cluster right
// away: the apply has waited for it.
func (f *e2eFixture) downstreamConfigMap(name, key, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cm, err := f.down.Core.CoreV1().ConfigMaps("default").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("downstream ConfigMap %s after apply: %w", name, err)
		}
		if cm.Data[key] != want {
			return fmt.Errorf("downstream ConfigMap %s: %s = %q, want %q", name, key, cm.Data[key], want)
		}
		return nil
	}
}

func (f *e2eFixture) gitRepoConfig(name, paths string) string {
	return f.gitRepoConfigWait(name, paths, true)
}

func (f *e2eFixture) gitRepoConfigWait(name, paths string, wait bool) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_gitrepo" "e2e" {
  name             = %q
  namespace        = %q
  repo             = %q
  branch           = "master"
  paths            = %s
  polling_interval = "5s"
  wait_for_ready   = %t
  targets          = [{ cluster_selector = { match_labels = { e2e = %q } } }]
  timeouts {
    create = "4m"
    update = "4m"
  }
}
`, name, f.ns, f.repoURL, paths, wait, f.ns)
}

func (f *e2eFixture) gitRepoWaits(t *testing.T) {
	const address = "fleet_gitrepo.e2e"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepos, f.ns, "app"),
		Steps: []resource.TestStep{
			{
				Config: f.gitRepoConfig("app", `["deploy"]`),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.downstreamConfigMap("e2e-deploy", "color", "blue"),
					resource.TestCheckResourceAttr(address, "commit", f.commit),
					resource.TestCheckResourceAttr(address, "ready_clusters", "1"),
					resource.TestCheckResourceAttr(address, "desired_ready_clusters", "1"),
					resource.TestCheckResourceAttr(address, "summary.ready", "1"),
					resource.TestCheckResourceAttr(address, "state", ""),
				),
			},
			{
				// An update waits for the new generation's bundles, not
				// the ready ones of the previous.
				Config: f.gitRepoConfig("app", `["deploy", "more"]`),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.downstreamConfigMap("e2e-more", "color", "green"),
					resource.TestCheckResourceAttr(address, "summary.ready", "2"),
					resource.TestCheckResourceAttr(address, "ready_clusters", "1"),
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           f.ns + "/app",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "wait_for_ready"},
			},
		},
	})
}

func (f *e2eFixture) gitRepoFails(t *testing.T) {
	begin := time.Now()
	const address = "fleet_gitrepo.e2e"
	warnings, factories := acctest.RecordWarnings()
	failure := []string{"The GitRepo failed to deploy", "Fleet reports for GitRepo " + f.ns + "/broken:",
		"Bundle broken-broken: 1 deployment(s) failed to apply", "did not find expected"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepos, f.ns, "broken"),
		Steps: []resource.TestStep{
			{
				// The create reports Fleet's message early, as a warning: the
				// GitRepo exists, and is kept in the state, untainted.
				Config:             f.gitRepoConfig("broken", `["broken"]`),
				Check:              warnings.Check(append(failure, "kept in the state, not tainted")...),
				ExpectNonEmptyPlan: true,
			},
			{
				// The next plan updates it and waits again; an update's
				// failure is an error.
				Config: f.gitRepoConfig("broken", `["broken"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ExpectError: acctest.Fragments(failure...),
			},
		},
	})
	if took := time.Since(begin); took > 3*time.Minute {
		t.Errorf("the failure took %s to report, close to the 4m timeout: not early", took)
	}
}

// gitRepoFixed: a GitRepo whose git job failed (its fleet.yaml does not
// parse) is fixed with wait_for_ready: the wait judges the generation it
// wrote, not the failure Fleet still reports for the previous one, and
// succeeds.
func (f *e2eFixture) gitRepoFixed(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepos, f.ns, "fixed"),
		Steps: []resource.TestStep{
			{
				Config: f.gitRepoConfigWait("fixed", `["badfleet"]`, false),
				Check:  f.reportsFailure(fleet.GitRepos, "fixed", "Stalled", "True", "fleet.yaml"),
			},
			{
				Config: f.gitRepoConfigWait("fixed", `["fixed"]`, true),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.downstreamConfigMap("e2e-fixed", "color", "red"),
					resource.TestCheckResourceAttr("fleet_gitrepo.e2e", "ready_clusters", "1"),
				),
			},
		},
	})
}

// reportsFailure waits until Fleet reports the failure in the condition of
// the object, as an object left failing shows it.
func (f *e2eFixture) reportsFailure(gvr schema.GroupVersionResource, name, condition, status, message string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		objects := acctest.Env.Upstream.Dynamic.Resource(gvr).Namespace(f.ns)
		var conditions []any
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
			obj, err := objects.Get(context.Background(), name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			conditions, _, _ = unstructured.NestedSlice(obj.Object, "status", "conditions")
			for _, c := range conditions {
				c, _ := c.(map[string]any)
				if m, _ := c["message"].(string); c["type"] == condition && c["status"] == status && strings.Contains(m, message) {
					return nil
				}
			}
		}
		return fmt.Errorf("Fleet did not report %s %s/%s failing: %v", gvr.Resource, f.ns, name, conditions)
	}
}

func (f *e2eFixture) helmOpConfig(name, version, value string) string {
	return f.helmOpConfigWait(name, version, value, true)
}

func (f *e2eFixture) helmOpConfigWait(name, version, value string, wait bool) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_helmop" "e2e" {
  name              = %q
  namespace         = %q
  default_namespace = "default"
  wait_for_ready    = %t
  helm = {
    repo         = %q
    chart        = "demo"
    version      = %q
    release_name = %q
    values       = yamlencode({ v = %q })
  }
  targets = [{ cluster_selector = { match_labels = { e2e = %q } } }]
  timeouts {
    create = "4m"
    update = "4m"
  }
}
`, name, f.ns, wait, f.charts.URL, version, name, value, f.ns)
}

func (f *e2eFixture) helmOpWaits(t *testing.T) {
	const address = "fleet_helmop.e2e"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, f.ns, "e2e-helm"),
		Steps: []resource.TestStep{
			{
				Config: f.helmOpConfig("e2e-helm", "1.0.0", "from-terraform"),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.downstreamConfigMap("e2e-helm", "v", "from-terraform"),
					resource.TestCheckResourceAttr(address, "version", "1.0.0"),
					resource.TestCheckResourceAttr(address, "ready_clusters", "1"),
					resource.TestCheckResourceAttr(address, "desired_ready_clusters", "1"),
				),
			},
			{
				// The update waits for the new values, not the ready old release.
				Config: f.helmOpConfig("e2e-helm", "1.0.0", "updated"),
				Check:  f.downstreamConfigMap("e2e-helm", "v", "updated"),
			},
		},
	})
}

func (f *e2eFixture) helmOpFails(t *testing.T) {
	begin := time.Now()
	warnings, factories := acctest.RecordWarnings()
	failure := []string{"The HelmOp failed to deploy", "could not get a chart version: no chart version found for demo-9.9.9"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, f.ns, "e2e-missing"),
		Steps: []resource.TestStep{
			{
				Config:             f.helmOpConfig("e2e-missing", "9.9.9", "x"),
				Check:              warnings.Check(append(failure, "kept in the state, not tainted")...),
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      f.helmOpConfig("e2e-missing", "9.9.9", "x"),
				ExpectError: acctest.Fragments(failure...),
			},
		},
	})
	if took := time.Since(begin); took > 3*time.Minute {
		t.Errorf("the failure took %s to report, close to the 4m timeout: not early", took)
	}
}

// helmOpFixed: a HelmOp that failed (a chart version that does not exist) is
// fixed with wait_for_ready: the failure Fleet still reports right after
// the apply is about the earlier spec, and the wait succeeds.
func (f *e2eFixture) helmOpFixed(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, f.ns, "e2e-helm-fixed"),
		Steps: []resource.TestStep{
			{
				Config: f.helmOpConfigWait("e2e-helm-fixed", "9.9.9", "fixed", false),
				Check:  f.reportsFailure(fleet.HelmOps, "e2e-helm-fixed", "Accepted", "False", "no chart version found"),
			},
			{
				Config: f.helmOpConfigWait("e2e-helm-fixed", "1.0.0", "fixed", true),
				Check:  f.downstreamConfigMap("e2e-helm-fixed", "v", "fixed"),
			},
		},
	})
}
