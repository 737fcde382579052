package kube

import (
	"strings"
	"testing"
)

// TestCheckControllerKubeconfig: what the Fleet controller cannot use inside
// the management cluster is named, each finding once; a kubeconfig with
// inline credentials and a routable address passes.
func TestCheckControllerKubeconfig(t *testing.T) {
	kubeconfig := func(server, user string) string {
		return "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: edge, user: admin}\n" +
			"clusters:\n- name: edge\n  cluster:\n    server: " + server + "\n" +
			"users:\n- name: admin\n  user:\n" + user
	}
	const inline = "    token: s3cr3t-t0ken-value\n"
	cases := map[string]struct {
		content string
		want    []string
	}{
		"inline, routable":  {kubeconfig("https://edge.corp:6443", inline), nil},
		"exec plugin":       {kubeconfig("https://edge.corp:6443", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}\n"), []string{`user "admin" runs an exec credential plugin`}},
		"token file":        {kubeconfig("https://edge.corp:6443", "    tokenFile: /var/run/token\n"), []string{`user "admin" reads its token from a file`}},
		"client cert file":  {kubeconfig("https://edge.corp:6443", "    client-certificate: /home/me/cert.pem\n    client-key: /home/me/key.pem\n"), []string{"client certificate or key from a file"}},
		"127.0.0.1":         {kubeconfig("https://127.0.0.1:6443", inline), []string{`cluster "edge" has a loopback server address (127.0.0.1)`}},
		"localhost":         {kubeconfig("https://localhost:6443", inline), []string{"loopback server address (localhost)"}},
		"::1":               {kubeconfig("https://[::1]:6443", inline), []string{"loopback server address (::1)"}},
		"loopback and exec": {kubeconfig("https://127.0.0.2:6443", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}\n"), []string{"exec credential plugin", "loopback"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := CheckControllerKubeconfig(tc.content)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected finding: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no finding, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "/home/me") {
				t.Errorf("finding repeats a value: %q", err)
			}
		})
	}
}
