package kubesphere

import "testing"

// TestParseConfig reads the two layouts of kubesphere.yaml: 3.x keeps the
// jwtSecret at authentication.jwtSecret (ks-installer), 4.x under
// authentication.issuer (the ks-core chart).
func TestParseConfig(t *testing.T) {
	v3, err := ParseConfig(`
authentication:
  authenticateRateLimiterMaxTries: 10
  jwtSecret: "s3cret"
multicluster:
  clusterRole: host
  proxyPublishService: tower.kubesphere-system.svc
  agentImage: registry.corp/kubesphere/tower:v0.2.1
`)
	if err != nil {
		t.Fatal(err)
	}
	if v3.MajorVersion() != 3 || v3.JWTSecret() != "s3cret" || v3.AgentImageOrDefault() != "registry.corp/kubesphere/tower:v0.2.1" {
		t.Errorf("3.x: version %d, secret %q, image %q", v3.MajorVersion(), v3.JWTSecret(), v3.AgentImageOrDefault())
	}
	if ns, name := v3.PublishService(); ns != "kubesphere-system" || name != "tower" {
		t.Errorf("3.x publish service %s/%s", ns, name)
	}
	v4, err := ParseConfig(`
authentication:
  issuer:
    jwtSecret: "s3cret4"
multicluster:
  clusterRole: host
  hostClusterName: host
`)
	if err != nil {
		t.Fatal(err)
	}
	if v4.MajorVersion() != 4 || v4.JWTSecret() != "s3cret4" || v4.AgentImageOrDefault() != DefaultAgentImage {
		t.Errorf("4.x: version %d, secret %q, image %q", v4.MajorVersion(), v4.JWTSecret(), v4.AgentImageOrDefault())
	}
	if ns, name := v4.PublishService(); ns != "kubesphere-system" || name != "tower" {
		t.Errorf("4.x default publish service %s/%s", ns, name)
	}
	if _, err := ParseConfig("multicluster: [unclosed"); err == nil {
		t.Error("invalid YAML parsed")
	}
}
