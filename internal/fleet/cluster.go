package fleet

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Clusters is the resource of Cluster.
var Clusters = Resource("clusters")

// Cluster is a downstream cluster Fleet deploys to, and the source of the spec
// its agent Deployment is rendered from.
type Cluster struct {
	Object `json:",inline"`
	Spec   ClusterSpec    `json:"spec"`
	Status *ClusterStatus `json:"status,omitempty"`
}

// ClusterSpec is the desired state of a Cluster.
//
// Booleans are *bool: nil is not sent (not owned), a set false is sent and so
// owned, which can take the field back from another manager.
type ClusterSpec struct {
	// KubeConfigSecret names a Secret (key "value") for manager-initiated registration.
	KubeConfigSecret string `json:"kubeConfigSecret,omitempty"`
	// KubeConfigSecretNamespace defaults to the Cluster's namespace.
	KubeConfigSecretNamespace string `json:"kubeConfigSecretNamespace,omitempty"`
	// ClientID pre-defines the identity an agent registers with.
	ClientID string `json:"clientID,omitempty"`
	// Paused stops updates of the cluster's bundle deployments.
	Paused *bool `json:"paused,omitempty"`
	// RedeployAgentGeneration: raise it to force a redeploy of the agent.
	RedeployAgentGeneration int64 `json:"redeployAgentGeneration,omitempty"`
	// AgentEnvVars are added to the agent; proxy variables must be here to survive adoption.
	AgentEnvVars []corev1.EnvVar `json:"agentEnvVars,omitempty"`
	// AgentNamespace defaults to Fleet's system namespace (cattle-fleet-system).
	AgentNamespace string `json:"agentNamespace,omitempty"`
	// PrivateRepoURL prefixes the agent image.
	PrivateRepoURL string `json:"privateRepoURL,omitempty"`
	// TemplateValues feed fleet.yaml templating (Fleet's GenericMap): the raw
	// JSON object, kept as sent so numbers and nesting survive unchanged.
	TemplateValues   json.RawMessage     `json:"templateValues,omitempty"`
	AgentTolerations []corev1.Toleration `json:"agentTolerations,omitempty"`
	// AgentAffinity: nil keeps Fleet's default affinity.
	AgentAffinity  *corev1.Affinity      `json:"agentAffinity,omitempty"`
	AgentResources *ResourceRequirements `json:"agentResources,omitempty"`
	// HostNetwork: nil leaves Fleet's default (false); a set false is sent.
	HostNetwork                  *bool                         `json:"hostNetwork,omitempty"`
	AgentSchedulingCustomization *AgentSchedulingCustomization `json:"agentSchedulingCustomization,omitempty"`
	// AgentPullSecrets: nil (not sent) = Fleet copies the global pull secrets,
	// &[]{} (sent as []) = none, a list = exactly these. A plain slice with
	// omitempty could not send [], hence the pointer.
	AgentPullSecrets *[]corev1.LocalObjectReference `json:"agentPullSecrets,omitempty"`
}

// ResourceRequirements are the agent's limits and requests. Quantities stay
// the strings that were sent ("1000m" is not rewritten as "1"), so what a
// configuration wrote reads back the same; the CRD stores them as given.
type ResourceRequirements struct {
	Limits   map[string]intstr.IntOrString `json:"limits,omitempty"`
	Requests map[string]intstr.IntOrString `json:"requests,omitempty"`
	Claims   []corev1.ResourceClaim        `json:"claims,omitempty"`
}

// AgentSchedulingCustomization makes Fleet create a PriorityClass and a
// PodDisruptionBudget for the agent.
type AgentSchedulingCustomization struct {
	PriorityClass       *PriorityClassSpec       `json:"priorityClass,omitempty"`
	PodDisruptionBudget *PodDisruptionBudgetSpec `json:"podDisruptionBudget,omitempty"`
}

// PriorityClassSpec is the agent's PriorityClass.
type PriorityClassSpec struct {
	Value            int                      `json:"value,omitempty"`
	PreemptionPolicy *corev1.PreemptionPolicy `json:"preemptionPolicy,omitempty"`
}

// PodDisruptionBudgetSpec is the agent's PodDisruptionBudget. The values are
// strings ("1" or "50%"): the CRD types them as string, not int-or-string,
// so an intstr number would be rejected.
type PodDisruptionBudgetSpec struct {
	MinAvailable   string `json:"minAvailable,omitempty"`
	MaxUnavailable string `json:"maxUnavailable,omitempty"`
}

// ClusterStatus is written by the Fleet controller and the agent.
type ClusterStatus struct {
	Conditions []Condition `json:"conditions,omitempty"`
	// Namespace is the per-cluster namespace (cluster-<ns>-<name>-<hash>).
	Namespace            string         `json:"namespace,omitempty"`
	Summary              BundleSummary  `json:"summary,omitzero"`
	ResourceCounts       ResourceCounts `json:"resourceCounts,omitzero"`
	ReadyGitRepos        int            `json:"readyGitRepos"`
	DesiredReadyGitRepos int            `json:"desiredReadyGitRepos"`
	ReadyHelmOps         int            `json:"readyHelmOps"`
	DesiredReadyHelmOps  int            `json:"desiredReadyHelmOps"`
	Display              ClusterDisplay `json:"display,omitzero"`
	Agent                AgentStatus    `json:"agent,omitzero"`

	// What the controller last deployed the agent with.
	AgentEnvVarsHash                 string `json:"agentEnvVarsHash,omitempty"`
	AgentPrivateRepoURL              string `json:"agentPrivateRepoURL,omitempty"`
	AgentHostNetwork                 bool   `json:"agentHostNetwork,omitempty"`
	AgentDeployedGeneration          *int64 `json:"agentDeployedGeneration,omitempty"`
	AgentAffinityHash                string `json:"agentAffinityHash,omitempty"`
	AgentResourcesHash               string `json:"agentResourcesHash,omitempty"`
	AgentTolerationsHash             string `json:"agentTolerationsHash,omitempty"`
	AgentSchedulingCustomizationHash string `json:"agentSchedulingCustomizationHash,omitempty"`
	AgentConfigChanged               bool   `json:"agentConfigChanged,omitempty"`
	AgentMigrated                    bool   `json:"agentMigrated,omitempty"`
	AgentNamespaceMigrated           bool   `json:"agentNamespaceMigrated,omitempty"`
	CattleNamespaceMigrated          bool   `json:"cattleNamespaceMigrated,omitempty"`
	AgentTLSMode                     string `json:"agentTLSMode,omitempty"`
	APIServerURL                     string `json:"apiServerURL,omitempty"`
	APIServerCAHash                  string `json:"apiServerCAHash,omitempty"`

	GarbageCollectionInterval *metav1.Duration `json:"garbageCollectionInterval,omitempty"`
	// Scheduled: the cluster is in a Schedule; ActiveSchedule: it is inside its window.
	Scheduled      bool `json:"scheduled,omitempty"`
	ActiveSchedule bool `json:"activeSchedule,omitempty"`
}

// ClusterDisplay is the human summary of a Cluster's state.
type ClusterDisplay struct {
	// ReadyBundles reads "ready/desired".
	ReadyBundles string `json:"readyBundles,omitempty"`
	// State is a bundle state or "WaitCheckIn".
	State string `json:"state,omitempty"`
}

// AgentStatus is what the agent last reported.
type AgentStatus struct {
	// LastSeen is nil until the agent first checks in.
	LastSeen *metav1.Time `json:"lastSeen,omitempty"`
	// Namespace is where the agent runs, e.g. cattle-fleet-system.
	Namespace string `json:"namespace,omitempty"`
}
