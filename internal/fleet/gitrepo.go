package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GitRepos is the resource of GitRepo.
var GitRepos = Resource("gitrepos")

// GitRepo is a git repository Fleet watches and deploys bundles from.
type GitRepo struct {
	Object `json:",inline"`
	Spec   GitRepoSpec    `json:"spec"`
	Status *GitRepoStatus `json:"status,omitempty"`
}

// GitRepoSpec is the desired state of a GitRepo.
//
// Booleans are *bool: nil is not sent (not owned), a set false is sent and so
// owned, which can take the field back from another manager.
type GitRepoSpec struct {
	Repo     string `json:"repo,omitempty"`
	Branch   string `json:"branch,omitempty"`
	Revision string `json:"revision,omitempty"`
	// Paths are globs relative to the repository root; empty means "/".
	Paths            []string `json:"paths,omitempty"`
	TargetNamespace  string   `json:"targetNamespace,omitempty"`
	ServiceAccount   string   `json:"serviceAccount,omitempty"`
	ClientSecretName string   `json:"clientSecretName,omitempty"`
	// CABundle is PEM; encoding/json sends []byte as base64, as the CRD's format: byte wants.
	CABundle               []byte `json:"caBundle,omitempty"`
	InsecureSkipTLSVerify  *bool  `json:"insecureSkipTLSVerify,omitempty"`
	HelmSecretName         string `json:"helmSecretName,omitempty"`
	HelmSecretNameForPaths string `json:"helmSecretNameForPaths,omitempty"`
	HelmRepoURLRegex       string `json:"helmRepoURLRegex,omitempty"`
	OCIRegistrySecret      string `json:"ociRegistrySecret,omitempty"`
	WebhookSecret          string `json:"webhookSecret,omitempty"`
	// Paused marks changes OutOfSync instead of deploying them.
	Paused  *bool       `json:"paused,omitempty"`
	Targets []GitTarget `json:"targets,omitempty"`
	// PollingInterval: the CRD accepts Go durations in ns..h only (no d or w).
	// metav1.Duration sends the canonical form, e.g. "1h0m0s" for "1h".
	PollingInterval     *metav1.Duration `json:"pollingInterval,omitempty"`
	DisablePolling      *bool            `json:"disablePolling,omitempty"`
	ForceSyncGeneration int64            `json:"forceSyncGeneration,omitempty"`
	KeepResources       *bool            `json:"keepResources,omitempty"`
	DeleteNamespace     *bool            `json:"deleteNamespace,omitempty"`
	CorrectDrift        *CorrectDrift    `json:"correctDrift,omitempty"`
	// Bundles, when set, lists the bundle folders instead of scanning paths.
	Bundles           []BundlePath     `json:"bundles,omitempty"`
	ImageScanInterval *metav1.Duration `json:"imageScanInterval,omitempty"`
	ImageScanCommit   *CommitSpec      `json:"imageScanCommit,omitempty"`
}

// GitTarget selects clusters for a GitRepo: a cluster matches when every set field matches.
type GitTarget struct {
	Name                 string                `json:"name,omitempty"`
	ClusterName          string                `json:"clusterName,omitempty"`
	ClusterSelector      *metav1.LabelSelector `json:"clusterSelector,omitempty"`
	ClusterGroup         string                `json:"clusterGroup,omitempty"`
	ClusterGroupSelector *metav1.LabelSelector `json:"clusterGroupSelector,omitempty"`
}

// BundlePath is one bundle folder of a GitRepo and its optional fleet.yaml.
type BundlePath struct {
	Base    string `json:"base,omitempty"`
	Options string `json:"options,omitempty"`
}

// CorrectDrift sets how Fleet undoes changes made to deployed resources.
type CorrectDrift struct {
	Enabled         *bool `json:"enabled,omitempty"`
	Force           *bool `json:"force,omitempty"`
	KeepFailHistory *bool `json:"keepFailHistory,omitempty"`
}

// CommitSpec is the author and message of image-scan commits.
type CommitSpec struct {
	AuthorName      string `json:"authorName,omitempty"`
	AuthorEmail     string `json:"authorEmail,omitempty"`
	MessageTemplate string `json:"messageTemplate,omitempty"`
}

// GitRepoStatus is written by the Fleet controller.
type GitRepoStatus struct {
	StatusBase         `json:",inline"`
	ObservedGeneration int64 `json:"observedGeneration"`
	// UpdateGeneration is the forceSyncGeneration last acted on.
	UpdateGeneration int64 `json:"updateGeneration,omitempty"`
	// Commit is the commit the last git job deployed.
	Commit          string       `json:"commit,omitempty"`
	WebhookCommit   string       `json:"webhookCommit,omitempty"`
	LastWebhookTime *metav1.Time `json:"lastWebhookTime,omitempty"`
	PollingCommit   string       `json:"pollingCommit,omitempty"`
	// LastPollingTime is the last time Fleet polled the repository.
	LastPollingTime         *metav1.Time `json:"lastPollingTriggered,omitempty"`
	GitJobStatus            string       `json:"gitJobStatus,omitempty"`
	LastSyncedImageScanTime *metav1.Time `json:"lastSyncedImageScanTime,omitempty"`
}
