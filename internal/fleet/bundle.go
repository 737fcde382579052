package fleet

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// This file holds the pieces of Fleet's Bundle spec that a HelmOp embeds
// (HelmOpSpec) and that each of its targets repeats (BundleTarget).
//
// Booleans are *bool throughout: nil is not sent (not owned), a set false is
// sent and so owned, which can take the field back from another manager.

// BundleDeploymentOptions is how a bundle is deployed; BundleTarget overrides it per target.
type BundleDeploymentOptions struct {
	// YAML and Kustomize only matter for bundles built from git.
	YAML      *YAMLOptions      `json:"yaml,omitempty"`
	Kustomize *KustomizeOptions `json:"kustomize,omitempty"`

	// DefaultNamespace is used for resources that name no namespace.
	DefaultNamespace string `json:"defaultNamespace,omitempty"`
	// TargetNamespace forces every resource into this namespace (JSON name "namespace").
	TargetNamespace     string       `json:"namespace,omitempty"`
	Helm                *HelmOptions `json:"helm,omitempty"`
	ServiceAccount      string       `json:"serviceAccount,omitempty"`
	ForceSyncGeneration int64        `json:"forceSyncGeneration,omitempty"`
	// Diff ignores fields changed at run time when checking for modifications.
	Diff            *DiffOptions   `json:"diff,omitempty"`
	KeepResources   *bool          `json:"keepResources,omitempty"`
	DeleteNamespace *bool          `json:"deleteNamespace,omitempty"`
	IgnoreOptions   *IgnoreOptions `json:"ignore,omitempty"`
	CorrectDrift    *CorrectDrift  `json:"correctDrift,omitempty"`
	// NamespaceLabels and NamespaceAnnotations go on the namespace Fleet creates.
	NamespaceLabels      map[string]string `json:"namespaceLabels,omitempty"`
	NamespaceAnnotations map[string]string `json:"namespaceAnnotations,omitempty"`
	// DeleteCRDResources deletes CRDs, and so all their objects, with the bundle.
	DeleteCRDResources *bool `json:"deleteCRDResources,omitempty"`
	// DownstreamResources are Secrets/ConfigMaps copied from the bundle's namespace downstream.
	DownstreamResources []DownstreamResource `json:"downstreamResources,omitempty"`
	// Overwrites is set by Fleet; the provider leaves it nil.
	Overwrites []OverwrittenResource `json:"overwrites,omitempty"`
	// AllowedTargetNamespaceSelector is propagated from a GitRepoRestriction.
	AllowedTargetNamespaceSelector *metav1.LabelSelector `json:"allowedTargetNamespaceSelector,omitempty"`
}

// HelmOptions is the chart and how Helm installs it.
type HelmOptions struct {
	// Chart is a chart name in Repo, an oci:// reference or a go-getter URL.
	Chart string `json:"chart,omitempty"`
	// Repo is the HTTPS chart repository URL.
	Repo    string `json:"repo,omitempty"`
	Version string `json:"version,omitempty"`
	// ReleaseName: at most 53 characters, DNS-1123 subdomain.
	ReleaseName string `json:"releaseName,omitempty"`
	// Values is the values object (Fleet's GenericMap), kept as raw JSON so
	// numbers and nesting are sent exactly as given; may hold Go templates.
	Values json.RawMessage `json:"values,omitempty"`
	// TemplateValues are templated one key at a time, before YAML encoding.
	TemplateValues map[string]string `json:"templateValues,omitempty"`
	ValuesFiles    []string          `json:"valuesFiles,omitempty"`
	ValuesFrom     []ValuesFrom      `json:"valuesFrom,omitempty"`
	TimeoutSeconds int               `json:"timeoutSeconds,omitempty"`
	MaxHistory     int               `json:"maxHistory,omitempty"`
	Force          *bool             `json:"force,omitempty"`
	TakeOwnership  *bool             `json:"takeOwnership,omitempty"`
	Atomic         *bool             `json:"atomic,omitempty"`
	// WaitForJobs waits for Jobs, up to TimeoutSeconds.
	WaitForJobs       *bool `json:"waitForJobs,omitempty"`
	DisablePreProcess *bool `json:"disablePreProcess,omitempty"`
	// DisableDNS turns off Helm's DNS lookups in templates (Fleet enables them).
	DisableDNS              *bool `json:"disableDNS,omitempty"`
	SkipSchemaValidation    *bool `json:"skipSchemaValidation,omitempty"`
	DisableDependencyUpdate *bool `json:"disableDependencyUpdate,omitempty"`
}

// ValuesFrom reads Helm values from one key of a ConfigMap or Secret.
type ValuesFrom struct {
	ConfigMapKeyRef *ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
	SecretKeyRef    *SecretKeySelector    `json:"secretKeyRef,omitempty"`
}

// ConfigMapKeySelector names a key of a ConfigMap.
type ConfigMapKeySelector struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Key       string `json:"key,omitempty"`
}

// SecretKeySelector names a key of a Secret.
type SecretKeySelector struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Key       string `json:"key,omitempty"`
}

// YAMLOptions names overlays/<name> folders that replace or patch manifests.
type YAMLOptions struct {
	Overlays []string `json:"overlays,omitempty"`
}

// KustomizeOptions points at the folder holding kustomization.yaml.
type KustomizeOptions struct {
	Dir string `json:"dir,omitempty"`
}

// DiffOptions lists what to leave out of the modification check.
type DiffOptions struct {
	ComparePatches []ComparePatch `json:"comparePatches,omitempty"`
}

// ComparePatch matches resources and removes fields (or them) from the check.
type ComparePatch struct {
	APIVersion   string      `json:"apiVersion,omitempty"`
	Kind         string      `json:"kind,omitempty"`
	Name         string      `json:"name,omitempty"`
	Namespace    string      `json:"namespace,omitempty"`
	JSONPointers []string    `json:"jsonPointers,omitempty"`
	Operations   []Operation `json:"operations,omitempty"`
}

// Operation is "remove" (with a JSON path) or "ignore" (the whole resource).
type Operation struct {
	Op    string `json:"op,omitempty"`
	Path  string `json:"path,omitempty"`
	Value string `json:"value,omitempty"`
}

// IgnoreOptions lists resource conditions that do not make a bundle not ready.
type IgnoreOptions struct {
	// Conditions are matched on their fields, e.g. {type: Available, status: "False"}.
	Conditions []map[string]string `json:"conditions,omitempty"`
}

// DownstreamResource names a Secret or ConfigMap to copy downstream.
type DownstreamResource struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
}

// OverwrittenResource is a resource this bundle took over from another.
type OverwrittenResource struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Kind      string `json:"kind,omitempty"`
}

// BundleTarget selects clusters and may override the deployment options for them.
type BundleTarget struct {
	BundleDeploymentOptions `json:",inline"`
	// Name is for display; Fleet names unnamed targets "target000", ...
	Name                 string                `json:"name,omitempty"`
	ClusterName          string                `json:"clusterName,omitempty"`
	ClusterSelector      *metav1.LabelSelector `json:"clusterSelector,omitempty"`
	ClusterGroup         string                `json:"clusterGroup,omitempty"`
	ClusterGroupSelector *metav1.LabelSelector `json:"clusterGroupSelector,omitempty"`
	// DoNotDeploy excludes the clusters this target matches.
	DoNotDeploy *bool `json:"doNotDeploy,omitempty"`
}

// BundleTargetRestriction is set by Fleet (an allow list); the provider leaves it nil.
type BundleTargetRestriction struct {
	Name                 string                `json:"name,omitempty"`
	ClusterName          string                `json:"clusterName,omitempty"`
	ClusterSelector      *metav1.LabelSelector `json:"clusterSelector,omitempty"`
	ClusterGroup         string                `json:"clusterGroup,omitempty"`
	ClusterGroupSelector *metav1.LabelSelector `json:"clusterGroupSelector,omitempty"`
}

// BundleRef is a dependency: a bundle by name or by labels.
type BundleRef struct {
	Name     string                `json:"name,omitempty"`
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// AcceptedStates are the bundle states that satisfy it; Fleet's default is ["Ready"].
	AcceptedStates []string `json:"acceptedStates,omitempty"`
}

// RolloutStrategy sets how fast a bundle rolls out over clusters.
type RolloutStrategy struct {
	// Number or percentage values; Fleet's defaults are in the comments.
	MaxUnavailable           *intstr.IntOrString `json:"maxUnavailable,omitempty"`           // 100%
	MaxUnavailablePartitions *intstr.IntOrString `json:"maxUnavailablePartitions,omitempty"` // 0
	AutoPartitionSize        *intstr.IntOrString `json:"autoPartitionSize,omitempty"`        // 25%
	AutoPartitionThreshold   *int                `json:"autoPartitionThreshold,omitempty"`   // 200
	MaxNew                   *int                `json:"maxNew,omitempty"`                   // 50
	Partitions               []Partition         `json:"partitions,omitempty"`
}

// Partition is a set of clusters rolled out together.
type Partition struct {
	Name                 string                `json:"name,omitempty"`
	MaxUnavailable       *intstr.IntOrString   `json:"maxUnavailable,omitempty"`
	ClusterName          string                `json:"clusterName,omitempty"`
	ClusterSelector      *metav1.LabelSelector `json:"clusterSelector,omitempty"`
	ClusterGroup         string                `json:"clusterGroup,omitempty"`
	ClusterGroupSelector *metav1.LabelSelector `json:"clusterGroupSelector,omitempty"`
}

// BundleResource is one file of a bundle's content.
type BundleResource struct {
	Name     string `json:"name,omitempty"`
	Content  string `json:"content,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

// BundleHelmOptions is set by Fleet on bundles made from a HelmOp.
type BundleHelmOptions struct {
	SecretName            string `json:"helmOpSecretName,omitempty"`
	InsecureSkipTLSVerify *bool  `json:"helmOpInsecureSkipTLSVerify,omitempty"`
	CABundle              []byte `json:"helmOpCABundle,omitempty"`
}
