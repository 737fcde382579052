package install_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }

const (
	registry = "registry.corp:5000"
	proxyURL = "http://proxy.invalid:3128"
	noProxy  = "127.0.0.0/8,localhost,.svc,.cluster.local"
)

// noMigrationJobs turns off the chart's hook Jobs: no kubelet runs Jobs on
// the bare control plane (the kubelet stand-in runs Deployments only).
const noMigrationJobs = `yamlencode({ migrations = { clusterRegistrationCleanup = false, gitrepoJobsCleanup = false, gitrepoHelmURLRegexMigration = false } })`

// bareControlPlane starts a control plane without Fleet, whose Deployments in
// cattle-fleet-system the kubelet stand-in runs.
func bareControlPlane(t *testing.T) *testenv.Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bare, err := testenv.Start(ctx, testenv.Options{BinDir: acctest.Env.BinDir, FleetInstall: testenv.FleetInstalledByProvider})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			bare.KeepDir = true
			t.Logf("bare control plane logs: %s", bare.LogDir)
		}
		bare.Stop()
	})
	return bare
}

// TestAccCompatInstallFromPrivateRegistry: Fleet's two charts of the release
// under test (each release of the matrix runs it),
// from the in-process OCI registry (its own CA, basic authentication), go
// into a bare control plane behind a proxy with a private image registry.
// A value the release's chart does not read (proxy.ca_cert before v0.16)
// is refused.
// A missing CA or a wrong password fail before anything is installed.
// Installed, the controllers run (through the kubelet stand-in) with the
// proxy and from the registry; a cluster group is created in the same apply.
// The installation imports; an uninstall outside Terraform is drift;
// destroy is refused while users' objects exist, allowed with
// force_destroy, and keeps the CRDs.
func TestAccCompatInstallFromPrivateRegistry(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel() // each runs a bare control plane of its own: most of their time is waiting
	bare := bareControlPlane(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	const username, password = "fleet-puller", "oci-s3cret-7"
	reg, err := testenv.StartOCIRegistry(ctx, testenv.OCIRegistryOptions{Username: username, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	charts := t.TempDir()
	if err := testenv.WriteReleaseCharts(bare.BinDir, charts); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fleet-crd", "fleet"} {
		if _, _, err := reg.PushChart(charts+"/"+name, "charts"); err != nil {
			t.Fatal(err)
		}
	}
	repoURL, _, err := acctest.GitServer(t).CreateRepo("apps", map[string]string{"deploy/cm.yaml": edgeConfigMap})
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimPrefix(bare.Fleet.Version, "v")
	caCert := acctest.TestCertificatePEM(t)
	// proxyCACert and global.cattle.imagePullSecrets are new in v0.16.
	v016 := bare.Fleet.AtLeast("v0.16.0")
	var configWithV016 func(pass string, withCA, v016 bool, extra string) string

	config := func(pass string, withCA bool, extra string) string {
		return configWithV016(pass, withCA, v016, extra)
	}
	configWithV016 = func(pass string, withCA, v016 bool, extra string) string {
		ca := ""
		if withCA {
			ca = fmt.Sprintf("ca_bundle = %q", string(reg.CAPEM))
		}
		proxyCA, pullSecret := "", ""
		if v016 {
			proxyCA = fmt.Sprintf("ca_cert = %q", caCert)
			pullSecret = fmt.Sprintf("image_pull_secret = { server = %q, username = %q, password_wo = %q, password_wo_version = 1 }",
				registry, username, pass)
		}
		return fmt.Sprintf(`
provider "fleet" {
  config_path = %[1]q
}

resource "fleet_install" "this" {
  chart = {
    repository          = "oci://%[2]s/charts"
    version             = %[3]q
    %[4]s
    username            = %[5]q
    password_wo         = %[6]q
    password_wo_version = 1
  }
  proxy = {
    https_proxy = %[7]q
    no_proxy    = %[8]q
    %[9]s
  }
  system_default_registry = %[10]q
  api_server_url          = %[11]q
  api_server_ca           = %[12]q
  values                  = %[13]s
  %[14]s
  %[15]s
}

resource "fleet_cluster_group" "edge" {
  name       = "edge"
  namespace  = "default"
  selector   = { match_labels = { site = "edge" } }
  depends_on = [fleet_install.this]
}
`, bare.Upstream.Kubeconfig, reg.Host, version, ca, username, pass, proxyURL, noProxy, proxyCA, registry,
			bare.Upstream.Host, string(bare.Upstream.CAPEM), noMigrationJobs, extra, pullSecret)
	}
	groupOnly := fmt.Sprintf(`
provider "fleet" {
  config_path = %q
}

resource "fleet_cluster_group" "edge" {
  name      = "edge"
  namespace = "default"
  selector  = { match_labels = { site = "edge" } }
}
`, bare.Upstream.Kubeconfig)
	nothingInstalled := func() error {
		helm := helmFor(t, bare)
		if _, err := helm.Releases.Last("fleet-crd"); !errors.Is(err, driver.ErrReleaseNotFound) {
			return fmt.Errorf("a fleet-crd release exists (%v) after a failed apply", err)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			helm := helmFor(t, bare)
			if _, err := helm.Releases.Last("fleet"); !errors.Is(err, driver.ErrReleaseNotFound) {
				return fmt.Errorf("the fleet release is still there after destroy (%v)", err)
			}
			if rel, err := helm.Releases.Last("fleet-crd"); err != nil || helmchart.Status(rel) != "deployed" {
				return fmt.Errorf("the fleet-crd release is gone after destroy (%v): the CRDs must stay", err)
			}
			_, err := bare.Upstream.Dynamic.Resource(crds).Get(context.Background(), "gitrepos.fleet.cattle.io", metav1.GetOptions{})
			return err
		},
		Steps: []resource.TestStep{
			{
				Config:      config(password, false, ""),
				ExpectError: regexp.MustCompile(`Chart repository not trusted`),
				Check:       func(*terraform.State) error { return nothingInstalled() },
			},
			{
				PreConfig:   func() { mustNotErr(t, nothingInstalled()) },
				Config:      config("not-the-password", true, ""),
				ExpectError: regexp.MustCompile(`Chart repository authentication failed`),
			},
			{
				// Fleet before v0.16 reads neither proxyCACert nor imagePullSecrets: refused, not ignored.
				PreConfig: func() { mustNotErr(t, nothingInstalled()) },
				SkipFunc:  func() (bool, error) { return v016, nil },
				Config:    configWithV016(password, true, true, ""),
				ExpectError: regexp.MustCompile(
					`does not read\s+proxy.ca_cert\s+\(proxyCACert\)\s+and\s+image_pull_secret\(s\)\s+\(global.cattle.imagePullSecrets\)`),
			},
			{
				PreConfig: func() { mustNotErr(t, nothingInstalled()) },
				Config:    config(password, true, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_install.this", "id", "cattle-fleet-system"),
					resource.TestCheckResourceAttr("fleet_install.this", "fleet_version", version),
					resource.TestCheckResourceAttr("fleet_install.this", "chart_version", version),
					resource.TestCheckResourceAttr("fleet_install.this", "release_status", "deployed"),
					resource.TestCheckResourceAttr("fleet_cluster_group.edge", "name", "edge"),
					acctest.StateNeverContains(password),
					func(*terraform.State) error { return controllersRunBehindProxy(bare, caCert, v016) },
				),
			},
			{
				// The controllers fleet_install runs register a downstream cluster and deploy a GitRepo to it.
				PreConfig: func() { registerDownstream(t, bare) },
				Config:    config(password, true, "") + gitRepo(repoURL),
				Check: func(*terraform.State) error {
					cm, err := bare.Downstream.Core.CoreV1().ConfigMaps("default").Get(context.Background(), "from-git", metav1.GetOptions{})
					if err != nil || cm.Data["site"] != "edge" {
						return fmt.Errorf("downstream ConfigMap from-git: %v %v", cm, err)
					}
					return nil
				},
			},
			{
				ResourceName:                         "fleet_install.this",
				ImportState:                          true,
				ImportStateId:                        "cattle-fleet-system",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "namespace",
				// The charts' source is recorded nowhere, values read back in
				// Helm's spelling, and a write-only password has no version.
				ImportStateVerifyIgnore: []string{"chart", "values", "image_pull_secret.password_wo_version"},
			},
			{
				// Uninstalled outside Terraform: the plan installs it again.
				PreConfig: func() {
					mustNotErr(t, helmchart.Uninstall(context.Background(), helmFor(t, bare), "fleet", "cattle-fleet-system"))
				},
				Config:             config(password, true, "") + gitRepo(repoURL),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{Config: config(password, true, "") + gitRepo(repoURL)},
			{
				// Destroying fleet_install alone is refused: the group is a user's object.
				Config:      groupOnly,
				ExpectError: regexp.MustCompile(`Fleet still manages objects(.|\n)*cluster edge/edge-1(.|\n)*clustergroup\s+default/edge`),
			},
			{Config: config(password, true, "force_destroy = true")},
			{
				// With force_destroy it goes, the group stays (and so do the CRDs).
				Config: groupOnly,
				Check: func(*terraform.State) error {
					if _, err := helmFor(t, bare).Releases.Last("fleet"); !errors.Is(err, driver.ErrReleaseNotFound) {
						return fmt.Errorf("the fleet release is still there (%v)", err)
					}
					return nil
				},
			},
		},
	})
}

const edgeConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: from-git
  namespace: default
data:
  site: edge
`

// gitRepo deploys deploy/ of the repository to the clusters labelled
// site=edge, and waits until it is ready there.
func gitRepo(url string) string {
	return fmt.Sprintf(`
resource "fleet_gitrepo" "apps" {
  name             = "apps"
  namespace        = "edge"
  repo             = %q
  branch           = "master"
  paths            = ["deploy"]
  polling_interval = "5s"
  wait_for_ready   = true
  targets          = [{ cluster_selector = { match_labels = { site = "edge" } } }]
  depends_on       = [fleet_install.this]
}
`, url)
}

// registerDownstream registers the bare control plane's downstream cluster
// with the Fleet that fleet_install installed, as edge/edge-1 (site=edge),
// the manager-initiated way, and runs its agent.
func registerDownstream(t *testing.T, bare *testenv.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "edge"}}
	if _, err := bare.Upstream.Core.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	agent, err := bare.RegisterDownstream(ctx, "edge", "edge-1", map[string]string{"site": "edge"}, bare.Downstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(agent.Stop)
}

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// controllersRunBehindProxy checks what the kubelet stand-in started from
// the chart's Deployments: images under the private registry, the proxy and
// its CA in the controllers' environment.
func controllersRunBehindProxy(bare *testenv.Env, caCert string, v016 bool) error {
	ctx := context.Background()
	d, err := bare.Upstream.Core.AppsV1().Deployments("cattle-fleet-system").Get(ctx, "fleet-controller", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if image, want := d.Spec.Template.Spec.Containers[0].Image, registry+"/rancher/fleet:"+bare.Fleet.Version; image != want {
		return fmt.Errorf("fleet-controller image %s, want %s", image, want)
	}
	if pull := d.Spec.Template.Spec.ImagePullSecrets; v016 && (len(pull) != 1 || pull[0].Name != "fleet-image-pull-secret") {
		return fmt.Errorf("fleet-controller pulls with %v, want the Secret of image_pull_secret", pull)
	}
	if v016 {
		secret, err := bare.Upstream.Core.CoreV1().Secrets("cattle-fleet-system").Get(ctx, "fleet-image-pull-secret", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if config := string(secret.Data[corev1.DockerConfigJsonKey]); secret.Type != corev1.SecretTypeDockerConfigJson || !strings.Contains(config, `"`+registry+`"`) {
			return fmt.Errorf("image pull Secret of type %s: %s", secret.Type, config)
		}
	}
	for _, name := range []string{"fleet-controller", "gitjob"} {
		var env []string
		for _, c := range bare.Kubelet().Containers(name) {
			if c.Name == name {
				env = c.Env
			}
		}
		want := []string{"HTTPS_PROXY=" + proxyURL, "HTTP_PROXY=" + proxyURL, "NO_PROXY=" + noProxy}
		if v016 {
			want = append(want, "PROXY_CA_BUNDLE="+caCert)
		}
		for _, w := range want {
			if !slices.Contains(env, w) {
				return fmt.Errorf("container %s runs without %s: %q", name, strings.SplitN(w, "=", 2)[0], env)
			}
		}
	}
	return nil
}

// helmFor is Helm's view of cattle-fleet-system on the bare control plane.
func helmFor(t *testing.T, bare *testenv.Env) *action.Configuration {
	t.Helper()
	cfg, err := helmchart.NewConfiguration(bare.Upstream.RESTConfig(), "cattle-fleet-system")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustNotErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAccInstallRefusesFleetInstalledOtherwise: where Fleet runs already,
// not from fleet_install's releases (here the test environment installed
// it), the create fails and installs nothing.
func TestAccInstallRefusesFleetInstalledOtherwise(t *testing.T) {
	acctest.PreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_install" "this" {
  chart = { path = %q }
}
`, acctest.Env.ChartsDir()),
			ExpectError: regexp.MustCompile(`Fleet is already installed(.|\n)*Fleet's CRDs exist, but not from a Helm\s+release fleet-crd`),
		}},
	})
	if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets("cattle-fleet-system").Get(context.Background(), "sh.helm.release.v1.fleet-crd.v1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a fleet-crd release was written (%v)", err)
	}
}
