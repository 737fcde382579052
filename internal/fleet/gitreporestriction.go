package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GitRepoRestrictions is the resource of GitRepoRestriction.
var GitRepoRestrictions = Resource("gitreporestrictions")

// GitRepoRestriction restricts and defaults the GitRepos of its namespace. Its
// fields sit at the top level of the object: there is no spec and no status.
type GitRepoRestriction struct {
	Object `json:",inline"`
	// DefaultServiceAccount replaces an unset GitRepo serviceAccount.
	DefaultServiceAccount  string   `json:"defaultServiceAccount,omitempty"`
	AllowedServiceAccounts []string `json:"allowedServiceAccounts,omitempty"`
	// AllowedRepoPatterns are regular expressions a GitRepo's repo must match.
	AllowedRepoPatterns []string `json:"allowedRepoPatterns,omitempty"`
	// DefaultClientSecretName replaces an unset GitRepo clientSecretName.
	DefaultClientSecretName  string   `json:"defaultClientSecretName,omitempty"`
	AllowedClientSecretNames []string `json:"allowedClientSecretNames,omitempty"`
	// AllowedTargetNamespaces, when set, requires GitRepos to set targetNamespace;
	// a namespace is allowed if listed here or matched by the selector below.
	AllowedTargetNamespaces []string `json:"allowedTargetNamespaces,omitempty"`
	// AllowedTargetNamespaceSelector matches labels of downstream namespaces.
	AllowedTargetNamespaceSelector *metav1.LabelSelector `json:"allowedTargetNamespaceSelector,omitempty"`
}
