package kube

import (
	"fmt"
	"testing"

	"k8s.io/client-go/rest"
)

// Explicit credentials replace the kubeconfig user's as a whole. A client
// certificate left over from the kubeconfig would authenticate before an
// explicit token (the API server tries x509 first): the provider would act
// as the kubeconfig's identity, typically an admin, instead of the one the
// configuration names.
func TestRESTConfig_ExplicitCredentialsReplaceTheKubeconfigUser(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	certFile := writeFile(t, dir, "admin.crt", pki.certPEM)
	keyFile := writeFile(t, dir, "admin.key", pki.keyPEM)
	tokenFile := writeFile(t, dir, "token", "file-token-from-file")
	kubeconfig := writeFile(t, dir, "config", fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: ctx
clusters:
- name: c
  cluster: {server: "https://from-file.example:6443"}
users:
- name: admin
  user:
    client-certificate: %s
    client-key: %s
    token: file-token
    tokenFile: %s
contexts:
- name: ctx
  context: {cluster: c, user: admin}
`, certFile, keyFile, tokenFile))
	exec := &ExecConfig{APIVersion: "client.authentication.k8s.io/v1", Command: "get-token"}
	otherCert := newTestPKI(t)

	for name, tc := range map[string]struct {
		config Config
		check  func(rc *rest.Config) error
	}{
		"token": {
			config: Config{ConfigPath: kubeconfig, Host: "https://h.example", Token: "explicit"},
			check: func(rc *rest.Config) error {
				return wantCredentials(rc, "explicit", "", "", false)
			},
		},
		"exec": {
			config: Config{ConfigPath: kubeconfig, Exec: exec},
			check: func(rc *rest.Config) error {
				return wantCredentials(rc, "", "", "", true)
			},
		},
		"client certificate and key": {
			config: Config{ConfigPath: kubeconfig, ClientCertificate: otherCert.certPEM, ClientKey: otherCert.keyPEM},
			check: func(rc *rest.Config) error {
				return wantCredentials(rc, "", otherCert.certPEM, otherCert.keyPEM, false)
			},
		},
		"client certificate alone: its key from the kubeconfig": {
			config: Config{ConfigPath: kubeconfig, ClientCertificate: pki.certPEM},
			check: func(rc *rest.Config) error {
				if rc.BearerToken != "" || rc.BearerTokenFile != "" || string(rc.CertData) != pki.certPEM || rc.KeyFile != keyFile {
					return fmt.Errorf("token %q, token file %q, key file %q: want the explicit certificate with the kubeconfig's key only",
						rc.BearerToken, rc.BearerTokenFile, rc.KeyFile)
				}
				return nil
			},
		},
		"token and client certificate": {
			config: Config{ConfigPath: kubeconfig, Token: "explicit", ClientCertificate: otherCert.certPEM, ClientKey: otherCert.keyPEM},
			check: func(rc *rest.Config) error {
				return wantCredentials(rc, "explicit", otherCert.certPEM, otherCert.keyPEM, false)
			},
		},
		"no explicit credentials: the kubeconfig user's": {
			config: Config{ConfigPath: kubeconfig, Host: "https://h.example"},
			check: func(rc *rest.Config) error {
				if rc.CertFile != certFile || rc.KeyFile != keyFile || rc.BearerToken != "file-token" || rc.BearerTokenFile != tokenFile {
					return fmt.Errorf("cert %q, key %q, token %q, token file %q: want the kubeconfig's", rc.CertFile, rc.KeyFile, rc.BearerToken, rc.BearerTokenFile)
				}
				return nil
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			rc, err := tc.config.RESTConfig()
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.check(rc); err != nil {
				t.Error(err)
			}
		})
	}
}

// wantCredentials checks that rc authenticates with exactly these
// credentials, and none of the kubeconfig's.
func wantCredentials(rc *rest.Config, token, certPEM, keyPEM string, exec bool) error {
	switch {
	case rc.BearerToken != token || rc.BearerTokenFile != "":
		return fmt.Errorf("token %q, token file %q; want token %q and no file", rc.BearerToken, rc.BearerTokenFile, token)
	case string(rc.CertData) != certPEM || rc.CertFile != "":
		return fmt.Errorf("client certificate of %d bytes, file %q; want %d bytes and no file", len(rc.CertData), rc.CertFile, len(certPEM))
	case string(rc.KeyData) != keyPEM || rc.KeyFile != "":
		return fmt.Errorf("client key of %d bytes, file %q; want %d bytes and no file", len(rc.KeyData), rc.KeyFile, len(keyPEM))
	case (rc.ExecProvider != nil) != exec:
		return fmt.Errorf("exec plugin %+v, want one: %v", rc.ExecProvider, exec)
	}
	return nil
}
