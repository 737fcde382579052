package airgap_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestImagesDataSource lists Fleet's images and extra ones offline, with
// their targets under a registry path, as a list and in the two text forms.
func TestImagesDataSource(t *testing.T) {
	const address = "data.fleet_images.airgap"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + fmt.Sprintf(`
data "fleet_images" "airgap" {
  fleet_version = %q
  image_prefix  = "registry.corp:5000/mirror"
  extra_images  = ["nginx:1.27", "ghcr.io/org/app:1.0", "quay.io/team/tool@%s", "rancher/fleet:%s"]
}
`, testenv.DefaultFleetVersion, testDigest, testenv.DefaultFleetVersion),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(address, "images.#", "5"), // the duplicate Fleet image once
				resource.TestCheckResourceAttr(address, "images.0.component", "controller"),
				resource.TestCheckResourceAttr(address, "images.0.source", "rancher/fleet:"+testenv.DefaultFleetVersion),
				resource.TestCheckResourceAttr(address, "images.0.target", "registry.corp:5000/mirror/rancher/fleet:"+testenv.DefaultFleetVersion),
				resource.TestCheckResourceAttr(address, "images.1.component", "agent"),
				resource.TestCheckResourceAttr(address, "images.1.target", "registry.corp:5000/mirror/rancher/fleet-agent:"+testenv.DefaultFleetVersion),
				resource.TestCheckResourceAttr(address, "images.2.target", "registry.corp:5000/mirror/library/nginx:1.27"),
				resource.TestCheckResourceAttr(address, "images.3.target", "registry.corp:5000/mirror/org/app:1.0"),
				resource.TestCheckResourceAttr(address, "images.4.component", "extra"),
				resource.TestCheckResourceAttr(address, "images.4.target", "registry.corp:5000/mirror/team/tool@"+testDigest),
				resource.TestCheckResourceAttr(address, "sources", strings.Join([]string{
					"rancher/fleet:" + testenv.DefaultFleetVersion, "rancher/fleet-agent:" + testenv.DefaultFleetVersion,
					"nginx:1.27", "ghcr.io/org/app:1.0", "quay.io/team/tool@" + testDigest}, "\n")+"\n"),
				resource.TestCheckResourceAttrWith(address, "mapping", func(v string) error {
					lines := strings.Split(strings.TrimSuffix(v, "\n"), "\n")
					want := "ghcr.io/org/app:1.0 registry.corp:5000/mirror/org/app:1.0"
					if len(lines) != 5 || lines[3] != want {
						return fmt.Errorf("mapping line 4 should be %q, got:\n%s", want, v)
					}
					return nil
				}),
			),
		}},
	})
}

// TestImagesDataSourceInvalid checks the offline diagnostics.
func TestImagesDataSourceInvalid(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"version":   {`fleet_version = "0.16"` + "\n" + `image_prefix = "r.corp"`, `(?s)fleet_version.*must be a Fleet release tag`},
		"prefix":    {`fleet_version = "v0.16.0"` + "\n" + `image_prefix = "https://r.corp"`, `(?s)Invalid registry server.*must not include a scheme`},
		"image":     {`fleet_version = "v0.16.0"` + "\n" + `image_prefix = "r.corp"` + "\n" + `extra_images = ["Nginx:1"]`, `(?s)Invalid image reference.*extra_images = \["Nginx:1"\].*"Nginx" must be lowercase`},
		"collision": {`fleet_version = "v0.16.0"` + "\n" + `image_prefix = "r.corp"` + "\n" + `extra_images = ["ghcr.io/org/app:1", "quay.io/org/app:1"]`, `(?s)Two images share a mirror target.*ghcr.io/org/app:1 and quay.io/org/app:1 would both be mirrored as\s+r.corp/org/app:1`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "data \"fleet_images\" \"bad\" {\n" + tc.body + "\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccCompatFleetImagesMatchCharts compares the image table's entry for
// the Fleet release the environment runs with every image repository its
// charts name, so a new release whose charts pull another image fails here.
// Part of the compatibility suite: it runs against every release.
func TestAccCompatFleetImagesMatchCharts(t *testing.T) {
	acctest.PreCheck(t)
	var repositories []string
	for _, chart := range []string{"fleet", "fleet-agent"} {
		data, err := os.ReadFile(filepath.Join(acctest.Env.ChartsDir(), chart, "values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var values map[string]any
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Fatal(err)
		}
		repositories = append(repositories, imageRepositories(values)...)
	}
	slices.Sort(repositories)
	repositories = slices.Compact(repositories)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + fmt.Sprintf("data \"fleet_images\" \"fleet\" {\n  fleet_version = %q\n  image_prefix = \"r.corp\"\n}\n", acctest.Env.Fleet.Version),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources["data.fleet_images.fleet"].Primary.Attributes
				var listed []string
				for _, line := range strings.Fields(attrs["sources"]) {
					repo, tag, _ := strings.Cut(line, ":")
					if tag == "" {
						return fmt.Errorf("source %q has no tag", line)
					}
					listed = append(listed, repo)
				}
				slices.Sort(listed)
				if !slices.Equal(listed, repositories) {
					return fmt.Errorf("the charts of Fleet %s name the images %v, the table lists %v", acctest.Env.Fleet.Version, repositories, listed)
				}
				return nil
			},
		}},
	})
}

// imageRepositories collects every `repository` value of image settings in
// Helm values.
func imageRepositories(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if repo, ok := v["repository"].(string); ok {
			out = append(out, repo)
		}
		for _, child := range v {
			out = append(out, imageRepositories(child)...)
		}
	case []any:
		for _, child := range v {
			out = append(out, imageRepositories(child)...)
		}
	}
	return out
}
