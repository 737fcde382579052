package fleet

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ClusterRegistrationTokens is the resource of ClusterRegistrationToken.
var ClusterRegistrationTokens = Resource("clusterregistrationtokens")

// ClusterRegistrationToken lets agents register clusters (agent-initiated
// registration). Fleet writes the agent's values to Secret status.secretName.
type ClusterRegistrationToken struct {
	Object `json:",inline"`
	Spec   ClusterRegistrationTokenSpec    `json:"spec"`
	Status *ClusterRegistrationTokenStatus `json:"status,omitempty"`
}

// ClusterRegistrationTokenSpec is the desired state of a ClusterRegistrationToken.
type ClusterRegistrationTokenSpec struct {
	// TTL: Fleet deletes the token once creation+TTL has passed. nil or 0 never
	// expires, unless the controller runs with FLEET_REGISTRATION_TOKEN_TTL_REQUIRED,
	// which deletes such tokens at once. Units ns..h only, as pollingInterval.
	TTL *metav1.Duration `json:"ttl,omitempty"`
}

// ClusterRegistrationTokenStatus is written by the Fleet controller.
type ClusterRegistrationTokenStatus struct {
	// Expires is creation+TTL; nil without TTL (a TTL of 0 gives the creation time).
	Expires *metav1.Time `json:"expires,omitempty"`
	// SecretName is the Secret (key "values") holding the agent's chart values.
	SecretName string `json:"secretName,omitempty"`
}
