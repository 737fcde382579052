package kube

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// testPKI is a self-signed certificate usable both as CA and client cert.
type testPKI struct {
	certPEM, keyPEM string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	}
}

// kubeconfigYAML renders a kubeconfig with one cluster, user and context
// per entry of contexts (name -> server, token); current is the
// current-context.
func kubeconfigYAML(current string, contexts ...[3]string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\n")
	if current != "" {
		fmt.Fprintf(&b, "current-context: %s\n", current)
	}
	b.WriteString("clusters:\n")
	for _, c := range contexts {
		fmt.Fprintf(&b, "- name: %s\n  cluster:\n    server: %s\n", c[0], c[1])
	}
	b.WriteString("users:\n")
	for _, c := range contexts {
		fmt.Fprintf(&b, "- name: %s\n  user:\n    token: %s\n", c[0], c[2])
	}
	b.WriteString("contexts:\n")
	for _, c := range contexts {
		fmt.Fprintf(&b, "- name: %s\n  context:\n    cluster: %s\n    user: %s\n", c[0], c[0], c[0])
	}
	return b.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRESTConfig(t *testing.T, c Config) (host, token string) {
	t.Helper()
	rc, err := c.RESTConfig()
	if err != nil {
		t.Fatalf("RESTConfig: %v", err)
	}
	return rc.Host, rc.BearerToken
}

func wantErr(t *testing.T, err error, setting string, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error about %s, got none", setting)
	}
	var se *SettingError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is a %T, not a *SettingError", err, err)
	}
	if se.Setting != setting {
		t.Errorf("error %q names setting %q, want %q", err, se.Setting, setting)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestRESTConfig_ConfigPathAndContext(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config", kubeconfigYAML("alpha",
		[3]string{"alpha", "https://alpha.example:6443", "token-alpha"},
		[3]string{"beta", "https://beta.example:6443", "token-beta"},
	))

	host, token := mustRESTConfig(t, Config{ConfigPath: path})
	if host != "https://alpha.example:6443" || token != "token-alpha" {
		t.Errorf("current context: got %s/%s", host, token)
	}

	host, token = mustRESTConfig(t, Config{ConfigPath: path, ConfigContext: "beta"})
	if host != "https://beta.example:6443" || token != "token-beta" {
		t.Errorf("context beta: got %s/%s", host, token)
	}

	_, err := Config{ConfigPath: path, ConfigContext: "gamma"}.RESTConfig()
	wantErr(t, err, "config_context", `"gamma" does not exist`)
}

func TestRESTConfig_ConfigPathHomeExpansion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, home, "kc", kubeconfigYAML("a", [3]string{"a", "https://a.example", "t"}))

	host, _ := mustRESTConfig(t, Config{ConfigPath: "~/kc"})
	if host != "https://a.example" {
		t.Errorf("host = %q", host)
	}
}

func TestRESTConfig_ConfigPathMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := Config{ConfigPath: missing}.RESTConfig()
	wantErr(t, err, "config_path", missing, "does not exist")
}

func TestRESTConfig_ConfigPathsMerge(t *testing.T) {
	dir := t.TempDir()
	first := writeFile(t, dir, "first", kubeconfigYAML("one",
		[3]string{"one", "https://one.example", "token-one"},
		[3]string{"shared", "https://shared-first.example", "token-shared-first"},
	))
	second := writeFile(t, dir, "second", kubeconfigYAML("two",
		[3]string{"two", "https://two.example", "token-two"},
		[3]string{"shared", "https://shared-second.example", "token-shared-second"},
	))
	missing := filepath.Join(dir, "missing")

	paths := []string{first, missing, second}

	// The first file's current-context wins.
	host, token := mustRESTConfig(t, Config{ConfigPaths: paths})
	if host != "https://one.example" || token != "token-one" {
		t.Errorf("merged current context: got %s/%s", host, token)
	}
	// Contexts of later files are available.
	host, token = mustRESTConfig(t, Config{ConfigPaths: paths, ConfigContext: "two"})
	if host != "https://two.example" || token != "token-two" {
		t.Errorf("context two: got %s/%s", host, token)
	}
	// On conflicts, the first file wins.
	host, _ = mustRESTConfig(t, Config{ConfigPaths: paths, ConfigContext: "shared"})
	if host != "https://shared-first.example" {
		t.Errorf("shared context: got %s", host)
	}
	// Reversed order: the second file wins.
	host, _ = mustRESTConfig(t, Config{ConfigPaths: []string{second, first}})
	if host != "https://two.example" {
		t.Errorf("reversed: got %s", host)
	}
	// config_path goes in front of config_paths.
	host, _ = mustRESTConfig(t, Config{ConfigPath: second, ConfigPaths: []string{first}})
	if host != "https://two.example" {
		t.Errorf("config_path first: got %s", host)
	}

	_, err := Config{ConfigPaths: []string{missing}}.RESTConfig()
	wantErr(t, err, "config_paths", "none of the kubeconfig files exist")
}

func TestRESTConfig_InvalidKubeconfigFile(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good", kubeconfigYAML("a", [3]string{"a", "https://a.example", "t"}))
	bad := writeFile(t, dir, "bad", "clusters: [\n  token: very-secret-token-value\n")

	_, err := Config{ConfigPaths: []string{good, bad}}.RESTConfig()
	wantErr(t, err, "config_paths", bad)
	if strings.Contains(err.Error(), "very-secret-token-value") {
		t.Errorf("error leaks file content: %v", err)
	}

	_, err = Config{ConfigPath: bad}.RESTConfig()
	wantErr(t, err, "config_path", bad)
}

func TestRESTConfig_ExplicitOverrides(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", pki.certPEM)
	path := writeFile(t, dir, "config", fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: ctx
clusters:
- name: c
  cluster:
    server: https://from-file.example:6443
    certificate-authority: %s
    tls-server-name: from-file.example
users:
- name: u
  user:
    token: file-token
    client-certificate: %s
    client-key: %s
contexts:
- name: ctx
  context:
    cluster: c
    user: u
`, caFile, caFile, caFile))

	rc, err := Config{
		ConfigPath:        path,
		Host:              "override.example:8443",
		Token:             "override-token",
		Insecure:          true,
		TLSServerName:     "tls.example",
		ProxyURL:          "socks5://proxy.example:1080",
		ClientCertificate: pki.certPEM,
		ClientKey:         pki.keyPEM,
	}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://override.example:8443" {
		t.Errorf("Host = %q", rc.Host)
	}
	if rc.BearerToken != "override-token" {
		t.Errorf("BearerToken = %q", rc.BearerToken)
	}
	if !rc.Insecure || rc.CAFile != "" || len(rc.CAData) != 0 {
		t.Errorf("Insecure = %v, CAFile = %q, CAData = %d bytes; want insecure without CA", rc.Insecure, rc.CAFile, len(rc.CAData))
	}
	if rc.ServerName != "tls.example" {
		t.Errorf("ServerName = %q", rc.ServerName)
	}
	if string(rc.CertData) != pki.certPEM || rc.CertFile != "" {
		t.Errorf("client certificate not overridden: CertFile = %q", rc.CertFile)
	}
	if string(rc.KeyData) != pki.keyPEM || rc.KeyFile != "" {
		t.Errorf("client key not overridden: KeyFile = %q", rc.KeyFile)
	}
	if rc.Proxy == nil {
		t.Fatal("Proxy not set")
	}
	req, _ := http.NewRequest(http.MethodGet, rc.Host, nil)
	u, err := rc.Proxy(req)
	if err != nil || u == nil || u.String() != "socks5://proxy.example:1080" {
		t.Errorf("Proxy(req) = %v, %v", u, err)
	}

	// Only the host overridden: the kubeconfig's credentials stay, the
	// kubeconfig's tls-server-name is dropped (it belongs to its server).
	rc, err = Config{ConfigPath: path, Host: "https://other.example"}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://other.example" || rc.BearerToken != "file-token" || rc.ServerName != "" {
		t.Errorf("host override: Host=%q token=%q ServerName=%q", rc.Host, rc.BearerToken, rc.ServerName)
	}
	if rc.CAFile != caFile {
		t.Errorf("CAFile = %q, want %q", rc.CAFile, caFile)
	}

	// An explicit CA replaces the kubeconfig's CA file.
	rc, err = Config{ConfigPath: path, ClusterCACertificate: pki.certPEM}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if string(rc.CAData) != pki.certPEM || rc.CAFile != "" {
		t.Errorf("CA override: CAFile=%q CAData=%d bytes", rc.CAFile, len(rc.CAData))
	}
}

func TestRESTConfig_HostOnly(t *testing.T) {
	pki := newTestPKI(t)
	rc, err := Config{
		Host:                 "127.0.0.1:6443",
		ClusterCACertificate: pki.certPEM,
		ClientCertificate:    pki.certPEM,
		ClientKey:            pki.keyPEM,
	}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://127.0.0.1:6443" {
		t.Errorf("Host = %q", rc.Host)
	}
	if string(rc.CAData) != pki.certPEM || string(rc.CertData) != pki.certPEM || string(rc.KeyData) != pki.keyPEM {
		t.Error("certificates not applied")
	}

	// A path (e.g. Rancher's cluster proxy) is preserved.
	rc, err = Config{Host: "https://rancher.example/k8s/clusters/c-abc", Token: "t"}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://rancher.example/k8s/clusters/c-abc" {
		t.Errorf("Host = %q", rc.Host)
	}
}

func TestRESTConfig_RawKubeconfig(t *testing.T) {
	raw := kubeconfigYAML("cx",
		[3]string{"cx", "https://x.example", "token-x"},
		[3]string{"cy", "https://y.example", "token-y"},
	)
	host, token := mustRESTConfig(t, Config{Kubeconfig: raw})
	if host != "https://x.example" || token != "token-x" {
		t.Errorf("got %s/%s", host, token)
	}
	host, token = mustRESTConfig(t, Config{Kubeconfig: raw, ConfigContext: "cy", Token: "explicit"})
	if host != "https://y.example" || token != "explicit" {
		t.Errorf("got %s/%s", host, token)
	}

	_, err := Config{Kubeconfig: raw, ConfigPath: "/some/file"}.RESTConfig()
	wantErr(t, err, "kubeconfig_wo", "config_path")
}

func TestRESTConfig_NotConfigured(t *testing.T) {
	_, err := Config{}.RESTConfig()
	if err == nil || !strings.Contains(err.Error(), "no cluster connection configured: set config_path, config_paths, host") {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, ErrNotConfigured) {
		t.Errorf("errors.Is(%v, ErrNotConfigured) = false", err)
	}
	// A kubeconfig without any cluster is not enough either.
	_, err = Config{Kubeconfig: "apiVersion: v1\nkind: Config\n"}.RESTConfig()
	wantErr(t, err, "kubeconfig_wo", "no usable cluster")

	_, err = Config{Token: "abc", ConfigContext: "x"}.RESTConfig()
	wantErr(t, err, "config_context")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		setting string
	}{
		{"bad proxy scheme", Config{Host: "h", ProxyURL: "ftp://proxy.example"}, "proxy_url"},
		{"relative proxy", Config{Host: "h", ProxyURL: "proxy.example:3128"}, "proxy_url"},
		{"unparsable proxy", Config{Host: "h", ProxyURL: "http://[::1"}, "proxy_url"},
		{"proxy without host", Config{Host: "h", ProxyURL: "http://"}, "proxy_url"},
		{"bad host scheme", Config{Host: "ftp://h.example"}, "host"},
		{"unparsable host", Config{Host: "https://[::1"}, "host"},
		{"host with credentials", Config{Host: "https://user:pw@h.example"}, "host"},
		{"insecure with ca", Config{Host: "h", Insecure: true, ClusterCACertificate: "pem"}, "insecure"},
		{"cert without key", Config{Host: "h", ClientCertificate: "pem"}, "client_key"},
		{"key without cert", Config{Host: "h", ClientKey: "pem"}, "client_certificate"},
		{"exec without command", Config{Host: "h", Exec: &ExecConfig{APIVersion: execAPIVersions[0]}}, "exec.command"},
		{"exec bad version", Config{Host: "h", Exec: &ExecConfig{APIVersion: "v1", Command: "x"}}, "exec.api_version"},
		{"empty config_paths entry", Config{ConfigPaths: []string{""}}, "config_paths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.cfg.Validate(), tt.setting)
			// RESTConfig reports the same problem.
			_, err := tt.cfg.RESTConfig()
			wantErr(t, err, tt.setting)
		})
	}

	for _, ok := range []Config{
		{},
		{Host: "h.example", ProxyURL: "http://proxy:3128"},
		{Host: "http://h.example:8080", ProxyURL: "https://proxy"},
		{ConfigPath: "/x", ClientKey: "only-key-in-addition-to-kubeconfig"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", ok, err)
		}
	}
}

func TestErrorsDoNotLeakSecrets(t *testing.T) {
	const token = "tok-3f9a1c7e5b2d4a6f8e0c"
	const proxyPassword = "pr0xy-pa55w0rd-value"
	const key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKeysecretmaterialxyz\n-----END EC PRIVATE KEY-----\n"

	dir := t.TempDir()
	badFile := writeFile(t, dir, "bad", "users:\n- name: u\n  user:\n    token: "+token+"\n  oops: [\n")
	typeMismatch := writeFile(t, dir, "mismatch", "apiVersion: v1\nkind: Config\nclusters: \""+token+"\"\n")

	configs := map[string]Config{
		"missing file":            {ConfigPath: filepath.Join(dir, "missing"), Token: token, ClientKey: key},
		"bad proxy":               {Host: "h", Token: token, ProxyURL: "ftp://user:" + proxyPassword + "@proxy"},
		"bad proxy parse":         {Host: "h", Token: token, ProxyURL: "http://user:" + proxyPassword + "@[::1"},
		"bad host":                {Host: "https://user:" + proxyPassword + "@h", Token: token},
		"syntax error in file":    {ConfigPath: badFile},
		"type mismatch in file":   {ConfigPath: typeMismatch},
		"type mismatch raw":       {Kubeconfig: "apiVersion: v1\nkind: Config\nclusters: \"" + token + "\"\n"},
		"syntax error raw":        {Kubeconfig: "users:\n- name: u\n  user:\n    token: " + token + "\n  oops: [\n"},
		"raw with unknown ctx":    {Kubeconfig: kubeconfigYAML("a", [3]string{"a", "https://a", token}), ConfigContext: "b"},
		"bad client key for host": {Host: "h", Token: token, ClientKey: key, ClientCertificate: "x", Insecure: true, ClusterCACertificate: "y"},
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			_, err := cfg.RESTConfig()
			if err == nil {
				t.Fatal("expected an error")
			}
			msg := err.Error()
			for _, secret := range []string{token, proxyPassword, "Keysecretmaterial"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error leaks a secret: %s", msg)
				}
			}
		})
	}
}

// TestRESTConfig_RateLimitsAndUserAgent: without qps, the clients do not
// throttle themselves (the API server's priority and fairness does, and
// client-go waits out its 429 answers); with qps and burst, they throttle to
// those; burst defaults to qps, rounded up.
func TestRESTConfig_RateLimitsAndUserAgent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		qps       float64
		burst     int
		wantLimit bool
		wantQPS   float32
		wantBurst int
	}{
		{name: "default", wantLimit: false},
		{name: "qps and burst", qps: 5, burst: 20, wantLimit: true, wantQPS: 5, wantBurst: 20},
		{name: "qps alone", qps: 2.5, wantLimit: true, wantQPS: 2.5, wantBurst: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := Config{Host: "https://h.example", Token: "t", QPS: tc.qps, Burst: tc.burst}.RESTConfig()
			if err != nil {
				t.Fatal(err)
			}
			client, err := kubernetes.NewForConfig(rc)
			if err != nil {
				t.Fatal(err)
			}
			limiter := client.CoreV1().RESTClient().GetRateLimiter()
			if (limiter != nil) != tc.wantLimit {
				t.Fatalf("client-side rate limiter: %v, want one: %v", limiter, tc.wantLimit)
			}
			if tc.wantLimit && (limiter.QPS() != tc.wantQPS || rc.Burst != tc.wantBurst) {
				t.Errorf("QPS/Burst = %v/%v, want %v/%v", limiter.QPS(), rc.Burst, tc.wantQPS, tc.wantBurst)
			}
			if rc.UserAgent != "terraform-provider-fleet" {
				t.Errorf("UserAgent = %q", rc.UserAgent)
			}
		})
	}
}

func TestRESTConfig_Exec(t *testing.T) {
	rc, err := Config{
		Host: "https://h.example",
		Exec: &ExecConfig{
			APIVersion: "client.authentication.k8s.io/v1",
			Command:    "get-token",
			Args:       []string{"--cluster", "c1"},
			Env:        map[string]string{"B": "2", "A": "1"},
		},
	}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	e := rc.ExecProvider
	if e == nil {
		t.Fatal("ExecProvider not set")
	}
	if e.APIVersion != "client.authentication.k8s.io/v1" || e.Command != "get-token" || strings.Join(e.Args, " ") != "--cluster c1" {
		t.Errorf("exec = %+v", e)
	}
	if e.InteractiveMode != clientcmdapi.NeverExecInteractiveMode {
		t.Errorf("InteractiveMode = %q", e.InteractiveMode)
	}
	if len(e.Env) != 2 || e.Env[0] != (clientcmdapi.ExecEnvVar{Name: "A", Value: "1"}) || e.Env[1].Name != "B" {
		t.Errorf("Env = %+v", e.Env)
	}

	// An explicit exec replaces the kubeconfig user's token-less auth; an
	// explicit token replaces a kubeconfig exec plugin.
	raw := `apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster:
    server: https://c.example
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubeconfig-plugin
contexts:
- name: c
  context: {cluster: c, user: u}
`
	rc, err = Config{Kubeconfig: raw}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.ExecProvider == nil || rc.ExecProvider.Command != "kubeconfig-plugin" {
		t.Fatalf("kubeconfig exec not loaded: %+v", rc.ExecProvider)
	}
	rc, err = Config{Kubeconfig: raw, Exec: &ExecConfig{APIVersion: "client.authentication.k8s.io/v1", Command: "mine"}}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.ExecProvider.Command != "mine" {
		t.Errorf("exec not overridden: %+v", rc.ExecProvider)
	}
	rc, err = Config{Kubeconfig: raw, Token: "tok"}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.ExecProvider != nil || rc.BearerToken != "tok" {
		t.Errorf("token did not replace exec: %+v", rc.ExecProvider)
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"h.example":                   "https://h.example",
		"h.example:6443":              "https://h.example:6443",
		"10.0.0.1:6443":               "https://10.0.0.1:6443",
		"[::1]:6443":                  "https://[::1]:6443",
		"http://h.example":            "http://h.example",
		" https://h.example/path ":    "https://h.example/path",
		"https://h.example/k8s/c-abc": "https://h.example/k8s/c-abc",
	} {
		got, err := NormalizeHost(in)
		if err != nil || got != want {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://h", "https://", "https://[::1", "https://u:p@h"} {
		if _, err := NormalizeHost(bad); err == nil {
			t.Errorf("NormalizeHost(%q): expected an error", bad)
		}
	}
}

func TestScrubAndSanitize(t *testing.T) {
	got := scrubParseError(errors.New(`yaml: found "x\"y" near |secret| in ` + "`value`" + ` at line 3`))
	if got != `yaml: found [redacted] near [redacted] in [redacted] at line 3` {
		t.Errorf("scrubParseError = %q", got)
	}

	raw := "users:\n- user:\n    token: " + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	c := Config{Token: "tok-secret", Kubeconfig: raw}
	err := c.sanitize(settingErr("host", "bad tok-secret and MDEyMzQ1Njc4OWFiY2RlZg== in %q", "/a/b"))
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != "host" {
		t.Fatalf("sanitize lost the setting: %#v", err)
	}
	if got := err.Error(); got != `host: bad [redacted] and [redacted] in "/a/b"` {
		t.Errorf("sanitize = %q", got)
	}
	err = c.sanitize(fmt.Errorf("wrapped: %w", errors.New("tok-secret")))
	if got := err.Error(); got != "wrapped: [redacted]" {
		t.Errorf("sanitize = %q", got)
	}
}
