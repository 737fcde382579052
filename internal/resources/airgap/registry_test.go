package airgap_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func registryConfig(namespace, caPEM, password string, version int) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "corp" {
  name                = "corp-registry"
  namespace           = %q
  labels              = { team = "platform" }
  annotations         = { owner = "infra" }
  server              = "registry.corp:5000/mirror"
  mirrors             = ["docker.io", "ghcr.io", "registry.k8s.io"]
  username            = "puller"
  password_wo         = %q
  password_wo_version = %d
  ca_bundle           = %q
}
`, namespace, password, version, caPEM)
}

func registrySecret(t *testing.T, namespace, name string) *corev1.Secret {
	t.Helper()
	s, err := acctest.Env.Upstream.Core.CoreV1().Secrets(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkRegistrySecret checks what the kubelet (.dockerconfigjson) and Fleet's
// Helm secret readers (username, password, cacerts) find in the Secret.
func checkRegistrySecret(t *testing.T, namespace, host, user, password, caPEM string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := registrySecret(t, namespace, "corp-registry")
		if s.Type != corev1.SecretTypeDockerConfigJson {
			return fmt.Errorf("type %s", s.Type)
		}
		var config struct {
			Auths map[string]struct{ Username, Password, Auth string } `json:"auths"`
		}
		if err := json.Unmarshal(s.Data[".dockerconfigjson"], &config); err != nil {
			return err
		}
		entry, ok := config.Auths[host]
		auth, _ := base64.StdEncoding.DecodeString(entry.Auth)
		switch {
		case !ok || len(config.Auths) != 1:
			return fmt.Errorf(".dockerconfigjson must name exactly %s, names %v", host, config.Auths)
		case entry.Username != user || entry.Password != password || string(auth) != user+":"+password:
			return fmt.Errorf(".dockerconfigjson holds other credentials")
		case string(s.Data["username"]) != user || string(s.Data["password"]) != password:
			return fmt.Errorf("username/password keys hold other credentials")
		case string(s.Data["cacerts"]) != caPEM:
			return fmt.Errorf("cacerts is not the CA bundle")
		case s.Labels["app.kubernetes.io/managed-by"] != "terraform-provider-fleet":
			return fmt.Errorf("the Secret lacks the provider's managed-by label: %v", s.Labels)
		}
		return nil
	}
}

// TestAccRegistry covers fleet_registry with a write-only password: create,
// the Secret's content, the password kept out of state, import (also of
// password_wo_version) with an empty plan, labels others add, data edited
// out of band as drift, a new password, and destroy.
func TestAccRegistry(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	ca := acctest.TestCertificatePEM(t)
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	const address = "fleet_registry.corp"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := secrets.Get(ctx, "corp-registry", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("the registry Secret still exists after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: registryConfig(ns, ca, "first-s3cret", 1),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/corp-registry"),
					resource.TestCheckResourceAttr(address, "image_prefix", "registry.corp:5000/mirror"),
					resource.TestCheckResourceAttr(address, "secret_name", "corp-registry"),
					resource.TestCheckResourceAttr(address, "data_in_sync", "true"),
					resource.TestCheckNoResourceAttr(address, "password"),
					resource.TestCheckNoResourceAttr(address, "password_wo"),
					acctest.StateNeverContains("first-s3cret", base64.StdEncoding.EncodeToString([]byte("puller:first-s3cret"))),
					checkRegistrySecret(t, ns, "registry.corp:5000", "puller", "first-s3cret", ca),
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/corp-registry",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// The import restores password_wo_version from the Secret: no change.
				Config:          registryConfig(ns, ca, "first-s3cret", 1),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/corp-registry",
			},
			{
				// Labels and annotations others add are not drift.
				PreConfig: func() {
					patch := `{"metadata":{"labels":{"added-by":"someone"},"annotations":{"note":"x"}}}`
					if _, err := secrets.Patch(ctx, "corp-registry", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   registryConfig(ns, ca, "first-s3cret", 1),
				PlanOnly: true,
			},
			{
				// The write-only password replaced out of band: drift, although
				// Terraform never saw the password.
				PreConfig: func() {
					data := base64.StdEncoding.EncodeToString([]byte(`{"auths":{"registry.corp:5000":{"username":"puller","password":"stolen"}}}`))
					patch := `{"data":{".dockerconfigjson":"` + data + `"}}`
					if _, err := secrets.Patch(ctx, "corp-registry", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             registryConfig(ns, ca, "first-s3cret", 1),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: registryConfig(ns, ca, "first-s3cret", 1),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "data_in_sync", "true"),
					checkRegistrySecret(t, ns, "registry.corp:5000", "puller", "first-s3cret", ca),
				),
			},
			{
				// A new password, announced by a new version.
				Config: registryConfig(ns, ca, "second-s3cret", 2),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateNeverContains("second-s3cret"),
					checkRegistrySecret(t, ns, "registry.corp:5000", "puller", "second-s3cret", ca),
				),
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: func() {
					if err := secrets.Delete(ctx, "corp-registry", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             registryConfig(ns, ca, "second-s3cret", 2),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: registryConfig(ns, ca, "second-s3cret", 2),
				Check:  checkRegistrySecret(t, ns, "registry.corp:5000", "puller", "second-s3cret", ca),
			},
		},
	})
}

// TestAccRegistryPassword covers `password` (kept, sensitive, in state):
// import reads it back, and an out-of-band edit shows in the attribute.
func TestAccRegistryPassword(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "corp" {
  name                     = "corp-registry"
  namespace                = %q
  server                   = "10.0.0.5:5000"
  username                 = "puller"
  password                 = "in-state"
  insecure_skip_tls_verify = true
}
`, ns)
	const address = "fleet_registry.corp"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "password", "in-state"),
					resource.TestCheckResourceAttr(address, "image_prefix", "10.0.0.5:5000"),
					func(*terraform.State) error {
						if v := string(registrySecret(t, ns, "corp-registry").Data["insecureSkipVerify"]); v != "true" {
							return fmt.Errorf("insecureSkipVerify = %q", v)
						}
						return nil
					},
				),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           ns + "/corp-registry",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config:          config,
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/corp-registry",
			},
			{
				PreConfig: func() {
					patch := `{"data":{"password":"` + base64.StdEncoding.EncodeToString([]byte("edited")) + `"}}`
					if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Patch(context.Background(), "corp-registry",
						k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccRegistryInUse checks that destroy refuses while Fleet objects of
// the namespace refer to the Secret, names them, and succeeds once they are
// Gone; and that a fleet_cluster referencing secret_name is destroyed first.
func TestAccRegistryInUse(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	registry := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "corp" {
  name                = "corp-registry"
  namespace           = %q
  server              = "registry.corp:5000"
  username            = "puller"
  password_wo         = "s3cret"
  password_wo_version = 1
}
`, ns)
	withCluster := registry + fmt.Sprintf(`
resource "fleet_cluster" "edge" {
  name               = "edge"
  namespace          = %q
  private_repo_url   = fleet_registry.corp.image_prefix
  agent_pull_secrets = [fleet_registry.corp.secret_name]
}
`, ns)
	helmOps := acctest.Env.Upstream.Dynamic.Resource(fleet.HelmOps).Namespace(ns)
	clusters := acctest.Env.Upstream.Dynamic.Resource(fleet.Clusters).Namespace(ns)
	// Fleet objects made outside Terraform that refer to the Secret.
	outOfBand := func() {
		helmOp := &unstructured.Unstructured{Object: map[string]any{"apiVersion": fleet.APIVersion, "kind": "HelmOp",
			"metadata": map[string]any{"name": "web", "namespace": ns},
			"spec": map[string]any{"helmSecretName": "corp-registry",
				"helm": map[string]any{"chart": "oci://registry.corp:5000/charts/web"}}}}
		if _, err := helmOps.Create(ctx, helmOp, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		cluster := &unstructured.Unstructured{Object: map[string]any{"apiVersion": fleet.APIVersion, "kind": "Cluster",
			"metadata": map[string]any{"name": "manual", "namespace": ns},
			"spec":     map[string]any{"agentPullSecrets": []any{map[string]any{"name": "corp-registry"}}}}}
		if _, err := clusters.Create(ctx, cluster, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := acctest.Env.Upstream.Core.CoreV1().Secrets(ns).Get(ctx, "corp-registry", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("the registry Secret still exists after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: withCluster,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_cluster.edge", "private_repo_url", "registry.corp:5000"),
					resource.TestCheckResourceAttr("fleet_cluster.edge", "agent_pull_secrets.0", "corp-registry"),
				),
			},
			{
				// Dropping both at once works: Terraform deletes the cluster first.
				Config: acctest.ProviderConfig(),
			},
			{
				Config: registry,
			},
			{
				PreConfig:   outOfBand,
				Config:      acctest.ProviderConfig(),
				ExpectError: regexp.MustCompile(`(?s)Registry Secret in use.*Cluster manual \(agentPullSecrets\).*HelmOp web \(helmSecretName\)`),
			},
			{
				PreConfig: func() {
					if err := helmOps.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					if err := clusters.Delete(ctx, "manual", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					acctest.WaitObjectGone(t, clusters, "manual")
					acctest.WaitObjectGone(t, helmOps, "web")
				},
				Config: acctest.ProviderConfig(),
			},
		},
	})
}

// TestAccRegistryRefusesExisting checks that create does not take over a
// Secret of the same name.
func TestAccRegistryRefusesExisting(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	existing := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "corp-registry"}, StringData: map[string]string{"k": "theirs"}}
	if _, err := secrets.Create(context.Background(), existing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      registryConfig(ns, acctest.TestCertificatePEM(t), "s3cret", 1),
			ExpectError: regexp.MustCompile(`Secret already exists`),
		}},
	})
	if s := registrySecret(t, ns, "corp-registry"); string(s.Data["k"]) != "theirs" {
		t.Fatal("the existing Secret was changed")
	}
}

// TestRegistryInvalid checks the offline diagnostics.
func TestRegistryInvalid(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"both passwords": {`password = "a"` + "\n" + `password_wo = "b"` + "\n" + `password_wo_version = 1`, `(?s)Invalid Attribute Combination.*password`},
		"no password":    {``, `(?s)Invalid Attribute Combination.*password`},
		"no version":     {`password_wo = "b"`, `(?s)password_wo_version`},
		"version alone":  {`password = "a"` + "\n" + `password_wo_version = 1`, `(?s)Attribute\s+"password_wo"\s+must\s+be\s+specified\s+when\s+"password_wo_version"\s+is\s+specified`},
		"scheme":         {`password = "a"` + "\n" + `server = "https://r.corp"`, `(?s)Invalid registry server.*must not include a scheme`},
		"port":           {`password = "a"` + "\n" + `server = "r.corp:0"`, `(?s)Invalid registry server.*out of range`},
		"ca":             {`password = "a"` + "\n" + `ca_bundle = "not pem"`, `(?s)Invalid PEM certificates`},
		"mirror":         {`password = "a"` + "\n" + `mirrors = ["https://docker.io"]`, `(?s)Invalid mirrored registry`},
		"reserved":       {`password = "a"` + "\n" + `annotations = { "terraform-provider-fleet/registry" = "x" }`, `(?s)Reserved key`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			body := tc.body
			if !strings.Contains(body, "server") {
				body += "\nserver = \"r.corp\""
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "resource \"fleet_registry\" \"bad\" {\nname = \"r\"\nusername = \"u\"\n" + body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccRegistryAgentImage registers a real downstream cluster
// manager-initiated with fleet_cluster taking fleet_registry's image_prefix
// and secret_name: the agent Deployment the Fleet controller renders
// Manifests pulls exactly the target fleet_images lists for the agent,
// with the registry's Secret.
func TestAccRegistryAgentImage(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	down, err := acctest.Env.StartDownstream(context.Background(), "registry")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "corp" {
  name                = "corp-registry"
  namespace           = %[1]q
  server              = "registry.corp:5000/mirror"
  username            = "puller"
  password_wo         = "s3cret"
  password_wo_version = 1
}

data "fleet_images" "fleet" {
  fleet_version = %[2]q
  image_prefix  = fleet_registry.corp.image_prefix
}

resource "fleet_cluster" "downstream" {
  name                  = "downstream"
  namespace             = %[1]q
  kubeconfig_wo         = file(%[3]q)
  kubeconfig_wo_version = 1
  private_repo_url      = fleet_registry.corp.image_prefix
  agent_pull_secrets    = [fleet_registry.corp.secret_name]
}

output "agent_target" {
  value = one([for i in data.fleet_images.fleet.images : i.target if i.component == "agent"])
}
`, ns, acctest.Env.Fleet.Version, down.Kubeconfig)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("agent_target", "registry.corp:5000/mirror/rancher/fleet-agent:"+acctest.Env.Fleet.Version),
				func(s *terraform.State) error {
					want := s.RootModule().Outputs["agent_target"].Value.(string)
					return awaitAgentImage(down.Core.AppsV1().Deployments("cattle-fleet-system"), want, "corp-registry")
				},
			),
		}},
	})
}

// awaitAgentImage waits for the agent Deployment the Fleet controller
// renders downstream and checks its image and pull Secrets.
func awaitAgentImage(deployments typedappsv1.DeploymentInterface, image, pullSecret string) error {
	var last error
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		d, err := deployments.Get(context.Background(), "fleet-agent", metav1.GetOptions{})
		if err != nil {
			last = err
			continue
		}
		spec := d.Spec.Template.Spec
		if got := spec.Containers[0].Image; got != image {
			return fmt.Errorf("the agent runs %q, want %q", got, image)
		}
		if len(spec.ImagePullSecrets) != 1 || spec.ImagePullSecrets[0].Name != pullSecret {
			return fmt.Errorf("the agent pulls with %v, want [%s]", spec.ImagePullSecrets, pullSecret)
		}
		return nil
	}
	return fmt.Errorf("no agent Deployment downstream: %v", last)
}

// TestAccRegistryHelmOpChart serves Fleet's fleet-agent chart from a real
// registry with TLS from a private CA and basic authentication: a HelmOp
// naming the fleet_registry Secret as its Helm secret gets the chart's
// version resolved by Fleet's helmops controller, which reads the
// credentials and the CA (cacerts) from that Secret.
func TestAccRegistryHelmOpChart(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reg, err := testenv.StartOCIRegistry(ctx, testenv.OCIRegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chartURL, version, err := reg.PushChart(filepath.Join(acctest.Env.ChartsDir(), "fleet-agent"), "charts")
	if err != nil {
		t.Fatal(err)
	}
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "inside" {
  name                = "inside"
  namespace           = %q
  server              = %q
  username            = %q
  password_wo         = %q
  password_wo_version = 1
  ca_bundle           = %q
}
`, ns, reg.Host, reg.Username, reg.Password, reg.CAPEM)
	helmOps := acctest.Env.Upstream.Dynamic.Resource(fleet.HelmOps).Namespace(ns)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				// Fleet's HelmOp form for OCI: the chart's path in repo, no chart.
				op := &unstructured.Unstructured{Object: map[string]any{"apiVersion": fleet.APIVersion, "kind": "HelmOp",
					"metadata": map[string]any{"name": "agent-chart", "namespace": ns},
					"spec": map[string]any{
						"helmSecretName": s.RootModule().Resources["fleet_registry.inside"].Primary.Attributes["secret_name"],
						"helm":           map[string]any{"repo": chartURL, "version": ">=0.0.0"},
					}}}
				if _, err := helmOps.Create(ctx, op, metav1.CreateOptions{}); err != nil {
					return err
				}
				defer func() {
					_ = helmOps.Delete(ctx, "agent-chart", metav1.DeleteOptions{})
					acctest.WaitObjectGone(t, helmOps, "agent-chart")
				}()
				var last *unstructured.Unstructured
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
					if last, err = helmOps.Get(ctx, "agent-chart", metav1.GetOptions{}); err != nil {
						return err
					}
					if v, _, _ := unstructured.NestedString(last.Object, "status", "version"); v == version {
						return nil
					}
				}
				conditions, _, _ := unstructured.NestedSlice(last.Object, "status", "conditions")
				return fmt.Errorf("Fleet did not resolve the chart version %s from %s: %v", version, chartURL, conditions)
			},
		}},
	})
}
