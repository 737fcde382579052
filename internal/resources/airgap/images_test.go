package airgap

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestFleetImageTableHasTestedVersion fails when a Fleet release the tests
// run against is not in the image table: pinning a new release means checking
// its images (TestAccCompatFleetImagesMatchCharts compares them with its charts).
func TestFleetImageTableHasTestedVersion(t *testing.T) {
	for _, r := range testenv.Releases {
		if _, ok := fleetImageTable[r.Version]; !ok {
			t.Errorf("Fleet %s (testenv.Releases) is missing from fleetImageTable in images_table.go", r.Version)
		}
	}
	for version, images := range fleetImageTable {
		if !releaseVersionRE.MatchString(version) {
			t.Errorf("table key %q is not a release tag", version)
		}
		for _, img := range images {
			if img.component == "" || img.repository == "" {
				t.Errorf("%s: incomplete entry %+v", version, img)
			}
		}
	}
}

func TestMirrorPath(t *testing.T) {
	for ref, want := range map[string]string{
		"rancher/fleet-agent:v0.16.0":       "rancher/fleet-agent:v0.16.0",
		"nginx:1.27":                        "library/nginx:1.27",
		"nginx":                             "library/nginx",
		"docker.io/nginx:1.27":              "library/nginx:1.27",
		"docker.io/bitnami/redis:7":         "bitnami/redis:7",
		"index.docker.io/library/busybox:1": "library/busybox:1",
		"ghcr.io/org/app:1.0":               "org/app:1.0",
		"ghcr.io/app:1.0":                   "app:1.0",
		"registry.k8s.io/pause:3.10":        "pause:3.10",
		"localhost:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": "team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef":                   "library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	} {
		if got := mirrorPath(ref); got != want {
			t.Errorf("mirrorPath(%q) = %q, want %q", ref, got, want)
		}
	}
}
