package install_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/storage/driver"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccInstallUpgrades: on a bare control plane, the create is refused
// while Rancher's CRDs are served (Rancher installs Fleet itself). Fleet
// installed from a local copy of its charts is then upgraded in place when its values change (the
// controllers restart with the new proxy), a change made with Helm outside
// Terraform shows in the plan and is reverted, an older chart is refused,
// and controllers that cannot start fail the apply at once with the
// kubelet's reason rather than at the timeout.
func TestAccInstallUpgrades(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel() // each runs a bare control plane of its own: most of their time is waiting
	bare := bareControlPlane(t)
	charts, older := t.TempDir(), t.TempDir()
	if err := testenv.WriteReleaseCharts(bare.BinDir, charts); err != nil {
		t.Fatal(err)
	}
	if err := testenv.WriteReleaseCharts(bare.BinDir, older); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fleet-crd", "fleet"} {
		relabelChartVersion(t, filepath.Join(older, name), "0.0.1")
	}
	version := strings.TrimPrefix(bare.Fleet.Version, "v")
	config := func(chartsDir, chartVersion, proxy, values string) string {
		return fmt.Sprintf(`
provider "fleet" {
  config_path = %q
}

resource "fleet_install" "this" {
  chart  = { path = %q, version = %q }
  proxy  = { http_proxy = %q }
  values = %s
  timeouts {
    update = "4m"
  }
}
`, bare.Upstream.Kubeconfig, chartsDir, chartVersion, proxy, values)
	}
	// An image of a release nobody built: a kubelet would report ErrImagePull.
	unpullable := strings.Replace(noMigrationJobs, "yamlencode({ ", `yamlencode({ image = { tag = "v0.0.1" }, `, 1)
	const proxyA, proxyB, outOfBand = "http://proxy-a.invalid:3128", "http://proxy-b.invalid:3128", "http://rogue.invalid:3128"
	var failingSince time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { mustNotErr(t, bare.InstallRancherCRDs(context.Background())) },
				Config:      config(charts, version, proxyA, noMigrationJobs),
				ExpectError: regexp.MustCompile(`Fleet is already installed(.|\n)*Rancher runs in this cluster`),
			},
			{
				PreConfig: func() { deleteRancherSettingsCRD(t, bare) },
				Config:    config(charts, version, proxyA, noMigrationJobs),
				Check:     func(*terraform.State) error { return controllerProxy(bare, proxyA) },
			},
			{
				Config: config(charts, version, proxyB, noMigrationJobs),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("fleet_install.this", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("fleet_install.this", tfjsonpath.New("chart_version"), knownvalue.StringExact(version)),
				}},
				Check: func(*terraform.State) error { return controllerProxy(bare, proxyB) },
			},
			{
				// Someone upgrades the release with another proxy: the plan shows it, the apply reverts it.
				PreConfig: func() { helmSetProxy(t, bare, outOfBand) },
				Config:    config(charts, version, proxyB, noMigrationJobs),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("fleet_install.this", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error { return controllerProxy(bare, proxyB) },
			},
			{
				Config:      config(older, "0.0.1", proxyB, noMigrationJobs),
				ExpectError: regexp.MustCompile(`Downgrade refused(.|\n)*installed fleet chart is\s+` + regexp.QuoteMeta(version)),
			},
			{
				PreConfig:   func() { failingSince = time.Now() },
				Config:      config(charts, version, proxyB, unpullable),
				ExpectError: regexp.MustCompile(`Fleet's controllers are not available(.|\n)*ErrImagePull(.|\n)*rancher/fleet:v0\.0\.1`),
			},
			{
				PreConfig: func() {
					// The update timeout is 4m: failing before it means the wait did not run out.
					if took := time.Since(failingSince); took > 2*time.Minute {
						t.Errorf("the apply with an unpullable image failed after %s, not at once", took)
					}
				},
				Config: config(charts, version, proxyB, noMigrationJobs),
				Check:  func(*terraform.State) error { return controllerProxy(bare, proxyB) },
			},
		},
	})
}

// deleteRancherSettingsCRD removes the CRD that says Rancher runs, and waits
// until it is gone; nothing may have been installed meanwhile.
func deleteRancherSettingsCRD(t *testing.T, bare *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	if _, err := helmFor(t, bare).Releases.Last("fleet-crd"); !errors.Is(err, driver.ErrReleaseNotFound) {
		t.Fatalf("a fleet-crd release exists after the refused create (%v)", err)
	}
	crd := bare.Upstream.Dynamic.Resource(crds)
	mustNotErr(t, crd.Delete(ctx, "settings.management.cattle.io", metav1.DeleteOptions{}))
	acctest.WaitGone(t, "CRD settings.management.cattle.io", func() error {
		_, err := crd.Get(ctx, "settings.management.cattle.io", metav1.GetOptions{})
		return err
	})
}

// relabelChartVersion gives a chart copy another version, as an older
// release's chart would have.
func relabelChartVersion(t *testing.T, dir, version string) {
	t.Helper()
	p := filepath.Join(dir, "Chart.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := regexp.MustCompile(`(?m)^version: .*$`).ReplaceAllString(string(data), "version: "+version)
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// controllerProxy checks the proxy the fleet-controller process runs with.
func controllerProxy(bare *testenv.Env, proxy string) error {
	deadline := time.Now().Add(time.Minute) // the stand-in replaces the pod after the apply
	for {
		for _, c := range bare.Kubelet().Containers("fleet-controller") {
			if c.Name == "fleet-controller" && c.Running && slices.Contains(c.Env, "HTTP_PROXY="+proxy) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("fleet-controller does not run with HTTP_PROXY=%s: %+v", proxy, bare.Kubelet().Containers("fleet-controller"))
		}
		time.Sleep(time.Second)
	}
}

// helmSetProxy upgrades the fleet release outside Terraform, as `helm
// upgrade --reuse-values --set proxy=...` does.
func helmSetProxy(t *testing.T, bare *testenv.Env, proxy string) {
	t.Helper()
	cfg := helmFor(t, bare)
	rel, err := cfg.Releases.Last("fleet")
	if err != nil {
		t.Fatal(err)
	}
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.ReuseValues = "cattle-fleet-system", true
	if _, err := upgrade.RunWithContext(context.Background(), "fleet", rel.Chart, map[string]any{"proxy": proxy}); err != nil {
		t.Fatal(err)
	}
}
