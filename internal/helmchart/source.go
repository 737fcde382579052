// Package helmchart is what the resources that install Fleet's Helm charts
// (fleet_agent, fleet_install) share: loading a chart from a repository, an
// OCI registry or a path, Helm's action configuration and release records,
// and chart values.
package helmchart

import (
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

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Source is where a chart comes from: a chart repository (HTTP(S) or OCI)
// or a local Path. The attribute names in errors (chart.ca_bundle, ...) are
// those of the chart block of the resources that install charts.
type Source struct {
	Repository, Chart, Version, Path string
	CABundle, Username, Password     string
	InsecureSkipTLSVerify            bool
}

// Load fetches and loads the chart s names. Downloads go to a
// temporary folder, removed again; neither the user's Helm repository list
// nor plugins are used and nothing is written to Helm's configuration or
// cache, so what is installed depends on the configuration alone. Only
// without chart.username are registry credentials of `helm registry login`
// (or Docker's) read. Helm's errors quote the repository URL: a password in
// it is redacted.
func Load(s Source) (*chart.Chart, error) {
	ch, err := fetch(s)
	return ch, validate.WithoutURLPasswords(err)
}

func fetch(s Source) (*chart.Chart, error) {
	version := s.Version
	if p := s.Path; p != "" {
		ch, err := loader.Load(p)
		if err != nil {
			return nil, fmt.Errorf("cannot load the chart at %s: %w", p, err)
		}
		if version != "" && !VersionMatches(ch.Metadata.Version, version) {
			return nil, fmt.Errorf("the chart at %s has version %s, not %s", p, ch.Metadata.Version, version)
		}
		return ch, nil
	}

	transport, err := chartTransport(s)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "fleet-chart-")
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
	username, password := s.Username, s.Password
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

	repository, name := strings.TrimSuffix(s.Repository, "/"), s.Chart
	ref := repository + "/" + name
	if !registry.IsOCI(repository) {
		if ref, err = findChartInRepository(repository, name, version, username, password, tmp, getters); err != nil {
			return nil, chartAccessError(err, s)
		}
		// As Helm does: the credentials only go to the repository's own
		// Host, not to another one the index points the chart to.
		if sameHost(repository, ref) {
			dl.Options = append(dl.Options, getter.WithBasicAuth(username, password))
		}
	}
	file, _, err := dl.DownloadTo(ref, version, tmp)
	if err != nil {
		return nil, chartAccessError(fmt.Errorf("cannot download chart %s: %w", ref, err), s)
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
func chartTransport(s Source) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.InsecureSkipTLSVerify} //nolint:gosec // the user's choice
	if ca := s.CABundle; ca != "" {
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
	r, err := repo.NewChartRepository(&repo.Entry{Name: name, URL: repoURL, Username: username, Password: password}, getters)
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

// chartAccessError adds to err what to change when the repository refused
// the credentials or its certificate, and marks it for chartErrorSummary.
func chartAccessError(err error, s Source) error {
	msg := err.Error()
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	switch {
	case errors.As(err, &verify) || errors.As(err, &unknownCA) || strings.Contains(msg, "x509: "):
		hint := "set chart.ca_bundle to the PEM CA that signed it"
		if s.CABundle != "" {
			hint = "chart.ca_bundle does not hold the CA that signed it"
		}
		return fmt.Errorf("%w (%s): %w", errChartUntrusted, hint, err)
	// Helm's HTTP getter and the OCI client (oras) report these as text.
	case strings.Contains(msg, " 401") || strings.Contains(strings.ToLower(msg), "unauthorized") ||
		strings.Contains(msg, "basic credential not found"):
		hint := "set chart.username and chart.password_wo, or log in with helm registry login"
		if s.Username != "" {
			hint = "check chart.username and chart.password_wo; raise chart.password_wo_version with a new password"
		}
		return fmt.Errorf("%w (%s): %w", errChartUnauthorized, hint, err)
	}
	return err
}

// ErrorSummary is the diagnostic summary for an error of Load.
func ErrorSummary(err error) string {
	switch {
	case errors.Is(err, errChartUnauthorized):
		return "Chart repository authentication failed"
	case errors.Is(err, errChartUntrusted):
		return "Chart repository not trusted"
	}
	return "Chart not found"
}

// VersionMatches reports whether version satisfies want, an exact version
// or a constraint.
func VersionMatches(version, want string) bool {
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

// Why a chart repository could not be used, when it is the credentials or
// the TLS certificate: the attribute to change differs.
var (
	errChartUnauthorized = errors.New("the chart repository refused the credentials")
	errChartUntrusted    = errors.New("the chart repository's TLS certificate is not trusted")
)
