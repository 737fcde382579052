package fleet

// Policies is the resource of Policy (Fleet v0.16 and later).
var Policies = Resource("policies")

// Policy restricts and defaults the GitRepos, HelmOps and Bundles of its
// namespace. Like GitRepoRestriction its fields sit at the top level of the
// object: there is no spec and no status. Fleet merges every Policy of a
// namespace (policyrestrictions.Aggregate): booleans are OR-ed, lists
// joined, and a default comes from the first Policy by name that sets one.
type Policy struct {
	Object `json:",inline"`
	// RequireServiceAccount refuses objects whose serviceAccount is empty
	// after defaulting.
	RequireServiceAccount  bool     `json:"requireServiceAccount,omitempty"`
	AllowedServiceAccounts []string `json:"allowedServiceAccounts,omitempty"`
	// GitRepo is read by the GitRepo reconciler only.
	GitRepo *GitRepoPolicy `json:"gitRepo,omitempty"`
	// HelmOp is read by the HelmOp reconciler only.
	HelmOp *HelmOpPolicy `json:"helmOp,omitempty"`
}

// GitRepoPolicy holds the GitRepo defaults and source restrictions of a Policy.
type GitRepoPolicy struct {
	DefaultServiceAccount    string   `json:"defaultServiceAccount,omitempty"`
	DefaultClientSecretName  string   `json:"defaultClientSecretName,omitempty"`
	AllowedClientSecretNames []string `json:"allowedClientSecretNames,omitempty"`
	// AllowedRepoPatterns are regular expressions Fleet anchors (^(?:p)$).
	AllowedRepoPatterns []string `json:"allowedRepoPatterns,omitempty"`
}

// HelmOpPolicy holds the HelmOp defaults and source restrictions of a Policy.
type HelmOpPolicy struct {
	DefaultServiceAccount  string   `json:"defaultServiceAccount,omitempty"`
	DefaultHelmSecretName  string   `json:"defaultHelmSecretName,omitempty"`
	AllowedHelmSecretNames []string `json:"allowedHelmSecretNames,omitempty"`
	// AllowedHelmRepoPatterns and AllowedChartPatterns are regular
	// expressions Fleet anchors (^(?:p)$).
	AllowedHelmRepoPatterns []string `json:"allowedHelmRepoPatterns,omitempty"`
	AllowedChartPatterns    []string `json:"allowedChartPatterns,omitempty"`
}
