package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteReleaseCharts writes the fleet-crd and fleet charts of the Fleet
// release whose binaries are in binDir into dir, as Fleet's release
// packaging leaves them: in the module they are version 0.0.0 with image tag
// dev, in a release the chart version and appVersion are the release's and
// the images are tagged with it. fleet_install installs what a user would
// download.
func WriteReleaseCharts(binDir, dir string) error {
	release, err := releaseOf(binDir)
	if err != nil {
		return err
	}
	version := strings.TrimPrefix(release.Version, "v")
	chartYAML := [][2]string{{"\nversion: 0.0.0", "\nversion: " + version}, {"\nappVersion: 0.0.0", "\nappVersion: " + version}}
	stamps := map[string]map[string][][2]string{
		"fleet-crd": {"Chart.yaml": chartYAML},
		"fleet":     {"Chart.yaml": chartYAML, "values.yaml": {{"\n  tag: dev", "\n  tag: " + release.Version}}},
	}
	for chart, stamp := range stamps {
		src, dst := filepath.Join(binDir, "charts", chart), filepath.Join(dir, chart)
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			return err
		}
		for file, replacements := range stamp {
			p := filepath.Join(dst, file)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			text := string(data)
			for _, r := range replacements {
				if !strings.Contains(text, r[0]) {
					return fmt.Errorf("%s of chart %s has no %q to stamp the release into", file, chart, strings.TrimSpace(r[0]))
				}
				text = strings.ReplaceAll(text, r[0], r[1])
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
