package workloads_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestInvalidGitRepoInput checks that bad input fails at plan time, offline,
// with a diagnostic naming the attribute.
func TestInvalidGitRepoInput(t *testing.T) {
	const repo = `repo = "https://git.example.com/apps.git"` + "\n"
	cases := map[string]struct{ body, want string }{
		"repo url":         {`repo = "ftp://example.com/x"`, `(?s)repo = "ftp://example.com/x".*scheme "ftp" is not supported`},
		"branch+revision":  {repo + `branch = "main"` + "\n" + `revision = "v1"`, `(?s)Invalid Attribute Combination.*"revision"`},
		"polling days":     {repo + `polling_interval = "1d"`, `(?s)polling_interval = "1d".*days \(d\) or weeks \(w\)`},
		"scan interval":    {repo + `image_scan_interval = "soon"`, `(?s)image_scan_interval.*not a valid duration`},
		"ca bundle":        {repo + `ca_bundle = "not a certificate"`, `(?s)ca_bundle = "not a certificate"`},
		"selector op":      {repo + `targets = [{ cluster_selector = { match_expressions = [{ key = "env", operator = "Equals", values = ["a"] }] } }]`, `(?s)Attribute targets\[0\]\.cluster_selector\.match_expressions\[0\]\.operator:\s+operator\s+"Equals"\s+is\s+not\s+supported`},
		"empty target":     {repo + `targets = [{ name = "nothing" }]`, `(?s)Attribute targets\[0\]: at least one of cluster_name`},
		"cluster name":     {repo + `targets = [{ cluster_name = "Not_A_Name" }]`, `(?s)Attribute targets\[0\].cluster_name: "Not_A_Name"`},
		"label value":      {repo + `targets = [{ cluster_selector = { match_labels = { env = "bad value!" } } }]`, `(?s)Attribute targets\[0\]\.cluster_selector\.match_labels\["env"\]:\s+Value\s+of\s+key\s+"env":\s+"bad value!"\s+is\s+not\s+a\s+valid\s+label\s+value`},
		"empty paths":      {repo + `paths = []`, `(?s)Attribute paths list must contain at least 1 elements`},
		"namespace":        {repo + `target_namespace = "Bad_NS"`, `(?s)target_namespace = "Bad_NS"`},
		"secret conflict":  {repo + `client_secret_name = "mine"` + "\n" + `git_credentials = { username = "u", password_wo = "p" }`, `(?s)Invalid Attribute Combination.*git_credentials`},
		"two credentials":  {repo + `git_credentials = { username = "u", password_wo = "p", ssh_private_key_wo = "x" }`, `(?s)git_credentials.*(ssh_private_key_wo|password_wo)`},
		"no credential":    {repo + `git_credentials = { known_hosts = "h" }`, `(?s)git_credentials.*Invalid Attribute Combination`},
		"password no user": {repo + `git_credentials = { password_wo = "p" }`, `(?s)"git_credentials.username" must be specified when\s+"git_credentials.password_wo"`},
		"ssh key pem":      {repo + `git_credentials = { ssh_private_key_wo = "not pem" }`, `(?s)Attribute git_credentials.ssh_private_key_wo: the value must start with a PEM`},
		"password no version": {repo + `git_credentials = { username = "u", password_wo = "p" }`,
			`(?s)"git_credentials.credentials_wo_version"\s+must\s+be\s+specified\s+when\s+"git_credentials.password_wo"`},
		"ssh key no version": {repo + `git_credentials = { ssh_private_key_wo = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n" }`,
			`(?s)"git_credentials.credentials_wo_version"\s+must\s+be\s+specified\s+when\s+"git_credentials.ssh_private_key_wo"`},
		"helm password no version": {repo + `helm_credentials = { username = "u", password_wo = "p" }`,
			`(?s)"helm_credentials.credentials_wo_version"\s+must\s+be\s+specified\s+when\s+"helm_credentials.password_wo"`},
		"bundle base":  {repo + `bundles = [{ options = "x.yaml" }]`, `(?s)attribute "base" is\s+required`},
		"negative gen": {repo + `force_sync_generation = -1`, `(?s)force_sync_generation.*at least 0`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.OfflineProvider + "resource \"fleet_gitrepo\" \"bad\" {\nname = \"apps\"\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestGitRepoPlanOffline plans a full GitRepo without a cluster.
func TestGitRepoPlanOffline(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.OfflineProvider + `
resource "fleet_gitrepo" "offline" {
  name             = "apps"
  repo             = "git@github.com:example/apps.git"
  branch           = "main"
  polling_interval = "1h30m"
  git_credentials  = { ssh_private_key_wo = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", credentials_wo_version = 1 }
  targets          = [{ cluster_group = "prod" }]
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
