package workloads_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// helmOpCustomized is a HelmOp with every per-target option, a rollout
// strategy, diff patches and ignored conditions; canaryValues are the
// values of its first target.
func helmOpCustomized(namespace, canaryValues string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_helmop" "custom" {
  name      = "custom"
  namespace = %q
  helm = {
    chart   = "web"
    repo    = "https://127.0.0.1:9/charts"
    version = "1.2.0"
    values  = yamlencode({ replicas = 2, image = { tag = "stable" } })
  }
  rollout_strategy = {
    max_unavailable            = "10%%"
    max_unavailable_partitions = "1"
    auto_partition_size        = "25%%"
    auto_partition_threshold   = 100
    max_new                    = 20
    partitions = [
      { name = "canary", max_unavailable = "0", cluster_selector = { match_labels = { tier = "canary" } } },
      { name = "rest", cluster_group = "prod" },
    ]
  }
  diff = {
    compare_patches = [{
      api_version   = "apps/v1"
      kind          = "Deployment"
      name          = "web"
      namespace     = "web"
      json_pointers = ["/spec/replicas"]
      operations    = [{ op = "remove", path = "/spec/template/metadata/annotations" }, { op = "ignore" }]
    }]
  }
  ignore = { conditions = [{ type = "Available", status = "False" }] }
  targets = [
    {
      name             = "canary"
      cluster_selector = { match_labels = { tier = "canary" } }
      helm = {
        version         = "1.3.0-rc.1"
        values          = %s
        template_values = { cluster = "$${ .ClusterName }" }
        values_from     = [{ secret_key_ref = { name = "canary-values", key = "values.yaml" } }]
        release_name    = "web-canary"
        timeout_seconds = 120
        atomic          = true
      }
      default_namespace     = "web-canary"
      service_account       = "canary-deployer"
      force_sync_generation = 2
      keep_resources        = true
      correct_drift         = { enabled = true, force = true }
      diff                  = { compare_patches = [{ kind = "ConfigMap", json_pointers = ["/data/generated"] }] }
      namespace_labels      = { canary = "true" }
      namespace_annotations = { owner = "sre" }
      downstream_resources  = [{ kind = "ConfigMap", name = "canary-settings" }]
    },
    { name = "excluded", cluster_name = "legacy", do_not_deploy = true },
    { name = "prod", cluster_group = "prod", target_namespace = "web-prod" },
  ]
}
`, namespace, canaryValues)
}

// TestAccHelmOpCustomizations covers the per-target options, the rollout
// strategy and the diff and ignore options: written as Fleet names them,
// values in any spelling without a diff, import with an empty plan, drift
// of a nested option, and destroy.
func TestAccHelmOpCustomizations(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	ops := acctest.Env.Upstream.Dynamic.Resource(fleet.HelmOps).Namespace(ns)
	const address = "fleet_helmop.custom"
	yamlValues := "<<-EOT\n        # one replica on canaries\n        replicas: 1\n        image: { tag: canary }\n      EOT"
	jsonValues := `jsonencode({ image = { tag = "canary" }, replicas = 1 })`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := ops.Get(ctx, "custom", metav1.GetOptions{}); err == nil {
				return fmt.Errorf("HelmOp %s/custom still exists after destroy", ns)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: helmOpCustomized(ns, yamlValues),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "targets.0.helm.atomic", "true"),
					resource.TestCheckNoResourceAttr(address, "targets.0.helm.force"),
					resource.TestCheckResourceAttr(address, "targets.1.do_not_deploy", "true"),
					resource.TestCheckResourceAttr(address, "rollout_strategy.partitions.1.cluster_group", "prod"),
					func(*terraform.State) error {
						op, err := ops.Get(ctx, "custom", metav1.GetOptions{})
						if err != nil {
							return err
						}
						return specHas(op.Object, map[string]any{
							"rolloutStrategy.maxUnavailable":                                "10%",
							"rolloutStrategy.maxUnavailablePartitions":                      int64(1),
							"rolloutStrategy.maxNew":                                        int64(20),
							"rolloutStrategy.partitions.0.maxUnavailable":                   int64(0),
							"diff.comparePatches.0.operations.1.op":                         "ignore",
							"ignore.conditions.0.status":                                    "False",
							"targets.0.helm.values.image.tag":                               "canary",
							"targets.0.helm.version":                                        "1.3.0-rc.1",
							"targets.0.helm.valuesFrom.0.secretKeyRef.name":                 "canary-values",
							"targets.0.correctDrift.force":                                  true,
							"targets.0.diff.comparePatches.0.jsonPointers.0":                "/data/generated",
							"targets.0.namespaceAnnotations.owner":                          "sre",
							"targets.0.downstreamResources.0.name":                          "canary-settings",
							"targets.1.doNotDeploy":                                         true,
							"targets.2.namespace":                                           "web-prod",
							"targets.0.forceSyncGeneration":                                 int64(2),
							"targets.0.keepResources":                                       true,
							"targets.0.helm.templateValues.cluster":                         "${ .ClusterName }",
							"targets.0.serviceAccount":                                      "canary-deployer",
							"targets.0.defaultNamespace":                                    "web-canary",
							"targets.0.helm.releaseName":                                    "web-canary",
							"targets.0.helm.timeoutSeconds":                                 int64(120),
							"targets.0.namespaceLabels.canary":                              "true",
							"targets.0.helm.atomic":                                         true,
							"rolloutStrategy.partitions.0.clusterSelector.matchLabels.tier": "canary",
						})
					},
				),
			},
			{
				// The target's values as JSON, in another order: no change.
				Config:   helmOpCustomized(ns, jsonValues),
				PlanOnly: true,
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     ns + "/custom",
				ImportStateVerify: true,
				// Values are imported as JSON: other text, same data (next step).
				ImportStateVerifyIgnore: []string{"timeouts", "helm.values", "targets.0.helm.values"},
			},
			{
				Config:          helmOpCustomized(ns, yamlValues),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   ns + "/custom",
			},
			{
				// Someone widens the canary partition out of band.
				PreConfig: func() {
					patch := `{"spec":{"rolloutStrategy":{"partitions":[{"name":"canary","maxUnavailable":"50%"}]}}}`
					if _, err := ops.Patch(ctx, "custom", k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             helmOpCustomized(ns, yamlValues),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: helmOpCustomized(ns, yamlValues),
				Check: func(*terraform.State) error {
					op, err := ops.Get(ctx, "custom", metav1.GetOptions{})
					if err != nil {
						return err
					}
					return specHas(op.Object, map[string]any{"rolloutStrategy.partitions.0.maxUnavailable": int64(0),
						"rolloutStrategy.partitions.1.clusterGroup": "prod"})
				},
			},
		},
	})
}

// specHas checks fields of an object's spec, by dotted path with list
// indexes.
func specHas(obj map[string]any, want map[string]any) error {
	for at, w := range want {
		var v any = obj["spec"]
		for _, step := range strings.Split(at, ".") {
			switch c := v.(type) {
			case map[string]any:
				v = c[step]
			case []any:
				var i int
				if _, err := fmt.Sscan(step, &i); err != nil || i >= len(c) {
					return fmt.Errorf("spec.%s: no element %s", at, step)
				}
				v = c[i]
			default:
				return fmt.Errorf("spec.%s: nothing at %s in %v", at, step, obj["spec"])
			}
		}
		if !reflect.DeepEqual(v, w) {
			return fmt.Errorf("spec.%s = %#v, want %#v", at, v, w)
		}
	}
	return nil
}

// TestInvalidHelmOpCustomizations checks offline validation of the
// per-target options, the rollout strategy and the diff and ignore options.
func TestInvalidHelmOpCustomizations(t *testing.T) {
	const helm = `helm = { chart = "x", repo = "https://charts.example.com" }` + "\n"
	cases := map[string]struct{ body, want string }{
		"target values":        {`targets = [{ cluster_group = "a", helm = { values = "- a" } }]`, `(?s)Invalid YAML mapping.*Attribute targets\[0\].helm.values`},
		"target version":       {`targets = [{ cluster_group = "a", helm = { version = "one" } }]`, `(?s)Invalid chart version.*targets\[0\].helm.version`},
		"target repo":          {`targets = [{ cluster_group = "a", helm = { repo = "ftp://x" } }]`, `(?s)Invalid chart repository.*targets\[0\].helm.repo`},
		"target release":       {`targets = [{ cluster_group = "a", helm = { release_name = "Web_App" } }]`, `(?s)targets\[0\].helm.release_name`},
		"target values from":   {`targets = [{ cluster_group = "a", helm = { values_from = [{}] } }]`, `(?s)exactly one of config_map_key_ref,\s+secret_key_ref`},
		"target timeout":       {`targets = [{ cluster_group = "a", helm = { timeout_seconds = 0 } }]`, `(?s)timeout_seconds.*at least 1`},
		"target namespace":     {`targets = [{ cluster_group = "a", target_namespace = "Web" }]`, `(?s)targets\[0\].target_namespace`},
		"target default ns":    {`targets = [{ cluster_group = "a", default_namespace = "a.b" }]`, `(?s)targets\[0\].default_namespace`},
		"target account":       {`targets = [{ cluster_group = "a", service_account = "A_B" }]`, `(?s)targets\[0\].service_account`},
		"target generation":    {`targets = [{ cluster_group = "a", force_sync_generation = 0 }]`, `(?s)force_sync_generation.*at least 1`},
		"target labels":        {`targets = [{ cluster_group = "a", namespace_labels = { "bad key!" = "x" } }]`, `(?s)targets\[0\].namespace_labels`},
		"target annotations":   {`targets = [{ cluster_group = "a", namespace_annotations = { "bad key!" = "x" } }]`, `(?s)targets\[0\].namespace_annotations`},
		"target downstream":    {`targets = [{ cluster_group = "a", downstream_resources = [{ kind = "Pod", name = "x" }] }]`, `(?s)downstream_resources.*value must be one of`},
		"target no selection":  {`targets = [{ do_not_deploy = true }]`, `(?s)Target selects no cluster`},
		"target diff pointer":  {`targets = [{ cluster_group = "a", diff = { compare_patches = [{ json_pointers = ["spec.replicas"] }] } }]`, `(?s)Invalid JSON pointer.*must\s+start\s+with\s+/,\s+e.g.\s+/spec/replicas`},
		"rollout count":        {`rollout_strategy = { max_unavailable = "10 %" }`, `(?s)Invalid count or percentage.*rollout_strategy.max_unavailable`},
		"rollout partitions":   {`rollout_strategy = { max_unavailable_partitions = "-1" }`, `(?s)rollout_strategy.max_unavailable_partitions`},
		"rollout auto size":    {`rollout_strategy = { auto_partition_size = "a quarter" }`, `(?s)rollout_strategy.auto_partition_size`},
		"rollout threshold":    {`rollout_strategy = { auto_partition_threshold = -1 }`, `(?s)auto_partition_threshold.*at least 0`},
		"rollout max new":      {`rollout_strategy = { max_new = 0 }`, `(?s)max_new.*at least 1`},
		"partition no cluster": {`rollout_strategy = { partitions = [{ name = "canary" }] }`, `(?s)Partition selects no cluster`},
		"partition count":      {`rollout_strategy = { partitions = [{ cluster_group = "a", max_unavailable = "1.5" }] }`, `(?s)partitions\[0\].max_unavailable`},
		"partition group":      {`rollout_strategy = { partitions = [{ cluster_group = "Prod!" }] }`, `(?s)partitions\[0\].cluster_group`},
		"partitions empty":     {`rollout_strategy = { partitions = [] }`, `(?s)partitions.*at least 1`},
		"patch does nothing":   {`diff = { compare_patches = [{ kind = "Deployment" }] }`, `(?s)Compare patch does nothing`},
		"patch api version":    {`diff = { compare_patches = [{ api_version = "apps/v1/x", json_pointers = ["/a"] }] }`, `(?s)Invalid API version.*compare_patches\[0\].api_version`},
		"patch op":             {`diff = { compare_patches = [{ operations = [{ op = "delete", path = "/a" }] }] }`, `(?s)operations\[0\].op.*value must be one of`},
		"patch op path":        {`diff = { compare_patches = [{ operations = [{ op = "remove" }] }] }`, `(?s)Missing path.*remove\s+operation\s+needs\s+a\s+path`},
		"patch op pointer":     {`diff = { compare_patches = [{ operations = [{ op = "remove", path = "a~2" }] }] }`, `(?s)Invalid JSON pointer`},
		"patch namespace":      {`diff = { compare_patches = [{ namespace = "Web", json_pointers = ["/a"] }] }`, `(?s)compare_patches\[0\].namespace`},
		"no compare patches":   {`diff = { compare_patches = [] }`, `(?s)compare_patches.*at least 1`},
		"ignore empty":         {`ignore = { conditions = [{}] }`, `(?s)ignore.conditions.*at least 1`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "resource \"fleet_helmop\" \"bad\" {\nname = \"web\"\n" + helm + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
