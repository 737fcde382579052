package kubesphere

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// KubeSphere's runtime configuration is the ConfigMap kubesphere-config in
// kubesphere-system, key kubesphere.yaml, on 3.x (written by ks-installer,
// roles/ks-core/config/templates/kubesphere-config.yaml.j2) and 4.x
// (rendered by the ks-core chart, config/ks-core/templates/kubesphere-config.yaml).
const (
	ConfigMapName = "kubesphere-config"
	ConfigKey     = "kubesphere.yaml"
)

// Defaults of KubeSphere when kubesphere-config leaves the agent settings out
// (pkg/multicluster/options.go; the tower extension's options.go on 4.x).
const (
	DefaultProxyPublishService = "tower.kubesphere-system.svc"
	DefaultAgentImage          = "kubesphere/tower:v0.2.1"
)

// Config is the part of kubesphere.yaml the provider reads.
type Config struct {
	Authentication AuthenticationConfig `json:"authentication"`
	MultiCluster   MultiClusterConfig   `json:"multicluster"`
}

// AuthenticationConfig holds the secret that signs the console's tokens:
// at authentication.jwtSecret on 3.x, at authentication.issuer.jwtSecret on
// 4.x.
type AuthenticationConfig struct {
	JWTSecret string        `json:"jwtSecret,omitempty"`
	Issuer    *IssuerConfig `json:"issuer,omitempty"`
}

// IssuerConfig is 4.x's token issuer.
type IssuerConfig struct {
	JWTSecret string `json:"jwtSecret,omitempty"`
}

// MultiClusterConfig is the multicluster section.
type MultiClusterConfig struct {
	// ClusterRole is host, member or none.
	ClusterRole     string `json:"clusterRole,omitempty"`
	HostClusterName string `json:"hostClusterName,omitempty"`
	// ProxyPublishAddress is the address agents dial, when set; else the
	// LoadBalancer ingress of ProxyPublishService.
	ProxyPublishAddress string `json:"proxyPublishAddress,omitempty"`
	ProxyPublishService string `json:"proxyPublishService,omitempty"`
	AgentImage          string `json:"agentImage,omitempty"`
}

// ParseConfig reads kubesphere.yaml.
func ParseConfig(text string) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal([]byte(text), &c); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML: %w", ConfigKey, err)
	}
	return &c, nil
}

// MajorVersion is 4 when the configuration has 4.x's token issuer, else 3.
func (c *Config) MajorVersion() int {
	if c.Authentication.Issuer != nil {
		return 4
	}
	return 3
}

// JWTSecret returns the secret at the key of the configuration's version.
func (c *Config) JWTSecret() string {
	if c.Authentication.Issuer != nil {
		return c.Authentication.Issuer.JWTSecret
	}
	return c.Authentication.JWTSecret
}

// PublishService returns the namespace and name of the Service whose
// LoadBalancer ingress is the proxy address when none is configured
// (`<name>.<namespace>.svc`, as KubeSphere writes it).
func (c *Config) PublishService() (namespace, name string) {
	svc := c.MultiCluster.ProxyPublishService
	if svc == "" {
		svc = DefaultProxyPublishService
	}
	name, rest, _ := strings.Cut(svc, ".")
	namespace, _, _ = strings.Cut(rest, ".")
	if namespace == "" {
		namespace = SystemNamespace
	}
	return namespace, name
}

// AgentImageOrDefault returns the agent image KubeSphere renders.
func (c *Config) AgentImageOrDefault() string {
	if c.MultiCluster.AgentImage != "" {
		return c.MultiCluster.AgentImage
	}
	return DefaultAgentImage
}
