// Package compat knows which Fleet releases the provider supports, what each
// serves that the provider writes, and what the management cluster it talks
// to runs. Resources use it to refuse, at plan time, an attribute the
// cluster's Fleet does not have (Gates), and to explain the apply error an
// older Fleet gives for one; the fleet_version data source shows what it
// learned. It learns once per provider configuration (kube.Client.Cached).
//
// Sources: each release's CRDs (charts/fleet-crd/templates/crds.yaml of
// github.com/rancher/fleet v0.12.0, v0.15.0, v0.16.0) and chart metadata
// (charts/fleet/Chart.yaml, catalog.cattle.io/rancher-version).
package compat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Release is a Fleet release the provider is tested against.
type Release struct {
	Version string // tag, e.g. "v0.15.0"
	Rancher string // the Rancher minor release that ships it
}

// Releases are the supported Fleet releases, oldest first.
var Releases = []Release{
	{Version: "v0.12.0", Rancher: "2.11"},
	{Version: "v0.15.0", Rancher: "2.14"},
	{Version: "v0.16.0", Rancher: "2.15"},
}

// Feature is something a resource writes that not every supported Fleet
// release has: a kind, or a field of one, named as the Terraform attribute
// that sends it.
type Feature struct {
	// Resource is the Terraform resource type, e.g. "fleet_cluster".
	Resource string
	// Attribute is the attribute that sends Field, nested ones dotted
	// (rollout_strategy.max_new); empty when the feature is the resource's
	// kind itself.
	Attribute string
	// Kind is the Fleet kind the resource writes.
	Kind string
	// Field is the path of the field in the object, e.g. spec,
	// agentPullSecrets; nil for the kind itself.
	Field []string
	// Since is the oldest supported release that has it.
	Since string
}

// Features are every version-gated kind and attribute, by resource.
var Features = []Feature{
	{Resource: "fleet_helmop", Kind: "HelmOp", Since: "v0.15.0"},
	{Resource: "fleet_helmop", Attribute: "target_customization_mode", Kind: "HelmOp", Field: []string{"spec", "targetCustomizationMode"}, Since: "v0.16.0"},
	{Resource: "fleet_helmop", Attribute: "rollout_strategy.max_new", Kind: "HelmOp", Field: []string{"spec", "rolloutStrategy", "maxNew"}, Since: "v0.16.0"},
	{Resource: "fleet_gitrepo", Attribute: "bundles", Kind: "GitRepo", Field: []string{"spec", "bundles"}, Since: "v0.15.0"},
	{Resource: "fleet_gitrepo", Attribute: "oci_registry_secret", Kind: "GitRepo", Field: []string{"spec", "ociRegistrySecret"}, Since: "v0.15.0"},
	{Resource: "fleet_gitrepo", Attribute: "webhook_secret", Kind: "GitRepo", Field: []string{"spec", "webhookSecret"}, Since: "v0.15.0"},
	{Resource: "fleet_cluster", Attribute: "agent_scheduling_customization", Kind: "Cluster", Field: []string{"spec", "agentSchedulingCustomization"}, Since: "v0.15.0"},
	{Resource: "fleet_cluster", Attribute: "agent_pull_secrets", Kind: "Cluster", Field: []string{"spec", "agentPullSecrets"}, Since: "v0.16.0"},
	// fleet_agent lists its pull Secret in the Cluster's agentPullSecrets.
	{Resource: "fleet_agent", Attribute: "image_pull_secret", Kind: "Cluster", Field: []string{"spec", "agentPullSecrets"}, Since: "v0.16.0"},
	{Resource: "fleet_policy", Kind: "Policy", Since: "v0.16.0"},
	{Resource: "fleet_gitrepo_restriction", Attribute: "allowed_target_namespace_selector", Kind: "GitRepoRestriction", Field: []string{"allowedTargetNamespaceSelector"}, Since: "v0.15.0"},
}

// Name is how the fleet_version data source lists the feature:
// "fleet_helmop" for a kind, "fleet_cluster.agent_pull_secrets" for an
// attribute.
func (f Feature) Name() string {
	if f.Attribute == "" {
		return f.Resource
	}
	return f.Resource + "." + f.Attribute
}

// label is how messages name the feature.
func (f Feature) label() string {
	if f.Attribute == "" {
		return "`" + f.Resource + "`"
	}
	return "`" + f.Attribute + "`"
}

// Requirement is the sentence a description of the feature ends with, e.g.
// "Needs Fleet ≥ v0.16.0 (Rancher 2.15)."
func (f Feature) Requirement() string {
	return fmt.Sprintf("Needs Fleet ≥ %s (Rancher %s).", f.Since, rancherOf(f.Since))
}

// Lookup returns the feature of a resource's attribute ("" for the kind). It
// panics for one not in Features: the callers name them in code.
func Lookup(resource, attribute string) Feature {
	i := slices.IndexFunc(Features, func(f Feature) bool { return f.Resource == resource && f.Attribute == attribute })
	if i < 0 {
		panic(fmt.Sprintf("compat: no feature %s.%s", resource, attribute))
	}
	return Features[i]
}

// ForResource returns the features of one resource type.
func ForResource(resource string) []Feature {
	var out []Feature
	for _, f := range Features {
		if f.Resource == resource {
			out = append(out, f)
		}
	}
	return out
}

func rancherOf(version string) string {
	for _, r := range Releases {
		if r.Version == version {
			return r.Rancher
		}
	}
	return "?"
}

// semver is a parsed vMAJOR.MINOR.PATCH.
type semver [3]int

// parseVersion reads "v0.15.0" (a pre-release or build suffix is ignored).
func parseVersion(s string) (semver, bool) {
	s, ok := strings.CutPrefix(s, "v")
	if !ok {
		return semver{}, false
	}
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var v semver
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return semver{}, false
		}
		v[i] = n
	}
	return v, true
}

func (v semver) less(w semver) bool { return slices.Compare(v[:], w[:]) < 0 }

// atLeast reports whether version is since or newer; false when either does
// not parse.
func atLeast(version, since string) bool {
	v, ok1 := parseVersion(version)
	s, ok2 := parseVersion(since)
	return ok1 && ok2 && !v.less(s)
}
