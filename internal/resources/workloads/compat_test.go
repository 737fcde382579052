package workloads_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// The compatibility suite of the workload resources: it runs against every
// Fleet release (see acctest.LifecycleSteps).

// TestAccCompatGitRepo: a GitRepo's lifecycle on every release, and the
// attributes of later releases: applied where Fleet has them, refused at
// plan where it does not.
func TestAccCompatGitRepo(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_gitrepo.test"
	steps := acctest.LifecycleSteps(gitRepoConfig(ns, `paths = ["manifests"]`), address, ns+"/apps",
		resource.TestCheckResourceAttr(address, "paths.0", "manifests"))
	for _, gated := range []struct{ attribute, config, key, value string }{
		{"bundles", `bundles = [{ base = "apps/web" }]`, "bundles.0.base", "apps/web"},
		{"oci_registry_secret", `oci_registry_secret = "oci-storage"`, "oci_registry_secret", "oci-storage"},
		{"webhook_secret", `webhook_secret = "webhook-token"`, "webhook_secret", "webhook-token"},
	} {
		steps = append(steps, acctest.GatedStep(compat.Lookup("fleet_gitrepo", gated.attribute), gitRepoConfig(ns, gated.config),
			resource.TestCheckResourceAttr(address, gated.key, gated.value)))
	}
	// Durations: offline validation applies v0.16's CEL rule (see
	// validate.CheckFleetDuration) on every release. v0.12's and v0.15's CRDs
	// take any string there and Fleet decodes it as a metav1.Duration (Go's
	// time.ParseDuration), so they accept more spellings (".5s", "-5m", "μs"
	// with U+03BC), never more durations that mean something: the provider
	// sends Go's canonical spelling, which v0.16's rule accepts too, and
	// reads it back as equal to the configured one.
	durations := gitRepoConfig(ns, `paths = ["manifests"]`+"\n  polling_interval = \"1.5h\"")
	steps = append(steps, resource.TestStep{Config: durations, Check: resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(address, "polling_interval", "1.5h"),
		gitRepoSpecIs(ns, "apps", "pollingInterval", "1h30m0s"),
	)}, resource.TestStep{Config: durations, PlanOnly: true})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepos, ns, "apps"),
		Steps:                    steps,
	})
}

// gitRepoSpecIs checks a field of the GitRepo's spec as the API server stores it.
func gitRepoSpecIs(namespace, name, field, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got, _, _ := unstructured.NestedString(g.Object, "spec", field); got != want {
			return fmt.Errorf("Fleet %s: GitRepo %s/%s spec.%s = %q, want %q", acctest.Env.Fleet.Version, namespace, name, field, got, want)
		}
		return nil
	}
}

// TestAccCompatHelmOp: where Fleet has HelmOps, a HelmOp that leaves
// target_customization_mode unset goes through its lifecycle without sending
// it (Fleet v0.15's CRD has no such field; v0.16 defaults it), per-target
// options and partitions apply, and the mode and rollout_strategy.max_new are
// refused at plan on v0.15; on v0.12 the resource itself is refused at plan.
func TestAccCompatHelmOp(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	const address = "fleet_helmop.test"
	helm := `version = "1.0.0"`
	kind := compat.Lookup("fleet_helmop", "")
	if !acctest.FleetHas(kind) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps:                    []resource.TestStep{acctest.GatedStep(kind, helmOpConfig(ns, helm, ""), nil)},
		})
		return
	}
	mode := compat.Lookup("fleet_helmop", "target_customization_mode")
	readBack := resource.TestCheckNoResourceAttr(address, "target_customization_mode")
	if acctest.FleetHas(mode) {
		readBack = resource.TestCheckResourceAttr(address, "target_customization_mode", "FirstMatch") // the CRD's default
	}
	steps := acctest.LifecycleSteps(helmOpConfig(ns, helm, ""), address, ns+"/web", resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(address, "helm.chart", "web"), readBack))
	steps = append(steps, acctest.GatedStep(mode, helmOpConfig(ns, helm, `target_customization_mode = "AllMatches"`),
		resource.TestCheckResourceAttr(address, "target_customization_mode", "AllMatches")))
	// Per-target options and partitions exist wherever HelmOps do; max_new
	// from v0.16 on.
	customized := `
  rollout_strategy = { max_unavailable = "25%", partitions = [{ name = "canary", cluster_group = "canary" }] }
  targets          = [{ cluster_group = "canary", do_not_deploy = false, helm = { values = yamlencode({ replicas = 1 }) } }]`
	steps = append(steps, resource.TestStep{Config: helmOpConfig(ns, helm, customized), Check: resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(address, "rollout_strategy.partitions.0.name", "canary"),
		resource.TestCheckResourceAttr(address, "targets.0.do_not_deploy", "false"))})
	maxNew := compat.Lookup("fleet_helmop", "rollout_strategy.max_new")
	steps = append(steps, acctest.GatedStep(maxNew, helmOpConfig(ns, helm, `rollout_strategy = { max_new = 10 }`),
		resource.TestCheckResourceAttr(address, "rollout_strategy.max_new", "10")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, ns, "web"),
		Steps:                    steps,
	})
}

// TestAccCompatHelmOpRefusedAtApply: when the connection is not known at plan
// time, a HelmOp on a Fleet without the kind is refused at apply with the
// same message, not the API server's bare 404. Where Fleet has HelmOps the
// apply succeeds.
func TestAccCompatHelmOpRefusedAtApply(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	config := acctest.ProviderConfigKnownAtApply() + fmt.Sprintf(`

resource "fleet_helmop" "late" {
  name      = "late"
  namespace = %q
  helm      = { chart = "web", repo = "https://127.0.0.1:9/charts", version = "1.0.0" }
}
`, ns)
	kind := compat.Lookup("fleet_helmop", "")
	step := resource.TestStep{Config: config, Check: resource.TestCheckResourceAttr("fleet_helmop.late", "helm.chart", "web")}
	if !acctest.FleetHas(kind) {
		step = resource.TestStep{Config: config, ExpectError: acctest.Refused(kind)}
	}
	tc := resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		ExternalProviders:        map[string]resource.ExternalProvider{"terraform": {Source: "terraform.io/builtin/terraform"}},
		Steps:                    []resource.TestStep{step},
	}
	if acctest.FleetHas(kind) {
		tc.CheckDestroy = acctest.ObjectGone(fleet.HelmOps, ns, "late")
	}
	resource.Test(t, tc)
}

// TestAccCompatGitRepoDeploys: on every release, a GitRepo with
// wait_for_ready reaches a downstream cluster through Fleet's gitjob, the
// real agent and the release's status fields the wait reads; the next plan
// is empty, it imports, and its destroy removes the workload downstream. (No
// import-block step: the import cannot know wait_for_ready and timeouts, so
// its plan updates them, on every release.)
func TestAccCompatGitRepoDeploys(t *testing.T) {
	acctest.PreCheck(t)
	f := &e2eFixture{ns: acctest.Namespace(t)}
	f.down = acctest.RegisteredCluster(t, f.ns, "compat", map[string]string{"e2e": f.ns})
	var err error
	if f.repoURL, f.commit, err = acctest.GitServer(t).CreateRepo("apps", map[string]string{
		"deploy/cm.yaml": fmt.Sprintf(e2eConfigMap, "compat-deploy", "blue"),
	}); err != nil {
		t.Fatal(err)
	}
	const address = "fleet_gitrepo.e2e"
	config := f.gitRepoConfig("app", `["deploy"]`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.ObjectGone(fleet.GitRepos, f.ns, "app"),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					f.downstreamConfigMap("compat-deploy", "color", "blue"),
					resource.TestCheckResourceAttr(address, "commit", f.commit),
					resource.TestCheckResourceAttr(address, "ready_clusters", "1"),
					resource.TestCheckResourceAttr(address, "desired_ready_clusters", "1"),
					resource.TestCheckResourceAttr(address, "summary.ready", "1"),
				),
			},
			{Config: config, PlanOnly: true},
			{
				ResourceName: address, ImportState: true, ImportStateId: f.ns + "/app",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "wait_for_ready"},
			},
		},
	})
	acctest.WaitGone(t, "downstream ConfigMap compat-deploy after destroy", func() error {
		_, err := f.down.Core.CoreV1().ConfigMaps("default").Get(context.Background(), "compat-deploy", metav1.GetOptions{})
		return err
	})
}
