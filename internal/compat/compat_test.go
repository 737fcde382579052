package compat

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestReleasesMatchTestenv: the releases the provider claims to support are
// the ones the test environment runs, with the same Rancher releases.
func TestReleasesMatchTestenv(t *testing.T) {
	var got, want []string
	for _, r := range Releases {
		got = append(got, r.Version+"/"+r.Rancher)
	}
	for _, r := range testenv.Releases {
		want = append(want, r.Version+"/"+r.Rancher)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("compat.Releases %v, testenv.Releases %v", got, want)
	}
	for _, f := range Features {
		if rancherOf(f.Since) == "?" {
			t.Errorf("%s: Since %s is not a supported release", f.Name(), f.Since)
		}
	}
}

func node(fields ...string) schemaNode {
	n := schemaNode{Properties: map[string]schemaNode{}}
	for _, f := range fields {
		n.Properties[f] = schemaNode{}
	}
	return schemaNode{Properties: map[string]schemaNode{"spec": n}}
}

// TestFieldsFromSchemas: with the published schemas, a field counts when the
// kind's schema declares it, whatever the version says.
func TestFieldsFromSchemas(t *testing.T) {
	f := newFleet([]string{"Cluster", "GitRepo", "HelmOp"}, map[string]schemaNode{
		"Cluster": node("agentPullSecrets"), // as if backported
		"GitRepo": node("bundles"),
		"HelmOp":  node(),
	}, "v0.15.0")
	want := map[string]bool{
		"fleet_cluster.agent_pull_secrets":                            true,
		"fleet_agent.image_pull_secret":                               true,
		"fleet_cluster.agent_scheduling_customization":                false,
		"fleet_gitrepo.bundles":                                       true,
		"fleet_gitrepo.webhook_secret":                                false,
		"fleet_helmop":                                                true,
		"fleet_helmop.target_customization_mode":                      false,
		"fleet_gitrepo_restriction.allowed_target_namespace_selector": false, // kind not served
		"fleet_policy":                                                false, // kind not served (v0.16 and later)
	}
	for name, has := range want {
		if f.features[name] != has {
			t.Errorf("%s: got %v, want %v", name, f.features[name], has)
		}
	}
	if f.Version != "v0.15.0" || f.VersionSource != SourceControllerImage || f.FieldsSource != SourceSchemas {
		t.Errorf("version %q from %q, fields from %q", f.Version, f.VersionSource, f.FieldsSource)
	}
}

// TestFieldsFromRelease: without schemas the release decides, exact from the
// controller image or the series the served kinds show.
func TestFieldsFromRelease(t *testing.T) {
	all := []string{"Cluster", "GitRepo", "GitRepoRestriction"}
	cases := []struct {
		name          string
		kinds         []string
		tag           string
		version, from string
		pullSecrets   bool
		scheduling    bool
		helmOp        bool
	}{
		{"v0.16 by kinds", append(all, "HelmOp", "Policy"), "", "v0.16.x", SourceServedKinds, true, true, true},
		{"v0.15 by kinds", append(all, "HelmOp", "Schedule"), "", "v0.15.x", SourceServedKinds, false, true, true},
		{"v0.12 by kinds", append(all, "HelmApp"), "", "v0.12.x", SourceServedKinds, false, false, false},
		{"v0.12 by image", append(all, "HelmApp"), "v0.12.0", "v0.12.0", SourceControllerImage, false, false, false},
		{"newer patch", append(all, "HelmOp", "Policy"), "v0.16.2", "v0.16.2", SourceControllerImage, true, true, true},
		{"image older than the kinds", append(all, "HelmOp", "Policy"), "v0.12.0", "v0.16.x", SourceServedKinds, true, true, true},
		{"older than supported", all, "", "older than v0.12.0", SourceServedKinds, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFleet(c.kinds, nil, c.tag)
			if f.Version != c.version || f.VersionSource != c.from || f.FieldsSource != SourceRelease {
				t.Errorf("version %q from %q (fields %q), want %q from %q", f.Version, f.VersionSource, f.FieldsSource, c.version, c.from)
			}
			got := []bool{f.Has(Lookup("fleet_cluster", "agent_pull_secrets")),
				f.Has(Lookup("fleet_cluster", "agent_scheduling_customization")), f.Has(Lookup("fleet_helmop", ""))}
			if want := []bool{c.pullSecrets, c.scheduling, c.helmOp}; !slices.Equal(got, want) {
				t.Errorf("pull secrets, scheduling, HelmOp: got %v, want %v", got, want)
			}
		})
	}
}

// TestRefusal: the message names the attribute, the release that has it and
// the release the cluster runs.
func TestRefusal(t *testing.T) {
	d := refusal(Lookup("fleet_cluster", "agent_pull_secrets"), "v0.15.x")
	want := "`agent_pull_secrets` needs Fleet ≥ v0.16.0; this management cluster runs v0.15.x. " +
		"Fleet v0.16.0 ships with Rancher 2.15: upgrade Fleet, or remove the attribute."
	if d.Summary() != unavailableSummary || d.Detail() != want {
		t.Fatalf("got %q: %q\nwant %q", d.Summary(), d.Detail(), want)
	}
	if d := refusal(Lookup("fleet_helmop", ""), "v0.12.0"); !strings.HasPrefix(d.Detail(), "`fleet_helmop` needs Fleet ≥ v0.15.0; this management cluster runs v0.12.0.") ||
		!strings.HasSuffix(d.Detail(), "remove the resource.") {
		t.Fatalf("kind refusal: %q", d.Detail())
	}
}

// TestExplainApplyError: the apiserver's rejection of an undeclared field
// becomes the refusal; other errors stay as they are. The client here cannot
// connect, so the release is unknown.
func TestExplainApplyError(t *testing.T) {
	ctx := context.Background()
	c := kube.NewClientError(errors.New("offline"))
	rejected := errors.New(`failed to create typed patch object (ns/edge; fleet.cattle.io/v1alpha1, Kind=Cluster): ` +
		`.spec.agentPullSecrets: field not declared in schema`)
	d := GatesFor("fleet_cluster").ExplainApplyError(ctx, c, rejected)
	if len(d) != 1 || !strings.Contains(d[0].Detail(), "`agent_pull_secrets` needs Fleet ≥ v0.16.0; this management cluster runs an older release.") {
		t.Fatalf("got %v", d)
	}
	for name, err := range map[string]error{
		"other field":      errors.New(`.spec.somethingElse: field not declared in schema`),
		"other resource":   rejected, // fleet_gitrepo has no agentPullSecrets
		"unrelated":        errors.New("connection refused"),
		"404, no release":  apierrors.NewNotFound(schema.GroupResource{Group: "fleet.cattle.io", Resource: "helmops"}, ""),
		"validation error": errors.New(`HelmOp.fleet.cattle.io "x" is invalid: spec.helm.chart: Required value`),
	} {
		gates := GatesFor("fleet_cluster")
		if name == "other resource" || name == "404, no release" {
			gates = GatesFor("fleet_gitrepo")
		}
		if d := gates.ExplainApplyError(ctx, c, err); len(d) != 0 {
			t.Errorf("%s: explained as %v", name, d)
		}
	}
}

func TestImageTag(t *testing.T) {
	for image, want := range map[string]string{
		"rancher/fleet:v0.15.0":                         "v0.15.0",
		"registry.corp:5000/rancher/fleet:v0.16.1-rc.2": "v0.16.1-rc.2",
		"rancher/fleet:v0.12.0@sha256:0123":             "v0.12.0",
		"rancher/fleet:dev":                             "",
		"rancher/fleet":                                 "",
		"registry.corp:5000/rancher/fleet":              "",
	} {
		if got := imageTag(image); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", image, got, want)
		}
	}
}

func TestLookupPanicsForUnknown(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Lookup("fleet_cluster", "no_such_attribute")
}
