package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"
)

// ChartRepo is a Helm chart repository for HelmOp tests: an HTTP server on
// loopback that serves index.yaml and the packaged charts added to it. It
// runs inside the calling process; Fleet's helmops controller and agents
// fetch from it over loopback.
type ChartRepo struct {
	URL string // http://127.0.0.1:<port>, the repository URL for a HelmOp

	dir     string
	server  *httptest.Server
	mu      sync.Mutex
	entries map[string][]indexEntry // by chart name
}

// indexFile and indexEntry are the repository index format (index.yaml,
// apiVersion v1). Helm's own repo package would write it too, but it links
// Helm's getters and kubectl into every test binary; the chart repo test
// reads the index back with Helm's repo client.
type indexFile struct {
	APIVersion string                  `json:"apiVersion"`
	Generated  time.Time               `json:"generated"`
	Entries    map[string][]indexEntry `json:"entries"`
}

type indexEntry struct {
	*chart.Metadata
	URLs    []string  `json:"urls"`
	Created time.Time `json:"created"`
	Digest  string    `json:"digest"`
}

// StartChartRepo serves an empty chart repository until ctx ends or Stop.
func StartChartRepo(ctx context.Context) (*ChartRepo, error) {
	dir, err := os.MkdirTemp("", "testenv-charts-")
	if err != nil {
		return nil, err
	}
	r := &ChartRepo{dir: dir, server: httptest.NewServer(http.FileServer(http.Dir(dir))), entries: map[string][]indexEntry{}}
	r.URL = r.server.URL
	if err := r.writeIndex(); err != nil {
		r.Stop()
		return nil, err
	}
	context.AfterFunc(ctx, r.Stop)
	return r, nil
}

// Stop ends the server and removes the charts. Safe to call more than once.
func (r *ChartRepo) Stop() {
	r.server.Close()
	_ = os.RemoveAll(r.dir)
}

// AddChart packages a chart (apiVersion v2, type application) named name at
// version, whose templates are the given files (file name under templates/ →
// content), and adds it to the index. Adding the same name and version again
// replaces the chart. version must be a semantic version.
func (r *ChartRepo) AddChart(name, version string, templates map[string]string) error {
	if _, err := semver.NewVersion(version); err != nil {
		return fmt.Errorf("chart %s version %q: %w", name, version, err)
	}
	c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version, Type: "application"}}
	for file, content := range templates {
		c.Templates = append(c.Templates, &chart.File{Name: path.Join("templates", file), Data: []byte(content)})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	archive, err := chartutil.Save(c, r.dir)
	if err != nil {
		return fmt.Errorf("package chart %s %s: %w", name, version, err)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(data)
	entry := indexEntry{Metadata: c.Metadata, URLs: []string{r.ChartURL(name, version)}, Created: time.Now().UTC(), Digest: hex.EncodeToString(digest[:])}
	versions := r.entries[name][:0]
	for _, v := range r.entries[name] {
		if v.Version != version {
			versions = append(versions, v)
		}
	}
	r.entries[name] = append(versions, entry)
	return r.writeIndex()
}

// ChartURL is the download URL of a chart added with AddChart.
func (r *ChartRepo) ChartURL(name, version string) string {
	return fmt.Sprintf("%s/%s-%s.tgz", r.URL, name, version)
}

// writeIndex rewrites index.yaml, highest version of each chart first as
// Helm sorts it; a rename keeps readers from seeing half a file.
func (r *ChartRepo) writeIndex() error {
	for _, versions := range r.entries {
		sort.SliceStable(versions, func(i, j int) bool {
			return semver.MustParse(versions[i].Version).GreaterThan(semver.MustParse(versions[j].Version))
		})
	}
	data, err := yaml.Marshal(indexFile{APIVersion: "v1", Generated: time.Now().UTC(), Entries: r.entries})
	if err != nil {
		return err
	}
	tmp := filepath.Join(r.dir, ".index.yaml")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(r.dir, "index.yaml"))
}
