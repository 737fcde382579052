package testenv_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestOCIRegistry pushes Fleet's fleet-agent chart into the registry and
// pulls it back with Helm's registry client, as Fleet does for oci://
// charts; without the credentials or the CA the registry refuses.
func TestOCIRegistry(t *testing.T) {
	needEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg, err := testenv.StartOCIRegistry(ctx, testenv.OCIRegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	if !strings.HasPrefix(reg.Host, "127.0.0.1:") || reg.URL != "https://"+reg.Host || reg.Password == "" {
		t.Fatalf("registry %+v is not an authenticated HTTPS registry on loopback", reg)
	}

	url, version, err := reg.PushChart(filepath.Join(env.ChartsDir(), "fleet-agent"), "charts")
	if err != nil {
		t.Fatal(err)
	}
	if url != "oci://"+reg.Host+"/charts/fleet-agent" {
		t.Fatalf("chart URL %q", url)
	}
	ref := strings.TrimPrefix(url, "oci://") + ":" + version

	client, err := reg.Client()
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := client.Pull(ref)
	if err != nil {
		t.Fatalf("pull %s: %v", ref, err)
	}
	chart, err := loader.LoadArchive(bytes.NewReader(pulled.Chart.Data))
	if err != nil {
		t.Fatal(err)
	}
	if chart.Name() != "fleet-agent" || chart.Metadata.Version != version {
		t.Fatalf("pulled %s %s", chart.Name(), chart.Metadata.Version)
	}
	found := false
	for _, tmpl := range chart.Templates {
		found = found || tmpl.Name == "templates/deployment.yaml"
	}
	if !found {
		t.Fatal("the pulled chart lacks the agent Deployment template")
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(reg.CAPEM)
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	// Helm's own configuration file logs in as well.
	fromFile, err := registry.NewClient(registry.ClientOptHTTPClient(trusting), registry.ClientOptCredentialsFile(reg.CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fromFile.Pull(ref); err != nil {
		t.Errorf("pull with CredentialsFile: %v", err)
	}

	refused := map[string][]registry.ClientOption{
		"no credentials": {registry.ClientOptHTTPClient(trusting)},
		"wrong password": {registry.ClientOptHTTPClient(trusting), registry.ClientOptBasicAuth(reg.Username, "wrong")},
		"unknown CA":     {registry.ClientOptBasicAuth(reg.Username, reg.Password)},
	}
	for name, opts := range refused {
		opts = append(opts, registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "none.json")))
		other, err := registry.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Pull(ref); err == nil {
			t.Errorf("%s: the registry served the chart", name)
		}
	}
}
