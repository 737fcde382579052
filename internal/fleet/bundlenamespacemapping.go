package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// BundleNamespaceMappings is the resource of BundleNamespaceMapping.
var BundleNamespaceMappings = Resource("bundlenamespacemappings")

// BundleNamespaceMapping lets the bundles it selects (in its own namespace)
// target clusters in the namespaces it selects. Its fields sit at the top
// level of the object: there is no spec and no status.
type BundleNamespaceMapping struct {
	Object `json:",inline"`
	// Pointers: if either is nil the mapping matches nothing; an empty selector matches all.
	BundleSelector    *metav1.LabelSelector `json:"bundleSelector,omitempty"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
}
