package agent

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/repo"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// The fleet-agent chart refuses any other release name or namespace
// (templates/validate.yaml), and Fleet looks for its agent there.
const (
	agentReleaseName = "fleet-agent"
	agentNamespace   = "cattle-fleet-system"
	// agentMaxHistory bounds the release revisions Helm keeps downstream.
	agentMaxHistory = 5
)

// helmRESTGetter hands Helm the downstream REST configuration; Helm wants a
// kubectl-style RESTClientGetter rather than a rest.Config.
type helmRESTGetter struct {
	rc *rest.Config

	once      sync.Once
	discovery discovery.CachedDiscoveryInterface
	err       error
}

func (g *helmRESTGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.rc), nil }

func (g *helmRESTGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	g.once.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfig(rest.CopyConfig(g.rc))
		g.discovery, g.err = memory.NewMemCacheClient(dc), err
	})
	return g.discovery, g.err
}

func (g *helmRESTGetter) ToRESTMapper() (meta.RESTMapper, error) {
	dc, err := g.ToDiscoveryClient()
	if err != nil {
		return nil, err
	}
	return restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(dc), dc, func(string) {}), nil
}

// ToRawKubeConfigLoader only serves the default namespace: the REST
// configuration comes from ToRESTConfig.
func (g *helmRESTGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewDefaultClientConfig(*clientcmdapi.NewConfig(),
		&clientcmd.ConfigOverrides{Context: clientcmdapi.Context{Namespace: agentNamespace}})
}

// newHelm returns Helm's action configuration for the agent's namespace,
// with releases stored as Secrets (Helm's default). Helm's debug log is
// dropped: it may print rendered values, which hold the token.
func newHelm(rc *rest.Config) (*action.Configuration, error) {
	cfg := new(action.Configuration)
	if err := cfg.Init(&helmRESTGetter{rc: rc}, agentNamespace, "secret", func(string, ...any) {}); err != nil {
		return nil, fmt.Errorf("set up Helm: %w", err)
	}
	return cfg, nil
}

// lastRelease returns the latest revision of the agent release, or
// ErrNotFound.
func lastRelease(cfg *action.Configuration) (*release.Release, error) {
	rel, err := cfg.Releases.Last(agentReleaseName)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, framework.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read Helm release %s/%s: %w", agentNamespace, agentReleaseName, err)
	}
	return rel, nil
}

func installAgent(ctx context.Context, cfg *action.Configuration, ch *chart.Chart, vals map[string]any, pullSecret bool) (*release.Release, error) {
	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace, install.CreateNamespace = agentReleaseName, agentNamespace, true
	if pullSecret {
		install.PostRenderer = pullSecretRenderer{}
	}
	rel, err := install.RunWithContext(ctx, ch, vals)
	if err != nil {
		return rel, fmt.Errorf("helm install %s into %s: %w", agentReleaseName, agentNamespace, err)
	}
	return rel, nil
}

func upgradeAgent(ctx context.Context, cfg *action.Configuration, ch *chart.Chart, vals map[string]any, pullSecret bool) (*release.Release, error) {
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.MaxHistory = agentNamespace, agentMaxHistory
	if pullSecret {
		upgrade.PostRenderer = pullSecretRenderer{}
	}
	rel, err := upgrade.RunWithContext(ctx, agentReleaseName, ch, vals)
	if err != nil {
		return rel, fmt.Errorf("helm upgrade %s in %s: %w", agentReleaseName, agentNamespace, err)
	}
	return rel, nil
}

// uninstallAgent removes the release; a release that is gone is fine.
func uninstallAgent(cfg *action.Configuration) error {
	uninstall := action.NewUninstall(cfg)
	uninstall.IgnoreNotFound = true
	if _, err := uninstall.Run(agentReleaseName); err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
		return fmt.Errorf("helm uninstall %s from %s: %w", agentReleaseName, agentNamespace, err)
	}
	return nil
}

// pullSecretRenderer adds the image pull Secret to the agent Deployment:
// the chart has no value for it.
type pullSecretRenderer struct{}

func (pullSecretRenderer) Run(in *bytes.Buffer) (*bytes.Buffer, error) {
	reader := k8syaml.NewYAMLReader(bufio.NewReader(in))
	out := new(bytes.Buffer)
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, err
		}
		u := unstructured.Unstructured{Object: obj}
		if obj != nil && u.GetKind() == "Deployment" && u.GetName() == agentReleaseName {
			secrets := []any{map[string]any{"name": agentPullSecretName}}
			if err := unstructured.SetNestedSlice(obj, secrets, "spec", "template", "spec", "imagePullSecrets"); err != nil {
				return nil, err
			}
			if doc, err = yaml.Marshal(obj); err != nil {
				return nil, err
			}
		}
		out.WriteString("---\n")
		out.Write(doc)
	}
}

// loadAgentChart fetches and loads the chart the model names, with
// password (chart.password_wo, from the configuration). Downloads go to a
// temporary folder, removed again; neither the user's Helm repository list
// nor plugins are used and nothing is written to Helm's configuration or
// cache, so what is installed depends on the configuration alone. Only
// without chart.username are registry credentials of `helm registry login`
// (or Docker's) read.
func loadAgentChart(m *agentChartModel, password string) (*chart.Chart, error) {
	version := m.Version.ValueString()
	if p := m.Path.ValueString(); p != "" {
		ch, err := loader.Load(p)
		if err != nil {
			return nil, fmt.Errorf("cannot load the chart at %s: %w", p, err)
		}
		if version != "" && !chartVersionMatches(ch.Metadata.Version, version) {
			return nil, fmt.Errorf("the chart at %s has version %s, not %s", p, ch.Metadata.Version, version)
		}
		return ch, nil
	}

	transport, err := chartTransport(m)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "fleet-agent-chart-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// The transport carries ca_bundle or insecure_skip_tls_verify, so Helm
	// needs no CA file.
	getters := getter.Getters(getter.WithTransport(transport))
	clientOpts := []registry.ClientOption{
		registry.ClientOptWriter(io.Discard), registry.ClientOptHTTPClient(&http.Client{Transport: transport}),
	}
	username := m.Username.ValueString()
	if username != "" {
		clientOpts = append(clientOpts, registry.ClientOptBasicAuth(username, password))
	}
	registryClient, err := registry.NewClient(clientOpts...)
	if err != nil {
		return nil, err
	}
	dl := downloader.ChartDownloader{
		Out: io.Discard, Getters: getters, RegistryClient: registryClient,
		RepositoryConfig: filepath.Join(tmp, "repositories.yaml"), RepositoryCache: tmp,
		Options: []getter.Option{getter.WithRegistryClient(registryClient)},
	}

	repository, name := strings.TrimSuffix(m.Repository.ValueString(), "/"), m.Name.ValueString()
	ref := repository + "/" + name
	if !registry.IsOCI(repository) {
		if ref, err = findChartInRepository(repository, name, version, username, password, tmp, getters); err != nil {
			return nil, chartAccessError(err, m)
		}
		// As Helm does: the credentials only go to the repository's own
		// Host, not to another one the index points the chart to.
		if sameHost(repository, ref) {
			dl.Options = append(dl.Options, getter.WithBasicAuth(username, password))
		}
	}
	file, _, err := dl.DownloadTo(ref, version, tmp)
	if err != nil {
		return nil, chartAccessError(fmt.Errorf("cannot download chart %s: %w", ref, err), m)
	}
	ch, err := loader.Load(file)
	if err != nil {
		return nil, fmt.Errorf("cannot load chart %s: %w", ref, err)
	}
	return ch, nil
}

// chartTransport is the HTTP transport to the chart repository: it trusts
// chart.ca_bundle besides the system's CAs, or verifies nothing with
// insecure_skip_tls_verify. Compression stays off, as in Helm: some
// servers mark chart archives gzip-encoded, which would unpack them.
func chartTransport(m *agentChartModel) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: m.InsecureSkipTLSVerify.ValueBool()} //nolint:gosec // the user's choice
	if ca := m.CABundle.ValueString(); ca != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			return nil, errors.New("chart.ca_bundle holds no PEM certificate")
		}
		t.TLSClientConfig.RootCAs = pool
	}
	return t, nil
}

// findChartInRepository looks the chart up in the index of an HTTP(S)
// repository and returns its absolute URL. The index is kept in dir.
func findChartInRepository(repoURL, name, version, username, password, dir string, getters getter.Providers) (string, error) {
	r, err := repo.NewChartRepository(&repo.Entry{Name: "fleet-agent", URL: repoURL, Username: username, Password: password}, getters)
	if err != nil {
		return "", err
	}
	r.CachePath = dir // not Helm's cache in the home directory
	indexFile, err := r.DownloadIndexFile()
	if err != nil {
		return "", fmt.Errorf("%q is not a valid chart repository or cannot be reached: %w", repoURL, err)
	}
	index, err := repo.LoadIndexFile(indexFile)
	if err != nil {
		return "", fmt.Errorf("the index of %s: %w", repoURL, err)
	}
	cv, err := index.Get(name, version)
	if err != nil {
		if version != "" {
			return "", fmt.Errorf("chart %q version %q not found in %s", name, version, repoURL)
		}
		return "", fmt.Errorf("chart %q not found in %s", name, repoURL)
	}
	if len(cv.URLs) == 0 {
		return "", fmt.Errorf("chart %q version %s in %s has no download URL", name, cv.Version, repoURL)
	}
	return repo.ResolveReferenceURL(repoURL, cv.URLs[0])
}

func sameHost(a, b string) bool {
	u1, err1 := url.Parse(a)
	u2, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && u1.Scheme == u2.Scheme && u1.Host == u2.Host
}

// Why a chart repository could not be used, when it is the credentials or
// the TLS certificate: the attribute to change differs.
var (
	errChartUnauthorized = errors.New("the chart repository refused the credentials")
	errChartUntrusted    = errors.New("the chart repository's TLS certificate is not trusted")
)

// chartAccessError adds to err what to change when the repository refused
// the credentials or its certificate, and marks it for chartErrorSummary.
func chartAccessError(err error, m *agentChartModel) error {
	msg := err.Error()
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	switch {
	case errors.As(err, &verify) || errors.As(err, &unknownCA) || strings.Contains(msg, "x509: "):
		hint := "set chart.ca_bundle to the PEM CA that signed it"
		if !m.CABundle.IsNull() {
			hint = "chart.ca_bundle does not hold the CA that signed it"
		}
		return fmt.Errorf("%w (%s): %w", errChartUntrusted, hint, err)
	// Helm's HTTP getter and the OCI client (oras) report these as text.
	case strings.Contains(msg, " 401") || strings.Contains(strings.ToLower(msg), "unauthorized") ||
		strings.Contains(msg, "basic credential not found"):
		hint := "set chart.username and chart.password_wo, or log in with helm registry login"
		if !m.Username.IsNull() {
			hint = "check chart.username and chart.password_wo; raise chart.password_wo_version with a new password"
		}
		return fmt.Errorf("%w (%s): %w", errChartUnauthorized, hint, err)
	}
	return err
}

// chartErrorSummary is the diagnostic summary for an error of loadAgentChart.
func chartErrorSummary(err error) string {
	switch {
	case errors.Is(err, errChartUnauthorized):
		return "Chart repository authentication failed"
	case errors.Is(err, errChartUntrusted):
		return "Chart repository not trusted"
	}
	return "Chart not found"
}

// chartVersionMatches reports whether version satisfies want, an exact
// version or a constraint.
func chartVersionMatches(version, want string) bool {
	if version == want {
		return true
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return false
	}
	c, err := semver.NewConstraint(want)
	return err == nil && c.Check(v)
}
