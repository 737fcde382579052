package install_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccCompatInstallUpgradesToDefaultRelease: on the older releases of the
// matrix, Fleet installed at that release is upgraded by a new chart.version
// to the default release, whose binaries the kubelet stand-in then runs:
// both releases are upgraded (CRDs first) and the controllers of the new one
// come up. Going back is refused. (On the default release it skips: there is
// no newer one to upgrade to.)
func TestAccCompatInstallUpgradesToDefaultRelease(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel() // each runs a bare control plane of its own: most of their time is waiting
	if acctest.Env.Fleet.IsDefault() {
		t.Skip("upgrades from an older release to " + testenv.DefaultFleetVersion + ": runs in the compatibility suite of the older releases")
	}
	bare := bareControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()
	nextBinDir, err := testenv.BuildRelease(ctx, testenv.DefaultFleetVersion, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	if err := bare.Kubelet().AddRelease(nextBinDir); err != nil {
		t.Fatal(err)
	}
	from, to := t.TempDir(), t.TempDir()
	mustNotErr(t, testenv.WriteReleaseCharts(bare.BinDir, from))
	mustNotErr(t, testenv.WriteReleaseCharts(nextBinDir, to))
	fromVersion := strings.TrimPrefix(bare.Fleet.Version, "v")
	toVersion := strings.TrimPrefix(testenv.DefaultFleetVersion, "v")
	config := func(dir, version string) string {
		return fmt.Sprintf(`
provider "fleet" {
  config_path = %q
}

resource "fleet_install" "this" {
  chart  = { path = %q, version = %q }
  values = %s
}
`, bare.Upstream.Kubeconfig, dir, version, noMigrationJobs)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(from, fromVersion),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_install.this", "fleet_version", fromVersion),
					func(*terraform.State) error { return controllerRunsFrom(bare, bare.BinDir) },
				),
			},
			{
				Config: config(to, toVersion),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_install.this", "fleet_version", toVersion),
					resource.TestCheckResourceAttr("fleet_install.this", "chart_version", toVersion),
					func(*terraform.State) error { return releaseVersion(t, bare, "fleet-crd", toVersion) },
					func(*terraform.State) error { return controllerRunsFrom(bare, nextBinDir) },
				),
			},
			{Config: config(to, toVersion), PlanOnly: true},
			{
				Config:      config(from, fromVersion),
				ExpectError: regexp.MustCompile(`Downgrade refused`),
			},
		},
	})
}

// controllerRunsFrom checks that the fleet-controller process is a binary of
// binDir (the stand-in replaces the pod when the template changes).
func controllerRunsFrom(bare *testenv.Env, binDir string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		containers := bare.Kubelet().Containers("fleet-controller")
		for _, c := range containers {
			if c.Name == "fleet-controller" && c.Running && filepath.Dir(c.Binary) == binDir {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("fleet-controller does not run from %s: %+v", binDir, containers)
		}
		time.Sleep(time.Second)
	}
}

// releaseVersion checks the chart version of a Helm release.
func releaseVersion(t *testing.T, bare *testenv.Env, name, version string) error {
	rel, err := helmFor(t, bare).Releases.Last(name)
	if err != nil {
		return err
	}
	if got := rel.Chart.Metadata.Version; got != version {
		return fmt.Errorf("release %s has chart %s, want %s", name, got, version)
	}
	return nil
}

// testLog sends progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
