package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ClusterGroups is the resource of ClusterGroup.
var ClusterGroups = Resource("clustergroups")

// ClusterGroup selects clusters by label.
type ClusterGroup struct {
	Object `json:",inline"`
	Spec   ClusterGroupSpec    `json:"spec"`
	Status *ClusterGroupStatus `json:"status,omitempty"`
}

// ClusterGroupSpec is the desired state of a ClusterGroup.
type ClusterGroupSpec struct {
	// Selector is a pointer: nil selects no cluster, an empty selector every one.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ClusterGroupStatus is written by the Fleet controller.
type ClusterGroupStatus struct {
	ClusterCount         int                 `json:"clusterCount"`
	NonReadyClusterCount int                 `json:"nonReadyClusterCount"`
	NonReadyClusters     []string            `json:"nonReadyClusters,omitempty"`
	Conditions           []Condition         `json:"conditions,omitempty"`
	Summary              BundleSummary       `json:"summary,omitzero"`
	Display              ClusterGroupDisplay `json:"display,omitzero"`
}

// ClusterGroupDisplay is the human summary of a ClusterGroup's state.
type ClusterGroupDisplay struct {
	ReadyClusters string `json:"readyClusters,omitempty"`
	ReadyBundles  string `json:"readyBundles,omitempty"`
	State         string `json:"state,omitempty"`
}

// BundleSummary counts bundle deployments by state.
type BundleSummary struct {
	NotReady          int                `json:"notReady,omitempty"`
	WaitApplied       int                `json:"waitApplied,omitempty"`
	ErrApplied        int                `json:"errApplied,omitempty"`
	OutOfSync         int                `json:"outOfSync,omitempty"`
	Modified          int                `json:"modified,omitempty"`
	Ready             int                `json:"ready"`
	Pending           int                `json:"pending,omitempty"`
	DesiredReady      int                `json:"desiredReady"`
	NonReadyResources []NonReadyResource `json:"nonReadyResources,omitempty"`
}

// NonReadyResource names a bundle deployment that is not ready and why.
type NonReadyResource struct {
	Name    string `json:"name,omitempty"`
	State   string `json:"bundleState,omitempty"`
	Message string `json:"message,omitempty"`
}
