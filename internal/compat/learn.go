package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Fleet is what the provider learned of the management cluster's Fleet.
type Fleet struct {
	// Installed is false when the cluster serves no fleet.cattle.io/v1alpha1.
	Installed bool
	// Version is the release as far as it can be known: the tag of the
	// fleet-controller image (e.g. "v0.15.0") where the credentials may read
	// that Deployment, else the release series the served kinds point to
	// (e.g. "v0.15.x").
	Version string
	// VersionSource says where Version comes from.
	VersionSource string
	// Kinds are the served Fleet kinds, sorted.
	Kinds []string
	// FieldsSource says how the available fields were learned.
	FieldsSource string

	features map[string]bool // by Feature.Name
}

// Has reports whether the cluster's Fleet serves the feature.
func (f *Fleet) Has(feature Feature) bool { return f.features[feature.Name()] }

// How Version and the fields were learned.
const (
	SourceControllerImage = "fleet-controller image"
	SourceServedKinds     = "served kinds"
	SourceSchemas         = "published CRD schemas"
	SourceRelease         = "release"
)

const (
	groupVersion = "fleet.cattle.io/v1alpha1"
	// Where Fleet's chart installs the controller (also under Rancher).
	controllerNamespace  = "cattle-fleet-system"
	controllerDeployment = "fleet-controller"
	// learnTimeout bounds the three requests: a plan must not hang on a
	// management cluster that does not answer.
	learnTimeout = 20 * time.Second
)

// seriesMarks tell a release series by a kind it introduced, newest first
// (see the kinds of each release's crds.yaml). HelmOp replaced v0.12's
// experimental HelmApp.
var seriesMarks = []struct{ kind, series, base string }{
	{"Policy", "v0.16.x", "v0.16.0"},
	{"HelmOp", "v0.15.x", "v0.15.0"},
	{"HelmApp", "v0.12.x", "v0.12.0"},
}

// Learn returns what the management cluster's Fleet serves. The first call
// on a client asks the cluster (discovery of fleet.cattle.io/v1alpha1, the
// OpenAPI v3 document the API server publishes from the CRDs' schemas, and
// the fleet-controller Deployment); every later call gets the same answer,
// or the same error. Only discovery is required: without the schemas the
// fields follow from the release, and without the Deployment the version
// from the served kinds.
func Learn(ctx context.Context, c *kube.Client) (*Fleet, error) {
	v, err := c.Cached(groupVersion, func() (any, error) {
		// Not the first caller's cancellation: the answer is shared.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), learnTimeout)
		defer cancel()
		return learn(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Fleet), nil
}

func learn(ctx context.Context, c *kube.Client) (*Fleet, error) {
	core, err := c.Core()
	if err != nil {
		return nil, err
	}
	rest := core.Discovery().RESTClient()
	raw, err := rest.Get().AbsPath("/apis/" + groupVersion).DoRaw(ctx)
	if apierrors.IsNotFound(err) {
		return &Fleet{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot discover the Fleet API (%s): %w", groupVersion, err)
	}
	var list metav1.APIResourceList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("cannot read the discovery of %s: %w", groupVersion, err)
	}
	var kinds []string
	for _, r := range list.APIResources {
		if !strings.Contains(r.Name, "/") && !slices.Contains(kinds, r.Kind) { // not a subresource
			kinds = append(kinds, r.Kind)
		}
	}
	slices.Sort(kinds)

	var schemas map[string]schemaNode
	if doc, err := rest.Get().AbsPath("/openapi/v3/apis/" + groupVersion).DoRaw(ctx); err == nil {
		schemas, _ = kindSchemas(doc) // unreadable: fall back to the release
	}
	var tag string
	if d, err := core.AppsV1().Deployments(controllerNamespace).Get(ctx, controllerDeployment, metav1.GetOptions{}); err == nil {
		for _, container := range d.Spec.Template.Spec.Containers {
			if container.Name == controllerDeployment || tag == "" {
				tag = imageTag(container.Image)
			}
		}
	}
	return newFleet(kinds, schemas, tag), nil
}

// newFleet judges every feature from what was learned: the kinds (always),
// the kinds' schemas (nil when unreadable) and the controller image's tag
// ("" when unreadable).
func newFleet(kinds []string, schemas map[string]schemaNode, tag string) *Fleet {
	f := &Fleet{Installed: true, Kinds: kinds, features: map[string]bool{}}
	series, base := "older than "+Releases[0].Version, "v0.0.0"
	for _, m := range seriesMarks {
		if slices.Contains(kinds, m.kind) {
			series, base = m.series, m.base
			break
		}
	}
	f.Version, f.VersionSource = series, SourceServedKinds
	release := base
	// A tag older than what the kinds prove is not the running controller's.
	if _, ok := parseVersion(tag); ok && atLeast(tag, base) {
		f.Version, f.VersionSource, release = tag, SourceControllerImage, tag
	}
	f.FieldsSource = SourceRelease
	if schemas != nil {
		f.FieldsSource = SourceSchemas
	}
	for _, feature := range Features {
		has := slices.Contains(kinds, feature.Kind)
		if has && feature.Field != nil {
			if s, ok := schemas[feature.Kind]; ok {
				has = s.has(feature.Field)
			} else {
				has = atLeast(release, feature.Since)
			}
		}
		f.features[feature.Name()] = has
	}
	return f
}

// schemaNode is the part of an OpenAPI schema that tells which fields exist.
type schemaNode struct {
	Properties map[string]schemaNode `json:"properties"`
	GVK        []struct {
		Group string `json:"group"`
		Kind  string `json:"kind"`
	} `json:"x-kubernetes-group-version-kind"`
}

func (s schemaNode) has(path []string) bool {
	for _, name := range path {
		next, ok := s.Properties[name]
		if !ok {
			return false
		}
		s = next
	}
	return true
}

// kindSchemas reads the schema of each Fleet kind from the OpenAPI v3
// document of fleet.cattle.io/v1alpha1.
func kindSchemas(doc []byte) (map[string]schemaNode, error) {
	var parsed struct {
		Components struct {
			Schemas map[string]schemaNode `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		return nil, err
	}
	out := map[string]schemaNode{}
	for _, s := range parsed.Components.Schemas {
		for _, gvk := range s.GVK {
			if gvk.Group == "fleet.cattle.io" {
				out[gvk.Kind] = s
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no schema of a %s kind in the OpenAPI document", groupVersion)
	}
	return out, nil
}

var tagRE = regexp.MustCompile(`:(v[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*)$`)

// imageTag returns the release tag of an image reference such as
// "registry.corp/rancher/fleet:v0.15.0", or "".
func imageTag(image string) string {
	image, _, _ = strings.Cut(image, "@") // a digest pins the tag's image
	if m := tagRE.FindStringSubmatch(image); m != nil {
		return m[1]
	}
	return ""
}
