package agent_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccAgentOCIChart installs the agent the way an air-gapped site does:
// Fleet's fleet-agent chart from a private OCI registry (HTTPS with a CA of
// its own, basic authentication), with the CA and account of the site's
// fleet_registry and the password write-only. The machine running
// Terraform has no `helm registry login` and does not trust the CA.
//
// A fresh agent without the CA, or with a wrong password, fails before
// installing anything, naming the attribute to fix. Installed, the agent
// registers; the password is nowhere in the state. A new, wrong password
// fails the apply and leaves the release alone; the right one then applies
// without upgrading it.
func TestAccAgentOCIChart(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	const username, password, wrong = "fleet-puller", "oci-s3cret-1", "not-the-password"
	reg, err := testenv.StartOCIRegistry(ctx, testenv.OCIRegistryOptions{Username: username, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	chartRef, chartVersion, err := reg.PushChart(filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"), "charts")
	if err != nil {
		t.Fatal(err)
	}
	if want := "oci://" + reg.Host + "/charts/fleet-agent"; chartRef != want {
		t.Fatalf("pushed chart is %s, want %s", chartRef, want)
	}
	down, agent := startAgentDownstream(t, "agent-oci")

	// chart is the fleet_agent's chart block without its credentials.
	config := func(pass string, passVersion int, chart string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name      = "edge"
  namespace = %[1]q
}

# The site registry: the same account and CA serve the chart.
resource "fleet_registry" "site" {
  name                = "site-registry"
  namespace           = %[1]q
  server              = %[2]q
  username            = %[3]q
  password_wo         = %[4]q
  password_wo_version = %[5]d
  ca_bundle           = %[6]q
}

resource "fleet_agent" "edge" {
  cluster    = fleet_cluster.edge.id
  kubernetes = { config_path = %[7]q }
  chart = {
    repository = "oci://${fleet_registry.site.server}/charts"
    version    = %[8]q
    %[9]s
  }
  timeouts {
    create = "4m"
  }
}
`, ns, reg.Host, username, pass, passVersion, string(reg.CAPEM), down.Kubeconfig, chartVersion, chart)
	}
	withCredentials := func(pass string) string {
		return fmt.Sprintf(`ca_bundle           = fleet_registry.site.ca_bundle
    username            = fleet_registry.site.username
    password_wo         = %q
    password_wo_version = fleet_registry.site.password_wo_version`, pass)
	}
	withoutCA := fmt.Sprintf(`username            = fleet_registry.site.username
    password_wo         = %q
    password_wo_version = fleet_registry.site.password_wo_version`, password)
	nothingInstalled := func() {
		if err := releaseGone(t, down); err != nil {
			t.Fatalf("a failed create installed something: %v", err)
		}
	}
	releaseAt := func(revision int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			rel := agentRelease(t, down)
			if rel.Version != revision || rel.Chart.Metadata.Version != chartVersion || rel.Info.Status.String() != "deployed" {
				return fmt.Errorf("release revision %d (want %d), chart %s, %s", rel.Version, revision, rel.Chart.Metadata.Version, rel.Info.Status)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return releaseGone(t, down) },
		Steps: []resource.TestStep{
			{
				// This machine does not trust the registry's CA.
				Config: config(password, 1, withoutCA),
				ExpectError: acctest.Fragments("Chart repository not trusted", "set chart.ca_bundle to the PEM CA that signed it",
					"x509: certificate signed by unknown authority"),
			},
			{
				PreConfig: nothingInstalled,
				Config:    config(wrong, 1, withCredentials(wrong)),
				ExpectError: acctest.Fragments("Chart repository authentication failed", "check chart.username and chart.password_wo",
					"response status code 401"),
			},
			{
				PreConfig: nothingInstalled,
				Config:    config(password, 1, withCredentials(password)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					resource.TestCheckResourceAttr(agentAddress, "release_status", "deployed"),
					resource.TestCheckResourceAttr(agentAddress, "chart_version", chartVersion),
					resource.TestCheckResourceAttr(agentAddress, "chart.repository", "oci://"+reg.Host+"/charts"),
					resource.TestCheckResourceAttr(agentAddress, "chart.username", username),
					resource.TestCheckResourceAttr(agentAddress, "chart.password_wo_version", "1"),
					resource.TestCheckNoResourceAttr(agentAddress, "chart.password_wo"),
					acctest.StateNeverContains(password),
					releaseAt(1),
				),
			},
			{
				// A new password version re-downloads the chart: a wrong
				// password fails the apply before anything is written.
				Config: config(wrong, 2, withCredentials(wrong)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
				}},
				ExpectError: acctest.Fragments("Chart repository authentication failed", "response status code 401"),
			},
			{
				// The release is untouched, and the right password applies
				// without upgrading it (same chart, same values).
				PreConfig: func() {
					if err := releaseAt(1)(nil); err != nil {
						t.Fatalf("after the failed update: %v", err)
					}
				},
				Config: config(password, 3, withCredentials(password)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(agentAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(agentAddress, tfjsonpath.New("chart_version"), knownvalue.StringExact(chartVersion)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(agentAddress, "chart.password_wo_version", "3"),
					resource.TestCheckResourceAttr(agentAddress, "registered", "true"),
					acctest.StateNeverContains(password, wrong),
					releaseAt(1),
				),
			},
		},
	})
	if err := agent.err(); err != nil {
		t.Fatalf("agent: %v", err)
	}
}
