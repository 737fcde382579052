package kube

import (
	"fmt"
	"strings"
	"testing"
)

func TestCheckInlineKubeconfig(t *testing.T) {
	kubeconfig := func(cluster, user string) string {
		return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: edge, cluster: %s}]
users: [{name: admin, user: %s}]
contexts: [{name: edge, context: {cluster: edge, user: admin}}]
current-context: edge
`, cluster, user)
	}
	const server = `{server: "https://127.0.0.1:6443", certificate-authority-data: Zm9v}`
	inline := []string{
		`{token: abc}`,
		`{client-certificate-data: Zm9v, client-key-data: YmFy}`,
		`{username: u, password: p}`,
	}
	for _, user := range inline {
		if err := CheckInlineKubeconfig(kubeconfig(server, user)); err != nil {
			t.Errorf("%s: %v", user, err)
		}
	}
	for user, want := range map[string]string{
		`{exec: {apiVersion: client.authentication.k8s.io/v1, command: /usr/bin/touch, args: [/tmp/x]}}`: `user "admin" runs an exec credential plugin`,
		`{auth-provider: {name: oidc}}`:                       `user "admin" uses an auth provider`,
		`{tokenFile: /var/run/token}`:                         `user "admin" reads its token from a file`,
		`{client-certificate: /c.crt, client-key: /c.key}`:    `user "admin" reads its client certificate or key from a file`,
		`{client-certificate-data: Zm9v, client-key: /c.key}`: `reads its client certificate or key from a file`,
	} {
		err := CheckInlineKubeconfig(kubeconfig(server, user))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "kubeconfig_wo: ") {
			t.Errorf("%s: got %v, want %q", user, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "/tmp/x") {
			t.Errorf("the error repeats the kubeconfig: %v", err)
		}
	}
	if err := CheckInlineKubeconfig(kubeconfig(`{server: "https://127.0.0.1:6443", certificate-authority: /ca.pem}`, `{token: abc}`)); err == nil ||
		!strings.Contains(err.Error(), `cluster "edge" reads its CA from a file`) {
		t.Errorf("CA path: %v", err)
	}
	if err := CheckInlineKubeconfig("not: [a kubeconfig"); err == nil || !strings.Contains(err.Error(), "is not a valid kubeconfig") {
		t.Errorf("garbage: %v", err)
	}
}
