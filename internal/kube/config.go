// Package kube builds the Kubernetes REST configuration and clients used by
// every part of the provider. It is the single place that turns connection
// settings (kubeconfig files, raw kubeconfig content or explicit host and
// credentials) into a *rest.Config.
//
// Errors returned by this package name the offending setting using the
// Terraform attribute name (for example "proxy_url: ...") and never contain
// tokens, private keys or kubeconfig content.
package kube

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	// UserAgent is the User-Agent sent with every request to the cluster.
	UserAgent = "terraform-provider-fleet"
)

// Supported client.authentication.k8s.io versions for exec plugins.
var execAPIVersions = []string{
	"client.authentication.k8s.io/v1",
	"client.authentication.k8s.io/v1beta1",
}

// ExecAPIVersions returns the exec credential plugin API versions accepted in
// ExecConfig.APIVersion.
func ExecAPIVersions() []string {
	return append([]string(nil), execAPIVersions...)
}

// ExecConfig configures a client-go exec credential plugin.
type ExecConfig struct {
	APIVersion string
	Command    string
	Args       []string
	Env        map[string]string
}

// Config holds the settings for one cluster connection. The zero value is
// not usable: at least a kubeconfig (path or raw content) or a Host is
// required.
type Config struct {
	// ConfigPath is a kubeconfig file. It must exist.
	ConfigPath string
	// ConfigPaths are kubeconfig files merged like the KUBECONFIG
	// environment variable: the first file to set a value wins. Missing files
	// are skipped, but at least one must exist. When ConfigPath is set too it
	// is placed in front of ConfigPaths.
	ConfigPaths []string
	// ConfigContext selects a context of the kubeconfig instead of its
	// current-context.
	ConfigContext string

	Host                 string
	Token                string
	ClusterCACertificate string // PEM
	ClientCertificate    string // PEM
	ClientKey            string // PEM
	Insecure             bool
	TLSServerName        string
	ProxyURL             string
	Exec                 *ExecConfig

	// Kubeconfig is raw kubeconfig YAML content. It cannot be combined with
	// ConfigPath or ConfigPaths.
	Kubeconfig string

	// QPS and Burst, when QPS is set, limit the requests per second the
	// clients send (a token bucket of Burst tokens; Burst 0 means QPS rounded
	// up). Unset, the clients do not throttle themselves: the API server's
	// priority and fairness does, and client-go waits out its 429 answers.
	// client-go's own default (5 per second) would make a refresh of 1,000
	// objects take 200 seconds.
	QPS   float64
	Burst int

	// WrapTransport, when set, wraps the HTTP transport of the clients, e.g.
	// to count their requests in tests.
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// hasKubeconfig reports whether any kubeconfig source is configured.
func (c Config) hasKubeconfig() bool {
	return c.Kubeconfig != "" || c.ConfigPath != "" || len(c.ConfigPaths) > 0
}

// Validate checks the settings without touching the file system or the
// network. It does not report a missing connection (see RESTConfig), so it
// can run at provider configuration time even if nothing will use the
// cluster.
func (c Config) Validate() error {
	if c.Kubeconfig != "" && (c.ConfigPath != "" || len(c.ConfigPaths) > 0) {
		return settingErr("kubeconfig_wo", "cannot be combined with config_path or config_paths")
	}
	if c.ConfigContext != "" && !c.hasKubeconfig() {
		return settingErr("config_context", "requires config_path, config_paths or a kubeconfig")
	}
	for _, p := range c.ConfigPaths {
		if strings.TrimSpace(p) == "" {
			return settingErr("config_paths", "must not contain empty paths")
		}
	}
	if c.Host != "" {
		if _, err := NormalizeHost(c.Host); err != nil {
			return settingErr("host", "%s", err)
		}
	}
	if c.ProxyURL != "" {
		if _, err := ParseProxyURL(c.ProxyURL); err != nil {
			return settingErr("proxy_url", "%s", err)
		}
	}
	if c.Insecure && c.ClusterCACertificate != "" {
		return settingErr("insecure", "cannot be true when cluster_ca_certificate is set")
	}
	if (c.ClientCertificate == "") != (c.ClientKey == "") && !c.hasKubeconfig() {
		if c.ClientCertificate == "" {
			return settingErr("client_certificate", "must be set together with client_key")
		}
		return settingErr("client_key", "must be set together with client_certificate")
	}
	if c.Exec != nil {
		if err := c.Exec.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (e *ExecConfig) validate() error {
	if e.Command == "" {
		return settingErr("exec.command", "must not be empty")
	}
	supported := false
	for _, v := range execAPIVersions {
		if e.APIVersion == v {
			supported = true
		}
	}
	if !supported {
		return settingErr("exec.api_version", "%q is not supported; use one of %s", e.APIVersion, strings.Join(execAPIVersions, ", "))
	}
	for name := range e.Env {
		if name == "" {
			return settingErr("exec.env", "variable names must not be empty")
		}
	}
	return nil
}

// NormalizeHost validates a Kubernetes API server address and returns it as
// an absolute URL. A bare "host" or "host:port" gets the https scheme. Only
// http and https URLs without user credentials are accepted. The returned
// error does not repeat the input.
func NormalizeHost(host string) (string, error) {
	h := strings.TrimSpace(host)
	if h == "" {
		return "", errors.New("must not be empty")
	}
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	u, err := url.Parse(h)
	if err != nil {
		return "", errors.New("is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("uses unsupported scheme %q; use https or http", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", errors.New("is missing a host name")
	}
	if u.User != nil {
		return "", errors.New("must not contain user credentials")
	}
	return u.String(), nil
}

// ParseProxyURL validates a proxy URL: it must be absolute, with scheme
// http, https or socks5 and a host. The returned error does not repeat the
// input, which may hold proxy credentials.
func ParseProxyURL(proxy string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(proxy))
	if err != nil {
		return nil, errors.New("is not a valid URL")
	}
	switch u.Scheme {
	case "http", "https", "socks5":
	case "":
		return nil, errors.New("must be an absolute URL with scheme http, https or socks5")
	default:
		return nil, fmt.Errorf("uses unsupported scheme %q; use http, https or socks5", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("is missing a host name")
	}
	return u, nil
}

// RESTConfig builds the REST configuration. It reads kubeconfig files but
// never contacts the cluster.
//
// When a kubeconfig (raw content or files) is set it is loaded with
// clientcmd, ConfigContext selecting the context; the explicit settings
// (Host, Token, certificates, Insecure, TLSServerName, ProxyURL, Exec) then
// override what the kubeconfig says. Without a kubeconfig, Host is required.
func (c Config) RESTConfig() (*rest.Config, error) {
	rc, err := c.restConfig()
	if err != nil {
		return nil, c.sanitize(err)
	}
	rc.QPS, rc.Burst = -1, 0 // negative: no client-side rate limiter
	if c.QPS > 0 {
		rc.QPS, rc.Burst = float32(c.QPS), c.Burst
		if rc.Burst < 1 {
			rc.Burst = int(math.Ceil(c.QPS))
		}
	}
	rc.UserAgent = UserAgent
	return rc, nil
}

func (c Config) restConfig() (*rest.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.hasKubeconfig() && c.Host == "" {
		return nil, &SettingError{Message: ErrNotConfigured.Error()}
	}

	base, setting, err := c.loadKubeconfig()
	if err != nil {
		return nil, err
	}

	overrides := &clientcmd.ConfigOverrides{CurrentContext: c.ConfigContext}
	if c.Host != "" {
		host, _ := NormalizeHost(c.Host) // validated above
		overrides.ClusterInfo.Server = host
	}
	overrides.ClusterInfo.TLSServerName = c.TLSServerName
	if c.ProxyURL != "" {
		u, _ := ParseProxyURL(c.ProxyURL) // validated above
		overrides.ClusterInfo.ProxyURL = u.String()
	}
	overrides.ClusterInfo.InsecureSkipTLSVerify = c.Insecure
	if c.ClusterCACertificate != "" {
		overrides.ClusterInfo.CertificateAuthorityData = []byte(c.ClusterCACertificate)
	}

	rc, err := clientcmd.NewNonInteractiveClientConfig(*base, "", overrides, nil).ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			if setting == "" {
				return nil, &SettingError{Message: ErrNotConfigured.Error()}
			}
			return nil, settingErr(setting, "the kubeconfig defines no usable cluster; set config_context or host")
		}
		if c.ConfigContext != "" && strings.Contains(err.Error(), fmt.Sprintf("context %q does not exist", c.ConfigContext)) {
			return nil, settingErr("config_context", "context %q does not exist in the kubeconfig", c.ConfigContext)
		}
		if setting == "" {
			return nil, &SettingError{Message: fmt.Sprintf("invalid connection settings: %s", err)}
		}
		return nil, settingErr(setting, "invalid kubeconfig: %s", err)
	}

	c.applyAuth(rc)
	return rc, nil
}

// loadKubeconfig returns the kubeconfig to start from (empty without one)
// and the name of the setting it came from.
func (c Config) loadKubeconfig() (*clientcmdapi.Config, string, error) {
	if c.Kubeconfig != "" {
		cfg, err := clientcmd.Load([]byte(c.Kubeconfig))
		if err != nil {
			return nil, "", settingErr("kubeconfig_wo", "is not a valid kubeconfig: %s", scrubParseError(err))
		}
		return cfg, "kubeconfig_wo", nil
	}

	type file struct{ path, setting string }
	var files []file
	if c.ConfigPath != "" {
		p, err := expandPath(c.ConfigPath)
		if err != nil {
			return nil, "", settingErr("config_path", "%s", err)
		}
		if _, err := os.Stat(p); err != nil {
			return nil, "", settingErr("config_path", "cannot read kubeconfig file %q: %s", p, describeFileErr(err))
		}
		files = append(files, file{p, "config_path"})
	}
	var missing []string
	for _, raw := range c.ConfigPaths {
		p, err := expandPath(raw)
		if err != nil {
			return nil, "", settingErr("config_paths", "%s", err)
		}
		switch _, err := os.Stat(p); {
		case err == nil:
			files = append(files, file{p, "config_paths"})
		case os.IsNotExist(err):
			// Skipped, like a missing file listed in KUBECONFIG.
			missing = append(missing, p)
		default:
			return nil, "", settingErr("config_paths", "cannot read kubeconfig file %q: %s", p, describeFileErr(err))
		}
	}
	if len(files) == 0 && len(missing) > 0 {
		return nil, "", settingErr("config_paths", "none of the kubeconfig files exist: %s", strings.Join(missing, ", "))
	}
	if len(files) == 0 {
		return clientcmdapi.NewConfig(), "", nil
	}

	// Parse each file on its own first, so that an error names its file.
	paths := make([]string, len(files))
	for i, f := range files {
		if _, err := clientcmd.LoadFromFile(f.path); err != nil {
			return nil, "", settingErr(f.setting, "kubeconfig file %q is invalid: %s", f.path, scrubParseError(err))
		}
		paths[i] = f.path
	}
	// Then merge them the way KUBECONFIG is merged.
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: paths}
	cfg, err := rules.Load()
	if err != nil {
		return nil, "", settingErr(files[0].setting, "cannot load kubeconfig files: %s", scrubParseError(err))
	}
	return cfg, files[0].setting, nil
}

// applyAuth lets the explicit credentials replace those of the kubeconfig
// user as a whole, not join them: a client certificate kept from the
// kubeconfig would authenticate before an explicit token (the API server
// tries x509 first), and the provider would silently act as the
// kubeconfig's identity, often an admin. Without explicit credentials the
// kubeconfig user's stay.
func (c Config) applyAuth(rc *rest.Config) {
	explicitCert := c.ClientCertificate != "" || c.ClientKey != ""
	if c.Token == "" && c.Exec == nil && !explicitCert {
		return
	}
	rc.BearerToken, rc.BearerTokenFile = c.Token, ""
	rc.Username, rc.Password = "", ""
	rc.AuthProvider = nil
	rc.ExecProvider = nil
	if c.Exec != nil {
		rc.ExecProvider = c.Exec.toClientcmd()
	}
	if !explicitCert {
		rc.CertData, rc.CertFile, rc.KeyData, rc.KeyFile = nil, "", nil, ""
	}
	// One half of the pair may come from the kubeconfig (see Validate).
	if c.ClientCertificate != "" {
		rc.CertData, rc.CertFile = []byte(c.ClientCertificate), ""
	}
	if c.ClientKey != "" {
		rc.KeyData, rc.KeyFile = []byte(c.ClientKey), ""
	}
}

func (e *ExecConfig) toClientcmd() *clientcmdapi.ExecConfig {
	out := &clientcmdapi.ExecConfig{
		APIVersion:      e.APIVersion,
		Command:         e.Command,
		Args:            append([]string(nil), e.Args...),
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
	names := make([]string, 0, len(e.Env))
	for name := range e.Env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out.Env = append(out.Env, clientcmdapi.ExecEnvVar{Name: name, Value: e.Env[name]})
	}
	return out
}

// expandPath expands a leading "~" to the user's home directory.
func expandPath(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot expand %q: %s", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}
