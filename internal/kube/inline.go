package kube

import (
	"sort"

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
