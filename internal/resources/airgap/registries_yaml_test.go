package airgap_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/airgap"
)

// k3sRegistries is the registries.yaml structure as K3s' "Private Registry
// Configuration" documents it, written here independently of the provider's
// types: mirrors.<registry>.{endpoint,rewrite} and
// configs.<host>.{auth.{username,password,auth,identity_token},
// tls.{ca_file,cert_file,key_file,insecure_skip_verify}}.
type k3sRegistries struct {
	Mirrors map[string]struct {
		Endpoint []string          `json:"endpoint"`
		Rewrite  map[string]string `json:"rewrite"`
	} `json:"mirrors"`
	Configs map[string]struct {
		Auth *struct {
			Username      string `json:"username"`
			Password      string `json:"password"`
			Auth          string `json:"auth"`
			IdentityToken string `json:"identity_token"`
		} `json:"auth"`
		TLS *struct {
			CAFile             string `json:"ca_file"`
			CertFile           string `json:"cert_file"`
			KeyFile            string `json:"key_file"`
			InsecureSkipVerify bool   `json:"insecure_skip_verify"`
		} `json:"tls"`
	} `json:"configs"`
}

// TestRegistriesYAML renders two registries offline and reads the file back
// strictly (no key K3s does not document).
func TestRegistriesYAML(t *testing.T) {
	const address = "data.fleet_registries_yaml.nodes"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + `
data "fleet_registries_yaml" "nodes" {
  registries = [
    {
      server   = "registry.corp:5000/mirror"
      mirrors  = ["docker.io", "ghcr.io"]
      username = "puller"
      password = "s3cret"
      ca_file  = "/etc/rancher/k3s/registry-ca.pem"
    },
    {
      server                   = "backup.corp"
      mirrors                  = ["registry.k8s.io"]
      insecure_skip_tls_verify = true
      rewrite                  = { "^pause:(.*)" = "k8s/pause:$1" }
    },
  ]
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					content := s.RootModule().Resources[address].Primary.Attributes["content"]
					var got k3sRegistries
					if err := yaml.UnmarshalStrict([]byte(content), &got); err != nil {
						return fmt.Errorf("content is not the documented registries.yaml: %v\n%s", err, content)
					}
					var want k3sRegistries
					if err := yaml.UnmarshalStrict([]byte(`
mirrors:
  docker.io:
    endpoint: ["https://registry.corp:5000"]
    rewrite: {"^(.*)$": "mirror/$1"}
  ghcr.io:
    endpoint: ["https://registry.corp:5000"]
    rewrite: {"^(.*)$": "mirror/$1"}
  registry.k8s.io:
    endpoint: ["https://backup.corp"]
    rewrite: {"^pause:(.*)": "k8s/pause:$1"}
configs:
  registry.corp:5000:
    auth: {username: puller, password: s3cret}
    tls: {ca_file: /etc/rancher/k3s/registry-ca.pem}
  backup.corp:
    tls: {insecure_skip_verify: true}
`), &want); err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						return fmt.Errorf("registries.yaml differs:\n%s", content)
					}
					return nil
				},
			),
		}},
	})
}

// TestRegistriesYAMLSensitive checks that content, which carries passwords,
// is sensitive, so plans and outputs never show it.
func TestRegistriesYAMLSensitive(t *testing.T) {
	var resp datasource.SchemaResponse
	airgap.NewRegistriesYAMLDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if !resp.Schema.Attributes["content"].IsSensitive() {
		t.Fatal("content must be sensitive")
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + `
data "fleet_registries_yaml" "nodes" {
  registries = [{ server = "r.corp", username = "u", password = "p" }]
}
output "file" { value = data.fleet_registries_yaml.nodes.content }
`,
			ExpectError: regexp.MustCompile(`(?s)Output refers to sensitive values`),
		}},
	})
}

func TestRegistriesYAMLInvalid(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"mirror path":   {`{ server = "r.corp", mirrors = ["ghcr.io/org"] }`, `(?s)Invalid mirrored registry.*without a path`},
		"ca path":       {`{ server = "r.corp", ca_file = "ca.pem" }`, `(?s)Invalid file path.*not an absolute path`},
		"rewrite":       {`{ server = "r.corp", mirrors = ["docker.io"], rewrite = { "(" = "x" } }`, `(?s)Invalid regular expression`},
		"password":      {`{ server = "r.corp", password = "p" }`, `(?s)Invalid Attribute Combination.*username`},
		"server":        {`{ server = "r.corp:99999" }`, `(?s)Invalid registry server.*out of range`},
		"twice":         {`{ server = "r.corp" }, { server = "r.corp/x" }`, `(?s)Registry listed twice`},
		"rewrite clash": {`{ server = "a.corp/x", mirrors = ["docker.io"] }, { server = "b.corp", mirrors = ["docker.io"] }`, `(?s)Conflicting rewrites`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "data \"fleet_registries_yaml\" \"bad\" {\n  registries = [" + tc.body + "]\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
