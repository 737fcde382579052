package agent

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// isolateHelmHome points everything Helm and the temporary folders could
// write to at empty folders, and fails the test if anything is left there.
func isolateHelmHome(t *testing.T) {
	t.Helper()
	dirs := map[string]string{}
	for _, env := range []string{"HOME", "TMPDIR", "HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"} {
		dirs[env] = t.TempDir()
		t.Setenv(env, dirs[env])
	}
	t.Cleanup(func() {
		for env, dir := range dirs {
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("%s (%s) is not empty after loading the chart: %s", env, dir, entries[0].Name())
			}
		}
	})
}

// privateChartRepository serves an HTTPS chart repository with basic
// authentication. The index points the chart to chartHost when set, a
// server of another host (same test certificate), which must not see the
// credentials.
func privateChartRepository(t *testing.T, username, password string) (repoURL string, caPEM string, leaked *atomic.Bool) {
	t.Helper()
	dir := t.TempDir()
	ch := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "fleet-agent", Version: "0.0.7"}}
	if _, err := chartutil.Save(ch, dir); err != nil {
		t.Fatal(err)
	}
	leaked = new(atomic.Bool)
	files := http.FileServer(http.Dir(dir))
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(leaked.Load() || r.Header.Get("Authorization") != "")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(other.Close)
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != username || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, r)
	}))
	server.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes of the test without the CA
	t.Cleanup(server.Close)
	// The test servers share one certificate; the chart lives on the other
	// Host ("localhost" instead of 127.0.0.1 would be the same server).
	index, err := repo.IndexDirectory(dir, other.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}))
	return server.URL, ca, leaked
}

func chartModel(repository string) *agentChartModel {
	source := agentspec.ImportedChartSource("")
	source.Repository, source.Version = types.StringValue(repository), types.StringNull()
	return &agentChartModel{ChartSourceModel: source, ChartName: types.StringValue("fleet-agent")}
}

// TestLoadAgentChartFromPrivateRepository: an HTTPS chart repository with
// a private CA and basic authentication is used with ca_bundle, username
// and the password, which does not go to the host the index points the
// chart to. A missing CA or a wrong password fail with the attribute to
// change. Nothing is written to Helm's home folders, nor left in TMPDIR.
func TestLoadAgentChartFromPrivateRepository(t *testing.T) {
	isolateHelmHome(t)
	repoURL, ca, leaked := privateChartRepository(t, "puller", "s3cret")

	m := chartModel(repoURL)
	m.CABundle, m.Username = types.StringValue(ca), types.StringValue("puller")
	ch, err := loadAgentChart(m, "s3cret")
	if err != nil {
		t.Fatalf("with CA and credentials: %v", err)
	}
	if ch.Metadata.Version != "0.0.7" {
		t.Errorf("loaded chart version %s", ch.Metadata.Version)
	}
	if leaked.Load() {
		t.Error("the credentials were sent to the chart's host, which is not the repository's")
	}

	insecure := chartModel(repoURL)
	insecure.InsecureSkipTLSVerify, insecure.Username = types.BoolValue(true), types.StringValue("puller")
	if _, err := loadAgentChart(insecure, "s3cret"); err != nil {
		t.Errorf("with insecure_skip_tls_verify: %v", err)
	}

	assertChartError(t, m, "wrong", "Chart repository authentication failed", "check chart.username and chart.password_wo", "401")
	noCA := chartModel(repoURL)
	noCA.Username = types.StringValue("puller")
	assertChartError(t, noCA, "s3cret", "Chart repository not trusted", "set chart.ca_bundle", "x509")
}

// TestLoadAgentChartFromPrivateOCIRegistry: the same for an OCI registry,
// with no `helm registry login` (HOME is empty).
func TestLoadAgentChartFromPrivateOCIRegistry(t *testing.T) {
	isolateHelmHome(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reg, err := testenv.StartOCIRegistry(ctx, testenv.OCIRegistryOptions{Username: "puller", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	dir := t.TempDir()
	ch := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "fleet-agent", Version: "0.0.7"}}
	if err := chartutil.SaveDir(ch, dir); err != nil {
		t.Fatal(err)
	}
	ref, version, err := reg.PushChart(filepath.Join(dir, "fleet-agent"), "charts")
	if err != nil {
		t.Fatal(err)
	}
	repository := strings.TrimSuffix(ref, "/fleet-agent")

	m := chartModel(repository)
	m.Version, m.CABundle, m.Username = types.StringValue(version), types.StringValue(string(reg.CAPEM)), types.StringValue("puller")
	got, err := loadAgentChart(m, "s3cret")
	if err != nil {
		t.Fatalf("with CA and credentials: %v", err)
	}
	if got.Metadata.Version != version {
		t.Errorf("loaded chart version %s", got.Metadata.Version)
	}
	latest := chartModel(repository)
	latest.CABundle, latest.Username = m.CABundle, m.Username
	if _, err := loadAgentChart(latest, "s3cret"); err != nil {
		t.Errorf("without a version (the registry's tags): %v", err)
	}

	assertChartError(t, m, "wrong", "Chart repository authentication failed", "check chart.username and chart.password_wo")
	anonymous := chartModel(repository)
	anonymous.Version, anonymous.CABundle = m.Version, m.CABundle
	assertChartError(t, anonymous, "", "Chart repository authentication failed", "set chart.username and chart.password_wo")
	noCA := chartModel(repository)
	noCA.Version, noCA.Username = m.Version, m.Username
	assertChartError(t, noCA, "s3cret", "Chart repository not trusted", "set chart.ca_bundle")
}

func assertChartError(t *testing.T, m *agentChartModel, password, summary string, fragments ...string) {
	t.Helper()
	_, err := loadAgentChart(m, password)
	if err == nil {
		t.Errorf("%s: no error", summary)
		return
	}
	t.Logf("%s: %v", summary, err)
	if got := helmchart.ErrorSummary(err); got != summary {
		t.Errorf("summary %q, want %q: %v", got, summary, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error lacks %q: %v", f, err)
		}
	}
}
