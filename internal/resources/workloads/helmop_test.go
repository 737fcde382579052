package workloads_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

func helmOpConfig(namespace, helm, extra string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_helmop" "test" {
  name      = "web"
  namespace = %q
  labels    = { team = "platform" }
  helm = {
    chart = "web"
    repo  = "https://127.0.0.1:9/charts"
    %s
  }
  %s
}
`, namespace, helm, extra)
}

// TestAccHelmOp covers create, values as YAML or JSON (never a diff against
// Fleet's copy), import,
// Drift (edited and deleted out of band), update, the helm credentials
// Secret and destroy.
func TestAccHelmOp(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	ops := acctest.Env.Upstream.Dynamic.Resource(fleet.HelmOps).Namespace(ns)
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	const address = "fleet_helmop.test"
	helm := `
    version      = "^1.0"
    release_name = "web"
    values       = <<-EOT
      # replicas of the web server
      replicaCount: 2
      service: { type: ClusterIP, port: 8080 }
      ratio: 0.25
    EOT
    template_values = { cluster = "$${ .ClusterName }" }
    values_from     = [{ config_map_key_ref = { name = "web-values", key = "values.yaml" } }]
    timeout_seconds = 300
    atomic          = true
`
	// The same values, as JSON in another order.
	helmJSON := `
    version      = "^1.0"
    release_name = "web"
    values       = jsonencode({ ratio = 0.25, service = { port = 8080, type = "ClusterIP" }, replicaCount = 2 })
    template_values = { cluster = "$${ .ClusterName }" }
    values_from     = [{ config_map_key_ref = { name = "web-values", key = "values.yaml" } }]
    timeout_seconds = 300
    atomic          = true
`
	extra := `
  default_namespace = "web"
  polling_interval  = "10m"
  correct_drift     = { enabled = true, force = true }
  bundle_labels     = { app = "web" }
  namespace_labels  = { tier = "frontend" }
  bundle_depends_on = [{ name = "cert-manager" }, { selector = { match_labels = { app = "crds" } }, accepted_states = ["Ready", "Modified"] }]
  downstream_resources = [{ kind = "Secret", name = "tls" }]
  targets = [{ name = "prod", cluster_group = "prod" }, { cluster_selector = { match_labels = { env = "dev" } } }]
  helm_credentials = { username = "charts", password_wo = "chart-pass-1", credentials_wo_version = 1 }
`
	updated := `
  paused  = true
  targets = [{ cluster_name = "one" }]
`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := ops.Get(ctx, "web", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("HelmOp %s/web still exists after destroy", ns)
			}
			if _, err := secrets.Get(ctx, "web-helmop-credentials", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("the helm credentials Secret still exists after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: helmOpConfig(ns, helm, extra),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "id", ns+"/web"),
					resource.TestCheckResourceAttr(address, "helm_secret_name", "web-helmop-credentials"),
					resource.TestCheckResourceAttr(address, "target_customization_mode", "FirstMatch"),
					resource.TestCheckResourceAttr(address, "helm.atomic", "true"),
					resource.TestCheckResourceAttr(address, "helm.force", "false"),
					resource.TestCheckResourceAttr(address, "bundle_depends_on.1.accepted_states.1", "Modified"),
					func(*terraform.State) error {
						op, err := ops.Get(ctx, "web", metav1.GetOptions{})
						if err != nil {
							return err
						}
						replicas, _, _ := unstructured.NestedInt64(op.Object, "spec", "helm", "values", "replicaCount")
						port, _, _ := unstructured.NestedInt64(op.Object, "spec", "helm", "values", "service", "port")
						ns, _, _ := unstructured.NestedString(op.Object, "spec", "defaultNamespace")
						labels, _, _ := unstructured.NestedStringMap(op.Object, "spec", "labels")
						if replicas != 2 || port != 8080 || ns != "web" || labels["app"] != "web" {
							return fmt.Errorf("spec not written as expected: %v", op.Object["spec"])
						}
						s, err := secrets.Get(ctx, "web-helmop-credentials", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if s.Type != corev1.SecretTypeBasicAuth || string(s.Data["password"]) != "chart-pass-1" || string(s.Data["username"]) != "charts" {
							return fmt.Errorf("helm credentials Secret: type %s, data %v", s.Type, slices.Sorted(maps.Keys(s.Data)))
						}
						return nil
					},
				),
			},
			{
				// The same values as JSON, reordered, and the same interval
				// spelled otherwise: no change.
				Config:   helmOpConfig(ns, helmJSON, strings.Replace(extra, `"10m"`, `"600s"`, 1)),
				PlanOnly: true,
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     ns + "/web",
				ImportStateVerify: true,
				// Values are imported as JSON: other text, same data (next step).
				ImportStateVerifyIgnore: []string{"timeouts", "helm_credentials", "helm.values"},
			},
			{
				// Importing plans no change, values in YAML included, with
				// the credentials Secret named (an import cannot read
				// write-only credentials).
				Config: helmOpConfig(ns, helm, strings.Replace(extra,
					`helm_credentials = { username = "charts", password_wo = "chart-pass-1", credentials_wo_version = 1 }`,
					`helm_secret_name = "web-helmop-credentials"`, 1)),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/web",
			},
			{
				PreConfig: func() {
					patch := `{"spec":{"helm":{"values":{"replicaCount":5}}}}`
					if _, err := ops.Patch(ctx, "web", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             helmOpConfig(ns, helm, extra),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: helmOpConfig(ns, helm, extra),
				Check: func(*terraform.State) error {
					op, err := ops.Get(ctx, "web", metav1.GetOptions{})
					if err != nil {
						return err
					}
					if replicas, _, _ := unstructured.NestedInt64(op.Object, "spec", "helm", "values", "replicaCount"); replicas != 2 {
						return fmt.Errorf("replicaCount = %d after apply", replicas)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := ops.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					acctest.WaitObjectGone(t, ops, "web")
				},
				Config:             helmOpConfig(ns, helm, extra),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: helmOpConfig(ns, `version = "1.2.3"`, updated),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "paused", "true"),
					resource.TestCheckNoResourceAttr(address, "helm.values"),
					resource.TestCheckNoResourceAttr(address, "helm_secret_name"),
					resource.TestCheckResourceAttr(address, "correct_drift.enabled", "false"),
					acctest.SecretGone(ns, "web-helmop-credentials"),
				),
			},
		},
	})
}

// TestInvalidHelmOpInput checks offline validation of HelmOp input.
func TestInvalidHelmOpInput(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"values list":     {`helm = { chart = "x", repo = "https://charts.example.com", values = "- a\n- b" }`, `(?s)Invalid YAML mapping.*Attribute helm.values: must be a YAML or JSON mapping`},
		"values syntax":   {`helm = { chart = "x", repo = "https://charts.example.com", values = "a: [" }`, `(?s)Invalid YAML mapping`},
		"repo scheme":     {`helm = { chart = "x", repo = "https://charts.example.com", repo = "ftp://charts" }`, `(?s)Invalid chart repository.*Attribute helm.repo: "ftp://charts" is neither`},
		"release name":    {`helm = { chart = "x", repo = "https://charts.example.com", release_name = "Web_App" }`, `(?s)Attribute helm.release_name: "Web_App"`},
		"values from":     {`helm = { chart = "x", repo = "https://charts.example.com", values_from = [{}] }`, `(?s)exactly one of config_map_key_ref,\s+secret_key_ref`},
		"dependency":      {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `bundle_depends_on = [{ name = "a", selector = { match_labels = { a = "b" } } }]`, `(?s)exactly one of name, selector`},
		"accepted state":  {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `bundle_depends_on = [{ name = "a", accepted_states = ["Done"] }]`, `(?s)accepted_states.*value must be one of`},
		"mode":            {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `target_customization_mode = "Any"`, `(?s)target_customization_mode.*value must be one of`},
		"interval":        {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `polling_interval = "2w"`, `(?s)polling_interval = "2w".*days \(d\) or weeks \(w\)`},
		"secret conflict": {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `helm_secret_name = "s"` + "\n" + `helm_credentials = { username = "u", password_wo = "p" }`, `(?s)Invalid Attribute Combination`},
		"no password":     {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `helm_credentials = { username = "u" }`, `(?s)password_wo`},
		"password no version": {`helm = { chart = "x", repo = "https://charts.example.com" }` + "\n" + `helm_credentials = { username = "u", password_wo = "p" }`,
			`(?s)"helm_credentials.credentials_wo_version"\s+must\s+be\s+specified\s+when\s+"helm_credentials.password_wo"`},
		"timeout":        {`helm = { chart = "x", repo = "https://charts.example.com", timeout_seconds = 0 }`, `(?s)timeout_seconds.*at least 1`},
		"oci with chart": {`helm = { chart = "x", repo = "oci://registry.corp/charts/x" }`, `(?s)Invalid chart source.*Attribute helm.chart:.*oci://\s+reference:\s+leave\s+chart\s+unset`},
		"name no repo":   {`helm = { chart = "x" }`, `(?s)Invalid chart source.*needs repo`},
		"tgz with repo":  {`helm = { chart = "https://h/x-1.0.0.tgz", repo = "https://h" }`, `(?s)Invalid chart source.*Attribute helm.repo:.*leave\s+repo\s+unset`},
		"no chart":       {`helm = { version = "1.0.0" }`, `(?s)Invalid chart source.*set chart`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "resource \"fleet_helmop\" \"bad\" {\nname = \"web\"\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
