package agent_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// agentOfflineConfig is a fleet_agent whose body lines replace the defaults
// of the same attribute. Nothing listens on either cluster's address.
func agentOfflineConfig(lines ...string) string {
	attrs := map[string]string{
		"cluster":    `"fleet-default/edge"`,
		"kubernetes": `{ host = "https://127.0.0.1:2", token = "t" }`,
		"chart":      `{ path = "/charts/fleet-agent" }`,
	}
	var extra []string
	for _, l := range lines {
		name, value, _ := strings.Cut(l, "=")
		if _, ok := attrs[strings.TrimSpace(name)]; ok {
			attrs[strings.TrimSpace(name)] = value
			continue
		}
		extra = append(extra, l)
	}
	return acctest.OfflineProvider + `resource "fleet_agent" "edge" {
  cluster    = ` + attrs["cluster"] + `
  kubernetes = ` + attrs["kubernetes"] + `
  chart      = ` + attrs["chart"] + `
  ` + strings.Join(extra, "\n  ") + `
}
`
}

// TestPlanAgentWithoutCluster: planning a new fleet_agent needs neither the
// management cluster nor the downstream cluster.
func TestPlanAgentWithoutCluster(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: agentOfflineConfig(
				`kubernetes = { kubeconfig_wo = file("testdata/downstream.kubeconfig"), kubeconfig_wo_version = 1 }`,
				`agent_proxy = { https_proxy = "http://proxy.corp:3128", no_proxy = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local" }`,
				`values = yamlencode({ agent = { replicas = 2 } })`,
				`image_pull_secret = { server = "registry.corp:5000", username = "u", password_wo = "p", password_wo_version = 1 }`,
				`chart = { repository = "oci://registry.corp:5000/charts", version = "0.16.0", ca_bundle = file("testdata/ca.pem"), username = "u", password_wo = "p", password_wo_version = 1 }`,
			),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestInvalidAgentInput: bad input fails at plan time, offline, with a
// diagnostic naming the attribute.
func TestInvalidAgentInput(t *testing.T) {
	cases := map[string]struct {
		lines []string
		want  []string // acctest.Fragments of the error, in order
	}{
		"proxy url": {[]string{`agent_proxy = { https_proxy = "proxy.corp:3128" }`},
			[]string{"Invalid proxy URL", "Attribute agent_proxy.https_proxy: the proxy URL has no scheme"}},
		"proxy path": {[]string{`agent_proxy = { http_proxy = "http://proxy.corp:3128/path" }`},
			[]string{"Attribute agent_proxy.http_proxy: the proxy URL must not have a path"}},
		"no_proxy entry": {[]string{`agent_proxy = { https_proxy = "http://proxy.corp:3128", no_proxy = "10.0.0.0/33,.svc" }`},
			[]string{"Invalid NO_PROXY list", `Attribute agent_proxy.no_proxy: entry 1 of the NO_PROXY list: "10.0.0.0/33" is not a valid CIDR`}},
		"token ttl days": {[]string{`registration_token_ttl = "7d"`},
			[]string{`registration_token_ttl = "7d"`, "uses days (d) or weeks (w), which Fleet rejects"}},
		"token ttl zero": {[]string{`registration_token_ttl = "0"`},
			[]string{`registration_token_ttl = "0"`, "The token the provider creates must expire"}},
		"token ttl zero seconds": {[]string{`registration_token_ttl = "0s"`},
			[]string{`registration_token_ttl = "0s"`, "The token the provider creates must expire"}},
		"token ttl too short": {[]string{`registration_token_ttl = "30s"`},
			[]string{`registration_token_ttl = "30s"`, "use at least 1m"}},
		"ttl with token": {[]string{`registration_token = "fleet-default/t"`, `registration_token_ttl = "2h"`},
			[]string{`Attribute "registration_token" cannot be specified when "registration_token_ttl" is specified`}},
		"token namespace": {[]string{`registration_token = "other/t"`},
			[]string{`registration_token = "other/t"`, "use a token in fleet-default, the cluster's namespace"}},
		"cluster ref": {[]string{`cluster = "edge"`},
			[]string{`cluster    =  "edge"`, "expected `<namespace>/<name>`, got \"edge\""}},
		"kubeconfig garbage": {[]string{`kubernetes = { kubeconfig_wo = "not: [a kubeconfig", kubeconfig_wo_version = 1 }`},
			[]string{"Invalid kubeconfig", "Attribute kubernetes.kubeconfig_wo: kubeconfig_wo: is not a valid kubeconfig"}},
		// A kubeconfig the provider keeps upstream must not run a command or
		// read a file where Terraform runs (H2).
		"kubeconfig exec": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/exec.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{"Invalid kubeconfig", "Attribute kubernetes.kubeconfig_wo:", `user "admin" runs an exec credential plugin`,
				"Use the kubernetes block's exec attribute"}},
		"kubeconfig auth provider": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/authprovider.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{"Attribute kubernetes.kubeconfig_wo:", `user "admin" uses an auth provider`}},
		"kubeconfig token file": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/tokenfile.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{"Attribute kubernetes.kubeconfig_wo:", `user "admin" reads its token from a file`}},
		"kubeconfig client cert path": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/clientcert.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{"Attribute kubernetes.kubeconfig_wo:", `user "admin" reads its client certificate or key from a file`}},
		"kubeconfig CA path": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/cafile.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{"Attribute kubernetes.kubeconfig_wo:", `cluster "edge" reads its CA from a file`}},
		"kubeconfig no version": {[]string{`kubernetes = { kubeconfig_wo = file("testdata/downstream.kubeconfig") }`},
			[]string{`Attribute "kubernetes.kubeconfig_wo_version" must be specified when "kubernetes.kubeconfig_wo" is specified`}},
		"kubeconfig and path": {[]string{`kubernetes = { config_path = "/k", kubeconfig_wo = file("testdata/downstream.kubeconfig"), kubeconfig_wo_version = 1 }`},
			[]string{`Attribute "kubernetes.config_path" cannot be specified when "kubernetes.kubeconfig_wo" is specified`}},
		"bad host": {[]string{`kubernetes = { host = "ftp://x" }`},
			[]string{`Attribute kubernetes.host: The value uses unsupported scheme "ftp"`}},
		"two sources": {[]string{`chart = { path = "/c", repository = "https://charts.example.com" }`},
			[]string{"Conflicting chart sources", "Set chart.repository or chart.path, not both."}},
		"no source": {[]string{`chart = { version = "0.16.0" }`},
			[]string{"Missing chart source", "Set chart.repository or chart.path."}},
		"repository scheme": {[]string{`chart = { repository = "ftp://charts.example.com" }`},
			[]string{"Attribute chart.repository:", "is neither an http(s):// chart repository URL nor an oci:// registry path"}},
		"chart ca_bundle": {[]string{`chart = { repository = "oci://registry.corp/charts", ca_bundle = "not a certificate" }`},
			[]string{"Attribute chart.ca_bundle:"}},
		"chart username alone": {[]string{`chart = { repository = "oci://registry.corp/charts", username = "u" }`},
			[]string{`Attribute "chart.password_wo" must be specified when "chart.username" is specified`}},
		"chart password no version": {[]string{`chart = { repository = "oci://registry.corp/charts", username = "u", password_wo = "p" }`},
			[]string{`Attribute "chart.password_wo_version" must be specified when "chart.password_wo" is specified`}},
		"chart password no username": {[]string{`chart = { repository = "oci://registry.corp/charts", password_wo = "p", password_wo_version = 1 }`},
			[]string{`Attribute "chart.username" must be specified when "chart.password_wo" is specified`}},
		"chart version alone": {[]string{`chart = { repository = "oci://registry.corp/charts", password_wo_version = 1 }`},
			[]string{`Attribute "chart.password_wo" must be specified when "chart.password_wo_version" is specified`}},
		"chart insecure and ca": {[]string{`chart = { repository = "https://charts.corp", insecure_skip_tls_verify = true, ca_bundle = file("testdata/ca.pem") }`},
			[]string{`Attribute "chart.ca_bundle" cannot be specified when "chart.insecure_skip_tls_verify" is specified`}},
		"chart credentials for a path": {[]string{`chart = { path = "/c", username = "u", password_wo = "p", password_wo_version = 1 }`},
			[]string{`Attribute "chart.path" cannot be specified when "chart.username" is specified`}},
		"values token": {[]string{`values = yamlencode({ token = "x" })`},
			[]string{"Chart value set twice", "token is set by the resource"}},
		"values registry": {[]string{`values = yamlencode({ global = { cattle = { systemDefaultRegistry = "r" } } })`},
			[]string{"global.cattle.systemDefaultRegistry is set by the resource"}},
		"values registry parent": {[]string{`values = yamlencode({ global = { cattle = "plain" } })`},
			[]string{"Invalid chart values", "global.cattle must be a mapping: the resource sets global.cattle.systemDefaultRegistry inside it"}},
		"values list": {[]string{`values = "[1, 2]"`},
			[]string{`values = "[1, 2]"`, "the values must be an object"}},
		"tls mode": {[]string{`agent_tls_mode = "lenient"`},
			[]string{`agent_tls_mode = "lenient"`, `value must be one of: ["system-store" "strict"]`}},
		"api url": {[]string{`api_server_url = "rancher.example.com"`},
			[]string{`api_server_url = "rancher.example.com"`, "is not an absolute http(s) URL"}},
		"api ca": {[]string{`api_server_ca = "not a certificate"`},
			[]string{`api_server_ca = "not a certificate"`}},
		"registry": {[]string{`system_default_registry = "https://registry.corp"`},
			[]string{`system_default_registry = "https://registry.corp"`}},
		"pull secret version": {[]string{`image_pull_secret = { server = "registry.corp", username = "u", password_wo = "p" }`},
			[]string{`attribute "password_wo_version" is required`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      agentOfflineConfig(tc.lines...),
					PlanOnly:    true,
					ExpectError: acctest.Fragments(tc.want...),
				}},
			})
		})
	}
}
