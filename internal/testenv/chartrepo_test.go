package testenv_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/cli"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/repo"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// Helm's own repository client reads the index and downloads the chart, the
// way Fleet's helmops controller and agent do.
func TestChartRepo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	charts, err := testenv.StartChartRepo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(charts.Stop)
	if !strings.HasPrefix(charts.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q is not on loopback", charts.URL)
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  v: {{ .Values.v | default \"one\" | quote }}\n"
	for _, version := range []string{"0.1.0", "0.2.0"} {
		if err := charts.AddChart("demo", version, map[string]string{"cm.yaml": cm}); err != nil {
			t.Fatal(err)
		}
	}
	if err := charts.AddChart("demo", "not-a-version", nil); err == nil {
		t.Fatal("AddChart accepted a version that is not semver")
	}

	getters := getter.All(cli.New())
	client, err := repo.NewChartRepository(&repo.Entry{Name: "testenv", URL: charts.URL}, getters)
	if err != nil {
		t.Fatal(err)
	}
	client.CachePath = t.TempDir()
	indexPath, err := client.DownloadIndexFile()
	if err != nil {
		t.Fatal(err)
	}
	index, err := repo.LoadIndexFile(indexPath)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := index.Get("demo", "")
	if err != nil || latest.Version != "0.2.0" {
		t.Fatalf("latest demo chart = %+v, %v; want version 0.2.0", latest, err)
	}

	url, err := repo.FindChartInRepoURL(charts.URL, "demo", "0.1.0", "", "", "", getters)
	if err != nil {
		t.Fatal(err)
	}
	if url != charts.ChartURL("demo", "0.1.0") {
		t.Fatalf("chart URL %q, want %q", url, charts.ChartURL("demo", "0.1.0"))
	}
	httpGetter, err := getters.ByScheme("http")
	if err != nil {
		t.Fatal(err)
	}
	archive, err := httpGetter.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := loader.LoadArchive(bytes.NewReader(archive.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if chart.Metadata.Version != "0.1.0" || len(chart.Templates) != 1 || chart.Templates[0].Name != "templates/cm.yaml" || string(chart.Templates[0].Data) != cm {
		t.Fatalf("downloaded chart %s %s with templates %v", chart.Metadata.Name, chart.Metadata.Version, chart.Templates)
	}
}

// Fleet's helmops controller and agent install a chart from the repository
// into a registered downstream cluster.
func TestHelmOpDeploysFromChartRepo(t *testing.T) {
	needEnv(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := namespace(t)
	down, err := env.StartDownstream(ctx, "helmop")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	if _, err := env.RegisterDownstream(ctx, ns, "helmop", map[string]string{"testenv": ns}, down); err != nil {
		t.Fatal(err)
	}
	charts, err := testenv.StartChartRepo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(charts.Stop)
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  v: {{ .Values.v | quote }}\n"
	if err := charts.AddChart("demo", "1.0.0", map[string]string{"cm.yaml": cm}); err != nil {
		t.Fatal(err)
	}

	begin := time.Now()
	op := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1",
		"kind":       "HelmOp",
		"metadata":   map[string]any{"name": "demo", "namespace": ns},
		"spec": map[string]any{
			"defaultNamespace": "default",
			"helm": map[string]any{"repo": charts.URL, "chart": "demo", "version": "1.0.0", "releaseName": "testenv-helm",
				"values": map[string]any{"v": "from-helmop"}},
			"targets": []any{map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"testenv": ns}}}},
		},
	}}
	if _, err := env.Upstream.Dynamic.Resource(fleetGVR("helmops")).Namespace(ns).Create(ctx, op, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Minute, "chart installed downstream", func(ctx context.Context) error {
		got, err := down.Core.CoreV1().ConfigMaps("default").Get(ctx, "testenv-helm", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got.Data["v"] != "from-helmop" {
			return fmt.Errorf("data.v = %q", got.Data["v"])
		}
		return nil
	})
	t.Logf("chart installed %s after the HelmOp was created", time.Since(begin).Round(100*time.Millisecond))
}
