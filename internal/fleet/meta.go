// Package fleet holds Go types for the Fleet (fleet.cattle.io/v1alpha1) objects
// the provider manages, with the exact JSON names of Fleet v0.16. They are our
// own: Fleet's module is an application, not a library to import. Every field
// is omitempty (or a pointer) so that a server-side apply sends, and so owns,
// only what the configuration sets.
package fleet

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group and Version of every Fleet kind.
const (
	Group   = "fleet.cattle.io"
	Version = "v1alpha1"
)

// APIVersion is the apiVersion field of every Fleet object.
var APIVersion = schema.GroupVersion{Group: Group, Version: Version}.String()

// Resource returns the GroupVersionResource of a Fleet resource (plural, lower case).
func Resource(plural string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: Group, Version: Version, Resource: plural}
}

// Condition is the condition type Fleet objects report (wrangler's GenericCondition).
type Condition struct {
	Type           string `json:"type"`
	Status         string `json:"status"`
	LastUpdateTime string `json:"lastUpdateTime,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Message        string `json:"message,omitempty"`
}

// FindCondition returns the condition of the given type, or nil.
func FindCondition(conditions []Condition, condType string) *Condition {
	for i := range conditions {
		if conditions[i].Type == condType {
			return &conditions[i]
		}
	}
	return nil
}

// Object is what every Fleet type embeds.
type Object struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}
