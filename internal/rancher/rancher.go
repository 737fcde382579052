// Package rancher holds Go types for the Rancher objects the provider manages
// or reads: the provisioning.cattle.io/v1 Cluster of an imported cluster, and
// the management.cattle.io/v3 Cluster, ClusterRegistrationToken and Setting. They are
// our own, with the JSON names of Rancher v2.15, and hold only the fields the
// provider uses. Spec fields are omitempty (or pointers) so that a
// server-side apply sends, and so owns, only what the configuration sets.
package rancher

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// API groups and versions.
var (
	ProvisioningVersion = schema.GroupVersion{Group: "provisioning.cattle.io", Version: "v1"}
	ManagementVersion   = schema.GroupVersion{Group: "management.cattle.io", Version: "v3"}
)

// Resources.
var (
	Clusters                  = ProvisioningVersion.WithResource("clusters")
	ClusterRegistrationTokens = ManagementVersion.WithResource("clusterregistrationtokens")
	Settings                  = ManagementVersion.WithResource("settings")
	// ManagementClusters are the management.cattle.io/v3 Clusters Rancher
	// creates for each provisioning Cluster (named by its status.clusterName).
	ManagementClusters = ManagementVersion.WithResource("clusters")
)

// Kinds.
const (
	KindCluster                  = "Cluster"
	KindClusterRegistrationToken = "ClusterRegistrationToken"
	KindSetting                  = "Setting"
)

// Registration facts of Rancher v2.15 (pkg/controllers/management/clusterregistrationtoken).
const (
	// DefaultWorkspace is the namespace (Fleet workspace) of downstream clusters.
	DefaultWorkspace = "fleet-default"
	// DefaultTokenName is the ClusterRegistrationToken Rancher creates in the
	// namespace named after status.clusterName.
	DefaultTokenName = "default-token"
	// TokenPlaceholder stands for the token in the URL and commands Rancher
	// stores from 2.13.8, 2.14.4 and 2.15.0 on; the token is in a Secret.
	TokenPlaceholder = "{token}"
	// TokenSecretKey is the key of the token in that Secret.
	TokenSecretKey = "token"
)

// ManagementCluster is the management.cattle.io/v3 Cluster of an imported
// cluster, with the one field the provider sets: the cluster-level private
// registry of Rancher 2.11 and later, which Rancher prefers to its global
// system-default-registry for the images it deploys to that cluster (its
// agent in the import manifest included; pkg/image ResolveWithCluster).
type ManagementCluster struct {
	Object `json:",inline"`
	Spec   ManagementClusterSpec `json:"spec,omitempty"`
}

// ManagementClusterSpec is the part of the spec the provider sets.
type ManagementClusterSpec struct {
	ImportedConfig *ImportedConfig `json:"importedConfig,omitempty"`
}

// ImportedConfig is the configuration of an imported cluster.
type ImportedConfig struct {
	PrivateRegistryURL string `json:"privateRegistryURL,omitempty"`
}

// TokenSecretName is the Secret holding a ClusterRegistrationToken's token,
// when its status does not name it.
func TokenSecretName(tokenName string) string { return "crt-token-" + tokenName }

// Object is what every Rancher type embeds.
type Object struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}

// Condition is the condition type of Rancher objects (wrangler's
// GenericCondition). Rancher's error conditions have reason "Error".
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

// Cluster is a provisioning.cattle.io/v1 Cluster. Without spec.rkeConfig it
// is an imported cluster: Rancher registers it and serves an import manifest
// that, applied to the downstream cluster, deploys Rancher's cluster agent.
type Cluster struct {
	Object `json:",inline"`
	Spec   ClusterSpec    `json:"spec"`
	Status *ClusterStatus `json:"status,omitempty"`
}

// ClusterSpec holds the fields of an imported cluster the provider manages.
type ClusterSpec struct {
	// AgentEnvVars are set on the cluster agent (and on the Fleet agent,
	// which Rancher renders from the same list).
	AgentEnvVars                        []corev1.EnvVar               `json:"agentEnvVars,omitempty"`
	ClusterAgentDeploymentCustomization *AgentDeploymentCustomization `json:"clusterAgentDeploymentCustomization,omitempty"`
	FleetAgentDeploymentCustomization   *AgentDeploymentCustomization `json:"fleetAgentDeploymentCustomization,omitempty"`
}

// AgentDeploymentCustomization changes how Rancher renders an agent Deployment.
type AgentDeploymentCustomization struct {
	AppendTolerations            []corev1.Toleration   `json:"appendTolerations,omitempty"`
	OverrideAffinity             *corev1.Affinity      `json:"overrideAffinity,omitempty"`
	OverrideResourceRequirements *ResourceRequirements `json:"overrideResourceRequirements,omitempty"`
}

// ResourceRequirements are an agent's limits and requests. Quantities stay
// the strings that were sent, as in package fleet (same shape, so the two
// convert into each other).
type ResourceRequirements struct {
	Limits   map[string]intstr.IntOrString `json:"limits,omitempty"`
	Requests map[string]intstr.IntOrString `json:"requests,omitempty"`
	Claims   []corev1.ResourceClaim        `json:"claims,omitempty"`
}

// ClusterStatus is written by Rancher.
type ClusterStatus struct {
	// ClusterName is the management cluster (c-m-xxxxxxxx) Rancher created;
	// the registration token lives in the namespace of that name.
	ClusterName string `json:"clusterName,omitempty"`
	// Conditions: Ready is True while the cluster's agent is connected.
	Conditions []Condition `json:"conditions,omitempty"`
}

// ClusterRegistrationToken is a management.cattle.io/v3
// ClusterRegistrationToken: how a downstream cluster authenticates its first
// connection to Rancher.
type ClusterRegistrationToken struct {
	Object `json:",inline"`
	Status ClusterRegistrationTokenStatus `json:"status"`
}

// ClusterRegistrationTokenStatus is written by Rancher. From 2.13.8, 2.14.4
// and 2.15.0 on, Token is empty and the URL and command hold
// TokenPlaceholder; the token is in Secret TokenSecretName.
type ClusterRegistrationTokenStatus struct {
	Token           string `json:"token,omitempty"`
	TokenSecretName string `json:"tokenSecretName,omitempty"`
	ManifestURL     string `json:"manifestUrl,omitempty"`
	Command         string `json:"command,omitempty"`
}

// Setting is a management.cattle.io/v3 Setting (cluster-scoped): one of
// Rancher's global settings. Its fields sit at the top level.
type Setting struct {
	Object `json:",inline"`
	// Value is always sent: "" is a value (Rancher then uses Default).
	Value string `json:"value"`
	// Default is Rancher's, used while Value is empty.
	Default string `json:"default,omitempty"`
	// Source is "env" when Rancher takes the value from its environment,
	// which then wins over Value.
	Source string `json:"source,omitempty"`
}
