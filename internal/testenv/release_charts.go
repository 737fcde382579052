package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteReleaseCharts writes Fleet's fleet-crd and fleet charts of the
// running release into dir as Fleet's release packaging leaves them: in the
// module they are version 0.0.0 with image tag dev, in a release the chart
// version and appVersion are the release's and the images are tagged with
// it. fleet_install installs what a user would download.
func (e *Env) WriteReleaseCharts(dir string) error {
	version := strings.TrimPrefix(e.Fleet.Version, "v")
	chartYAML := [][2]string{{"\nversion: 0.0.0", "\nversion: " + version}, {"\nappVersion: 0.0.0", "\nappVersion: " + version}}
	stamps := map[string]map[string][][2]string{
		"fleet-crd": {"Chart.yaml": chartYAML},
		"fleet":     {"Chart.yaml": chartYAML, "values.yaml": {{"\n  tag: dev", "\n  tag: " + e.Fleet.Version}}},
	}
	for chart, stamp := range stamps {
		src, dst := filepath.Join(e.ChartsDir(), chart), filepath.Join(dir, chart)
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
