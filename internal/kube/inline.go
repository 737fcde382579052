package kube

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// CheckInlineKubeconfig refuses a kubeconfig that would make the provider
// do more than send requests: run a command (an exec credential plugin),
// run an auth provider (which may run a command and writes back to the
// kubeconfig), or read a file on the machine running Terraform (tokenFile,
// client-certificate, client-key and certificate-authority paths). Only
// inline data (token, *-data, username/password) is accepted. A kubeconfig
// the provider keeps upstream for refresh and destroy must pass, so that
// whoever can edit Secrets there cannot run commands where Terraform runs.
// The error names the user or cluster entry, never a value.
func CheckInlineKubeconfig(content string) error {
	cfg, err := clientcmd.Load([]byte(content))
	if err != nil {
		return settingErr("kubeconfig_wo", "is not a valid kubeconfig: %s", scrubParseError(err))
	}
	for _, name := range sortedKeys(cfg.AuthInfos) {
		if what := nonInlineUser(cfg.AuthInfos[name]); what != "" {
			return settingErr("kubeconfig_wo", "user %q %s; the provider only accepts inline credentials here "+
				"(token, client-certificate-data, client-key-data). Use the kubernetes block's exec attribute for a credential plugin: "+
				"it stays in the configuration and runs for refresh and destroy too", name, what)
		}
	}
	for _, name := range sortedKeys(cfg.Clusters) {
		if c := cfg.Clusters[name]; c != nil && c.CertificateAuthority != "" {
			return settingErr("kubeconfig_wo", "cluster %q reads its CA from a file (certificate-authority); "+
				"use certificate-authority-data", name)
		}
	}
	return nil
}

func nonInlineUser(u *clientcmdapi.AuthInfo) string {
	switch {
	case u == nil:
		return ""
	case u.Exec != nil:
		return "runs an exec credential plugin"
	case u.AuthProvider != nil:
		return "uses an auth provider"
	case u.TokenFile != "":
		return "reads its token from a file (tokenFile)"
	case u.ClientCertificate != "" || u.ClientKey != "":
		return "reads its client certificate or key from a file (client-certificate, client-key)"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckControllerKubeconfig reports what the Fleet controller cannot use of a
// kubeconfig given to it for manager-initiated registration. The controller
// reads it from a Secret, inside the management cluster as Fleet's chart
// runs it: it has no credential plugin to run, none of the files of the
// machine running Terraform, and a loopback server address is its own pod.
// Every finding is listed; names of entries, never values.
func CheckControllerKubeconfig(content string) error {
	cfg, err := clientcmd.Load([]byte(content))
	if err != nil {
		return settingErr("kubeconfig_wo", "is not a valid kubeconfig: %s", scrubParseError(err))
	}
	var findings []string
	for _, name := range sortedKeys(cfg.AuthInfos) {
		if what := nonInlineUser(cfg.AuthInfos[name]); what != "" {
			findings = append(findings, fmt.Sprintf("user %q %s", name, what))
		}
	}
	for _, name := range sortedKeys(cfg.Clusters) {
		c := cfg.Clusters[name]
		if c == nil {
			continue
		}
		if c.CertificateAuthority != "" {
			findings = append(findings, fmt.Sprintf("cluster %q reads its CA from a file (certificate-authority)", name))
		}
		if u, err := url.Parse(c.Server); err == nil && isLoopback(u.Hostname()) {
			findings = append(findings, fmt.Sprintf("cluster %q has a loopback server address (%s), which inside the "+
				"management cluster is the controller's own pod", name, u.Hostname()))
		}
	}
	if len(findings) == 0 {
		return nil
	}
	return settingErr("kubeconfig_wo", "the Fleet controller reads this kubeconfig inside the management cluster, where "+
		"it cannot run commands or read files of the machine running Terraform: %s. Give it inline credentials "+
		"(token, client-certificate-data, client-key-data, certificate-authority-data) and an address the "+
		"management cluster reaches", strings.Join(findings, "; "))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
