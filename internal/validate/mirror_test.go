package validate

import "testing"

func TestCheckMirroredRegistry(t *testing.T) {
	runCheck(t, CheckMirroredRegistry, cases(
		good("docker.io", "registry.k8s.io", "ghcr.io", "registry.corp:5000", "*", "10.0.0.5:5000", "[::1]:5000"),
		bad("", "https://docker.io", "docker.io/library", "**", "docker.io:0", "reg istry.io", "2001:db8::1"),
		[]checkCase{{in: "ghcr.io/org", errHas: "without a path"}},
	))
}

func TestCheckNodeFilePath(t *testing.T) {
	runCheck(t, CheckNodeFilePath, cases(
		good("/etc/rancher/k3s/ca.pem", "/ca.crt"),
		bad("", "ca.pem", "./ca.pem", "/etc//ca.pem", "/etc/../ca.pem", "/etc/", "/etc/ca .pem"),
		[]checkCase{{in: "ca.pem", errHas: "not an absolute path"}},
	))
}
