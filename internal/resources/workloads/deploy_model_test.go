package workloads

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// Unit tests of the GitRepo and HelmOp models: Fleet object -> model ->
// Fleet object keeps every field the provider manages, and the model fits
// the schema (the framework sets and gets it).

func readFixture[T any](t *testing.T, name string) *T {
	t.Helper()
	y, err := os.ReadFile("../../fleet/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	out := new(T)
	if err := yaml.Unmarshal(y, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// comparable returns v as generic JSON without zero values: Fleet omits
// them, the provider sends false explicitly.
func comparableJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return withoutZeros(out)
}

// throughFramework stores the model in a state of the schema and reads it
// back, as Terraform would between plan and apply.
func throughFramework[M any](t *testing.T, s schema.Schema, m *M) *M {
	t.Helper()
	ctx := context.Background()
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("set: %v", diags)
	}
	out := new(M)
	if diags := state.Get(ctx, out); diags.HasError() {
		t.Fatalf("get: %v", diags)
	}
	return out
}

// nullTimeouts is an unset timeouts block.
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
}

func TestGitRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	g := readFixture[fleet.GitRepo](t, "gitrepo.yaml")
	m := gitRepoModel{Timeouts: nullTimeouts()}
	m.Flatten(g, true)
	back, diags := throughFramework(t, resourceSchema(NewGitRepoResource()), &m).Expand(ctx)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if want, got := comparableJSON(t, g.Spec), comparableJSON(t, back.Spec); !reflect.DeepEqual(want, got) {
		t.Errorf("spec changed in the round trip:\nwant %v\n got %v", want, got)
	}
	if back.Labels["team"] != "platform" || back.Annotations["note"] != "managed by terraform" {
		t.Errorf("metadata: %v %v", back.Labels, back.Annotations)
	}
	// Status, read-only.
	if m.Commit.ValueString() != g.Status.Commit || m.ReadyClusters.ValueInt64() != 2 || m.DesiredReadyClusters.ValueInt64() != 3 ||
		m.State.ValueString() != "NotReady" || m.Message.ValueString() != "deployment apps/frontend not ready" {
		t.Errorf("status: %+v", m.deployStatusModel)
	}
	if n := m.Summary.Attributes()["not_ready"].String(); n != "1" {
		t.Errorf("summary.not_ready = %s", n)
	}
	if m.PollingInterval.ValueString() != "1m30s" || m.WaitForReady.ValueBool() {
		t.Errorf("polling_interval %s, wait_for_ready %v", m.PollingInterval, m.WaitForReady)
	}
}

func TestHelmOpRoundTrip(t *testing.T) {
	ctx := context.Background()
	op := readFixture[fleet.HelmOp](t, "helmop.yaml")
	m := helmOpModel{Timeouts: nullTimeouts()}
	m.Flatten(op, true)
	back, diags := throughFramework(t, resourceSchema(NewHelmOpResource()), &m).Expand(ctx)
	if diags.HasError() {
		t.Fatal(diags)
	}
	// The fixture holds every field; the provider manages all but these two,
	// which only bundles from git have or Fleet sets.
	want := op.Spec
	want.Helm.ValuesFiles = nil
	want.AllowedTargetNamespaceSelector = nil
	if got := comparableJSON(t, back.Spec); !reflect.DeepEqual(comparableJSON(t, want), got) {
		t.Errorf("spec changed in the round trip:\nwant %v\n got %v", comparableJSON(t, want), got)
	}
	if m.Version.ValueString() != "4.11.3" || m.ReadyClusters.ValueInt64() != 3 {
		t.Errorf("status: version %s, ready %s", m.Version, m.ReadyClusters)
	}
	if m.Helm.Values.ValueString() == "" || m.PollingInterval.ValueString() != "10m" {
		t.Errorf("values %s, polling_interval %s", m.Helm.Values, m.PollingInterval)
	}
}

// TestEmptyObjectsRoundTrip flattens objects with nothing but the required
// fields and no status, as right after a create.
func TestEmptyObjectsRoundTrip(t *testing.T) {
	ctx := context.Background()
	g := gitRepoModel{Timeouts: nullTimeouts()}
	g.Flatten(&fleet.GitRepo{Spec: fleet.GitRepoSpec{Repo: "https://example.com/r.git"}}, false)
	if back, diags := throughFramework(t, resourceSchema(NewGitRepoResource()), &g).Expand(ctx); diags.HasError() || back.Spec.Repo != "https://example.com/r.git" {
		t.Fatalf("%v %v", back, diags)
	}
	h := helmOpModel{Timeouts: nullTimeouts()}
	h.Flatten(&fleet.HelmOp{Spec: fleet.HelmOpSpec{BundleDeploymentOptions: fleet.BundleDeploymentOptions{Helm: &fleet.HelmOptions{Chart: "c"}}}}, false)
	if back, diags := throughFramework(t, resourceSchema(NewHelmOpResource()), &h).Expand(ctx); diags.HasError() || back.Spec.Helm.Chart != "c" {
		t.Fatalf("%v %v", back, diags)
	}
}

// TestDeploySchemas lets the framework check the fleet_gitrepo and
// fleet_helmop schemas, and requires a description on every attribute,
// nested ones included.
func TestDeploySchemas(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]schema.Schema{"fleet_gitrepo": resourceSchema(NewGitRepoResource()), "fleet_helmop": resourceSchema(NewHelmOpResource())} {
		if diags := s.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%s: %v", name, diags)
		}
		var walk func(string, map[string]schema.Attribute)
		walk = func(prefix string, attrs map[string]schema.Attribute) {
			for n, a := range attrs {
				if a.GetDescription() == "" {
					t.Errorf("%s: attribute %s%s has no description", name, prefix, n)
				}
				switch a := a.(type) {
				case schema.SingleNestedAttribute:
					walk(prefix+n+".", a.Attributes)
				case schema.ListNestedAttribute:
					walk(prefix+n+".", a.NestedObject.Attributes)
				}
			}
		}
		walk("", s.Attributes)
	}
}

// resourceSchema is the schema Terraform sees, timeouts block included.
func resourceSchema(r resource.Resource) schema.Schema {
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema
}
