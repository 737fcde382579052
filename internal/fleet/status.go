package fleet

// StatusBase is the status part GitRepo and HelmOp share (Fleet's StatusBase).
type StatusBase struct {
	ReadyClusters        int           `json:"readyClusters"`
	DesiredReadyClusters int           `json:"desiredReadyClusters"`
	Summary              BundleSummary `json:"summary,omitzero"`
	Display              StatusDisplay `json:"display,omitzero"`
	Conditions           []Condition   `json:"conditions,omitempty"`
	// Resources lists the resources of the bundles and their state per cluster.
	Resources      []ResourceStatus `json:"resources,omitempty"`
	ResourceCounts ResourceCounts   `json:"resourceCounts,omitzero"`
	// PerClusterResourceCounts is keyed by cluster (namespace/name).
	PerClusterResourceCounts map[string]ResourceCounts `json:"perClusterResourceCounts,omitempty"`
}

// StatusDisplay is the human summary of a GitRepo's or HelmOp's state.
type StatusDisplay struct {
	// ReadyBundleDeployments reads "ready/total".
	ReadyBundleDeployments string `json:"readyBundleDeployments,omitempty"`
	State                  string `json:"state,omitempty"`
	Message                string `json:"message,omitempty"`
	Error                  bool   `json:"error,omitempty"`
}

// ResourceCounts counts deployed resources by state.
type ResourceCounts struct {
	Ready        int `json:"ready"`
	DesiredReady int `json:"desiredReady"`
	WaitApplied  int `json:"waitApplied"`
	Modified     int `json:"modified"`
	Orphaned     int `json:"orphaned"`
	Missing      int `json:"missing"`
	Unknown      int `json:"unknown"`
	NotReady     int `json:"notReady"`
}

// ResourceStatus is one resource of a bundle and its state (Fleet's Resource
// type; renamed because Resource is our GroupVersionResource helper).
type ResourceStatus struct {
	APIVersion      string          `json:"apiVersion,omitempty"`
	Kind            string          `json:"kind,omitempty"`
	Type            string          `json:"type,omitempty"`
	ID              string          `json:"id,omitempty"`
	Namespace       string          `json:"namespace,omitempty"`
	Name            string          `json:"name,omitempty"`
	IncompleteState bool            `json:"incompleteState,omitempty"`
	State           string          `json:"state,omitempty"`
	Error           bool            `json:"error,omitempty"`
	Transitioning   bool            `json:"transitioning,omitempty"`
	Message         string          `json:"message,omitempty"`
	PerClusterState PerClusterState `json:"perClusterState"`
}

// PerClusterState lists, per state, the clusters a resource is in that state on.
type PerClusterState struct {
	Ready       []string `json:"ready,omitempty"`
	WaitApplied []string `json:"waitApplied,omitempty"`
	Pending     []string `json:"pending,omitempty"`
	Modified    []string `json:"modified,omitempty"`
	Orphaned    []string `json:"orphaned,omitempty"`
	Missing     []string `json:"missing,omitempty"`
	Unknown     []string `json:"unknown,omitempty"`
	NotReady    []string `json:"notReady,omitempty"`
}
