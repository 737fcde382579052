package workloads_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// targetsFixture is two downstream clusters, blue and green, each in a
// cluster group of its own, and a chart repository with two versions of a
// chart that renders its values and version into a ConfigMap.
type targetsFixture struct {
	ns          string
	blue, green *testenv.Cluster
	charts      *testenv.ChartRepo
}

const targetsChart = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  v: {{ .Values.v | quote }}
  extra: {{ .Values.extra | default "" | quote }}
  chart: {{ .Chart.Version | quote }}
`

// TestAccHelmOpTargetsE2E: one HelmOp, two clusters in two groups, through
// the real Fleet controllers and agents. Each group gets its own values and
// one an older chart version; do_not_deploy keeps the chart off a group; the
// rollout strategy's partitions show in the Bundle; and a cluster matched by
// two targets gets the first one's options in both customization modes.
func TestAccHelmOpTargetsE2E(t *testing.T) {
	acctest.PreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	f := &targetsFixture{ns: acctest.Namespace(t)}
	for _, c := range []struct {
		color string
		into  **testenv.Cluster
	}{{"blue", &f.blue}, {"green", &f.green}} {
		down, err := acctest.Env.StartDownstream(ctx, "targets-"+c.color)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(down.Stop)
		if _, err := acctest.Env.RegisterDownstream(ctx, f.ns, c.color, map[string]string{"color": c.color, "e2e-targets": "yes"}, down); err != nil {
			t.Fatal(err)
		}
		*c.into = down
	}
	var err error
	if f.charts, err = testenv.StartChartRepo(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.charts.Stop)
	for _, version := range []string{"1.0.0", "2.0.0"} {
		if err := f.charts.AddChart("targets", version, map[string]string{"cm.yaml": targetsChart}); err != nil {
			t.Fatal(err)
		}
	}
	bundles := acctest.Env.Upstream.Dynamic.Resource(fleet.Resource("bundles")).Namespace(f.ns)
	warnings, factories := acctest.RecordWarnings()
	const perGroup = `
    { name = "blue", cluster_group = "blue", helm = { values = yamlencode({ v = "blue" }) } },
    { name = "green", cluster_group = "green", helm = { version = "1.0.0", values = yamlencode({ v = "green" }) } },`
	// Both clusters match "all"; blue matches "blue-only" too.
	const overlapping = `
    { name = "all", cluster_selector = { match_labels = { e2e-targets = "yes" } }, helm = { values = yamlencode({ v = "first" }) } },
    { name = "blue-only", cluster_group = "blue", helm = { values = yamlencode({ v = "second", extra = "second" }) } },`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             acctest.ObjectGone(fleet.HelmOps, f.ns, "targets"),
		Steps: []resource.TestStep{
			{
				Config: f.config(perGroup, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.release(f.blue, map[string]string{"v": "blue", "extra": "base", "chart": "2.0.0"}),
					f.release(f.green, map[string]string{"v": "green", "extra": "base", "chart": "1.0.0"}),
					resource.TestCheckResourceAttr("fleet_helmop.targets", "ready_clusters", "2"),
					func(*terraform.State) error {
						b, err := bundles.Get(ctx, "targets", metav1.GetOptions{})
						if err != nil {
							return err
						}
						var names []string
						partitions, _, _ := unstructured.NestedSlice(b.Object, "status", "partitions")
						for _, p := range partitions {
							name, _, _ := unstructured.NestedString(p.(map[string]any), "name")
							names = append(names, name)
						}
						if fmt.Sprint(names) != "[first second]" {
							return fmt.Errorf("Bundle status.partitions %v, want the rollout strategy's [first second]", names)
						}
						return nil
					},
				),
			},
			{
				// A target that excludes green, before the one that selects it.
				Config: f.config(`
    { name = "not-green", cluster_group = "green", do_not_deploy = true },`+perGroup, ""),
				// (Not desired_ready_clusters: Fleet v0.16 may keep counting green
				// in the HelmOp's status for minutes after its Bundle dropped it.)
				Check: resource.ComposeAggregateTestCheckFunc(
					f.release(f.blue, map[string]string{"v": "blue", "extra": "base", "chart": "2.0.0"}),
					f.releaseGone(f.green),
				),
			},
			{
				Config: f.config(overlapping, "FirstMatch"),
				Check:  f.release(f.blue, map[string]string{"v": "first", "extra": "base", "chart": "2.0.0"}),
			},
			{
				// Fleet v0.16 does not merge a HelmOp's targets: blue still
				// gets the first match alone, and the plan says so.
				PreConfig: warnings.Reset,
				Config:    f.config(overlapping, "AllMatches"),
				Check: resource.ComposeAggregateTestCheckFunc(
					f.release(f.blue, map[string]string{"v": "first", "extra": "base", "chart": "2.0.0"}),
					f.release(f.green, map[string]string{"v": "first", "extra": "base", "chart": "2.0.0"}),
					warnings.Check("AllMatches has no effect on a HelmOp", "target_customization_mode"),
				),
			},
		},
	})
}

func (f *targetsFixture) config(targets, mode string) string {
	modeLine := ""
	if mode != "" {
		modeLine = fmt.Sprintf("target_customization_mode = %q", mode)
	}
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_cluster_group" "blue" {
  name      = "blue"
  namespace = %[1]q
  selector  = { match_labels = { color = "blue" } }
}

resource "fleet_cluster_group" "green" {
  name      = "green"
  namespace = %[1]q
  selector  = { match_labels = { color = "green" } }
}

resource "fleet_helmop" "targets" {
  name              = "targets"
  namespace         = %[1]q
  default_namespace = "default"
  wait_for_ready    = true
  helm = {
    repo         = %[2]q
    chart        = "targets"
    version      = "2.0.0"
    release_name = "targets"
    values       = yamlencode({ v = "base", extra = "base" })
  }
  rollout_strategy = {
    partitions = [
      { name = "first", cluster_group = fleet_cluster_group.blue.name },
      { name = "second", cluster_group = fleet_cluster_group.green.name },
    ]
  }
  %[3]s
  targets = [%[4]s
  ]
  timeouts {
    create = "5m"
    update = "5m"
  }
}
`, f.ns, f.charts.URL, modeLine, targets)
}

// release checks the chart's ConfigMap in a downstream cluster right away:
// the apply has waited for the deployment.
func (f *targetsFixture) release(down *testenv.Cluster, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cm, err := down.Core.CoreV1().ConfigMaps("default").Get(context.Background(), "targets", metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("ConfigMap targets in %s: %w", down.Name, err)
		}
		for k, v := range want {
			if cm.Data[k] != v {
				return fmt.Errorf("ConfigMap targets in %s: %s = %q, want %q (data %v)", down.Name, k, cm.Data[k], v, cm.Data)
			}
		}
		return nil
	}
}

// releaseGone waits for the agent to uninstall the chart from a cluster no
// target deploys to any more (the apply does not wait for removals).
func (f *targetsFixture) releaseGone(down *testenv.Cluster) resource.TestCheckFunc {
	return func(*terraform.State) error {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			_, err := down.Core.CoreV1().ConfigMaps("default").Get(context.Background(), "targets", metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				return nil
			case time.Now().After(deadline):
				return fmt.Errorf("ConfigMap targets still in %s 2m after do_not_deploy (%v)", down.Name, err)
			}
			time.Sleep(2 * time.Second)
		}
	}
}
