package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// HelmOps is the resource of HelmOp.
var HelmOps = Resource("helmops")

// HelmOp deploys a Helm chart from a repository to target clusters, no git involved.
type HelmOp struct {
	Object `json:",inline"`
	Spec   HelmOpSpec    `json:"spec"`
	Status *HelmOpStatus `json:"status,omitempty"`
}

// HelmOpSpec is Fleet's Bundle spec inline plus the HelmOp's own fields.
// Booleans are *bool: nil is not sent, a set false is sent and owned.
type HelmOpSpec struct {
	BundleDeploymentOptions `json:",inline"`

	// Paused marks new chart versions or changes OutOfSync instead of deploying them.
	Paused          *bool            `json:"paused,omitempty"`
	RolloutStrategy *RolloutStrategy `json:"rolloutStrategy,omitempty"`
	// TargetCustomizationMode is "FirstMatch" (Fleet's default) or "AllMatches".
	TargetCustomizationMode string `json:"targetCustomizationMode,omitempty"`
	// Targets are tried in order; the first that matches a cluster applies.
	Targets   []BundleTarget `json:"targets,omitempty"`
	DependsOn []BundleRef    `json:"dependsOn,omitempty"`

	// Labels are copied to the bundle, e.g. for another bundle's dependsOn selector.
	Labels map[string]string `json:"labels,omitempty"`
	// PollingInterval: how often to look for a new chart version (ns..h units).
	PollingInterval *metav1.Duration `json:"pollingInterval,omitempty"`
	// HelmSecretName names a Secret with credentials for the chart repository.
	HelmSecretName        string `json:"helmSecretName,omitempty"`
	InsecureSkipTLSVerify *bool  `json:"insecureSkipTLSVerify,omitempty"`

	// Set by Fleet on the Bundle; part of the HelmOp schema only because the
	// spec is shared. The provider leaves them unset.
	Resources          []BundleResource          `json:"resources,omitempty"`
	TargetRestrictions []BundleTargetRestriction `json:"targetRestrictions,omitempty"`
	ContentsID         string                    `json:"contentsId,omitempty"`
	HelmOpOptions      *BundleHelmOptions        `json:"helmOpOptions,omitempty"`
	ValuesHash         string                    `json:"valuesHash,omitempty"`
}

// HelmOpStatus is written by the Fleet controller.
type HelmOpStatus struct {
	StatusBase `json:",inline"`
	// LastPollingTime is the last time Fleet polled the chart repository.
	LastPollingTime *metav1.Time `json:"lastPollingTriggered,omitempty"`
	// Version is the chart version deployed (resolved when spec.helm.version is empty or a range).
	Version string `json:"version,omitempty"`
}
